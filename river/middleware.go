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
	for i, p := range manyParams {
		md, ok := readMetadata(p.Metadata, maxMetadata)
		if !ok {
			continue
		}
		pubs[i] = sentrytask.Publish(ctx, md, sentrytask.Message{
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
	err := sentrytask.Process(ctx, md, msg, func(ctx context.Context) error {
		outcome = doInner(ctx)
		var snooze *rivertype.JobSnoozeError
		if errors.As(outcome, &snooze) {
			return nil
		}
		return outcome
	}, m.opts...)
	if err == nil {
		return outcome
	}
	return err
}

// outcomeStatus is the status of a job the worker cancelled.
func outcomeStatus(err error) sentry.SpanStatus {
	var cancel *rivertype.JobCancelError
	if errors.As(err, &cancel) {
		return sentry.SpanStatusCanceled
	}
	return sentry.SpanStatusUndefined
}
