package sentrytasknats_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestAScheduledRunClosesItsCheckInOnTheConsumer: a scheduler publishes
// three runs of a monitor, each from its tick's transaction, as a
// robfig/cron job or a ticker would; a consumer in another process works
// them, one failing its first delivery and one panicking in it.
func TestAScheduledRunClosesItsCheckInOnTheConsumer(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			var mu sync.Mutex
			deliveries := map[string]int{}
			s.consume(t, sentrytasknats.NewHandler(ctx, func(_ context.Context, msg jetstream.Msg) error {
				mu.Lock()
				deliveries[string(msg.Data())]++
				first := deliveries[string(msg.Data())] == 1
				mu.Unlock()
				switch {
				case string(msg.Data()) == "flaky" && first:
					return errors.New("database busy")
				case string(msg.Data()) == "explosive" && first:
					panic("report exploded")
				}
				return nil
			}, sentrytasknats.WithBackOff(50*time.Millisecond, 50*time.Millisecond)))

			mon := sentrytask.Monitor{Slug: "orders-rollup", Config: &sentry.MonitorConfig{
				Schedule: sentry.CrontabSchedule("*/5 * * * *"), MaxRuntime: 10}}
			schedHub, scheduler := sentrytasktest.NewHub(t)
			for _, body := range []string{"fine", "flaky", "explosive"} {
				tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), schedHub), "tick", sentry.WithOpName("cron.tick"))
				if _, err := sentrytasknats.Publish(sentrytask.WithMonitor(tx.Context(), mon), s.js,
					&nats.Msg{Subject: s.subject, Data: []byte(body)}); err != nil {
					t.Fatal(err)
				}
				tx.Finish()
			}
			consumer.await(t, 5) // fine; flaky twice; explosive twice

			opened, closed := scheduler.CheckIns(), consumer.CheckIns()
			if len(opened) != 3 || len(closed) != 3 {
				t.Fatalf("the scheduler opened %d runs and the consumer closed %d; want 3 and 3", len(opened), len(closed))
			}
			statuses := map[string]sentry.CheckInStatus{}
			for _, ci := range closed {
				statuses[ci.ID] = ci.Status
			}
			events := sentrytasktest.Merge(scheduler, &consumer.Recorder)
			for i, want := range []sentry.CheckInStatus{sentry.CheckInStatusOK, sentry.CheckInStatusError, sentry.CheckInStatusError} {
				ci := opened[i]
				if ci.Status != sentry.CheckInStatusInProgress || ci.Config != mon.Config {
					t.Errorf("run %d opened as %+v; want in_progress with the monitor's config", i, ci)
				}
				if statuses[ci.ID] != want {
					t.Errorf("run %d (%s) closed %q; want %s, once, by its first delivery", i, ci.ID, statuses[ci.ID], want)
				}
				sentrytasktest.AssertTrace(t, sentrytasktest.ByTrace(events)[ci.TraceID], sentrytasktest.ExpectRuns("orders-rollup", 1))
			}
			for _, s := range sentrytasktest.SpansByOp(scheduler.Transactions(), "queue.publish") {
				if s.Origin != "auto.queue.sentrytask.nats" {
					t.Errorf("a publish span's origin is %q; want auto.queue.sentrytask.nats", s.Origin)
				}
			}
			for _, tx := range consumer.Transactions() {
				if o := tx.Contexts["trace"]["origin"]; o != "auto.queue.sentrytask.nats" {
					t.Errorf("a message's transaction has origin %v; want auto.queue.sentrytask.nats", o)
				}
			}
		})
	}
}
