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

// An Option configures NewHandler.
type Option func(*handlerConfig)

type handlerConfig struct {
	pool    *sentrytask.Pool
	process []sentrytask.ProcessOption
}

// WithPool runs each message as a task of p instead of in the consumer's
// callback, so that messages are processed concurrently, at most p's
// workers at a time. A message p does not accept (it is shut down, or the
// handler's context is done) is nacked, to be delivered again.
func WithPool(p *sentrytask.Pool) Option {
	return func(c *handlerConfig) { c.pool = p }
}

// WithProcessOptions applies opts to the processing of every message, as to
// sentrytask.Process: sentrytask.NewTraceAfter starts a new trace for a
// message processed long after it was published, WithCaptureErrors sends a
// failed message's error as an event.
func WithProcessOptions(opts ...sentrytask.ProcessOption) Option {
	return func(c *handlerConfig) { c.process = append(c.process, opts...) }
}

// termError marks a handler's error as final; see Term.
type termError struct{ err error }

func (e *termError) Error() string { return e.err.Error() }
func (e *termError) Unwrap() error { return e.err }

// Term wraps err so that the handler's message is terminated (Term) rather
// than nacked: it will not be delivered again.
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
// latency, from the sentry-task-enqueued-time header or, without one, from
// when the stream stored the message.
//
// What handle returns decides the message's fate, and the transaction's
// status: nil acks it (ok); an error naks it, to be delivered again
// (internal_error); an error made by Term terminates it (aborted). A panic
// in handle is reported once, on the transaction, and the message is
// nacked: a consumer's callback must not take the program down. A handler
// that acks the message itself is left to it.
func NewHandler(ctx context.Context, handle func(ctx context.Context, msg jetstream.Msg) error, opts ...Option) jetstream.MessageHandler {
	if ctx == nil || handle == nil {
		panic("sentrytasknats: NewHandler called with a nil context or handler")
	}
	var c handlerConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	c.process = append(c.process, sentrytask.WithRecoverPanics())
	process := func(ctx context.Context, msg jetstream.Msg) error {
		headers := msg.Headers()
		if headers == nil {
			headers = nats.Header{}
		}
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
		settled := false
		err := sentrytask.Process(ctx, headers, m, func(ctx context.Context) error {
			err := handle(ctx, msg)
			settle(ctx, msg, err)
			settled = true
			return err
		}, c.process...)
		if !settled {
			// handle panicked: Process reported it and returned it.
			_ = msg.Nak()
		}
		return err
	}
	return func(msg jetstream.Msg) {
		if c.pool == nil {
			_ = process(ctx, msg)
			return
		}
		if _, err := c.pool.Submit(ctx, func(ctx context.Context) error { return process(ctx, msg) }); err != nil {
			_ = msg.Nak()
		}
	}
}

// settle acks, naks or terminates msg by the handler's err, and sets the
// status of the transaction on ctx to match. A panicking handler never
// gets here: the message is nacked once Process has reported the panic.
func settle(ctx context.Context, msg jetstream.Msg, err error) {
	tx := sentry.TransactionFromContext(ctx)
	status := sentry.SpanStatusOK
	var term *termError
	var ackErr error
	switch {
	case err == nil:
		ackErr = msg.Ack()
	case errors.As(err, &term):
		status = sentry.SpanStatusAborted
		ackErr = msg.Term()
	default:
		status = sentry.SpanStatusInternalError
		ackErr = msg.Nak()
	}
	if ackErr != nil && !errors.Is(ackErr, jetstream.ErrMsgAlreadyAckd) && tx != nil {
		// The handler's outcome stands; the server did not hear it.
		tx.SetData("messaging.nats.ack_error", ackErr.Error())
	}
	if tx != nil && tx.Status == sentry.SpanStatusUndefined {
		tx.Status = status
	}
}
