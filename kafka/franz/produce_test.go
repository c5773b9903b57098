package sentrytaskfranz_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTracingReplacesItsOwnHeadersAndKeepsTheRest: a forwarded record's
// stale trace headers, whatever their case, give way to the new ones; the
// caller's other headers stay, in order, and a header slice records share
// is not written through.
func TestTracingReplacesItsOwnHeadersAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		shared := make([]kgo.RecordHeader, 0, 8)
		shared = append(shared,
			kgo.RecordHeader{Key: "app", Value: []byte("orders")},
			kgo.RecordHeader{Key: "Sentry-Trace", Value: []byte("0123456789abcdef0123456789abcdef-0123456789abcdef-1")},
			kgo.RecordHeader{Key: "baggage", Value: []byte("sentry-trace_id=0123456789abcdef0123456789abcdef")},
			kgo.RecordHeader{Key: "tenant", Value: []byte("42")})
		template := fmt.Sprint(shared)
		a := &kgo.Record{Topic: topic, Value: []byte("a"), Headers: shared}
		b := &kgo.Record{Topic: topic, Value: []byte("b"), Headers: shared}
		p.produce(t, a, b)
		if fmt.Sprint(shared) != template {
			t.Errorf("the shared header slice changed: %v", shared)
		}

		fetches := poll(t, c.consumer(t, topic), 2)
		publish := sentrytasktest.SpansByOp(p.rec.Events(), "queue.publish")
		for i, r := range fetches.Records() {
			var keys []string
			for _, h := range r.Headers {
				keys = append(keys, h.Key)
			}
			if want := "[app tenant sentry-trace baggage sentry-task-enqueued-time]"; fmt.Sprint(keys) != want {
				t.Errorf("record %d headers %v; want %s", i, keys, want)
			}
			trace := string(r.Headers[2].Value)
			if want := publish[i].TraceID.String() + "-" + publish[i].SpanID.String() + "-1"; trace != want {
				t.Errorf("record %d sentry-trace %q; want its publish span's, %q", i, trace, want)
			}
		}
	})
}

// TestAProduceThatTimesOutEndsItsSpanOnceSayingSo: a record that cannot be
// produced before its delivery timeout (its topic does not exist) ends its
// span deadline_exceeded; one with no topic ends it internal_error; no
// span is left open.
func TestAProduceThatTimesOutEndsItsSpanOnceSayingSo(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		p := newProducer(t, c, kgo.RecordDeliveryTimeout(time.Second))
		tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), p.hub), "POST /orders")
		missing := "sentrytask-missing-" + randomName()
		results := p.cl.ProduceSync(tx.Context(),
			&kgo.Record{Topic: missing, Value: []byte("lost")},
			&kgo.Record{Value: []byte("nowhere")})
		tx.Finish()
		errs := map[string]error{}
		for _, res := range results {
			errs[string(res.Record.Value)] = res.Err
		}
		if !errors.Is(errs["lost"], kgo.ErrRecordTimeout) || errs["nowhere"] == nil {
			t.Fatalf("produce errors %v; want a timeout and a missing topic", errs)
		}
		sentrytasktest.AssertTrace(t, p.rec.Events(), sentrytasktest.ExpectSpans("queue.publish", 2))
		got := map[string]string{}
		for _, s := range sentrytasktest.SpansByOp(p.rec.Events(), "queue.publish") {
			got[s.Description] = s.Status.String()
		}
		if got[missing] != "deadline_exceeded" || got[""] != "internal_error" {
			t.Errorf("publish spans ended %v; want %s deadline_exceeded, the one with no topic internal_error", got, missing)
		}
	})
}

// TestClosingTheClientEndsEveryBufferedRecordsSpan: records still buffered
// when the client closes fail, and their spans end, cancelled, before the
// transaction does: none is lost as an orphan.
func TestClosingTheClientEndsEveryBufferedRecordsSpan(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c, kgo.ManualFlushing())
		tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), p.hub), "POST /orders")
		var wg sync.WaitGroup
		var errs []error
		var mu sync.Mutex
		for i := range 3 {
			wg.Add(1)
			p.cl.Produce(tx.Context(), &kgo.Record{Topic: topic, Value: []byte{byte(i)}}, func(_ *kgo.Record, err error) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				wg.Done()
			})
		}
		p.cl.Close()
		wg.Wait()
		tx.Finish()
		for _, err := range errs {
			if !errors.Is(err, kgo.ErrClientClosed) {
				t.Errorf("produce error %v; want the client closed", err)
			}
		}
		sentrytasktest.AssertTrace(t, p.rec.Events(), sentrytasktest.ExpectSpans("queue.publish", 3))
		for _, s := range sentrytasktest.SpansByOp(p.rec.Events(), "queue.publish") {
			if s.Status != sentry.SpanStatusCanceled {
				t.Errorf("publish span ended %s; want cancelled", s.Status)
			}
		}
	})
}

