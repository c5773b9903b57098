package sentrytasktest

import (
	"testing"

	"github.com/getsentry/sentry-go"
)

// DSN is the DSN of the clients NewHub builds. Nothing is sent to it; it
// gives recorded events a public key, as a real DSN would.
const DSN = "https://testkey@sentrytask.invalid/1"

// NewHub returns a hub with a new client of its own, tracing on, every
// transaction sampled, and a Recorder as its transport. Each option may
// change the client options before the client is built. The client is
// closed when the test ends.
func NewHub(tb testing.TB, opts ...func(*sentry.ClientOptions)) (*sentry.Hub, *Recorder) {
	tb.Helper()
	rec := NewRecorder()
	o := sentry.ClientOptions{
		Dsn:              DSN,
		EnableTracing:    true,
		TracesSampleRate: 1,
		Transport:        rec,
		// An explicit release keeps sentry-go from running git to find one.
		Release:     "sentrytasktest",
		Environment: "test",
	}
	for _, opt := range opts {
		opt(&o)
	}
	client, err := sentry.NewClient(o)
	if err != nil {
		tb.Fatalf("sentrytasktest: sentry.NewClient: %v", err)
	}
	tb.Cleanup(client.Close)
	return sentry.NewHub(client, sentry.NewScope()), rec
}
