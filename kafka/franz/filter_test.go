package sentrytaskfranz_test

import (
	"context"
	"testing"

	"github.com/sentrytask/sentrytask"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// TestAFilteredRecordIsProcessedWithoutATransaction: a topic the filter
// leaves out is processed, and sends nothing.
func TestAFilteredRecordIsProcessedWithoutATransaction(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		p.produce(t, &kgo.Record{Topic: topic, Value: []byte("heartbeat")})
		ctx, consumer := consumerHub(t)
		ran := 0
		err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 1), func(context.Context, *kgo.Record) error {
			ran++
			return nil
		}, sentrytaskfranz.WithProcessOptions(sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
			return in.Name != topic
		})))
		if err != nil || ran != 1 {
			t.Fatalf("ran %d records, returned %v; want the one record run", ran, err)
		}
		if n := len(consumer.Events()); n != 0 {
			t.Errorf("a filtered record sent %d events", n)
		}
	})
}
