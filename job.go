package sentrytask

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/getsentry/sentry-go"
)

// panicFlushTimeout bounds the wait for a panic report to be delivered
// before the panic ends the process.
const panicFlushTimeout = 2 * time.Second

// A job is one call of a task's function, captured where the task was
// spawned: the context the call gets (carrying a fork of the spawner's hub
// when Sentry is on), the function, its options and, when the client has
// an OrphanDetector, the watch on it. It runs once — in another goroutine
// for Go, a Group or a Pool, in the caller's for Instrument — and says how
// it ended. Go, Group, Pool and Instrument all run their functions through
// it, so a task behaves the same whichever started it.
type job struct {
	ctx context.Context
	fn  func(context.Context) error
	// cfg may be shared with other jobs: it is never modified.
	cfg   *config
	watch *orphanWatch
	// traced is set when an enabled client is bound: the hub on ctx is
	// then the job's own. Without one the job forks nothing and starts no
	// span.
	traced bool
	// counted is set when the job was forked below a span this package
	// started, which counts it until it ends (endSpan).
	counted bool
	// where is where the job runs.
	where where
	// ending is how run ended, for whoever runs the job to read after run
	// returns or, when it does not, in a deferred call.
	ending ending
}

// where says where a job runs.
type where uint8

const (
	// onWorker: a goroutine that runs one job after another (a Pool's).
	onWorker where = iota
	// onOwnGoroutine: a goroutine started for the job (Go, a Group).
	onOwnGoroutine
	// inline: the caller's goroutine (Instrument). A panic that goes on
	// reaches a caller that may recover it, so the program is not known
	// to be ending.
	inline
)

// ending is how a job's run ended.
type ending uint8

const (
	// running: run has not returned, or a panic goes on past it (the
	// default for a panic): the program is ending, and whoever waits on
	// the task must not carry on meanwhile.
	running ending = iota
	// returned: the function returned, or its panic was recovered into a
	// *PanicError, which run returned.
	returned
	// exited: the function called runtime.Goexit; run did not return.
	exited
)

// capture prepares j to run fn later, in another goroutine: it forks ctx's
// hub now, in the spawner's goroutine, so that the task sees the spawner's
// scope as it is at this moment.
func (j *job) capture(ctx context.Context, hub *sentry.Hub, fn func(context.Context) error, cfg *config) {
	j.fn, j.cfg = fn, cfg
	client := hub.Client()
	if !client.IsEnabled() {
		j.ctx = ctx
		return
	}
	span := sentry.SpanFromContext(ctx)
	j.ctx, _ = forkBelow(ctx, hub, span)
	j.traced = true
	if span == nil {
		return
	}
	j.counted = countUse(ctx, span)
	if d := detectorOf(client); d != nil {
		j.watch = d.enter(span, j.name())
	}
}

// name names the job for an orphan report: its span's description or op,
// else nothing, and the detector names it after its function.
func (j *job) name() watchName {
	switch {
	case j.cfg.description != "":
		return watchName{name: j.cfg.description}
	case j.cfg.op != "":
		return watchName{name: j.cfg.op}
	}
	return watchName{fn: j.fn}
}

// release stops watching the job: it has ended, or will never run. Only
// the first call does anything.
func (j *job) release() {
	if j.watch != nil {
		j.watch.leave()
		j.watch = nil
	}
	if j.counted {
		uncountUse(j.ctx)
		j.counted = false
	}
}

// run runs the job's function in the current goroutine, inside a span of
// its own when span is set (with operation op), and returns its error, or a
// *PanicError when it panicked and panics are recovered. Tasks ask for the
// span their options give; Instrument always asks for one.
func (j *job) run(span bool, op string) error {
	ctx := j.ctx
	var hub *sentry.Hub
	var s *sentry.Span
	if j.traced {
		hub = HubFromContext(ctx)
		if span {
			ctx, s = startSpan(ctx, hub, op, j.cfg)
		}
	}
	return j.runIn(ctx, hub, s)
}

// runIn runs the job's function with ctx, inside s if it is not nil, which
// it ends: with the status of the function's error (unless the function set
// one), or internal_error if it panicked. hub is ctx's, or nil when the job
// is not traced.
func (j *job) runIn(ctx context.Context, hub *sentry.Hub, s *sentry.Span) (err error) {
	defer func() {
		if j.ending != returned {
			r := recover()
			if r == nil {
				// runtime.Goexit goes on unwinding after this; the span
				// must still end.
				j.ending = exited
				if s != nil {
					endSpan(ctx, s, sentry.SpanStatusAborted)
				}
			} else {
				err = j.panicked(ctx, hub, s, r)
			}
		}
		// Last, so that a transaction sent meanwhile sees the task as
		// running until its span has ended.
		j.release()
	}()
	err = j.fn(ctx)
	j.ending = returned
	j.finish(ctx, hub, s, err)
	return err
}

// runTask runs a copy of the job as a task does, inside the span its
// options ask for. It takes the job by value so that a closure or method
// value holding a job is one allocation, not two.
func (j job) runTask() error { return j.run(j.cfg.span, j.cfg.op) }

// finish reports err if asked to and ends the span with err's status.
func (j *job) finish(ctx context.Context, hub *sentry.Hub, s *sentry.Span, err error) {
	if hub == nil {
		return
	}
	// A *PanicError was reported when its panic was recovered.
	if err != nil && j.cfg.captureErrors && !errorIs(err, context.Canceled) && !isPanicError(err) {
		// The span is still current on the task's scope, so the event is
		// linked to it.
		hub.CaptureEventWithHint(eventFromError(hub.Client(), err, sentry.LevelError),
			&sentry.EventHint{OriginalException: err, Context: ctx})
	}
	if s != nil {
		status := sentry.SpanStatusUndefined // the function set one
		if s.Status == sentry.SpanStatusUndefined {
			status = errorStatus(err)
		}
		endSpan(ctx, s, status)
	}
}

// panicked reports a recovered panic through the task's hub while the task's
// span is current (unless a layer further in has reported it), ends the
// span, and then either re-panics (the default) or returns the panic as a
// *PanicError.
func (j *job) panicked(ctx context.Context, hub *sentry.Hub, s *sentry.Span, r any) error {
	id := reportPanic(ctx, hub, r, nil)
	if s != nil {
		endSpan(ctx, s, sentry.SpanStatusInternalError)
	}
	if j.cfg.recoverPanics {
		j.ending = returned
		return &PanicError{Value: r, Stack: debug.Stack(), EventID: id}
	}
	// A task's goroutine ends with the panic, and the program with it:
	// deliver the report first. Instrument hands the panic to its caller,
	// which may recover it and carry on, so it must not hold the panic for
	// a flush.
	if hub != nil && j.where != inline {
		hub.Flush(panicFlushTimeout)
	}
	j.release()
	// Re-panicking inside the deferred call that recovered keeps the
	// original frames on the stack the runtime prints.
	repanic(r)
	return nil
}
