package sentrytasknats_test

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
)

// The README's NATS code, compiled here (the root package's
// TestREADMECodeCompiles finds it); it would need a server to run.
var _ = readmeQuickStart

func readmeQuickStart(ctx context.Context, js jetstream.JetStream, consumer jetstream.Consumer, pool *sentrytask.Pool, body []byte) (jetstream.ConsumeContext, error) {
	// producer: PublishMsg with a queue.publish span and the trace in a copy of msg's headers
	ack, err := sentrytasknats.Publish(ctx, js, &nats.Msg{Subject: "orders.created", Data: body})
	if err != nil {
		return nil, err
	}
	_ = ack

	// consumer: each message processed in a queue.process transaction, acked, nacked or terminated by the result
	cc, err := consumer.Consume(sentrytasknats.NewHandler(ctx, func(ctx context.Context, msg jetstream.Msg) error {
		return fulfil(ctx, msg.Data())
	}, sentrytasknats.WithPool(pool)))
	return cc, err
}

func fulfil(context.Context, []byte) error { return nil }
