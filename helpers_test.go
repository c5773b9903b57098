package sentrytask_test

import (
	"context"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// newTrace returns a context carrying an isolated hub and a transaction
// named name, and the recorder that receives what the hub sends.
func newTrace(t *testing.T, name string, opts ...func(*sentry.ClientOptions)) (context.Context, *sentry.Span, *sentrytasktest.Recorder) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t, opts...)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	tx := sentry.StartTransaction(ctx, name)
	return tx.Context(), tx, rec
}

// only returns the single event in events, failing the test otherwise.
func only(t *testing.T, what string, events []*sentry.Event) *sentry.Event {
	t.Helper()
	if len(events) != 1 {
		t.Fatalf("recorded %d %s; want 1", len(events), what)
	}
	return events[0]
}

func noop(context.Context) error { return nil }

// detected returns a hub of its own whose client has det installed, and
// the recorder of what it sends.
func detected(t *testing.T) (*sentry.Hub, *sentrytasktest.Recorder, *sentrytask.OrphanDetector) {
	t.Helper()
	det := sentrytask.NewOrphanDetector()
	hub, rec := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) {
		o.Integrations = func(in []sentry.Integration) []sentry.Integration { return append(in, det) }
	})
	return hub, rec, det
}

// noClient is a context whose hub has no client: Sentry is off.
func noClient() context.Context {
	return sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
}
