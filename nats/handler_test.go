package sentrytasknats_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func data(e *sentry.Event) map[string]any {
	d, _ := e.Contexts["trace"]["data"].(map[string]any)
	return d
}

func status(e *sentry.Event) string { return fmt.Sprint(e.Contexts["trace"]["status"]) }

// publish publishes body from a producer's transaction, through
// sentrytasknats.Publish, and returns the producer's recorder.
func publish(t *testing.T, s *stream, bodies ...string) *sentrytasktest.Recorder {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "POST /orders", sentry.WithOpName("http.server"))
	for _, body := range bodies {
		msg := &nats.Msg{Subject: s.subject, Data: []byte(body)}
		if _, err := sentrytasknats.Publish(tx.Context(), s.js, msg); err != nil {
			t.Fatal(err)
		}
		if len(msg.Header) != 0 {
			t.Errorf("Publish changed the caller's message: headers %v", msg.Header)
		}
	}
	tx.Finish()
	return rec
}

func TestAMessageContinuesThePublishersTrace(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			s.consume(t, sentrytasknats.NewHandler(ctx, func(ctx context.Context, msg jetstream.Msg) error {
				return sentrytask.Instrument(ctx, "order.store", func(context.Context) error { return nil })
			}))
			producer := publish(t, s, `{"id":7}`)
			consumer.await(t, 1)

			events := sentrytasktest.Merge(producer, &consumer.Recorder)
			sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1),
				sentrytasktest.ExpectSpans("queue.process", 1), sentrytasktest.ExpectSpans("order.store", 1))
			publish := sentrytasktest.SpansByOp(events, "queue.publish")[0]
			process := sentrytasktest.TransactionsByOp(events, "queue.process")[0]
			if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
				t.Errorf("the message's transaction has parent %s; want the publish span %s", parent, publish.SpanID)
			}
			if process.Transaction != s.subject || status(process) != "ok" {
				t.Errorf("transaction %q ended %s; want %q, ok", process.Transaction, status(process), s.subject)
			}
			for _, side := range []map[string]any{publish.Data, data(process)} {
				for key, want := range map[string]any{"messaging.system": "nats", "messaging.destination.name": s.subject,
					"messaging.message.id": "1", "messaging.message.body.size": len(`{"id":7}`)} {
					if side[key] != want {
						t.Errorf("%s = %v; want %v (data %v)", key, side[key], want, side)
					}
				}
			}
			d := data(process)
			if d["messaging.message.retry.count"] != 0 {
				t.Errorf("retry count %v; want 0", d["messaging.message.retry.count"])
			}
			if l, ok := d["messaging.message.receive.latency"].(int64); !ok || l < 0 || l > 60_000 {
				t.Errorf("receive latency %#v; want milliseconds, under a minute", d["messaging.message.receive.latency"])
			}
		})
	}
}

// TestAckNakAndTermSetTheStatus: a message the handler fails is nacked and
// delivered again, counted as a retry; one it terminates is not.
func TestAckNakAndTermSetTheStatus(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			var failed atomic.Bool
			s.consume(t, sentrytasknats.NewHandler(ctx, func(ctx context.Context, msg jetstream.Msg) error {
				switch string(msg.Data()) {
				case "flaky":
					if !failed.Swap(true) {
						return errors.New("database busy")
					}
				case "bad":
					return sentrytasknats.Term(errors.New("no such product"))
				}
				return nil
			}))
			publish(t, s, "flaky", "bad")
			got := map[string][]string{}
			for _, tx := range consumer.await(t, 3) {
				body := "flaky"
				if tx.Contexts["trace"]["data"].(map[string]any)["messaging.message.id"] == "2" {
					body = "bad"
				}
				got[body] = append(got[body], fmt.Sprintf("%v %s", data(tx)["messaging.message.retry.count"], status(tx)))
			}
			if want := "map[bad:[0 aborted] flaky:[0 internal_error 1 ok]]"; fmt.Sprint(got) != want {
				t.Errorf("deliveries (retry count, status) = %v; want %s", got, want)
			}
		})
	}
}

