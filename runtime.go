package sentrytask

import (
	"context"
	"runtime"
	"sync/atomic"
)

// Task is a handle on a function running in its own goroutine, started by Go
// or by a Pool. Its methods are safe for concurrent use. Only Go and Pool
// make usable Tasks; Wait on a zero Task blocks forever.
//
// A Task is 64 bytes, one cache line, which the spawner writes and the
// task's goroutine (a Pool's worker, on another core) reads and writes. At
// 80 bytes a batch of Go tasks cost 1.13–1.28× what it costs at 64
// (BenchmarkOldNew/Go, old and new code side by side, 9 rounds of 1 s, 2
// CPUs): hence one pointer for the completion, and an error allocated
// only when there is one. TestTaskFitsOneCacheLine guards it.
type Task struct {
	job job
	// done is nil while the task runs and nobody has asked for Done, the
	// channel Done handed out once someone has, and finished once the
	// task has finished. Only complete closes a channel, once.
	done atomic.Pointer[chan struct{}]
	// err is nil for a task that returned nil; final once done is
	// finished.
	err *error
}

// finished is the done of every task that has finished: a closed channel.
var finished = func() *chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return &ch
}()

// Go runs fn in a new goroutine, the way `go fn(ctx)` would, but with the
// trace kept whole: fn receives a context that carries its own clone of the
// spawner's hub, taken now, in the calling goroutine, whose scope points at
// the span on ctx. Errors and spans of fn are therefore linked to that span,
// and nothing fn does to its scope reaches the spawner's, or the other way
// round.
//
// By default fn runs inside the spawner's span; WithSpan gives it one of its
// own. A panic in fn is reported to Sentry once, through fn's hub, on the
// span where it happened; its span (if any) is finished with an error
// status and the events flushed, and then the panic goes on in fn's
// goroutine and ends the program, as it would with `go`; WithRecoverPanics
// turns it into a *PanicError instead, without a flush.
//
// Cancellation is the spawner's: fn's context is done when ctx is. Use
// Detach for work that must outlive its spawner.
//
// With no enabled Sentry client on ctx's hub, Go clones nothing and starts
// no span; benchmarks/RESULTS.md gives what it costs next to a plain
// goroutine and to hand-written sentry-go code.
func Go(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) *Task {
	mustContext(ctx, "Go")
	mustFunc(fn == nil, "Go")
	t := &Task{job: job{where: onOwnGoroutine}}
	t.job.capture(ctx, HubFromContext(ctx), fn, with(&noOptions, opts))
	go t.run()
	return t
}

// run runs the task's job in this goroutine and completes the task with how
// it ended.
func (t *Task) run() {
	defer t.exited()
	t.complete(t.job.run(t.job.cfg.span, t.job.cfg.op))
}

// exited completes a task whose function called runtime.Goexit, which
// unwinds past run. A task whose panic goes on is left unfinished: nobody
// waiting on it may carry on while the program goes down.
func (t *Task) exited() {
	if t.job.ending == exited {
		t.complete(errGoexit)
	}
}

// skip completes a task that will never run, with err saying why.
func (t *Task) skip(err error) {
	t.job.release()
	if f := t.job.cfg.notRun; f != nil {
		f(err)
	}
	t.complete(err)
}

// complete publishes err as the task's result and wakes whoever waits.
func (t *Task) complete(err error) {
	if err != nil {
		e := err // only a failing task pays for a copy on the heap
		t.err = &e
	}
	// The handle may be kept long after the task ends: let the task's
	// context, hub and closure be collected. Only those: clearing the
	// whole job costs a bulk write barrier per task while the GC runs.
	t.job.ctx, t.job.fn = nil, nil
	if ch := t.done.Swap(finished); ch != nil {
		close(*ch)
	}
}

// Done returns a channel that is closed when the task has finished.
func (t *Task) Done() <-chan struct{} {
	if ch := t.done.Load(); ch != nil {
		return *ch
	}
	ch := make(chan struct{})
	if t.done.CompareAndSwap(nil, &ch) {
		return ch
	}
	return *t.done.Load() // finished meanwhile
}

// yieldedTo yields a few times to a task that Go has just spawned and
// reports whether it has finished by then. Such a task is usually runnable
// and not yet run, as is the rest of its batch; yielding runs them, and a
// fan-out joined task by task then costs a few yields instead of a park, a
// wake-up and a channel per task: without the yields a batch of 64 joined
// one by one cost 1.69× as much (BenchmarkOldNewJoined, 9 rounds of 1 s, 2
// CPUs). A pool's workers already run elsewhere; yielding to them would
// only add trips through the scheduler.
func (t *Task) yieldedTo() bool {
	if t.job.where != onOwnGoroutine {
		return false
	}
	for range 3 {
		runtime.Gosched()
		if t.done.Load() == finished {
			return true
		}
	}
	return false
}

// Wait waits for the task to finish and returns its error: what fn returned,
// or a *PanicError if fn panicked and panics are recovered.
func (t *Task) Wait() error {
	if t.done.Load() != finished && !t.yieldedTo() {
		<-t.Done()
	}
	if t.err == nil {
		return nil
	}
	return *t.err
}
