package sentrytaskkafkago_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kfake"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

func data(e *sentry.Event) map[string]any {
	d, _ := e.Contexts["trace"]["data"].(map[string]any)
	return d
}

func status(e *sentry.Event) string { return fmt.Sprint(e.Contexts["trace"]["status"]) }

func TestAMessageContinuesItsWritersTrace(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		tx, producer := producerTx(t)
		msg := kafka.Message{Value: []byte(`{"id":7}`), Headers: []kafka.Header{{Key: "app", Value: []byte("orders")}}}
		if err := c.writer(t, topic).WriteMessages(tx.Context(), msg); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		if len(msg.Headers) != 1 || msg.WriterData != nil {
			t.Errorf("WriteMessages changed the caller's message: %+v", msg)
		}

		ctx, consumer := consumerHub(t)
		m := c.read(t, topic, 1)[0]
		if err := sentrytaskkafkago.Process(ctx, m, func(ctx context.Context, m kafka.Message) error {
			return sentrytask.Instrument(ctx, "order.store", func(context.Context) error { return nil })
		}); err != nil {
			t.Fatal(err)
		}
		events := sentrytasktest.Merge(producer, consumer)
		sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1),
			sentrytasktest.ExpectSpans("queue.process", 1), sentrytasktest.ExpectSpans("order.store", 1))
		publish := sentrytasktest.SpansByOp(events, "queue.publish")[0]
		process := sentrytasktest.TransactionsByOp(events, "queue.process")[0]
		if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
			t.Errorf("the message's transaction has parent %s; want the publish span %s", parent, publish.SpanID)
		}
		if process.Transaction != topic || status(process) != "ok" || publish.Status != sentry.SpanStatusOK {
			t.Errorf("transaction %q ended %s, publish span %s; want %q, ok, ok", process.Transaction, status(process), publish.Status, topic)
		}
		for _, side := range []map[string]any{publish.Data, data(process)} {
			for key, want := range map[string]any{"messaging.system": "kafka", "messaging.destination.name": topic,
				"messaging.message.id": "0/0", "messaging.message.body.size": len(`{"id":7}`)} {
				if side[key] != want {
					t.Errorf("%s = %v; want %v (data %v)", key, side[key], want, side)
				}
			}
		}
		if l, ok := data(process)["messaging.message.receive.latency"].(int64); !ok || l < 0 || l > 60_000 {
			t.Errorf("receive latency %#v; want milliseconds, under a minute", data(process)["messaging.message.receive.latency"])
		}
		var keys []string
		for _, h := range m.Headers {
			keys = append(keys, h.Key)
		}
		if want := "[app sentry-trace baggage sentry-task-enqueued-time]"; fmt.Sprint(keys) != want {
			t.Errorf("headers %v; want %s", keys, want)
		}
	})
}

// TestAnAsynchronousWritersSpansEndWhenItsMessagesAreWritten: WriteMessages
// returns at once; each message's span ends when the Writer reports it
// written, and the caller's Completion sees its own WriterData.
func TestAnAsynchronousWritersSpansEndWhenItsMessagesAreWritten(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		var wg sync.WaitGroup
		wg.Add(3)
		var mu sync.Mutex
		var seen []any
		w := c.writer(t, topic, func(w *kafka.Writer) {
			w.Async = true
			w.Completion = func(msgs []kafka.Message, err error) {
				mu.Lock()
				defer mu.Unlock()
				for _, m := range msgs {
					seen = append(seen, m.WriterData)
					wg.Done()
				}
			}
		})
		tx, producer := producerTx(t)
		for i := range 3 {
			if err := w.WriteMessages(tx.Context(), kafka.Message{Value: []byte{byte(i)}, WriterData: i}); err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()
		tx.Finish()
		if fmt.Sprint(seen) != "[0 1 2]" {
			t.Errorf("the caller's Completion saw WriterData %v; want its own, [0 1 2]", seen)
		}
		sentrytasktest.AssertTrace(t, producer.Events(), sentrytasktest.ExpectSpans("queue.publish", 3))
		var ids []any
		for _, s := range sentrytasktest.SpansByOp(producer.Events(), "queue.publish") {
			ids = append(ids, s.Data["messaging.message.id"])
		}
		if fmt.Sprint(ids) != "[0/0 0/1 0/2]" {
			t.Errorf("ids %v; want [0/0 0/1 0/2]", ids)
		}
	})
}