func TestAPanickingHandlerIsReportedOnceAndItsMessageNacked(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			var panicked atomic.Bool
			s.consume(t, sentrytasknats.NewHandler(ctx, func(ctx context.Context, msg jetstream.Msg) error {
				if !panicked.Swap(true) {
					panic("nil order")
				}
				return nil
			}))
			publish(t, s, "order")
			txs := consumer.await(t, 2)
			if status(txs[0]) != "internal_error" || status(txs[1]) != "ok" || data(txs[1])["messaging.message.retry.count"] != 1 {
				t.Errorf("deliveries ended %s, %s (retry count %v); want the panic internal_error, then the retry ok, retry count 1",
					status(txs[0]), status(txs[1]), data(txs[1])["messaging.message.retry.count"])
			}
			errs := consumer.Errors()
			if len(errs) != 1 {
				t.Fatalf("%d error events; want the panic, once", len(errs))
			}
			if _, span, _ := sentrytasktest.IDs(errs[0]); span != txs[0].Contexts["trace"]["span_id"].(sentry.SpanID).String() {
				t.Errorf("the panic is linked to span %s; want the first delivery's transaction", span)
			}
		})
	}
}

func TestHostileHeadersStartANewTrace(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			s.consume(t, sentrytasknats.NewHandler(ctx, func(context.Context, jetstream.Msg) error { return nil }))
			huge := string(make([]byte, 32<<10))
			msg := &nats.Msg{Subject: s.subject, Data: []byte("x"), Header: nats.Header{
				"sentry-trace":              {"4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"},
				"baggage":                   {huge},
				"traceparent":               {"\xff\xfe"},
				"sentry-task-enqueued-time": {strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)},
			}}
			if _, err := s.js.PublishMsg(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			tx := consumer.await(t, 1)[0]
			if _, _, parent := sentrytasktest.IDs(tx); parent != "" {
				t.Errorf("contradictory headers were continued below %s; want a new trace", parent)
			}
			// An enqueue time in the future is not believed: the stream's
			// own timestamp stands in for it.
			if l, ok := data(tx)["messaging.message.receive.latency"].(int64); !ok || l < 0 || l > 60_000 {
				t.Errorf("latency %v; want it from when the stream stored the message", data(tx)["messaging.message.receive.latency"])
			}
		})
	}
}

// TestWithPoolRunsEachMessageAsATaskOfThePool: messages are processed on
// the pool's workers; one the pool does not accept is nacked, and
// delivered again.
func TestWithPoolRunsEachMessageAsATaskOfThePool(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			pool := sentrytask.NewPool(2)
			const n = 10
			bodies := make([]string, n)
			for i := range bodies {
				bodies[i] = strconv.Itoa(i)
			}
			s.consume(t, sentrytasknats.NewHandler(ctx, func(context.Context, jetstream.Msg) error { return nil },
				sentrytasknats.WithPool(pool)))
			publish(t, s, bodies...)
			consumer.await(t, n)
			if err := pool.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st := pool.Stats(); st.Completed != n {
				t.Errorf("pool stats %+v; want the %d messages completed on it", st, n)
			}

			// The pool is shut down: a message it refuses is nacked.
			handler := sentrytasknats.NewHandler(ctx, func(context.Context, jetstream.Msg) error { return nil },
				sentrytasknats.WithPool(pool))
			other := newStream(t, srv)
			publish(t, other, "refused")
			batch, err := other.consumer.Fetch(1)
			if err != nil {
				t.Fatal(err)
			}
			for msg := range batch.Messages() {
				handler(msg)
			}
			batch, err = other.consumer.Fetch(1, jetstream.FetchMaxWait(30*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			for msg := range batch.Messages() {
				if md, _ := msg.Metadata(); md.NumDelivered != 2 {
					t.Errorf("the refused message was delivered %d times; want 2, nacked and delivered again", md.NumDelivered)
				}
				_ = msg.Ack()
			}
		})
	}
}

func TestMessagesFlowWithSentryOff(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			off := sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
			got := make(chan jetstream.Msg, 1)
			s.consume(t, sentrytasknats.NewHandler(off, func(_ context.Context, msg jetstream.Msg) error {
				got <- msg
				return nil
			}))
			if _, err := sentrytasknats.Publish(off, s.js, &nats.Msg{Subject: s.subject, Data: []byte("x")}); err != nil {
				t.Fatal(err)
			}
			select {
			case msg := <-got:
				if len(msg.Headers()) != 0 {
					t.Errorf("with Sentry off the message carried headers %v", msg.Headers())
				}
			case <-time.After(time.Minute):
				t.Fatal("no message within a minute")
			}
		})
	}
}
