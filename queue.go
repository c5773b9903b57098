package sentrytask

import (
	"context"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// Sentry's Queues module reads two spans per message: the producer's
// "queue.publish" span and the consumer's "queue.process" transaction, with
// messaging.* data on both and the receive latency, in milliseconds, on the
// consumer's. Publish and Process make them, for any engine: an
// integration (River, NATS) says what the message is and passes its
// headers as a Carrier.

// A Message describes a message, or a job, for Sentry's Queues module.
type Message struct {
	// System is the messaging system: "river", "nats", "kafka".
	System string
	// Destination is the queue, topic or subject the message is sent to.
	Destination string
	// ID is the message's id, when it is known; a producer may set it on
	// its Publishing once the engine has given one.
	ID string
	// BodySize is the size of the message's body in bytes; zero is left
	// out.
	BodySize int
	// Name names the consumer's transaction: the task or job kind
	// ("email.send"). The destination when empty.
	Name string
	// RetryCount is, on the consumer's side, how many times the message was
	// delivered before.
	RetryCount int
	// EnqueuedAt is, on the consumer's side, when the engine says the
	// message was enqueued (a stream's timestamp, a job's creation time),
	// for a message whose producer wrote no sentry-task-enqueued-time
	// header.
	EnqueuedAt time.Time
	// AvailableAt is, on the consumer's side, when the message became
	// available to consumers, if later than it was enqueued: a job
	// scheduled to run later, or a retry that was backed off. The receive
	// latency is measured from it.
	AvailableAt time.Time
}

// Data keys of Sentry's Queues module.
const (
	dataMessageID      = "messaging.message.id"
	dataDestination    = "messaging.destination.name"
	dataBodySize       = "messaging.message.body.size"
	dataSystem         = "messaging.system"
	dataReceiveLatency = "messaging.message.receive.latency"
	dataRetryCount     = "messaging.message.retry.count"
	// A transaction that starts a new trace instead of continuing its
	// producer's (see NewTraceAfter) keeps the producer's ids here: sentry-go
	// has no span links.
	dataProducerTrace = "messaging.producer.trace_id"
	dataProducerSpan  = "messaging.producer.span_id"
)

// keyEnqueuedTime is the header carrying when a message was enqueued.
const keyEnqueuedTime = wire.EnqueuedTimeKey

// A Publishing is a message on its way to a queue: its "queue.publish"
// span, ended by End. Its methods do nothing when no span was started
// (Sentry off, or the span on the context not sampled).
type Publishing struct {
	sent sentSpan
}

// Publish starts the "queue.publish" span of a message about to be sent,
// below the span on ctx, and writes into c the headers that continue the
// trace where the message is processed: sentry-trace and baggage naming
// that span (and traceparent when the client's PropagateTraceparent is
// set), and sentry-task-enqueued-time, the time now in seconds since the
// epoch, as sentry-python and sentry-java write it, so that a consumer in
// any of them measures the same latency. Send the message, then End the
// Publishing with the send's error.
//
// The span is not made current on the hub's scope: other goroutines may
// share it. With no sampled span on ctx no span starts, and the headers
// carry the trace on ctx, as Inject's do. With no enabled client nothing is
// written.
func Publish(ctx context.Context, c Carrier, m Message) *Publishing {
	mustContext(ctx, "Publish")
	mustCarrier(c, "Publish")
	hub, st := enabledState(ctx)
	if st == nil {
		return &Publishing{}
	}
	p := &Publishing{}
	p.sent.start(ctx, hub, st, "queue.publish", m.Destination, "queue.publish "+m.Destination)
	if p.sent.span != nil {
		setMessageData(p.sent.span, m)
	}
	o, ok := p.sent.headers(ctx, hub, st, st.traceparent)
	if !ok {
		return p
	}
	o.writeTo(c)
	c.Set(keyEnqueuedTime, wire.FormatEnqueuedTime(time.Now()))
	return p
}

// SetMessageID records the id the engine gave the message.
func (p *Publishing) SetMessageID(id string) {
	if id != "" {
		p.sent.setData(dataMessageID, id)
	}
}

// End ends the span, with the status of err, the error of sending.
func (p *Publishing) End(err error) { p.sent.end(errorStatus(err)) }

// A ProcessOption configures Process: NewTraceAfter, or an Option
// (WithCaptureErrors, WithRecoverPanics, WithDescription, WithData), which
// applies to the processing as to a task. WithSpan does not apply: the
// processing is a transaction of its own.
type ProcessOption interface {
	applyProcess(*processConfig)
}

type processConfig struct {
	task          config
	newTrace      bool
	newTraceAfter time.Duration
}

func (o Option) applyProcess(p *processConfig) {
	if o != nil {
		o(&p.task)
	}
}

type processOption func(*processConfig)

func (o processOption) applyProcess(p *processConfig) { o(p) }

// NewTraceAfter makes Process start a new trace, instead of continuing the
// producer's, for a message that waited longer than d before it was
// processed: a job run a day after it was queued makes a trace nobody reads
// to its end. The producer's trace and span ids are kept on the
// transaction as data (messaging.producer.trace_id and
// messaging.producer.span_id), since sentry-go has no span links.
// NewTraceAfter(0) starts a new trace for every message.
func NewTraceAfter(d time.Duration) ProcessOption {
	return processOption(func(p *processConfig) { p.newTrace, p.newTraceAfter = true, d })
}

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
//   - it ends with the status of handle's error, unless handle set one on
//     the transaction (sentry.TransactionFromContext);
//   - a panic in handle is reported once, on the transaction, which ends
//     as internal_error, and raised again unless WithRecoverPanics turns it
//     into a *PanicError.
//
// A consumer that pulls a batch calls Process for each message: one
// transaction per message, each continuing its own producer's trace. A
// "queue.receive" transaction around the batch could belong to one trace
// only, and would take the messages of every other producer out of theirs.
func Process(ctx context.Context, c Carrier, m Message, handle func(ctx context.Context) error, opts ...ProcessOption) error {
	mustContext(ctx, "Process")
	mustCarrier(c, "Process")
	mustFunc(handle == nil, "Process")
	var pc processConfig
	for _, opt := range opts {
		if opt != nil {
			opt.applyProcess(&pc)
		}
	}
	if pc.task.span {
		panic("sentrytask: WithSpan given to Process, whose processing is a transaction of its own")
	}
	j := job{fn: handle, cfg: &pc.task, where: inline}
	hub, st := enabledState(ctx)
	if st == nil {
		j.ctx = ctx
		return j.runIn(ctx, nil, nil)
	}
	parent := readIncoming(st, values(c, keySentryTrace), values(c, keyBaggage), values(c, keyTraceparent))
	now := time.Now()
	since, known := waitedSince(values(c, keyEnqueuedTime), m, now)
	var producer *remoteParent
	if parent != nil && pc.newTrace && (pc.newTraceAfter == 0 || known && now.Sub(since) > pc.newTraceAfter) {
		producer, parent = parent, nil
	}
	name := m.Name
	if name == "" {
		name = m.Destination
	}
	ctx, hub, tx := continueRemote(ctx, hub, parent, "queue.process", name, sentry.SourceTask)
	setMessageData(tx, m)
	tx.SetData(dataRetryCount, m.RetryCount)
	if known && !since.After(now) {
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
	// The job runs with no span of its own to end: the transaction's
	// status goes into its event, never the span, which a task the
	// handler left running may be reading (FinishTransaction).
	status := sentry.SpanStatusAborted // runtime.Goexit
	defer func() {
		if j.ending == running { // a panic goes on
			status = sentry.SpanStatusInternalError
		}
		if tx.Status != sentry.SpanStatusUndefined { // the handler set one
			status = tx.Status
		}
		finishTransaction(tx, txFinal{status: status})
	}()
	err := j.runIn(ctx, hub, nil)
	status = errorStatus(err)
	return err
}

// waitedSince returns when a message started waiting to be processed: when
// it became available, or else when it was enqueued, from the header or,
// when the header is missing, malformed or in the future, from the engine.
func waitedSince(enqueued []string, m Message, now time.Time) (time.Time, bool) {
	since, ok := wire.ParseEnqueuedTime(enqueued)
	if (!ok || since.After(now)) && !m.EnqueuedAt.IsZero() {
		since, ok = m.EnqueuedAt, true
	}
	if m.AvailableAt.After(since) {
		since, ok = m.AvailableAt, true
	}
	return since, ok
}

// setMessageData puts what both sides know of m on span.
func setMessageData(span *sentry.Span, m Message) {
	if m.System != "" {
		span.SetData(dataSystem, m.System)
	}
	if m.Destination != "" {
		span.SetData(dataDestination, m.Destination)
	}
	if m.ID != "" {
		span.SetData(dataMessageID, m.ID)
	}
	if m.BodySize != 0 {
		span.SetData(dataBodySize, m.BodySize)
	}
}
