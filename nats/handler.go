package sentrytasknats

import (
	"context"
	"errors"
	"strconv"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
)

// termError marks a handler's error as final; see Term.
type termError struct{ err error }

func (e *termError) Error() string { return e.err.Error() }
func (e *termError) Unwrap() error { return e.err }

// Term wraps err so that the handler's message is terminated, with err's
// text as the reason the server gives in its advisory, rather than nacked:
// it will not be delivered again.
func Term(err error) error {
	if err == nil {
		err = errors.New("sentrytasknats: terminated")
	}
	return &termError{err}
}

// NewHandler returns a jetstream.MessageHandler, for a consumer's Consume,
// that processes each message with handle in a "queue.process" transaction
// (sentrytask.Process) named after the message's subject, continuing the
// trace its headers carry, with a fork of the hub on ctx and the message's
// own context below ctx. The transaction records the subject, the body's
// size, the message's id (its Nats-Msg-Id header, else its stream
// sequence), the retry count (deliveries before this one) and the receive
// latency, from the sentry-task-enqueued-time header, else from when the
// stream stored the message, and is sent with the sampling context of the
// head of its trace.
//
// Every message the handler is given is settled once, as soon as its fate
// is known, and what handle returns decides it, and the transaction's
// status:
//
//   - nil acks it (ok);
//   - an error made by Term terminates it (aborted): it will not be
//     delivered again; with WithJetStream, its text is the reason the
//     server gives in its advisory;
//   - any other error, or a panic (reported once, on the transaction: a
//     consumer's callback must not take the program down), naks it with a
//     delay, so that a failing message is not redelivered in a hot loop,
//     as jetstream's Nak would do whatever the consumer's BackOff says: 1
//     s after its first delivery, doubling with each delivery up to a
//     minute, or as WithBackOff says (internal_error);
//   - a message that arrives once ctx is done, one that WithPool's pool
//     refuses or accepts and never runs (shut down, or ctx ended while it
//     was queued), and one whose handler fails after ctx is done, are
//     refused: nacked after WithRefusedDelay (5 s by default), so that a
//     consumer that is stopping neither sits on them for the consumer's
//     AckWait nor burns their MaxDeliver having them redelivered to itself
//     while it stops. No transaction is sent for a message never run.
//
// A message published under sentrytask.WithMonitor is a scheduled run of a
// Sentry Crons monitor, whose check-in its publisher opened: its first
// delivery closes it, "ok" when handle returns nil, "error" for an error,
// a Term or a panic, with the time since it was published. A redelivery
// reports nothing, since Sentry keeps one closing check-in per run; one
// whose first delivery was refused (its consumer stopping) is reported by
// Sentry as timed out after the monitor's max_runtime.
//
// A handler that acks the message itself is left to it. How the message
// was settled is in the transaction's data: messaging.nats.settled (ack,
// term or nak) and messaging.nats.nak_delay (milliseconds).
func NewHandler(ctx context.Context, handle func(ctx context.Context, msg jetstream.Msg) error, opts ...Option) jetstream.MessageHandler {
	if ctx == nil || handle == nil {
		panic("sentrytasknats: NewHandler called with a nil context or handler")
	}
	h := &handler{ctx: ctx, handle: handle, cfg: newConfig(opts)}
	h.process = append(h.cfg.process, sentrytask.WithRecoverPanics(), sentrytask.WithErrorStatus(termStatus))
	return h.handleMsg
}

type handler struct {
	ctx     context.Context
	handle  func(ctx context.Context, msg jetstream.Msg) error
	cfg     config
	process []sentrytask.ProcessOption
}

// handleMsg is the consumer's callback.
func (h *handler) handleMsg(msg jetstream.Msg) {
	if h.ctx.Err() != nil {
		h.refuse(msg)
		return
	}
	headers := msg.Headers()
	if headers == nil {
		headers = nats.Header{}
	}
	m := message(msg, headers)
	run := func(ctx context.Context) error { return h.run(ctx, msg) }
	opts := h.process
	if m.RetryCount > 0 && headers.Get(monitorSlugHeader) != "" {
		opts = append(opts[:len(opts):len(opts)], redelivered)
	}
	if h.cfg.pool == nil {
		_ = sentrytask.Process(h.ctx, headers, m, run, opts...)
		return
	}
	notRun := sentrytask.OnNotRun(func(error) { h.refuse(msg) })
	if _, err := h.cfg.pool.Process(h.ctx, headers, m, run, append(opts[:len(opts):len(opts)], notRun)...); err != nil {
		h.refuse(msg)
	}
}

