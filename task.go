package sentrytask

import (
	"context"
	"sync/atomic"
)

// Task is a handle on a function running in its own goroutine, started by Go
// or by a Pool. Its methods are safe for concurrent use. Only Go and Pool
// make usable Tasks; Wait on a zero Task blocks forever.
type Task struct {
	job job
	// state holds the taskFinished, taskRequested and taskClosed bits.
	state atomic.Uint32
	// done is made only when someone asks for it before the task finishes:
	// most tasks are waited on after they finish, or not at all, and need
	// no channel.
	done atomic.Pointer[chan struct{}]
	// err is final once taskFinished is set.
	err error
}

const (
	taskFinished  = 1 << iota // err is final
	taskRequested             // done is published; whoever sees both closes it
	taskClosed                // done is closed
)

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
	t := new(Task)
	t.job.capture(ctx, HubFromContext(ctx), fn, noOptions.with(opts))
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
	t.complete(err)
}

// complete publishes err as the task's result and wakes whoever waits.
func (t *Task) complete(err error) {
	t.err = err
	// The handle may be kept long after the task ends: let the task's
	// context, hub and closure be collected. Only those: clearing the
	// whole job costs a bulk write barrier per task while the GC runs.
	t.job.ctx, t.job.fn = nil, nil
	// Done sets taskRequested after publishing the channel, and this sets
	// taskFinished; whichever of the two comes second sees both bits and
	// closes the channel.
	if t.state.Or(taskFinished)&taskRequested != 0 {
		t.closeDone()
	}
}

func (t *Task) closeDone() {
	if t.state.Or(taskClosed)&taskClosed == 0 {
		close(*t.done.Load())
	}
}

// Done returns a channel that is closed when the task has finished.
func (t *Task) Done() <-chan struct{} {
	if ch := t.done.Load(); ch != nil {
		return *ch
	}
	ch := make(chan struct{})
	if !t.done.CompareAndSwap(nil, &ch) {
		return *t.done.Load()
	}
	if t.state.Or(taskRequested)&taskFinished != 0 {
		t.closeDone()
	}
	return ch
}

// Wait waits for the task to finish and returns its error: what fn returned,
// or a *PanicError if fn panicked and panics are recovered.
func (t *Task) Wait() error {
	if t.state.Load()&taskFinished == 0 {
		<-t.Done()
	}
	return t.err
}
