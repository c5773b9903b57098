package sentrytask

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"github.com/getsentry/sentry-go"
)

// panicFlushTimeout bounds the wait for a panic report to be delivered
// before the panic ends the process.
const panicFlushTimeout = 2 * time.Second

// errGoexit is what a task returns when its function called runtime.Goexit
// (t.FailNow in a test, for one) instead of returning.
var errGoexit = errors.New("sentrytask: task function called runtime.Goexit")

// job is one invocation of a task function with everything captured when it
// was spawned. Go, Group, Pool and Instrument all run their functions
// through job.run, so a task behaves the same whichever started it.
type job struct {
	ctx context.Context
	fn  func(context.Context) error
	// cfg may be shared with other jobs: it is never modified.
	cfg *config
	// watch is set when the client has an OrphanDetector and the task was
	// spawned under a transaction.
	watch *orphanWatch

	// state and spawned belong to the Task running this job, if any (see
	// Task). They are declared here so that they share a word with the
	// two flags below: the Task then fits the 64-byte size class, one
	// cache line that the submitter writes and the worker reads, instead
	// of straddling two. state is only accessed atomically; it is not an
	// atomic.Uint32 because a Group copies its jobs before they run.
	state   uint32
	spawned bool
	// enabled is false when no enabled client is bound: the fast path,
	// which forks nothing and starts no span. When it is true, the task's
	// hub is the one on ctx.
	enabled bool
	// repanicking is set when a panic goes on past run. The deferred
	// bookkeeping of Task, Group and Pool then leaves the task unfinished:
	// nobody waiting on it may carry on while the program goes down.
	repanicking bool
	// inline is set for Instrument, which runs the function in its
	// caller's goroutine: a panic that goes on reaches a caller that may
	// recover it, so the program is not known to be ending.
	inline bool
}

// capture prepares j to run fn later, in another goroutine: it forks ctx's
// hub now, in the caller's goroutine, so that the task sees the spawner's
// scope as it is at this moment.
func (j *job) capture(ctx context.Context, fn func(context.Context) error) {
	if ctx == nil {
		panic("sentrytask: nil context")
	}
	j.captureFrom(ctx, HubFromContext(ctx), fn)
}

// captureFrom is capture for a caller that already knows ctx's hub, as a
// Group does for its own context: the hub on a context never changes.
func (j *job) captureFrom(ctx context.Context, hub *sentry.Hub, fn func(context.Context) error) {
	j.fn = fn
	client := hub.Client()
	if !client.IsEnabled() {
		j.ctx = ctx
		return
	}
	j.ctx, _ = fork(ctx, hub)
	j.enabled = true
	if d := detectorOf(client); d != nil {
		if span := sentry.SpanFromContext(ctx); span != nil {
			j.watch = d.enter(span, j.cfg, fn)
		}
	}
}

// run runs the job's function in the current goroutine and returns its
// error, or a *PanicError when it panicked and panics are recovered.
func (j *job) run() error {
	if !j.enabled {
		return j.runPlain()
	}
	// Deferred, so that a task that calls runtime.Goexit is released too;
	// it runs after the span has ended.
	defer j.watch.leave()
	return j.runSpan(j.cfg.span, j.cfg.op)
}

// runPlain is run without Sentry: no hub, no span and nothing watched, so
// the only work besides the call is turning a panic into a *PanicError when
// panics are recovered. A pool's worker runs one per task; this is runSpan
// with everything it would skip left out.
func (j *job) runPlain() (err error) {
	returned := false
	defer func() {
		if !returned {
			// recover is nil when fn called runtime.Goexit, which must go on.
			if r := recover(); r != nil {
				err = j.panicked(j.ctx, nil, nil, r)
			}
		}
	}()
	err = j.fn(j.ctx)
	returned = true
	return err
}

// runSpan is run with the span decided by the caller: Instrument always
// wants one, with the op it was given.
func (j *job) runSpan(wantSpan bool, op string) (err error) {
	ctx := j.ctx
	var hub *sentry.Hub
	if j.enabled {
		hub = HubFromContext(ctx)
	}
	var span *sentry.Span
	if hub != nil && wantSpan {
		span = startSpan(ctx, op, j.cfg.description, j.cfg.data)
		if span != nil {
			ctx = span.Context()
		}
	}
	returned := false
	defer func() {
		if returned {
			return
		}
		r := recover()
		if r == nil {
			// runtime.Goexit goes on unwinding after this; the span must
			// still end.
			if span != nil {
				span.Status = sentry.SpanStatusAborted
				span.Finish()
			}
			return
		}
		err = j.panicked(ctx, hub, span, r)
	}()
	err = j.fn(ctx)
	returned = true
	j.finish(ctx, hub, span, err)
	return err
}

// finish reports err if asked to and ends the span with err's status.
func (j *job) finish(ctx context.Context, hub *sentry.Hub, span *sentry.Span, err error) {
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
	if span != nil {
		if span.Status == sentry.SpanStatusUndefined {
			span.Status = spanStatus(err)
		}
		span.Finish()
	}
}

// panicked reports a recovered panic through the task's hub while the task's
// span is current (unless a layer further in has reported it), ends the
// span, and then either re-panics (the default) or returns the panic as a
// *PanicError.
func (j *job) panicked(ctx context.Context, hub *sentry.Hub, span *sentry.Span, r any) error {
	id := reportPanic(ctx, hub, r, nil)
	if span != nil {
		span.Status = sentry.SpanStatusInternalError
		span.Finish()
	}
	if !j.cfg.recoverPanics {
		// A task's goroutine ends with the panic, and the program with it:
		// deliver the report first. Instrument hands the panic to its
		// caller, which may recover it and carry on, so it must not hold
		// the panic for a flush.
		if hub != nil && !j.inline {
			hub.Flush(panicFlushTimeout)
		}
		j.repanicking = true
		// Re-panicking inside the deferred call that recovered keeps the
		// original frames on the stack the runtime prints.
		repanic(r)
	}
	return &PanicError{Value: r, Stack: debug.Stack(), EventID: id}
}

// startSpan starts the task's span below the span on ctx, or a transaction
// when there is none (continuing a detached trace if ctx is below Detach).
// It returns nil when the parent is not sampled: see WithSpan.
func startSpan(ctx context.Context, op, description string, data []datum) *sentry.Span {
	if parent := sentry.SpanFromContext(ctx); parent != nil {
		if parent.Sampled == sentry.SampledFalse {
			return nil
		}
		span := sentry.StartSpan(ctx, op)
		// The span is not yet visible to any other goroutine.
		span.Description = description
		setData(span, data)
		return span
	}
	name := description
	if name == "" {
		name = op
	}
	opts := []sentry.SpanOption{
		sentry.WithTransactionName(name),
		sentry.WithTransactionSource(sentry.SourceTask),
		sentry.WithDescription(description),
	}
	span := startTransaction(ctx, op, detachedFrom(ctx), opts...)
	setData(span, data)
	return span
}

func setData(span *sentry.Span, data []datum) {
	for _, d := range data {
		span.SetData(d.key, d.value)
	}
}
