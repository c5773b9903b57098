package sentrytaskkafkago_test

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

// TestAFilteredMessageIsProcessedWithoutATransaction: a topic the filter
// leaves out is processed, and sends nothing.
func TestAFilteredMessageIsProcessedWithoutATransaction(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		tx, _ := producerTx(t)
		if err := c.writer(t, topic).WriteMessages(tx.Context(), kafka.Message{Value: []byte("heartbeat")}); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		ctx, consumer := consumerHub(t)
		ran := false
		err := sentrytaskkafkago.Process(ctx, c.read(t, topic, 1)[0], func(context.Context, kafka.Message) error {
			ran = true
			return nil
		}, sentrytaskkafkago.WithProcessOptions(sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
			return in.Name != topic
		})))
		if err != nil || !ran {
			t.Fatalf("ran %v, returned %v", ran, err)
		}
		if n := len(consumer.Events()); n != 0 {
			t.Errorf("a filtered message sent %d events", n)
		}
	})
}