// TestARecordsContextIsGivenBack: the hook's context is the record's only
// while it is produced; its promise sees the caller's own.
func TestARecordsContextIsGivenBack(t *testing.T) {
	t.Parallel()
	c := clusters(t)[0]
	topic := c.topic(t, 1)
	p := newProducer(t, c)
	type key struct{}
	ctx := context.WithValue(sentry.SetHubOnContext(context.Background(), p.hub), key{}, "mine")
	r := &kgo.Record{Topic: topic, Value: []byte("x"), Context: ctx}
	if err := p.cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if r.Context != ctx {
		t.Errorf("the record's context after producing is %v; want the caller's", r.Context)
	}
	if !strings.Contains(fmt.Sprint(r.Headers), "sentry-trace") {
		t.Errorf("headers %v; want the trace's", r.Headers)
	}
}

// TestARecordNoBrokerAcknowledgedHasNoID: with kgo.NoAck the client learns
// no offset; the span records no id rather than a wrong one.
func TestARecordNoBrokerAcknowledgedHasNoID(t *testing.T) {
	t.Parallel()
	c := clusters(t)[0]
	topic := c.topic(t, 1)
	p := newProducer(t, c, kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite())
	p.produce(t, &kgo.Record{Topic: topic, Value: []byte("a")}, &kgo.Record{Topic: topic, Value: []byte("b")})
	spans := sentrytasktest.SpansByOp(p.rec.Events(), "queue.publish")
	for _, s := range spans {
		if id, ok := s.Data["messaging.message.id"]; ok || s.Status != sentry.SpanStatusOK {
			t.Errorf("publish span ended %s with id %v; want ok, no id", s.Status, id)
		}
	}
	if len(spans) != 2 {
		t.Errorf("%d publish spans; want 2", len(spans))
	}
}

// TestEachRecordsSpanNamesItsOwnOffset: records produced together get the
// ids the consumer's transactions will record.
func TestEachRecordsSpanNamesItsOwnOffset(t *testing.T) {
	t.Parallel()
	c := clusters(t)[0]
	topic := c.topic(t, 1)
	p := newProducer(t, c)
	p.produce(t, &kgo.Record{Topic: topic, Value: []byte("a")}, &kgo.Record{Topic: topic, Value: []byte("b")}, &kgo.Record{Topic: topic, Value: []byte("c")})
	var ids []string
	for _, s := range sentrytasktest.SpansByOp(p.rec.Events(), "queue.publish") {
		ids = append(ids, fmt.Sprint(s.Data["messaging.message.id"]))
	}
	sort.Strings(ids)
	if fmt.Sprint(ids) != "[0/0 0/1 0/2]" {
		t.Errorf("ids %v; want [0/0 0/1 0/2]", ids)
	}
}

// TestAProduceToAStoppedClusterEndsItsSpansWhenTheClientCloses: the
// cluster goes away; franz-go retries the records produced after it for
// as long as the client lives (their produce's context and delivery
// timeout notwithstanding), and when the client closes, as a service
// shutting down does, it fails them: every span ends then, once,
// cancelled, and none is left open.
func TestAProduceToAStoppedClusterEndsItsSpansWhenTheClientCloses(t *testing.T) {
	t.Parallel()
	cl, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	c := cluster{"kfake", cl.ListenAddrs()}
	p := newProducer(t, c)
	p.produce(t, &kgo.Record{Topic: "orders", Value: []byte("before")})
	cl.Close()

	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), p.hub), "POST /orders")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, v := range []string{"a", "b"} {
		wg.Add(1)
		p.cl.Produce(tx.Context(), &kgo.Record{Topic: "orders", Value: []byte(v)}, func(_ *kgo.Record, err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
			wg.Done()
		})
	}
	p.cl.Close()
	wg.Wait()
	tx.Finish()
	for _, err := range errs {
		if !errors.Is(err, kgo.ErrClientClosed) {
			t.Errorf("produce to a stopped cluster: %v; want the client closed", err)
		}
	}
	events := p.rec.Events()[1:] // the transaction before the cluster stopped is the first
	sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 2))
	for _, s := range sentrytasktest.SpansByOp(events, "queue.publish") {
		if s.Status != sentry.SpanStatusCanceled {
			t.Errorf("publish span to a stopped cluster ended %s; want cancelled", s.Status)
		}
	}
}