// monitorSlugHeader names the Sentry Crons monitor of a message that is a
// scheduled run (sentrytask.WithMonitor).
const monitorSlugHeader = "sentry-monitor-slug"

// redelivered is how a redelivered scheduled run closes its check-in: it
// does not; its first delivery did, since Sentry keeps one closing
// check-in per run.
var redelivered = sentrytask.CheckInStatus(func(error) sentry.CheckInStatus { return "" })

// message describes msg for sentrytask.Process.
func message(msg jetstream.Msg, headers nats.Header) sentrytask.Message {
	m := sentrytask.Message{
		System: system, Destination: msg.Subject(), BodySize: len(msg.Data()),
		ID: headers.Get(nats.MsgIdHdr),
	}
	if md, err := msg.Metadata(); err == nil {
		m.RetryCount = int(max(md.NumDelivered, 1) - 1)
		m.EnqueuedAt = md.Timestamp
		if m.ID == "" {
			m.ID = strconv.FormatUint(md.Sequence.Stream, 10)
		}
	}
	return m
}

// run runs the user's handler on msg and settles msg by its outcome.
func (h *handler) run(ctx context.Context, msg jetstream.Msg) error {
	settled := false
	defer func() {
		if !settled {
			// handle panicked: Process reports it once this returns.
			h.settle(ctx, msg, errPanicked)
		}
	}()
	err := h.handle(ctx, msg)
	h.settle(ctx, msg, err)
	settled = true
	return err
}

var errPanicked = errors.New("sentrytasknats: the handler panicked")

// settle acks, naks or terminates msg by the handler's err, and records
// how on the transaction on ctx. The transaction's status comes from err
// through Process (termStatus), never from the span.
func (h *handler) settle(ctx context.Context, msg jetstream.Msg, err error) {
	var term *termError
	var how string
	var delay int64 = -1
	var ackErr error
	switch {
	case err == nil:
		how, ackErr = "ack", msg.Ack()
	case errors.As(err, &term):
		how = "term"
		if h.cfg.termReasons() {
			ackErr = msg.TermWithReason(reason(term.err))
		} else {
			ackErr = msg.Term()
		}
	case h.ctx.Err() != nil:
		// The handler gave up because the consumer is stopping.
		how, delay, ackErr = "nak", h.cfg.refusedDelay.Milliseconds(), msg.NakWithDelay(h.cfg.refusedDelay)
	default:
		d := h.cfg.nakDelay(deliveries(msg))
		how, delay, ackErr = "nak", d.Milliseconds(), msg.NakWithDelay(d)
	}
	tx := sentry.TransactionFromContext(ctx)
	if tx == nil {
		return
	}
	// SetData takes the span's lock: a task the handler left running may
	// be reading the data.
	if errors.Is(ackErr, jetstream.ErrMsgAlreadyAckd) {
		tx.SetData("messaging.nats.settled", "by the handler")
		return
	}
	tx.SetData("messaging.nats.settled", how)
	if term != nil {
		tx.SetData("messaging.nats.term_reason", reason(term.err))
	}
	if delay >= 0 {
		tx.SetData("messaging.nats.nak_delay", delay)
	}
	if ackErr != nil {
		// The handler's outcome stands; the server did not hear it.
		tx.SetData("messaging.nats.ack_error", ackErr.Error())
	}
}

// refuse naks a message that will not be processed here, after the
// refused delay.
func (h *handler) refuse(msg jetstream.Msg) {
	_ = msg.NakWithDelay(h.cfg.refusedDelay)
}

// termStatus is the status of a terminated message's transaction.
func termStatus(err error) sentry.SpanStatus {
	var term *termError
	if errors.As(err, &term) {
		return sentry.SpanStatusAborted
	}
	return sentry.SpanStatusUndefined
}

// deliveries returns how many times msg has been delivered, this time
// included.
func deliveries(msg jetstream.Msg) uint64 {
	if md, err := msg.Metadata(); err == nil {
		return max(md.NumDelivered, 1)
	}
	return 1
}

// reason returns err's text, for a termination's reason: a user's Error
// method that panics must not take the consumer down.
func reason(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = "sentrytasknats: the error's Error method panicked"
		}
	}()
	return err.Error()
}
