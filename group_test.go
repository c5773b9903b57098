package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestGroupTasksThatOverlapKeepEveryErrorOnItsOwnSpan(t *testing.T) {
	t.Parallel()
	const n = 200
	ctx, tx, rec := newTrace(t, "parent")
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("task"), sentrytask.WithCaptureErrors())
	var ready sync.WaitGroup
	ready.Add(n)
	start := make(chan struct{})
	spans := make([]sentry.SpanID, n)
	for i := range n {
		g.Go(func(ctx context.Context) error {
			spans[i] = sentry.SpanFromContext(ctx).SpanID
			sentry.GetHubFromContext(ctx).Scope().SetTag("task", strconv.Itoa(i))
			ready.Done()
			<-start
			return fmt.Errorf("task %d", i)
		}, sentrytask.WithDescription(strconv.Itoa(i)))
	}
	ready.Wait()
	close(start)
	if err := g.Wait(); err == nil {
		t.Fatal("Wait() = nil; want the first task error")
	}
	tx.Finish()
	errs := rec.Errors()
	if len(errs) != n {
		t.Fatalf("recorded %d errors; want %d", len(errs), n)
	}
	for _, e := range errs {
		var i int
		fmt.Sscanf(e.Exception[0].Value, "task %d", &i)
		if _, spanID, _ := sentrytasktest.IDs(e); spanID != spans[i].String() || e.Tags["task"] != strconv.Itoa(i) {
			t.Errorf("task %d's error linked to span %s with tag %q; want its own span %s and tag %d", i, spanID, e.Tags["task"], spans[i], i)
		}
	}
	sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.ExpectSpans("task", n))
	txs := only(t, "transactions", rec.Transactions())
	for _, s := range sentrytasktest.SpansByOp([]*sentry.Event{txs}, "task") {
		if s.ParentSpanID != tx.SpanID || s.Status != sentry.SpanStatusInternalError || s.Description == "" {
			t.Errorf("task span %s = {parent %s, status %v, %q}; want a described child of the transaction with internal_error", s.SpanID, s.ParentSpanID, s.Status, s.Description)
		}
	}
}

func TestGroupCapturesTheScopeWhenGoIsCalled(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	g, ctx := sentrytask.NewGroup(ctx)
	hub := sentry.GetHubFromContext(ctx)
	hub.Scope().SetTag("phase", "first")
	proceed := make(chan struct{})
	g.Go(func(ctx context.Context) error {
		<-proceed
		sentry.GetHubFromContext(ctx).CaptureMessage("first")
		return nil
	})
	hub.Scope().SetTag("phase", "second")
	g.Go(func(ctx context.Context) error {
		<-proceed
		sentry.GetHubFromContext(ctx).CaptureMessage("second")
		return nil
	})
	hub.Scope().SetTag("phase", "after")
	close(proceed)
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	for _, e := range rec.Errors() {
		if e.Tags["phase"] != e.Message {
			t.Errorf("task %q saw tag phase=%q; want the scope as it was when its Go was called", e.Message, e.Tags["phase"])
		}
	}
}

func TestGroupFirstErrorCancelsTheContextWithItAsCause(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	defer tx.Finish()
	g, gctx := sentrytask.NewGroup(ctx)
	first := errors.New("first")
	g.Go(func(context.Context) error { return first })
	g.Go(func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if err := g.Wait(); err != first {
		t.Errorf("Wait() = %v; want %v", err, first)
	}
	if cause := context.Cause(gctx); cause != first {
		t.Errorf("context.Cause(group ctx) = %v; want %v", cause, first)
	}
}

func TestGroupRecoveredPanicCancelsTheGroup(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	g, gctx := sentrytask.NewGroup(ctx, sentrytask.WithRecoverPanics())
	g.Go(func(context.Context) error { panic("boom") })
	g.Go(func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	})
	err := g.Wait()
	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" {
		t.Fatalf("Wait() = %v; want a *PanicError for boom", err)
	}
	if !errors.As(context.Cause(gctx), &pe) {
		t.Errorf("context.Cause(group ctx) = %v; want the *PanicError", context.Cause(gctx))
	}
	tx.Finish()
	if _, spanID, _ := sentrytasktest.IDs(only(t, "panic events", rec.Errors())); spanID != tx.SpanID.String() {
		t.Errorf("panic linked to span %s; want the group's span %s", spanID, tx.SpanID)
	}
}

