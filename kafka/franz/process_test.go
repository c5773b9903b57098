package sentrytaskfranz_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

func data(e *sentry.Event) map[string]any {
	d, _ := e.Contexts["trace"]["data"].(map[string]any)
	return d
}

func status(e *sentry.Event) string { return fmt.Sprint(e.Contexts["trace"]["status"]) }

func TestARecordContinuesItsProducersTrace(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		p.produce(t, &kgo.Record{Topic: topic, Value: []byte(`{"id":7}`)})

		ctx, consumer := consumerHub(t)
		err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 1), func(ctx context.Context, r *kgo.Record) error {
			return sentrytask.Instrument(ctx, "order.store", func(context.Context) error { return nil })
		})
		if err != nil {
			t.Fatal(err)
		}
		events := sentrytasktest.Merge(p.rec, consumer)
		sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1),
			sentrytasktest.ExpectSpans("queue.process", 1), sentrytasktest.ExpectSpans("order.store", 1))
		publish := sentrytasktest.SpansByOp(events, "queue.publish")[0]
		process := sentrytasktest.TransactionsByOp(events, "queue.process")[0]
		if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
			t.Errorf("the record's transaction has parent %s; want the publish span %s", parent, publish.SpanID)
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
		d := data(process)
		if d["messaging.message.retry.count"] != 0 {
			t.Errorf("retry count %v; want 0", d["messaging.message.retry.count"])
		}
		if l, ok := d["messaging.message.receive.latency"].(int64); !ok || l < 0 || l > 60_000 {
			t.Errorf("receive latency %#v; want milliseconds, under a minute", d["messaging.message.receive.latency"])
		}
	})
}

// TestEachRecordOfAPollContinuesItsOwnTrace: records of two producers'
// traces, polled together, are processed each in its own producer's trace.
func TestEachRecordOfAPollContinuesItsOwnTrace(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 2)
		a, b := newProducer(t, c), newProducer(t, c)
		a.produce(t, &kgo.Record{Topic: topic, Partition: 0, Value: []byte("a")})
		b.produce(t, &kgo.Record{Topic: topic, Partition: 1, Value: []byte("b")})

		ctx, consumer := consumerHub(t)
		if err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 2), func(context.Context, *kgo.Record) error { return nil }); err != nil {
			t.Fatal(err)
		}
		for _, producer := range []*sentrytasktest.Recorder{a.rec, b.rec} {
			tx := producer.Transactions()[0]
			trace, _, _ := sentrytasktest.IDs(tx)
			events := sentrytasktest.ByTrace(sentrytasktest.Merge(producer, consumer))[trace]
			sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1), sentrytasktest.ExpectSpans("queue.process", 1))
		}
	})
}

// TestOneFailingRecordFailsOnlyItself: a poll of three records whose second
// fails processes all three; the error names the second only.
func TestOneFailingRecordFailsOnlyItself(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		p.produce(t, &kgo.Record{Topic: topic, Value: []byte("1")}, &kgo.Record{Topic: topic, Value: []byte("2")}, &kgo.Record{Topic: topic, Value: []byte("3")})

		ctx, consumer := consumerHub(t)
		errBusy := errors.New("database busy")
		var ran []string
		err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 3), func(ctx context.Context, r *kgo.Record) error {
			ran = append(ran, string(r.Value))
			if string(r.Value) == "2" {
				return errBusy
			}
			return nil
		})
		var re *sentrytaskfranz.RecordError
		if !errors.As(err, &re) || !errors.Is(err, errBusy) || string(re.Record.Value) != "2" || re.NotRun {
			t.Fatalf("ProcessFetches = %v; want the second record's error", err)
		}
		if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 1 {
			t.Errorf("%d record errors; want 1", n)
		}
		if fmt.Sprint(ran) != "[1 2 3]" {
			t.Errorf("ran %v; want every record, in order", ran)
		}
		var got []string
		for _, tx := range consumer.Transactions() {
			got = append(got, fmt.Sprint(data(tx)["messaging.message.id"], " ", status(tx)))
		}
		if want := "[0/0 ok 0/1 internal_error 0/2 ok]"; fmt.Sprint(got) != want {
			t.Errorf("transactions %v; want %s", got, want)
		}
	})
}

