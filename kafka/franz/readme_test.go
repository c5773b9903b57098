package sentrytaskfranz_test

import (
	"context"

	"github.com/sentrytask/sentrytask"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// The README's code, compiled here (the root package's
// TestDocsCodeCompiles finds it); it would need a cluster to run.
var _ = readmeProducer
var _ = readmeConsumer

func readmeProducer(brokers []string) (*kgo.Client, error) {
	// producer: one option on the client; every record produced gets a queue.publish span and the trace in its headers
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), sentrytaskfranz.Tracing())
	return cl, err
}

func readmeConsumer(ctx context.Context, cl *kgo.Client, pool *sentrytask.Pool) error {
	// consumer: every record of a poll processed in its own queue.process transaction, on a pool
	err := sentrytaskfranz.ProcessFetches(ctx, cl.PollFetches(ctx), func(ctx context.Context, r *kgo.Record) error {
		return fulfil(ctx, r.Value)
	}, sentrytaskfranz.WithPool(pool))
	return err
}

func fulfil(context.Context, []byte) error { return nil }
