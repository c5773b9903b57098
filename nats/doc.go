// Package sentrytasknats keeps Sentry traces whole across NATS JetStream: a
// message continues the trace of the code that published it, on whatever
// machine consumes it, and both sides make the spans Sentry's Queues module
// reads.
//
// Publish in place of jetstream.JetStream's PublishMsg; NewHandler to make
// the handler a consumer's Consume takes:
//
//	ack, err := sentrytasknats.Publish(ctx, js, &nats.Msg{Subject: "orders.created", Data: body})
//
//	cc, err := consumer.Consume(sentrytasknats.NewHandler(ctx, func(ctx context.Context, msg jetstream.Msg) error {
//		return handle(ctx, msg.Data())
//	}))
//
// The published message gets a "queue.publish" span below the span on ctx
// and headers that continue the trace (sentry-trace, baggage,
// sentry-task-enqueued-time); each message consumed is processed in a
// "queue.process" transaction continuing it, with a hub of its own, and
// acked, nacked or terminated by what the handler returns: see NewHandler.
//
// In production:
//
//   - At shutdown, stop the consumer (Stop or Drain), then shut its pool
//     down. Either order loses nothing: a message the handler is given once
//     its context is done, or that its pool refuses or never runs, is
//     nacked after WithRefusedDelay (5 s), so that it neither waits out
//     the consumer's AckWait nor spends its MaxDeliver being redelivered
//     to the consumer that is stopping; the next worker on the durable
//     gets it.
//   - A failed message is nacked with a delay (WithBackOff: the consumer's
//     BackOff, or by default 1 s doubling up to a minute), never
//     redelivered at once, which jetstream's Nak does whatever the
//     consumer's BackOff says. Term ends a message for good.
//   - A publish the stream drops as a duplicate (same Nats-Msg-Id within
//     its duplicate window) is recorded as one, not as a message
//     published; both sides name a message by its Nats-Msg-Id.
//
// nats.go and nats-server need Go 1.26, and so does this module; the
// sentrytask module does not depend on them.
//
// Import it as
//
//	import sentrytasknats "github.com/sentrytask/sentrytask/nats"
package sentrytasknats
