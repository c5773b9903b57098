package sentrytasktest

import (
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// DSN is the DSN of the clients this package builds. Nothing is sent to it;
// it gives recorded events a public key, as a real DSN would.
const DSN = "https://testkey@sentrytask.invalid/1"

// NewClient returns a client with tracing on, every transaction sampled, a
// sentrytask.OrphanDetector, and a new Recorder as its transport, for programs and examples that want
// to see what they would send. Each option may change the client options
// before the client is built. Close the client when done with it: sentry-go
// starts goroutines for every client.
func NewClient(opts ...func(*sentry.ClientOptions)) (*sentry.Client, *Recorder, error) {
	rec := NewRecorder()
	o := sentry.ClientOptions{
		Dsn:              DSN,
		EnableTracing:    true,
		TracesSampleRate: 1,
		Transport:        rec,
		// An explicit release keeps sentry-go from running git to find one.
		Release:     "sentrytasktest",
		Environment: "test",
		Integrations: func(in []sentry.Integration) []sentry.Integration {
			return append(in, sentrytask.NewOrphanDetector())
		},
	}
	for _, opt := range opts {
		opt(&o)
	}
	client, err := sentry.NewClient(o)
	if err != nil {
		return nil, nil, err
	}
	return client, rec, nil
}

// NewHub returns a hub of its own with a client from NewClient, which is
// closed when the test ends. Tests that each use their own hub can run in
// parallel.
func NewHub(tb testing.TB, opts ...func(*sentry.ClientOptions)) (*sentry.Hub, *Recorder) {
	tb.Helper()
	client, rec, err := NewClient(opts...)
	if err != nil {
		tb.Fatalf("sentrytasktest: sentry.NewClient: %v", err)
	}
	tb.Cleanup(client.Close)
	return sentry.NewHub(client, sentry.NewScope()), rec
}
