package sentrytaskriver

import (
	"context"
	"errors"
	"strconv"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/sentrytask/sentrytask"
)

// system is the messaging system River's spans name.
const system = "river"

// Middleware is River middleware for both sides of a job: inserting
// (rivertype.JobInsertMiddleware) and working (rivertype.WorkerMiddleware).
// Install it in river.Config.Middleware of every client that inserts or
// works jobs.
type Middleware struct {
	river.MiddlewareDefaults
	opts []sentrytask.ProcessOption
}

var (
	_ rivertype.JobInsertMiddleware = (*Middleware)(nil)
	_ rivertype.WorkerMiddleware    = (*Middleware)(nil)
)

// NewMiddleware returns the middleware. The options apply to the working
// of every job, as to sentrytask.Process: sentrytask.NewTraceAfter starts a
// new trace for a job inserted long before it is worked, counting from its
// first insert, whatever retries or snoozes came after (the default
// continues the inserter's trace, however late), WithCaptureErrors sends a
// failed job's error as an event. An option Process does not take, such as
// sentrytask.WithSpan, does not compile.
//
// A panicking worker is reported once, on the job's transaction, and the
// panic goes on to River, which recovers it and fails the attempt, as it
// would without the middleware; WithRecoverPanics is not needed.
func NewMiddleware(opts ...sentrytask.ProcessOption) *Middleware {
	return &Middleware{opts: append(opts[:len(opts):len(opts)], sentrytask.WithErrorStatus(outcomeStatus))}
}

// InsertMany starts a "queue.publish" span for each job, below the span on
// ctx, and writes the headers that continue the trace into the job's
// metadata, keeping what is there. A job whose metadata is not a JSON
// object, or is larger than 1 MiB, is inserted as it is, without them:
// a worker would not read them. The spans end when the insert does, with
// the jobs' ids, or the insert's error; a unique job River skipped as a
// duplicate of one it holds ends its span as one
// (sentrytask.Publishing.EndDuplicate), not as a job inserted.
//
// River gives insert middleware no hook for the end of the transaction an
// InsertTx runs in: a span ends when the insert statement does, and a
// transaction rolled back after it leaves a span for a job that was never
// inserted, whose trace no worker continues. Insert in a transaction from
// a span of its own (sentrytask.Instrument around the transaction), whose
// status then says whether it committed.
func (m *Middleware) InsertMany(ctx context.Context, manyParams []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	pubs := make([]*sentrytask.Publishing, len(manyParams))
	var heads []*sentry.Span // the transactions of periodic runs, by job
	for i, p := range manyParams {
		md, ok := readMetadata(p.Metadata, maxMetadata)
		if !ok {
			continue
		}
		pctx := ctx
		if isPeriodic(md) && sentry.SpanFromContext(ctx) == nil {
			if heads == nil {
				heads = make([]*sentry.Span, len(manyParams))
			}
			pctx, heads[i] = scheduleRun(ctx, p.Kind)
		}
		pubs[i] = sentrytask.Publish(pctx, md, sentrytask.Message{
			System: system, Destination: p.Queue, BodySize: len(p.EncodedArgs),
		})
		if b := md.encode(); b != nil && len(b) <= maxReadMetadata {
			p.Metadata = b
		}
	}
	results, err := doInner(ctx)
	for i, pub := range pubs {
		if pub == nil {
			continue
		}
		if err != nil || i >= len(results) || results[i] == nil || results[i].Job == nil {
			pub.End(err)
			continue
		}
		id := strconv.FormatInt(results[i].Job.ID, 10)
		if results[i].UniqueSkippedAsDuplicate {
			pub.EndDuplicate(id)
			continue
		}
		pub.SetMessageID(id)
		pub.End(nil)
	}
	for i, tx := range heads {
		switch {
		case tx == nil:
		case err != nil:
			sentrytask.FinishTransaction(tx, sentry.SpanStatusInternalError)
		case i < len(results) && results[i] != nil && results[i].UniqueSkippedAsDuplicate:
			sentrytask.FinishTransaction(tx, sentry.SpanStatusAlreadyExists)
		default:
			sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)
		}
	}
	return results, err
}

