package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestDetachedWorkOutlivesItsSpawnerAndContinuesTheTrace(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "checkout")
	ctx, cancel := context.WithCancel(ctx)
	step := sentry.StartSpan(ctx, "step")

	proceed := make(chan struct{})
	var baggage string
	task := sentrytask.Go(sentrytask.Detach(step.Context()), func(ctx context.Context) error {
		<-proceed
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("detached task was cancelled with its spawner: %w", err)
		}
		baggage = sentry.SpanFromContext(ctx).ToBaggage()
		return sentrytask.Instrument(ctx, "inner", func(context.Context) error { return nil })
	}, sentrytask.WithSpan("followup"))

	step.Finish()
	cancel()
	tx.Finish()
	if n := len(rec.Transactions()); n != 1 {
		t.Fatalf("before the detached task ran, %d transactions were sent; want the spawner's 1", n)
	}
	close(proceed)
	if err := task.Wait(); err != nil {
		t.Fatal(err)
	}

	txs := rec.Transactions()
	if len(txs) != 2 {
		t.Fatalf("recorded %d transactions; want 2 (spawner, followup)", len(txs))
	}
	followup := txs[1]
	traceID, _, parentID := sentrytasktest.IDs(followup)
	if traceID != tx.TraceID.String() || parentID != step.SpanID.String() {
		t.Errorf("followup transaction in trace %s with parent %s; want trace %s, parent %s (the span current at Detach)",
			traceID, parentID, tx.TraceID, step.SpanID)
	}
	if s := sentrytasktest.SpansByOp([]*sentry.Event{followup}, "inner"); len(s) != 1 {
		t.Errorf("followup has %d inner spans; want 1: spans below Detach must be kept", len(s))
	}
	for _, want := range []string{"sentry-transaction=checkout", "sentry-trace_id=" + tx.TraceID.String(), "sentry-public_key=testkey", "sentry-sampled=true"} {
		if !strings.Contains(baggage, want) {
			t.Errorf("followup's baggage %q lacks %q: it must carry the head's dynamic sampling context", baggage, want)
		}
	}
}

func TestDetachForwardsAContinuedTracesDynamicSamplingContextUnchanged(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	const incoming = "sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-public_key=headkey,sentry-sample_rate=0.25,sentry-transaction=GET%20%2Fhead,sentry-sampled=true"
	tx := sentry.StartTransaction(ctx, "server",
		sentry.ContinueFromHeaders("0123456789abcdef0123456789abcdef-1111111111111111-1", incoming))
	var baggage string
	err := sentrytask.Go(sentrytask.Detach(tx.Context()), func(ctx context.Context) error {
		baggage = sentry.SpanFromContext(ctx).ToBaggage()
		return nil
	}, sentrytask.WithSpan("followup")).Wait()
	if err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	for _, want := range []string{"sentry-public_key=headkey", "sentry-sample_rate=0.25", "sentry-transaction=GET%20/head"} {
		if !strings.Contains(baggage, want) {
			t.Errorf("detached baggage %q lacks the head's %q", baggage, want)
		}
	}
	if got := traceIDs(rec.Transactions()); len(got) != 1 || !got["0123456789abcdef0123456789abcdef"] {
		t.Errorf("transactions in traces %v; want only the incoming trace", got)
	}
}

func traceIDs(events []*sentry.Event) map[string]bool {
	ids := map[string]bool{}
	for _, e := range events {
		id, _, _ := sentrytasktest.IDs(e)
		ids[id] = true
	}
	return ids
}

func TestDetachHidesTheSpanAndLinksErrorsToIt(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	detached := sentrytask.Detach(ctx)
	if sentry.SpanFromContext(detached) != nil || sentry.TransactionFromContext(detached) != nil {
		t.Error("below Detach the spawner's span is still visible on ctx")
	}
	hub := sentry.GetHubFromContext(detached)
	if hub == sentry.GetHubFromContext(ctx) {
		t.Fatal("Detach did not fork the hub")
	}
	hub.CaptureException(errors.New("after detach"))
	tx.Finish()
	traceID, spanID, _ := sentrytasktest.IDs(only(t, "error events", rec.Errors()))
	if traceID != tx.TraceID.String() || spanID != tx.SpanID.String() {
		t.Errorf("error below Detach linked to %s/%s; want the span current at Detach %s/%s", traceID, spanID, tx.TraceID, tx.SpanID)
	}
	if got := hub.GetTraceparent(); !strings.HasPrefix(got, tx.TraceID.String()+"-"+tx.SpanID.String()) {
		t.Errorf("traceparent below Detach = %q; want it to continue %s-%s", got, tx.TraceID, tx.SpanID)
	}
}

func TestDetachKeepsAnUnsampledDecision(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent", func(o *sentry.ClientOptions) { o.TracesSampleRate = 0 })
	_ = sentrytask.Instrument(sentrytask.Detach(ctx), "followup", func(ctx context.Context) error {
		if s := sentry.SpanFromContext(ctx); s.Sampled != sentry.SampledFalse || s.TraceID != tx.TraceID {
			t.Errorf("detached transaction = {sampled %v, trace %v}; want unsampled in trace %v", s.Sampled, s.TraceID, tx.TraceID)
		}
		return nil
	})
	tx.Finish()
	if n := len(rec.Transactions()); n != 0 {
		t.Errorf("recorded %d transactions; want 0 in an unsampled trace", n)
	}
}

func TestDetachWithoutClientOnlyDropsCancellation(t *testing.T) {
	t.Parallel()
	hub := sentry.NewHub(nil, sentry.NewScope())
	ctx, cancel := context.WithCancel(sentry.SetHubOnContext(context.Background(), hub))
	detached := sentrytask.Detach(ctx)
	cancel()
	if detached.Err() != nil || sentry.GetHubFromContext(detached) != hub {
		t.Errorf("Detach without client: err %v, hub cloned %t; want not cancelled, same hub", detached.Err(), sentry.GetHubFromContext(detached) != hub)
	}
}

func TestConcurrentDetachesFromOneTransactionDoNotRace(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	var wg sync.WaitGroup
	tasks := make([]*sentrytask.Task, 8)
	for i := range tasks {
		wg.Go(func() {
			// Each Detach freezes or reads the transaction's sampling context.
			tasks[i] = sentrytask.Go(sentrytask.Detach(ctx), func(context.Context) error { return nil }, sentrytask.WithSpan("followup"))
		})
	}
	wg.Wait()
	for _, task := range tasks {
		if err := task.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	tx.Finish()
	if got := traceIDs(rec.Transactions()); len(rec.Transactions()) != 9 || len(got) != 1 {
		t.Errorf("recorded %d transactions in traces %v; want 9 in one trace", len(rec.Transactions()), got)
	}
}
