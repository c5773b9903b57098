package sentrytask

import (
	"time"

	"github.com/getsentry/sentry-go"
)

// A ProcessOption configures Process and Pool.Process: NewTraceAfter,
// WithErrorStatus, OnNotRun, or a RunOption (WithCaptureErrors,
// WithRecoverPanics, WithDescription, WithData), which applies to the
// processing as to a task. WithSpan is not one: the processing is a
// transaction of its own.
type ProcessOption interface {
	applyProcess(*processConfig)
}

type processConfig struct {
	task          config
	newTrace      bool
	newTraceAfter time.Duration
	errorStatus   func(error) sentry.SpanStatus
	notRun        func(error)
	checkIn       func(error) sentry.CheckInStatus
	filter        Filter
}

func newProcessConfig(opts []ProcessOption) processConfig {
	var pc processConfig
	for _, opt := range opts {
		if opt != nil {
			opt.applyProcess(&pc)
		}
	}
	return pc
}

type processOption func(*processConfig)

func (o processOption) applyProcess(p *processConfig) { o(p) }

// NewTraceAfter makes Process start a new trace, instead of continuing the
// producer's, for a message first published longer than d ago: a job run a
// day after it was queued makes a trace nobody reads to its end. A
// message's age counts from its sentry-task-enqueued-time header, else from
// Message.EnqueuedAt — when it was first published, whatever retries,
// schedules or back-offs came after, on every engine; a message whose age
// is unknown continues its trace. The producer's trace and span ids are
// kept on the transaction as data (messaging.producer.trace_id and
// messaging.producer.span_id), since sentry-go has no span links. With d
// zero or less, every message starts a new trace.
func NewTraceAfter(d time.Duration) ProcessOption {
	return processOption(func(p *processConfig) { p.newTrace, p.newTraceAfter = true, d })
}

// WithErrorStatus gives the processing's transaction the status f returns
// for the handler's error, for engines whose outcomes are not all failures
// or successes: a job snoozed (ok), cancelled (cancelled), a message
// terminated (aborted). When f returns sentry.SpanStatusUndefined, the
// error's own kind decides, as it does without the option: nil ok,
// context.Canceled cancelled, context.DeadlineExceeded deadline_exceeded,
// anything else internal_error. Given more than once, the last is asked
// first and the first status given wins, so that an integration's
// outcomes and a user's own both apply. A status the handler set on the
// transaction itself wins over all of them.
func WithErrorStatus(f func(err error) sentry.SpanStatus) ProcessOption {
	return processOption(func(p *processConfig) {
		if f == nil {
			return
		}
		before := p.errorStatus
		p.errorStatus = func(err error) sentry.SpanStatus {
			if s := f(err); s != sentry.SpanStatusUndefined || before == nil {
				return s
			}
			return before(err)
		}
	})
}

// OnNotRun calls f when a Pool accepted a message (Pool.Process) and then
// gave up on it without running its handler: its context ended while it
// was queued, or Shutdown gave up. f gets the reason, as the Task reports
// it (the context's cause, or ErrClosed), in the goroutine that gave up on
// it; it must not block. An integration settles the message there, so
// that the engine redelivers it. Process runs its handler at once, and
// never calls f.
func OnNotRun(f func(reason error)) ProcessOption {
	return processOption(func(p *processConfig) { p.notRun = f })
}

// CheckInStatus decides how a scheduled run's processing closes its Sentry
// Crons check-in (see WithMonitor): f gets the handler's error (a
// *PanicError for a panic, which holds the panic's value when
// WithRecoverPanics recovered it) and returns the status to send, or "" to send
// none, for an attempt that does not end the run — a job snoozed, or
// retried after an attempt that closed the check-in already, since Sentry
// keeps one closing check-in per run. Without it, nil sends "ok" and any
// error "error". Given more than once, the last wins. Integrations give
// their engine's rules (see each one's documentation).
func CheckInStatus(f func(err error) sentry.CheckInStatus) ProcessOption {
	return processOption(func(p *processConfig) { p.checkIn = f })
}

// checkInStatus returns the status of the check-in that closes a run whose
// processing returned err.
func (pc *processConfig) checkInStatus(err error) sentry.CheckInStatus {
	if pc.checkIn != nil {
		return pc.checkIn(err)
	}
	if err != nil {
		return sentry.CheckInStatusError
	}
	return sentry.CheckInStatusOK
}

// status returns the status of a processing that returned err.
func (pc *processConfig) status(err error) sentry.SpanStatus {
	if pc.errorStatus != nil {
		if s := pc.errorStatus(err); s != sentry.SpanStatusUndefined {
			return s
		}
	}
	return errorStatus(err)
}
