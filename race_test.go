package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestOverlappingTasksKeepTheirOwnSpansTagsAndErrors runs 1,024 tasks from
// four spawners, all alive at once, each starting a span, setting a tag and
// capturing an error in it. Passing the spawner's ctx to a plain goroutine
// fails every assertion here: the tasks would share one scope.
func TestOverlappingTasksKeepTheirOwnSpansTagsAndErrors(t *testing.T) {
	t.Parallel()
	const spawners, perSpawner = 4, 256 // sentry-go keeps at most 1000 spans per transaction
	hub, rec := sentrytasktest.NewHub(t)

	var ready sync.WaitGroup
	start := make(chan struct{})
	ready.Add(spawners * perSpawner)
	type result struct {
		span        sentry.SpanID
		traceparent string
		failure     error
	}
	results := make([]result, spawners*perSpawner)
	txs := make([]*sentry.Span, spawners)
	hubs := make([]*sentry.Hub, spawners)
	tasks := make([]*sentrytask.Task, 0, len(results))
	for s := range spawners {
		hubs[s] = hub.Clone()
		txs[s] = sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hubs[s]), "spawner "+strconv.Itoa(s))
		for k := range perSpawner {
			i := s*perSpawner + k
			tasks = append(tasks, sentrytask.Go(txs[s].Context(), func(ctx context.Context) error {
				span := sentry.StartSpan(ctx, "work")
				defer span.Finish()
				ready.Done()
				<-start // every task has started its span before any goes on
				own := sentry.GetHubFromContext(span.Context())
				own.Scope().SetTag("task", strconv.Itoa(i))
				results[i] = result{span: span.SpanID, traceparent: own.GetTraceparent()}
				if results[i].traceparent != span.ToSentryTrace() {
					results[i].failure = fmt.Errorf("task %d: GetTraceparent() = %s; want its own span %s", i, results[i].traceparent, span.ToSentryTrace())
				}
				own.CaptureException(fmt.Errorf("task %d", i))
				return nil
			}))
		}
	}
	ready.Wait()
	close(start)
	for _, task := range tasks {
		if err := task.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	for s := range spawners {
		if got := hubs[s].Scope().GetSpan(); got != txs[s] {
			t.Errorf("spawner %d's scope span after its tasks = %v; want its transaction", s, got)
		}
		txs[s].Finish()
	}

	for _, r := range results {
		if r.failure != nil {
			t.Error(r.failure)
		}
	}
	errs := rec.Errors()
	if len(errs) != len(results) {
		t.Fatalf("recorded %d errors; want %d", len(errs), len(results))
	}
	for _, e := range errs {
		var i int
		if _, err := fmt.Sscanf(e.Exception[0].Value, "task %d", &i); err != nil {
			t.Fatalf("unexpected error event %q", e.Exception[0].Value)
		}
		if _, spanID, _ := sentrytasktest.IDs(e); spanID != results[i].span.String() {
			t.Errorf("task %d's error linked to span %s; want its own span %s", i, spanID, results[i].span)
		}
		if got := e.Tags["task"]; got != strconv.Itoa(i) {
			t.Errorf("task %d's error has tag task=%q; want %d: tags leaked between tasks", i, got, i)
		}
	}
	for _, tx := range rec.Transactions() {
		work := sentrytasktest.SpansByOp([]*sentry.Event{tx}, "work")
		_, txSpan, _ := sentrytasktest.IDs(tx)
		if len(work) != perSpawner {
			t.Errorf("transaction %q has %d work spans; want %d", tx.Transaction, len(work), perSpawner)
		}
		for _, w := range work {
			if w.ParentSpanID.String() != txSpan {
				t.Errorf("work span %s in %q has parent %s; want the transaction %s", w.SpanID, tx.Transaction, w.ParentSpanID, txSpan)
			}
		}
	}
	for s := range spawners {
		sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.OnlyTrace(txs[s].TraceID.String()),
			sentrytasktest.ExpectSpans("work", perSpawner))
	}
	for s := range spawners {
		event := hubs[s].Client().EventFromMessage("probe", sentry.LevelInfo)
		if tags := hubs[s].Scope().ApplyToEvent(event, nil, hubs[s].Client()).Tags; tags["task"] != "" {
			t.Errorf("spawner %d's scope has tag task=%q set by a task", s, tags["task"])
		}
	}
}

// TestPlainGoroutinesMisattributeErrors pins down the sentry-go behaviour this
// package exists for, next to the same steps run with Go: two goroutines
// sharing the spawner's hub, where B starts a span while A is in its own, so
// A's error is linked to B's span.
func TestPlainGoroutinesMisattributeErrors(t *testing.T) {
	t.Parallel()
	scenario := func(t *testing.T, spawn func(ctx context.Context, fn func(ctx context.Context))) (aSpan, bSpan sentry.SpanID, linked string) {
		ctx, tx, rec := newTrace(t, "parent")
		aStarted, bStarted := make(chan struct{}), make(chan struct{})
		aDone, bDone := make(chan struct{}), make(chan struct{})
		spawn(ctx, func(ctx context.Context) {
			a := sentry.StartSpan(ctx, "a")
			aSpan = a.SpanID
			close(aStarted)
			<-bStarted
			sentry.GetHubFromContext(a.Context()).CaptureException(errors.New("in a"))
			a.Finish()
			close(aDone)
		})
		spawn(ctx, func(ctx context.Context) {
			<-aStarted
			b := sentry.StartSpan(ctx, "b")
			bSpan = b.SpanID
			close(bStarted)
			<-aDone
			b.Finish()
			close(bDone)
		})
		<-bDone
		tx.Finish()
		_, linked, _ = sentrytasktest.IDs(only(t, "error events", rec.Errors()))
		return aSpan, bSpan, linked
	}

	t.Run("go statement", func(t *testing.T) {
		t.Parallel()
		//sentrytask:ignore the bug this subtest shows
		_, b, linked := scenario(t, func(ctx context.Context, fn func(context.Context)) { go fn(ctx) })
		if linked != b.String() {
			t.Errorf("with a shared hub, A's error is linked to %s; sentry-go was expected to link it to B's span %s", linked, b)
		}
	})
	t.Run("sentrytask.Go", func(t *testing.T) {
		t.Parallel()
		a, _, linked := scenario(t, func(ctx context.Context, fn func(context.Context)) {
			sentrytask.Go(ctx, func(ctx context.Context) error { fn(ctx); return nil })
		})
		if linked != a.String() {
			t.Errorf("A's error is linked to %s; want A's own span %s", linked, a)
		}
	})
}
