package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func shutdown(t *testing.T, p *sentrytask.Pool) {
	t.Helper()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown() = %v; want nil", err)
	}
}

func TestPoolCapturesTheTracePerSubmitNotPerWorker(t *testing.T) {
	t.Parallel()
	// Built before any trace or client exists.
	p := sentrytask.NewPool(2, sentrytask.WithSpan("job"))
	defer shutdown(t, p)
	hub, rec := sentrytasktest.NewHub(t)

	const submitters, perSubmitter = 3, 20
	txs := make([]*sentry.Span, submitters)
	var wg sync.WaitGroup
	for s := range submitters {
		wg.Go(func() {
			ctx := sentry.SetHubOnContext(context.Background(), hub.Clone()) //sentrytask:ignore each submitter makes its own hub and transaction, in its own goroutine
			txs[s] = sentry.StartTransaction(ctx, "submitter "+strconv.Itoa(s))
			var tasks []*sentrytask.Task
			for range perSubmitter {
				task, err := p.Submit(txs[s].Context(), func(ctx context.Context) error {
					sentry.StartSpan(ctx, "inner").Finish()
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				tasks = append(tasks, task)
			}
			for _, task := range tasks {
				if err := task.Wait(); err != nil {
					t.Error(err)
				}
			}
			txs[s].Finish()
		})
	}
	wg.Wait()

	for _, tx := range txs {
		sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.OnlyTrace(tx.TraceID.String()),
			sentrytasktest.ExpectSpans("job", perSubmitter), sentrytasktest.ExpectSpans("inner", perSubmitter))
	}
	got := rec.Transactions()
	if len(got) != submitters {
		t.Fatalf("recorded %d transactions; want %d", len(got), submitters)
	}
	for _, tx := range got {
		_, txSpan, _ := sentrytasktest.IDs(tx)
		jobs, inner := sentrytasktest.SpansByOp([]*sentry.Event{tx}, "job"), sentrytasktest.SpansByOp([]*sentry.Event{tx}, "inner")
		if len(jobs) != perSubmitter || len(inner) != perSubmitter {
			t.Errorf("%q has %d job and %d inner spans; want %d of each: every task's spans in its submitter's transaction",
				tx.Transaction, len(jobs), len(inner), perSubmitter)
		}
		ids := map[sentry.SpanID]bool{}
		for _, j := range jobs {
			ids[j.SpanID] = true
			if j.ParentSpanID.String() != txSpan {
				t.Errorf("job span in %q has parent %s; want the submitter's transaction %s", tx.Transaction, j.ParentSpanID, txSpan)
			}
		}
		for _, in := range inner {
			if !ids[in.ParentSpanID] {
				t.Errorf("inner span in %q has parent %s; want one of its own job spans", tx.Transaction, in.ParentSpanID)
			}
		}
	}
}

func TestPoolWorkerCarriesNothingFromOneTaskToTheNext(t *testing.T) {
	t.Parallel()
	p := sentrytask.NewPool(1)
	defer shutdown(t, p)
	ctx, tx, rec := newTrace(t, "parent")
	first, err := p.Submit(ctx, func(ctx context.Context) error {
		hub := sentry.GetHubFromContext(ctx)
		hub.Scope().SetTag("first", "yes")
		hub.AddBreadcrumb(&sentry.Breadcrumb{Message: "first"}, nil)
		sentry.StartSpan(ctx, "left open") // never finished: its hub's scope points at it
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	second, _ := p.Submit(ctx, func(ctx context.Context) error {
		hub := sentry.GetHubFromContext(ctx)
		if got := hub.Scope().GetSpan(); got != tx {
			return fmt.Errorf("second task's scope span = %v; want its submitter's transaction", got)
		}
		hub.CaptureMessage("second")
		return nil
	})
	if err := second.Wait(); err != nil {
		t.Fatal(err)
	}
	e := only(t, "messages", rec.Errors())
	if e.Tags["first"] != "" || len(e.Breadcrumbs) != 0 {
		t.Errorf("second task's event has tags %v and %d breadcrumbs; want none from the first task", e.Tags, len(e.Breadcrumbs))
	}
}

func TestPoolTaskWhoseContextEndedBeforePickUpDoesNotRun(t *testing.T) {
	t.Parallel()
	p := sentrytask.NewPool(1)
	defer shutdown(t, p)
	block, started := make(chan struct{}), make(chan struct{})
	_, _ = p.Submit(context.Background(), func(context.Context) error { close(started); <-block; return nil })
	<-started
	ctx, cancel := context.WithCancelCause(context.Background())
	ran := false
	task, err := p.Submit(ctx, func(context.Context) error { ran = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("client went away")
	cancel(cause)
	close(block)
	if err := task.Wait(); err != cause || ran {
		t.Errorf("task cancelled while queued: Wait() = %v, ran = %t; want %v and not run", err, ran, cause)
	}
	if s := p.Stats(); s.NotRun != 1 {
		t.Errorf("Stats().NotRun = %d; want 1", s.NotRun)
	}
}

func TestPoolSubmitBlocksWhileFullAndHonoursCtx(t *testing.T) {
	t.Parallel()
	p := sentrytask.NewPool(1, sentrytask.WithQueueSize(1))
	defer shutdown(t, p)
	block, started := make(chan struct{}), make(chan struct{})
	defer close(block)
	_, _ = p.Submit(context.Background(), func(context.Context) error { close(started); <-block; return nil })
	<-started
	if _, err := p.Submit(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Fatalf("Submit into the free queue slot = %v", err)
	}
	if s := p.Stats(); s.Running != 1 || s.Queued != 1 || s.Submitted != 2 {
		t.Errorf("Stats() with one task running and one queued = %+v", s)
	}
	if _, err := p.TrySubmit(context.Background(), func(context.Context) error { return nil }); err != sentrytask.ErrFull {
		t.Errorf("TrySubmit on a full queue = %v; want ErrFull", err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("deadline for enqueueing")
	result := make(chan error)
	go func() {
		_, err := p.Submit(ctx, func(context.Context) error { return nil })
		result <- err
	}()
	cancel(cause)
	if err := <-result; err != cause {
		t.Errorf("Submit blocked on a full queue, then ctx cancelled = %v; want the cause %v", err, cause)
	}
	if s := p.Stats(); s.Rejected != 2 {
		t.Errorf("Stats().Rejected = %d; want 2", s.Rejected)
	}
}

func TestPoolRejectsBadUse(t *testing.T) {
	t.Parallel()
	p := sentrytask.NewPool(1)
	shutdown(t, p)
	shutdown(t, p)
	for name, submit := range map[string]func(context.Context, func(context.Context) error, ...sentrytask.Option) (*sentrytask.Task, error){
		"Submit": p.Submit, "TrySubmit": p.TrySubmit,
	} {
		if _, err := submit(context.Background(), func(context.Context) error { return nil }); err != sentrytask.ErrClosed {
			t.Errorf("%s after Shutdown = %v; want ErrClosed", name, err)
		}
	}
	for _, n := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPool(%d) did not panic", n)
				}
			}()
			sentrytask.NewPool(n)
		}()
	}
}

func TestPoolRecoveredPanicKeepsTheWorker(t *testing.T) {
	t.Parallel()
	p := sentrytask.NewPool(1, sentrytask.WithRecoverPanics(), sentrytask.WithSpan("job"))
	ctx, tx, rec := newTrace(t, "parent")
	var span sentry.SpanID
	bad, _ := p.Submit(ctx, func(ctx context.Context) error {
		span = sentry.SpanFromContext(ctx).SpanID
		panickingFunction("boom")
		return nil
	})
	good, _ := p.Submit(ctx, func(context.Context) error { return nil })
	failing, _ := p.Submit(ctx, func(context.Context) error { return errors.New("no") })
	var pe *sentrytask.PanicError
	if err := bad.Wait(); !errors.As(err, &pe) {
		t.Errorf("panicking task: Wait() = %v; want *PanicError", err)
	}
	if err := good.Wait(); err != nil {
		t.Errorf("task after a panic: Wait() = %v; want nil (the worker survives)", err)
	}
	_ = failing.Wait()
	shutdown(t, p)
	tx.Finish()
	assertPanicEvent(t, only(t, "panic events", rec.Errors()), span)
	if s := p.Stats(); s != (sentrytask.PoolStats{Submitted: 3, Completed: 1, Failed: 1, Panicked: 1}) {
		t.Errorf("Stats() = %+v; want 3 submitted: 1 completed, 1 failed, 1 panicked", s)
	}
}

// TestPoolShutdownUnderConcurrentProducersLosesNothing: every accepted task
// either runs or is reported as not run, whether Shutdown drains the queue
// or gives up on it.
func TestPoolShutdownUnderConcurrentProducersLosesNothing(t *testing.T) {
	t.Parallel()
	for _, giveUp := range []bool{false, true} {
		t.Run(fmt.Sprintf("give up %t", giveUp), func(t *testing.T) {
			t.Parallel()
			const workers, queue, producers = 4, 64, 8
			p := sentrytask.NewPool(workers, sentrytask.WithQueueSize(queue))
			var (
				mu                      sync.Mutex
				accepted                []*sentrytask.Task
				ran                     = map[*sentrytask.Task]bool{}
				refused                 int
				producing, shuttingDown sync.WaitGroup
			)
			release := make(chan struct{})
			producing.Add(producers)
			shuttingDown.Add(1)
			for range producers {
				go func() {
					defer producing.Done()
					for {
						var self *sentrytask.Task
						ready := make(chan struct{})
						task, err := p.Submit(context.Background(), func(context.Context) error {
							<-ready
							<-release
							mu.Lock()
							ran[self] = true
							mu.Unlock()
							return nil
						})
						if err != nil {
							if err != sentrytask.ErrClosed {
								t.Errorf("Submit = %v; want nil or ErrClosed", err)
							}
							mu.Lock()
							refused++
							mu.Unlock()
							return
						}
						self = task
						close(ready)
						mu.Lock()
						accepted = append(accepted, task)
						n := len(accepted)
						mu.Unlock()
						if n == workers+queue {
							// Every worker holds a task and the queue is full:
							// producers block from here on.
							shuttingDown.Done()
						}
					}
				}()
			}
			shuttingDown.Wait() // the queue is full and producers are blocked
			ctx, cancel := context.WithCancel(context.Background())
			if giveUp {
				cancel()
				if err := p.Shutdown(ctx); err != context.Canceled {
					t.Errorf("Shutdown(cancelled ctx) = %v; want context.Canceled", err)
				}
				close(release)
			} else {
				close(release)
				if err := p.Shutdown(ctx); err != nil {
					t.Errorf("Shutdown() = %v; want nil", err)
				}
			}
			cancel()
			producing.Wait()
			notRun := 0
			for _, task := range accepted {
				err := task.Wait()
				mu.Lock()
				r := ran[task]
				mu.Unlock()
				switch {
				case r && err == nil:
				case !r && err == sentrytask.ErrClosed:
					notRun++
				default:
					t.Fatalf("accepted task: ran %t, Wait() = %v; want ran with nil, or not run with ErrClosed", r, err)
				}
			}
			if !giveUp && notRun != 0 {
				t.Errorf("%d accepted tasks were not run by a Shutdown that was not cut short", notRun)
			}
			if giveUp && notRun == 0 {
				t.Error("Shutdown gave up at once yet every task ran; want the queued ones reported not run")
			}
			// Tasks already running when Shutdown gave up finish on their own.
			if err := p.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			s := p.Stats()
			if s.Submitted != int64(len(accepted)) || s.Completed+s.NotRun != s.Submitted || s.NotRun != int64(notRun) {
				t.Errorf("Stats() = %+v; want Submitted %d = Completed + NotRun, NotRun %d", s, len(accepted), notRun)
			}
			t.Logf("accepted %d, not run %d, refused %d", len(accepted), notRun, refused)
		})
	}
}

// TestPoolTaskThatCallsGoexitKeepsThePoolAtItsSize: runtime.Goexit (what
// t.FailNow calls) ends the worker's goroutine; the pool starts another, so
// a one-worker pool still runs what comes next, and the task reports it did
// not return.
func TestPoolTaskThatCallsGoexitKeepsThePoolAtItsSize(t *testing.T) {
	t.Parallel()
	p := sentrytask.NewPool(1)
	ctx := noClient()
	exits, _ := p.Submit(ctx, func(context.Context) error {
		runtime.Goexit()
		return nil
	})
	next, _ := p.Submit(ctx, func(context.Context) error { return nil })
	if err := exits.Wait(); err == nil || !strings.Contains(err.Error(), "Goexit") {
		t.Errorf("task that called Goexit: Wait() = %v; want an error naming Goexit", err)
	}
	select {
	case <-next.Done():
	case <-time.After(time.Minute):
		t.Fatal("the task after a Goexit did not run within a minute: no worker replaced the lost one")
	}
	if err := next.Wait(); err != nil {
		t.Errorf("task after a Goexit: Wait() = %v; want nil", err)
	}
	shutdown(t, p)
	if s := p.Stats(); s != (sentrytask.PoolStats{Submitted: 2, Completed: 1, Failed: 1}) {
		t.Errorf("Stats() = %+v; want 2 submitted: 1 completed, 1 failed", s)
	}
}
