package sentrytaskkafkago_test

import (
	"context"

	"github.com/segmentio/kafka-go"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

// The README's code, compiled here (the root package's
// TestDocsCodeCompiles finds it); it would need a cluster to run.
var _ = readmeWriter
var _ = readmeReader

func readmeWriter(ctx context.Context, brokers []string, body []byte) error {
	// writer: every message its own queue.publish span, and the trace in a copy of its headers
	w := sentrytaskkafkago.NewWriter(&kafka.Writer{Addr: kafka.TCP(brokers...), Topic: "orders", RequiredAcks: kafka.RequireAll})
	err := w.WriteMessages(ctx, kafka.Message{Value: body})
	return err
}

func readmeReader(ctx context.Context, r *kafka.Reader) error {
	// reader: each message processed in a queue.process transaction; commit what succeeded
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return err
	}
	if err := sentrytaskkafkago.Process(ctx, m, func(ctx context.Context, m kafka.Message) error {
		return fulfil(ctx, m.Value)
	}); err != nil {
		return err
	}
	return r.CommitMessages(ctx, m)
}

func fulfil(context.Context, []byte) error { return nil }
