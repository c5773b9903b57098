package sentrytask

import (
	"context"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// Process runs handle as the processing of message m, which arrived with
// the headers c carries, and returns handle's error. It is the consumer's
// side of Publish, for any engine:
//
//   - handle runs in a "queue.process" transaction named after m (Name,
//     else Destination), continuing the producer's trace from sentry-trace
//     and baggage, or W3C traceparent, as Continue does (malformed or
//     hostile headers start a new trace), with a fork of the hub on ctx;
//   - the transaction carries the message's messaging.* data, the retry
//     count, and the receive latency in milliseconds, from the
//     sentry-task-enqueued-time header, or from m.EnqueuedAt when the
//     header is missing, not a number or in the future, or from
//     m.AvailableAt when that is later; a time in the future gives no
//     latency;
//   - it ends with the status of handle's error (see WithErrorStatus),
//     unless handle set one on the transaction
//     (sentry.TransactionFromContext), and is sent with the sampling
//     context of the head of the trace;
//   - a panic in handle is reported once, on the transaction, which ends
//     as internal_error, and raised again unless WithRecoverPanics turns it
//     into a *PanicError;
//   - a message that is a scheduled run (its producer published it under
//     WithMonitor, or sentry-python's Celery beat enqueued it) closes the
//     run's Sentry Crons check-in when handle returns: "ok", or "error" for
//     an error or a panic (see CheckInStatus), with the duration since the
//     run was enqueued, its time in the queue included, and the
//     transaction's trace. A handler that calls runtime.Goexit closes
//     nothing: the run did not end.
//
// A consumer that pulls a batch calls Process for each message: one
// transaction per message, each continuing its own producer's trace. A
// "queue.receive" transaction around the batch could belong to one trace
// only, and would take the messages of every other producer out of theirs.
// To process messages concurrently, on a Pool, use Pool.Process.
func Process(ctx context.Context, c Carrier, m Message, handle func(ctx context.Context) error, opts ...ProcessOption) error {
	mustContext(ctx, "Process")
	mustCarrier(c, "Process")
	mustFunc(handle == nil, "Process")
	pc := newProcessConfig(opts)
	return process(ctx, c, m, handle, &pc, &pc.task, inline)
}

// process runs handle as the processing of m, in its "queue.process"
// transaction. run configures handle's job: the processing's options, or
// a Pool's, whose span (WithSpan) then starts below the transaction. where
// is where the job runs.
func process(ctx context.Context, c Carrier, m Message, handle func(context.Context) error, pc *processConfig, run *config, where where) error {
	j := job{fn: handle, cfg: run, where: where}
	hub, st := enabledState(ctx)
	if st == nil {
		j.ctx = ctx
		return j.runIn(ctx, nil, nil)
	}
	parent := readIncoming(st, values(c, keySentryTrace), values(c, keyBaggage), values(c, keyTraceparent))
	name := m.Name
	if name == "" {
		name = m.Destination
	}
	if pc.filter != nil && !pc.filter(FilterInput{Op: "queue.process", Name: name, Headers: c}) {
		ctx, hub = continueUntraced(ctx, hub, parent)
		j.ctx, j.traced = ctx, true
		return j.runIn(ctx, hub, nil)
	}
	now := time.Now()
	enqueued, aged := enqueuedAt(values(c, keyEnqueuedTime), m, now)
	var producer *remoteParent
	if parent != nil && pc.newTrace && (pc.newTraceAfter <= 0 || aged && now.Sub(enqueued) > pc.newTraceAfter) {
		producer, parent = parent, nil
	}
	ctx, hub, tx := continueRemote(ctx, hub, parent, "queue.process", name, sentry.SourceTask, queueOrigin(m.System))
	setMessageData(tx, m)
	tx.SetData(dataRetryCount, max(m.RetryCount, 0))
	if since, ok := waitedSince(enqueued, aged, m); ok && !since.After(now) {
		tx.SetData(dataReceiveLatency, now.Sub(since).Milliseconds())
	}
	if producer != nil {
		tx.SetData(dataProducerTrace, producer.traceID.String())
		tx.SetData(dataProducerSpan, producer.spanID.String())
	}
	if pc.task.description != "" {
		tx.Description = pc.task.description
	}
	setData(tx, pc.task.data)
	j.ctx, j.traced = ctx, true
	checkIn := readCheckIn(c, enqueued, aged, now)
	// The transaction's status goes into its event, never the span, which
	// a task the handler left running may be reading (sending.go).
	status := sentry.SpanStatusAborted // runtime.Goexit
	var err error
	defer func() {
		if j.ending == running { // a panic goes on
			status = sentry.SpanStatusInternalError
			err = errPanicGoesOn
		}
		if tx.Status != sentry.SpanStatusUndefined { // the handler set one
			status = tx.Status
		}
		if checkIn != nil && j.ending != exited {
			checkIn.close(hub, pc.checkInStatus(err), checkInTrace(outgoingFrom(tx, false)))
		}
		finishTransaction(tx, txFinal{status: status})
	}()
	var s *sentry.Span
	if run.span {
		ctx, s = startSpan(ctx, hub, run.op, run)
	}
	err = j.runIn(ctx, hub, s)
	status = pc.status(err)
	return err
}

// errPanicGoesOn is the error CheckInStatus is asked about for a handler
// whose panic goes on: Process does not hold the panic's value (a job's
// every field costs each task).
var errPanicGoesOn = &PanicError{Value: "the handler panicked; the panic goes on"}

// enqueuedAt returns when a message was first published, from its header
// or, when the header is missing, malformed or in the future, from the
// engine; ok is false when neither says.
func enqueuedAt(header []string, m Message, now time.Time) (time.Time, bool) {
	at, ok := wire.ParseEnqueuedTime(header)
	if (!ok || at.After(now)) && !m.EnqueuedAt.IsZero() {
		at, ok = m.EnqueuedAt, true
	}
	return at, ok
}

// waitedSince returns when a message started waiting to be processed: when
// it became available, if that is later than when it was enqueued.
func waitedSince(enqueued time.Time, known bool, m Message) (time.Time, bool) {
	if m.AvailableAt.After(enqueued) {
		return m.AvailableAt, true
	}
	return enqueued, known
}