func TestGroupOptionsAndPerTaskOptionsCombine(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("fetch"), sentrytask.WithData("group", true))
	for i := range 20 {
		g.Go(func(context.Context) error { return nil }, sentrytask.WithData("i", i), sentrytask.WithDescription(strconv.Itoa(i)))
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	spans := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "fetch")
	if len(spans) != 20 {
		t.Fatalf("recorded %d fetch spans; want 20", len(spans))
	}
	for _, s := range spans {
		if s.Data["group"] != true || strconv.Itoa(s.Data["i"].(int)) != s.Description {
			t.Errorf("span %q data = %v; want group=true and its own i", s.Description, s.Data)
		}
	}
}

func TestGroupSetLimitBoundsActiveTasks(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	defer tx.Finish()
	g, _ := sentrytask.NewGroup(ctx)
	g.SetLimit(2)
	var active, peak atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	task := func(context.Context) error {
		n := active.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		started <- struct{}{}
		<-release
		active.Add(-1)
		return nil
	}
	g.Go(task)
	g.Go(task)
	<-started
	<-started
	if g.TryGo(task) {
		t.Error("TryGo with 2 of 2 active = true; want false")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("SetLimit while tasks are active did not panic")
			}
		}()
		g.SetLimit(5)
	}()
	done := make(chan struct{})
	go func() {
		g.Go(task) // blocks until a slot frees
		close(done)
	}()
	close(release)
	<-done
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("peak active tasks = %d; want at most the limit 2", p)
	}
}

func TestGroupLimitZeroAndNegative(t *testing.T) {
	t.Parallel()
	var g sentrytask.Group
	g.SetLimit(0)
	if g.TryGo(func(context.Context) error { return nil }) {
		t.Error("TryGo with limit 0 = true; want false")
	}
	g.SetLimit(-1)
	for range 10 {
		if !g.TryGo(func(context.Context) error { return nil }) {
			t.Fatal("TryGo with no limit = false; want true")
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestZeroGroupRunsTasksAndDoesNotCancel(t *testing.T) {
	t.Parallel()
	var g sentrytask.Group
	boom := errors.New("boom")
	g.Go(func(context.Context) error { return boom })
	g.Go(func(ctx context.Context) error { return ctx.Err() })
	if err := g.Wait(); err != boom {
		t.Errorf("Wait() = %v; want %v", err, boom)
	}
}

func TestGroupGoAfterWaitRunsWithTheCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	defer tx.Finish()
	g, _ := sentrytask.NewGroup(ctx)
	g.Go(func(context.Context) error { return nil })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	g.Go(func(ctx context.Context) error { ran <- ctx.Err(); return nil })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := <-ran; !errors.Is(err, context.Canceled) {
		t.Errorf("a task started after Wait saw ctx.Err() = %v; want context.Canceled, as errgroup does", err)
	}
}

// TestGroupCapturesAtEveryGo: like every other spawn, a Group takes what it
// captures — the hub's client included — when Go is called, not when the
// group was made. A group made before a client was bound traces the tasks
// started after it was; the task started before it runs on the group's own
// hub.
func TestGroupCapturesAtEveryGo(t *testing.T) {
	t.Parallel()
	hub := sentry.NewHub(nil, sentry.NewScope())
	g, _ := sentrytask.NewGroup(sentry.SetHubOnContext(context.Background(), hub))
	hubs := make(chan *sentry.Hub, 2)
	task := func(ctx context.Context) error {
		hubs <- sentry.GetHubFromContext(ctx)
		return nil
	}
	g.Go(task)
	if got := <-hubs; got != hub {
		t.Errorf("before a client was bound the task got hub %p; want the group's own hub %p, not a clone", got, hub)
	}
	withClient, _ := sentrytasktest.NewHub(t)
	client := withClient.Client()
	hub.BindClient(client)
	g.Go(task)
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := <-hubs; got == hub || got.Client() != client {
		t.Errorf("after a client was bound the task got hub %p (client %p); want a clone of %p with client %p", got, got.Client(), hub, client)
	}
}

// TestGroupSetLimitPanicsWhileUnlimitedTasksRun: errgroup lets a limit be
// set while tasks started without one run, and each of them then blocks
// for ever as it ends, and Wait with them. A Group panics instead; the
// limit can be set before the first Go, or once Wait has returned.
func TestGroupSetLimitPanicsWhileUnlimitedTasksRun(t *testing.T) {
	t.Parallel()
	g, _ := sentrytask.NewGroup(noClient())
	release := make(chan struct{})
	g.Go(func(context.Context) error { <-release; return nil })
	if msg := panics(func() { g.SetLimit(2) }); !strings.Contains(msg, "Group.SetLimit called while tasks started without a limit may be running") {
		t.Errorf("SetLimit while an unlimited task runs panicked with %q; want the misuse named", msg)
	}
	close(release)
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	g.SetLimit(1)
	for range 3 {
		g.Go(noop)
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}