// TestAFailedWriteEndsItsSpansOnce: a write the Writer refuses (closed,
// or a message too large) ends every message's span with its error, once.
func TestAFailedWriteEndsItsSpansOnce(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		tx, producer := producerTx(t)
		small := c.writer(t, topic, func(w *kafka.Writer) { w.BatchBytes = 64 })
		err := small.WriteMessages(tx.Context(), kafka.Message{Value: make([]byte, 1024)})
		var tooLarge kafka.MessageTooLargeError
		if !errors.As(err, &tooLarge) {
			t.Errorf("writing a message too large: %v", err)
		}
		closed := c.writer(t, topic)
		closed.Close()
		if err := closed.WriteMessages(tx.Context(), kafka.Message{Value: []byte("late")}); !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("writing to a closed Writer: %v", err)
		}
		tx.Finish()
		sentrytasktest.AssertTrace(t, producer.Events(), sentrytasktest.ExpectSpans("queue.publish", 2))
		for _, s := range sentrytasktest.SpansByOp(producer.Events(), "queue.publish") {
			if s.Status != sentry.SpanStatusInternalError {
				t.Errorf("publish span ended %s; want internal_error", s.Status)
			}
		}
	})
}

// TestACancelledWriteEndsItsSpansCancelled: the caller stops waiting; the
// span says so, and the Writer's later report changes nothing.
func TestACancelledWriteEndsItsSpansCancelled(t *testing.T) {
	t.Parallel()
	c := clusters(t)[0]
	topic := c.topic(t)
	tx, producer := producerTx(t)
	ctx, cancel := context.WithCancel(tx.Context())
	cancel()
	w := c.writer(t, topic)
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("x")}); !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteMessages with a cancelled ctx = %v; want context.Canceled", err)
	}
	w.Close() // the Writer finishes what it holds, and reports it
	tx.Finish()
	sentrytasktest.AssertTrace(t, producer.Events(), sentrytasktest.ExpectSpans("queue.publish", 1))
	if s := sentrytasktest.SpansByOp(producer.Events(), "queue.publish")[0]; s.Status != sentry.SpanStatusCanceled {
		t.Errorf("publish span ended %s; want cancelled", s.Status)
	}
}

// TestAWriteNoBrokerAnswersHasNoID: with RequireNone, kafka-go's default,
// the broker says nothing of where a message went; its span records no id
// rather than a wrong one.
func TestAWriteNoBrokerAnswersHasNoID(t *testing.T) {
	t.Parallel()
	c := clusters(t)[0]
	topic := c.topic(t)
	tx, producer := producerTx(t)
	w := c.writer(t, topic, func(w *kafka.Writer) { w.RequiredAcks = kafka.RequireNone })
	for _, v := range []string{"a", "b"} {
		if err := w.WriteMessages(tx.Context(), kafka.Message{Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	tx.Finish()
	for _, s := range sentrytasktest.SpansByOp(producer.Events(), "queue.publish") {
		if id, ok := s.Data["messaging.message.id"]; ok || s.Status != sentry.SpanStatusOK {
			t.Errorf("publish span ended %s with id %v; want ok, no id", s.Status, id)
		}
	}
	if got := len(c.read(t, topic, 2)); got != 2 {
		t.Errorf("%d messages written; want 2", got)
	}
}

// TestAWriteToAStoppedClusterEndsItsSpans: the cluster goes away; the
// write fails or the caller stops waiting, and every span ends, once, not
// ok, before the Writer's own report of the failure, which changes
// nothing.
func TestAWriteToAStoppedClusterEndsItsSpans(t *testing.T) {
	t.Parallel()
	cl, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	c := cluster{"kfake", cl.ListenAddrs()}
	w := c.writer(t, "orders", func(w *kafka.Writer) { w.MaxAttempts = 2 })
	tx, producer := producerTx(t)
	if err := w.WriteMessages(tx.Context(), kafka.Message{Value: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	ctx, cancel := context.WithTimeout(tx.Context(), 5*time.Second)
	err = w.WriteMessages(ctx, kafka.Message{Value: []byte("a")}, kafka.Message{Value: []byte("b")})
	cancel()
	if err == nil {
		t.Fatal("a write to a stopped cluster succeeded")
	}
	w.Close()
	tx.Finish()
	sentrytasktest.AssertTrace(t, producer.Events(), sentrytasktest.ExpectSpans("queue.publish", 3))
	var notOK int
	for _, s := range sentrytasktest.SpansByOp(producer.Events(), "queue.publish") {
		if s.Status != sentry.SpanStatusOK {
			notOK++
		}
	}
	if notOK != 2 {
		t.Errorf("%d publish spans ended other than ok; want the 2 written after the cluster stopped", notOK)
	}
}
