package sentrytaskfranz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// TestAScheduledRunProducedToKafkaClosesOnTheConsumer: a scheduler's tick
// produces two runs of a monitor, record contexts under
// sentrytask.WithMonitor; a consumer in another process works one and
// fails the other.
func TestAScheduledRunProducedToKafkaClosesOnTheConsumer(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		mon := sentrytask.Monitor{Slug: "ledger-close"}
		tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), p.hub), "tick")
		ctx := sentrytask.WithMonitor(tx.Context(), mon)
		if err := p.cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("ok")}, &kgo.Record{Topic: topic, Value: []byte("fail")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		tx.Finish()

		cctx, consumer := consumerHub(t)
		_ = sentrytaskfranz.ProcessFetches(cctx, poll(t, c.consumer(t, topic), 2), func(_ context.Context, r *kgo.Record) error {
			if string(r.Value) == "fail" {
				return errors.New("ledger locked")
			}
			return nil
		})
		opened, closed := p.rec.CheckIns(), consumer.CheckIns()
		if len(opened) != 2 || len(closed) != 2 {
			t.Fatalf("opened %d runs, closed %d; want 2 and 2", len(opened), len(closed))
		}
		for i, want := range []sentry.CheckInStatus{sentry.CheckInStatusOK, sentry.CheckInStatusError} {
			if closed[i].ID != opened[i].ID || closed[i].Status != want || closed[i].TraceID != opened[i].TraceID {
				t.Errorf("run %d: opened %+v, closed %+v; want one id, one trace, %s", i, opened[i], closed[i], want)
			}
		}
		sentrytasktest.AssertTrace(t, sentrytasktest.Merge(p.rec, consumer), sentrytasktest.ExpectRuns("ledger-close", 2))
		for _, tx := range consumer.Transactions() {
			if o := tx.Contexts["trace"]["origin"]; o != "auto.queue.sentrytask.kafka" {
				t.Errorf("a record's transaction has origin %v; want auto.queue.sentrytask.kafka", o)
			}
		}
	})
}
