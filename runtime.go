package sentrytask

import (
	"context"
	"runtime"
	"sync/atomic"
)

// Task is a handle on a function running in its own goroutine, started by Go
// or by a Pool. Its methods are safe for concurrent use. Only Go and Pool
// make usable Tasks; Wait on a zero Task blocks forever.
type Task struct {
	// job.state holds the taskFinished, taskRequested and taskClosed bits,
	// and job.spawned is set for tasks Go started on a goroutine of their
	// own, which Wait yields to before parking.
	job job
	// done is made only when someone asks for it before the task finishes:
	// most tasks are waited on after they finish, or not at all, and need
	// no channel. It is a pointer to the channel so that it takes one
	// word; the extra allocation is only on the slow path.
	done atomic.Pointer[chan struct{}]
	// err is nil when the task returned nil; it is a pointer, allocated
	// only for a task that failed, so that the Task fits 64 bytes. Final
	// once taskFinished is set.
	err *error
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
	if fn == nil {
		panic("sentrytask: Go called with a nil function")
	}
	t := new(Task)
	t.job.spawned = true
	t.job.cfg = noOptions.with(opts)
	t.job.capture(ctx, fn)
	go t.run(nil)
	return t
}

// run runs the task in the current goroutine and completes it. A Pool's
// worker passes its counters, which are updated before Done is closed, so
// that whoever waits on the task sees them; Go passes nil.
func (t *Task) run(w *workerStats) {
	// job.run does not return when fn calls runtime.Goexit, and this
	// goroutine ends without assigning its result.
	t.err = &errGoexitResult
	defer func() {
		if t.job.repanicking {
			return
		}
		if w != nil {
			w.count(t.result())
		}
		t.complete()
	}()
	t.setErr(t.job.run())
}

// errGoexitResult is the result of a task whose function called
// runtime.Goexit, as Task.err holds it.
var errGoexitResult = errGoexit

// setErr records the task's result; it allocates only for an error.
func (t *Task) setErr(err error) {
	if err == nil {
		t.err = nil
		return
	}
	e := err
	t.err = &e
}

// result is the task's error once it has finished.
func (t *Task) result() error {
	if t.err == nil {
		return nil
	}
	return *t.err
}

// complete publishes t.err and wakes whoever waits.
func (t *Task) complete() {
	// The handle may be kept long after the task ends; let the task's
	// context, hub, closure and orphan watch be collected. Only those:
	// clearing the whole job costs a bulk write barrier per task while the
	// GC runs.
	t.job.ctx, t.job.fn, t.job.watch = nil, nil, nil
	// Done sets taskRequested after publishing the channel, and this sets
	// taskFinished; whichever of the two comes second sees both bits and
	// closes the channel. Each bit is set once (a task completes once, and
	// only the Done that publishes the channel sets taskRequested), so an
	// add sets it: one locked instruction, where an Or whose result is used
	// is a compare-and-swap loop.
	if atomic.AddUint32(&t.job.state, taskFinished)&taskRequested != 0 {
		t.closeDone()
	}
}

func (t *Task) closeDone() {
	if atomic.OrUint32(&t.job.state, taskClosed)&taskClosed == 0 {
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
	if atomic.AddUint32(&t.job.state, taskRequested)&taskFinished != 0 {
		t.closeDone()
	}
	return ch
}

// Wait waits for the task to finish and returns its error: what fn returned,
// or a *PanicError if fn panicked and panics are recovered.
func (t *Task) Wait() error {
	if atomic.LoadUint32(&t.job.state)&taskFinished == 0 {
		if t.job.spawned {
			// Yield a few times before parking. A task Go spawned a moment
			// ago is usually runnable and not yet run, as is the rest of
			// its batch; yielding runs them, and a fan-out joined task by
			// task then costs a few yields instead of a park and a wake-up
			// per task. A task that is truly busy costs its waiter a few
			// trips through the scheduler. A Pool's workers are already
			// running elsewhere, and yielding to them only adds trips.
			for range 3 {
				runtime.Gosched()
				if atomic.LoadUint32(&t.job.state)&taskFinished != 0 {
					return t.result()
				}
			}
		}
		<-t.Done()
	}
	return t.result()
}