// TestACancelledPollRunsNoMoreRecords: once the poll's context ends
// (cancelled when its partitions are revoked, say), the records not yet
// started are not run, sent no transaction, and are reported as not run.
func TestACancelledPollRunsNoMoreRecords(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		p.produce(t, &kgo.Record{Topic: topic, Value: []byte("1")}, &kgo.Record{Topic: topic, Value: []byte("2")}, &kgo.Record{Topic: topic, Value: []byte("3")})

		ctx, consumer := consumerHub(t)
		ctx, revoke := context.WithCancelCause(ctx)
		errRevoked := errors.New("partitions revoked")
		err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 3), func(ctx context.Context, r *kgo.Record) error {
			if string(r.Value) == "1" {
				revoke(errRevoked)
			}
			return nil
		})
		var notRun []string
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			re := e.(*sentrytaskfranz.RecordError)
			if !re.NotRun || !errors.Is(re, errRevoked) {
				t.Errorf("%v; want not run, because the partitions were revoked", re)
			}
			notRun = append(notRun, string(re.Record.Value))
		}
		if fmt.Sprint(notRun) != "[2 3]" || len(consumer.Transactions()) != 1 {
			t.Errorf("not run %v, %d transactions; want [2 3] not run and one transaction", notRun, len(consumer.Transactions()))
		}
	})
}

// TestWithPoolRunsEveryRecordOrSaysItDidNot: on a pool, each record's task
// sits below its transaction; a pool that is shut down runs none, and says
// so for each.
func TestWithPoolRunsEveryRecordOrSaysItDidNot(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 2)
		p := newProducer(t, c)
		var records []*kgo.Record
		for i := range 8 {
			records = append(records, &kgo.Record{Topic: topic, Partition: int32(i % 2), Value: []byte(strconv.Itoa(i))})
		}
		p.produce(t, records...)
		fetches := poll(t, c.consumer(t, topic), 8)

		ctx, consumer := consumerHub(t)
		pool := sentrytask.NewPool(3, sentrytask.WithSpan("order.handle"))
		if err := sentrytaskfranz.ProcessFetches(ctx, fetches, func(context.Context, *kgo.Record) error { return nil }, sentrytaskfranz.WithPool(pool)); err != nil {
			t.Fatal(err)
		}
		events := sentrytasktest.Merge(p.rec, consumer)
		sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 8),
			sentrytasktest.ExpectSpans("queue.process", 8), sentrytasktest.ExpectSpans("order.handle", 8))

		if err := pool.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		err := sentrytaskfranz.ProcessFetches(ctx, fetches, func(context.Context, *kgo.Record) error {
			t.Error("a shut-down pool ran a record")
			return nil
		}, sentrytaskfranz.WithPool(pool))
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		for _, e := range errs {
			if re := e.(*sentrytaskfranz.RecordError); !re.NotRun || !errors.Is(re, sentrytask.ErrClosed) {
				t.Errorf("%v; want not run, ErrClosed", re)
			}
		}
		if len(errs) != 8 || len(consumer.Transactions()) != 8 {
			t.Errorf("%d not run, %d transactions in all; want 8 and 8", len(errs), len(consumer.Transactions()))
		}
	})
}

// TestARecordConsumedTwiceIsTwoDeliveriesOfOneMessage: a record processed
// again (a consumer that restarted before committing) is another
// transaction of the same message, in the same trace.
func TestARecordConsumedTwiceIsTwoDeliveriesOfOneMessage(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		p.produce(t, &kgo.Record{Topic: topic, Value: []byte("once")})
		ctx, consumer := consumerHub(t)
		for range 2 {
			// A new consumer each time, from the start: nothing was committed.
			if err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 1), func(context.Context, *kgo.Record) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		events := sentrytasktest.Merge(p.rec, consumer)
		sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1), sentrytasktest.ExpectSpans("queue.process", 2))
		txs := consumer.Transactions()
		if data(txs[0])["messaging.message.id"] != "0/0" || data(txs[1])["messaging.message.id"] != "0/0" {
			t.Errorf("ids %v, %v; want 0/0 twice", data(txs[0])["messaging.message.id"], data(txs[1])["messaging.message.id"])
		}
	})
}

// TestWithRetryHeaderCountsTheCallersRetries reads the retry count a retry
// topic's header carries; a malformed one counts as zero.
func TestWithRetryHeaderCountsTheCallersRetries(t *testing.T) {
	t.Parallel()
	ctx, consumer := consumerHub(t)
	for _, value := range []string{"2", "-3", "two", ""} {
		r := &kgo.Record{Topic: "orders.retry", Headers: []kgo.RecordHeader{{Key: "x-retries", Value: []byte(value)}}}
		if err := sentrytaskfranz.Process(ctx, r, func(context.Context, *kgo.Record) error { return nil }, sentrytaskfranz.WithRetryHeader("x-retries")); err != nil {
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
