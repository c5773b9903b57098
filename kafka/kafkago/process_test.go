package sentrytaskkafkago_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

// TestPoolProcessRunsTheMessageOrSaysItDidNot: on a pool, the message's
// task sits below its transaction; a pool that is shut down refuses it.
func TestPoolProcessRunsTheMessageOrSaysItDidNot(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		tx, producer := producerTx(t)
		if err := c.writer(t, topic).WriteMessages(tx.Context(), kafka.Message{Value: []byte("a")}, kafka.Message{Value: []byte("b")}); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		msgs := c.read(t, topic, 2)

		ctx, consumer := consumerHub(t)
		pool := sentrytask.NewPool(2, sentrytask.WithSpan("order.handle"))
		var tasks []*sentrytask.Task
		for _, m := range msgs {
			task, err := sentrytaskkafkago.PoolProcess(ctx, pool, m, func(context.Context, kafka.Message) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			tasks = append(tasks, task)
		}
		for _, task := range tasks {
			if err := task.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		sentrytasktest.AssertTrace(t, sentrytasktest.Merge(producer, consumer), sentrytasktest.ExpectSpans("queue.publish", 2),
			sentrytasktest.ExpectSpans("queue.process", 2), sentrytasktest.ExpectSpans("order.handle", 2))

		if err := pool.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := sentrytaskkafkago.PoolProcess(ctx, pool, msgs[0], func(context.Context, kafka.Message) error {
			t.Error("a shut-down pool ran a message")
			return nil
		}); !errors.Is(err, sentrytask.ErrClosed) {
			t.Errorf("PoolProcess on a shut-down pool = %v; want ErrClosed", err)
		}
	})
}

// TestAFailingMessageEndsItsTransactionWithItsError, and a message read
// twice is two deliveries of the same message.
func TestAFailingMessageEndsItsTransactionWithItsError(t *testing.T) {
	t.Parallel()
	ctx, consumer := consumerHub(t)
	m := kafka.Message{Topic: "orders", Partition: 2, Offset: 40, Value: []byte("x")}
	errBusy := errors.New("database busy")
	if err := sentrytaskkafkago.Process(ctx, m, func(context.Context, kafka.Message) error { return errBusy }); !errors.Is(err, errBusy) {
		t.Fatalf("Process = %v; want the handler's error", err)
	}
	if err := sentrytaskkafkago.Process(ctx, m, func(context.Context, kafka.Message) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tx := range consumer.Transactions() {
		got = append(got, fmt.Sprint(data(tx)["messaging.message.id"], " ", status(tx)))
	}
	if want := "[2/40 internal_error 2/40 ok]"; fmt.Sprint(got) != want {
		t.Errorf("transactions %v; want %s", got, want)
	}
}

// TestWithRetryHeaderCountsTheCallersRetries reads the retry count a retry
// topic's header carries; a malformed one counts as zero.
func TestWithRetryHeaderCountsTheCallersRetries(t *testing.T) {
	t.Parallel()
	ctx, consumer := consumerHub(t)
	for _, value := range []string{"2", "-3", "two", ""} {
		m := kafka.Message{Topic: "orders.retry", Headers: []kafka.Header{{Key: "x-retries", Value: []byte(value)}}}
		if err := sentrytaskkafkago.Process(ctx, m, func(context.Context, kafka.Message) error { return nil }, sentrytaskkafkago.WithRetryHeader("x-retries")); err != nil {
			t.Fatal(err)
		}
	}
	var got []any
	for _, tx := range consumer.Transactions() {
		got = append(got, data(tx)["messaging.message.retry.count"])
	}
	if fmt.Sprint(got) != "[2 0 0 0]" {
		t.Errorf("retry counts %v; want [2 0 0 0]", got)
	}
}

// TestHostileHeadersStartATraceOfTheirOwn: a message with no headers, or
// with oversized, contradictory or non-UTF-8 ones, is processed in a trace
// of its own, never panicking; one whose producer wrote only traceparent
// continues that trace.
func TestHostileHeadersStartATraceOfTheirOwn(t *testing.T) {
	t.Parallel()
	const trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	cases := map[string][]kafka.Header{
		"none":      nil,
		"oversized": {{Key: "sentry-trace", Value: []byte(strings.Repeat(trace, 1<<15))}, {Key: "baggage", Value: []byte(strings.Repeat("sentry-x=y,", 1<<16))}},
		"contradictory": {{Key: "sentry-trace", Value: []byte(trace + "-" + span + "-1")},
			{Key: "sentry-trace", Value: []byte("0af7651916cd43dd8448eb211c80319c-" + span + "-1")}},
		"not utf-8": {{Key: "sentry-trace", Value: []byte{0xff, 0xfe, '-', 0xc3}}, {Key: "baggage", Value: []byte{0xc3, 0x28, '=', 0xa0}}},
	}
	for name, headers := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, consumer := consumerHub(t)
			if err := sentrytaskkafkago.Process(ctx, kafka.Message{Topic: "orders", Headers: headers}, func(context.Context, kafka.Message) error { return nil }); err != nil {
				t.Fatal(err)
			}
			tx := consumer.Transactions()[0]
			if got, _, parent := sentrytasktest.IDs(tx); got == trace || parent != "" || status(tx) != "ok" {
				t.Errorf("transaction in trace %s below %q, %s; want a trace of its own, ok", got, parent, status(tx))
			}
		})
	}
	t.Run("traceparent only", func(t *testing.T) {
		t.Parallel()
		ctx, consumer := consumerHub(t)
		m := kafka.Message{Topic: "orders", Headers: []kafka.Header{{Key: "traceparent", Value: []byte("00-" + trace + "-" + span + "-01")}}}
		if err := sentrytaskkafkago.Process(ctx, m, func(context.Context, kafka.Message) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if got, _, parent := sentrytasktest.IDs(consumer.Transactions()[0]); got != trace || parent != span {
			t.Errorf("transaction in trace %s below %s; want the traceparent's, %s below %s", got, parent, trace, span)
		}
	})
}
