package sentrytask_test

import (
	"context"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestSpansCutAtMaxSpansAreReported: sentry-go keeps at most MaxSpans spans
// per transaction (1000, read from the global hub's client, which tests
// leave unset) and drops the rest with one debug line. The detector marks
// and counts such a transaction, and Check names the cause.
func TestSpansCutAtMaxSpansAreReported(t *testing.T) {
	t.Parallel()
	hub, rec, det := detected(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	for _, n := range []int{998, 1200} {
		tx := sentry.StartTransaction(ctx, "bulk", sentry.WithOpName("cli"))
		for range n {
			_ = sentrytask.Instrument(tx.Context(), "item", noop)
		}
		tx.Finish()
	}
	if got := det.Truncated(); got != 1 {
		t.Errorf("Truncated() = %d; want 1, the transaction of 1,200 spans", got)
	}
	txs := rec.Transactions()
	if len(txs) != 2 || len(txs[0].Spans) != 998 || len(txs[1].Spans) != 999 {
		t.Fatalf("recorded %d transactions; want one of 998 spans and one cut to 999", len(txs))
	}
	if err := sentrytasktest.Check(txs[:1], sentrytasktest.ExpectSpans("item", 998)); err != nil {
		t.Errorf("Check of the transaction within the limit: %v", err)
	}
	err := sentrytasktest.Check(txs[1:], sentrytasktest.ExpectSpans("item", 1200))
	if err == nil || !strings.Contains(err.Error(), `transaction "bulk" reached sentry-go's MaxSpans (1000 spans`) {
		t.Errorf("Check = %v; want MaxSpans named as the cause", err)
	}
}
