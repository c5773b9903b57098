package service

import (
	"context"
	"strconv"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
)

// ConsumerHandler returns the NATS consumer's handler in variant v: each
// message does one item check, and is acked; done is called after each.
// The hand-written one continues the producer's trace from the headers in
// a transaction of its own, with a clone of the hub, as sentry-go's guide
// writes a consumer.
func ConsumerHandler(ctx context.Context, v Variant, done func()) jetstream.MessageHandler {
	work := func(context.Context, jetstream.Msg) error { return check(0) }
	switch v {
	case SentryTask:
		h := sentrytasknats.NewHandler(ctx, work)
		return func(msg jetstream.Msg) { h(msg); done() }
	case Hand:
		return func(msg jetstream.Msg) {
			hub := hubOf(ctx).Clone()
			hdr := msg.Headers()
			tx := sentry.StartTransaction(sentry.SetHubOnContext(ctx, hub), msg.Subject(),
				sentry.WithOpName("queue.process"), sentry.WithTransactionSource(sentry.SourceTask),
				sentry.ContinueFromHeaders(hdr.Get(sentry.SentryTraceHeader), hdr.Get(sentry.SentryBaggageHeader)))
			// What Sentry's Queues page reads, as sentrytasknats records it.
			tx.SetData("messaging.system", "nats")
			tx.SetData("messaging.destination.name", msg.Subject())
			tx.SetData("messaging.message.body.size", len(msg.Data()))
			if md, err := msg.Metadata(); err == nil {
				tx.SetData("messaging.message.id", strconv.FormatUint(md.Sequence.Stream, 10))
				tx.SetData("messaging.message.retry.count", int(md.NumDelivered)-1)
				enqueued := md.Timestamp
				if secs, err := strconv.ParseFloat(hdr.Get("sentry-task-enqueued-time"), 64); err == nil {
					enqueued = time.Unix(0, int64(secs*1e9))
				}
				tx.SetData("messaging.message.receive.latency", time.Since(enqueued).Milliseconds())
			}
			hub.Scope().SetSpan(tx)
			err := work(tx.Context(), msg)
			tx.Status = sentry.SpanStatusOK
			if err != nil {
				tx.Status = sentry.SpanStatusInternalError
				_ = msg.Nak()
				tx.SetData("messaging.nats.settled", "nak")
			} else {
				_ = msg.Ack()
				tx.SetData("messaging.nats.settled", "ack")
			}
			tx.Finish()
			done()
		}
	}
	return func(msg jetstream.Msg) {
		if work(ctx, msg) != nil {
			_ = msg.Nak()
		} else {
			_ = msg.Ack()
		}
		done()
	}
}

// Publish publishes n messages to subject from one producer's transaction,
// each carrying the trace, as the consumer's messages would arrive.
func Publish(ctx context.Context, js jetstream.JetStream, subject string, n int) error {
	tx := sentry.StartTransaction(ctx, "produce")
	defer tx.Finish()
	for range n {
		if _, err := sentrytasknats.Publish(tx.Context(), js, &nats.Msg{Subject: subject, Data: itemData[:256]}); err != nil {
			return err
		}
	}
	return nil
}