// Work runs the job in a "queue.process" transaction named after its kind,
// continuing the trace its metadata carries, with a hub of its own: the
// destination is its queue, the message id its id, the retry count its
// attempt less one, and the receive latency is measured from when it
// became available to work — its scheduled time for a scheduled or retried
// job — or else from when it was inserted. A job whose metadata is
// missing, malformed or hostile starts a new trace.
//
// The transaction's status is the job's outcome: ok, cancelled for a job
// the worker cancelled (river.JobCancel), ok for one it snoozed
// (river.JobSnooze, which is not a failure), else internal_error. It goes
// into the transaction's event, never its span, which a task the worker
// left running may be reading.
//
// A job that is a scheduled run of a Sentry Crons monitor (NewPeriodicJob,
// or inserted under sentrytask.WithMonitor) closes the run's check-in when
// its first attempt ends, since Sentry keeps one closing check-in per run:
//
//   - an attempt that succeeds: "ok", with the time since the run was
//     inserted, its wait in the queue included;
//   - an attempt that fails or panics: "error", even when River will
//     retry it; the retries report nothing more (their outcomes are on
//     their transactions), nor does the attempt that fails last and
//     discards the job;
//   - an attempt the worker cancels (river.JobCancel): "error";
//   - an attempt the worker snoozes (river.JobSnooze): nothing; the run
//     goes on, and the attempt after the snooze closes it;
//   - an attempt that never ends (its process died, River rescues the
//     job): nothing; the retry finds the rescue recorded as an error and
//     reports nothing either, and Sentry marks the run timed out after the
//     monitor's max_runtime.
func (m *Middleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	md, _ := readMetadata(job.Metadata, maxReadMetadata)
	msg := sentrytask.Message{
		System:      system,
		Destination: job.Queue,
		ID:          strconv.FormatInt(job.ID, 10),
		BodySize:    len(job.EncodedArgs),
		Name:        job.Kind,
		RetryCount:  max(job.Attempt-1, 0),
		EnqueuedAt:  job.CreatedAt,
		AvailableAt: job.ScheduledAt,
	}
	// What the worker returned goes to River as it is; a snooze goes to
	// Process as no error, so that nothing reports it as a failure.
	var outcome error
	opts := m.opts
	if md.Get(keyMonitorSlug) != "" {
		opts = append(opts[:len(opts):len(opts)], checkInStatus(job, &outcome))
	}
	err := sentrytask.Process(ctx, md, msg, func(ctx context.Context) error {
		outcome = doInner(ctx)
		var snooze *rivertype.JobSnoozeError
		if errors.As(outcome, &snooze) {
			return nil
		}
		return outcome
	}, opts...)
	if err == nil {
		return outcome
	}
	return err
}

// isPeriodic reports whether River's periodic job enqueuer inserted the
// job: it marks the job's metadata so.
func isPeriodic(md metadata) bool { return string(md["periodic"]) == "true" }

// scheduleRun starts the transaction of a run of a periodic job of kind
// that River's leader inserts, with no span of its own: the head of a
// trace of the run's own, not one more job in the one trace the leader's
// scope propagates for as long as it runs, and one a worker's transaction
// has a parent in.
func scheduleRun(ctx context.Context, kind string) (context.Context, *sentry.Span) {
	return sentrytask.Continue(ctx, sentrytask.MapCarrier{}, "queue.schedule", sentry.WithTransactionName(kind),
		sentry.WithSpanOrigin("auto.queue.sentrytask.river"))
}

// checkInStatus is how an attempt of a job closes the check-in of the
// scheduled run it is, given what the worker returned: Sentry keeps one
// closing check-in per run, so the first attempt that ends, ends the run.
// A snoozed attempt has not ended it; an attempt after one that failed
// (River recorded its error) finds it closed already, as "error": a run
// that needed a retry missed its schedule's promise, and the retry's own
// outcome is on its transaction.
func checkInStatus(job *rivertype.JobRow, outcome *error) sentrytask.ProcessOption {
	return sentrytask.CheckInStatus(func(err error) sentry.CheckInStatus {
		var snooze *rivertype.JobSnoozeError
		switch {
		case len(job.Errors) > 0:
			return ""
		case errors.As(*outcome, &snooze):
			return ""
		case err != nil:
			return sentry.CheckInStatusError
		}
		return sentry.CheckInStatusOK
	})
}

// outcomeStatus is the status of a job the worker cancelled.
func outcomeStatus(err error) sentry.SpanStatus {
	var cancel *rivertype.JobCancelError
	if errors.As(err, &cancel) {
		return sentry.SpanStatusCanceled
	}
	return sentry.SpanStatusUndefined
}
