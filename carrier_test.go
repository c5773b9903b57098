package sentrytask_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// A carrier that holds a header more than once, as an http.Header may, is
// read and written whole, as Middleware reads a request's headers.

func TestContinueReadsEveryValueOfAHeaderCarrier(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	for _, tc := range []struct {
		name      string
		header    http.Header
		continues bool
	}{
		{"the head's context in a second baggage field", http.Header{
			"Sentry-Trace": {callerTrace + "-" + callerSpan + "-1"},
			"Baggage":      {"vendor=first", headBaggage},
		}, true},
		{"two contradictory sentry-trace fields", http.Header{
			"Sentry-Trace": {callerTrace + "-" + callerSpan + "-1", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"},
			"Baggage":      {headBaggage},
		}, false},
	} {
		rec.Reset()
		_, tx := sentrytask.Continue(ctx, sentrytask.HeaderCarrier(tc.header), "queue.process")
		tx.Finish()
		e := only(t, "transactions", rec.Transactions())
		traceID, _, parent := sentrytasktest.IDs(e)
		if continued := traceID == callerTrace && parent == callerSpan; continued != tc.continues {
			t.Errorf("%s: transaction trace %s parent %s; continued the caller's: %t, want %t", tc.name, traceID, parent, continued, tc.continues)
		}
		if !tc.continues {
			continue
		}
		// The transaction sends the head's context, frozen when it was
		// continued, not one of its own.
		out := http.Header{}
		sentrytask.Inject(tx.Context(), sentrytask.HeaderCarrier(out))
		dsc, _ := sentry.DynamicSamplingContextFromHeader([]byte(out.Get("baggage")))
		if dsc.Entries["public_key"] != "headkey" || dsc.Entries["transaction"] != "checkout" {
			t.Errorf("%s: the continued trace sends baggage %q; want the head's context", tc.name, out.Get("baggage"))
		}
	}
}

func TestInjectKeepsForeignMembersOfEveryBaggageField(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "send")
	defer tx.Finish()
	h := http.Header{
		"Baggage":      {"first=1", "sentry-release=stale,second=2"},
		"Sentry-Trace": {"stale", "staler"},
	}
	sentrytask.Inject(ctx, sentrytask.HeaderCarrier(h))
	if got := h.Values("Baggage"); len(got) != 1 || !strings.Contains(got[0], "first=1") || !strings.Contains(got[0], "second=2") ||
		strings.Contains(got[0], "stale") || !strings.Contains(got[0], "sentry-trace_id="+tx.TraceID.String()) {
		t.Errorf("baggage after Inject = %q; want one field with the trace's sentry members and first=1, second=2", got)
	}
	if got := h.Values("Sentry-Trace"); len(got) != 1 || !strings.HasPrefix(got[0], tx.TraceID.String()) {
		t.Errorf("sentry-trace after Inject = %q; want the trace's, once", got)
	}
}

// valuesOnly is a carrier over a map of lists that is not an http.Header,
// like NATS or Kafka headers: Values is how Continue sees all of a key.
type valuesOnly map[string][]string

func (v valuesOnly) Get(key string) string {
	if len(v[key]) == 0 {
		return ""
	}
	return v[key][0]
}
func (v valuesOnly) Set(key, value string)      { v[key] = []string{value} }
func (v valuesOnly) Values(key string) []string { return v[key] }

var _ sentrytask.ValuesGetter = valuesOnly(nil)

func TestContinueUsesValuesOfAnyCarrierThatHasThem(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	_, tx := sentrytask.Continue(ctx, valuesOnly{
		"sentry-trace": {callerTrace + "-" + callerSpan + "-1", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"},
	}, "job")
	tx.Finish()
	if traceID, _, _ := sentrytasktest.IDs(only(t, "transactions", rec.Transactions())); traceID == callerTrace {
		t.Errorf("Continue continued one of two contradictory sentry-trace values; want a new trace")
	}
}
