package sentrytask_test

import (
	"context"
	"testing"

	"github.com/getsentry/sentry-go"
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

// traceContext returns the trace context of an event as strings.
func traceContext(e *sentry.Event) (traceID, spanID, parentID string) {
	tc := e.Contexts["trace"]
	s := func(k string) string {
		if v, ok := tc[k].(interface{ String() string }); ok {
			return v.String()
		}
		v, _ := tc[k].(string)
		return v
	}
	return s("trace_id"), s("span_id"), s("parent_span_id")
}

// spansByOp returns the spans of a transaction event with operation op.
func spansByOp(tx *sentry.Event, op string) []*sentry.Span {
	var out []*sentry.Span
	for _, s := range tx.Spans {
		if s.Op == op {
			out = append(out, s)
		}
	}
	return out
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

// noClient is a context whose hub has no client: Sentry is off.
func noClient() context.Context {
	return sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
}
