package sentrytaskkafkago_test

import (
	"context"
	"errors"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

// TestAScheduledRunWrittenToKafkaClosesOnTheReader: a scheduler writes two
// runs of a monitor under sentrytask.WithMonitor; a reader in another
// process works one and fails the other.
func TestAScheduledRunWrittenToKafkaClosesOnTheReader(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		tx, producer := producerTx(t)
		ctx := sentrytask.WithMonitor(tx.Context(), sentrytask.Monitor{Slug: "ledger-close"})
		if err := c.writer(t, topic).WriteMessages(ctx, kafka.Message{Value: []byte("ok")}, kafka.Message{Value: []byte("fail")}); err != nil {
			t.Fatal(err)
		}
		tx.Finish()

		cctx, consumer := consumerHub(t)
		for _, m := range c.read(t, topic, 2) {
			_ = sentrytaskkafkago.Process(cctx, m, func(_ context.Context, m kafka.Message) error {
				if string(m.Value) == "fail" {
					return errors.New("ledger locked")
				}
				return nil
			})
		}
		opened, closed := producer.CheckIns(), consumer.CheckIns()
		if len(opened) != 2 || len(closed) != 2 {
			t.Fatalf("opened %d runs, closed %d; want 2 and 2", len(opened), len(closed))
		}
		for i, want := range []sentry.CheckInStatus{sentry.CheckInStatusOK, sentry.CheckInStatusError} {
			if closed[i].ID != opened[i].ID || closed[i].Status != want || closed[i].TraceID != opened[i].TraceID {
				t.Errorf("run %d: opened %+v, closed %+v; want one id, one trace, %s", i, opened[i], closed[i], want)
			}
		}
		sentrytasktest.AssertTrace(t, sentrytasktest.Merge(producer, consumer), sentrytasktest.ExpectRuns("ledger-close", 2))
	})
}
