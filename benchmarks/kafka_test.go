package benchmarks

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// The Kafka benchmarks produce batches of 1,000 records, from one
// request's transaction, to franz-go's in-process cluster, and process a
// poll of 1,000 records, each in a transaction of its own that is sent:
// with no instrumentation, with the hook and loop careful sentry-go code
// writes by hand, and with sentrytaskfranz.
const kafkaTopic = "orders"

var kafkaValue = make([]byte, 128)

// handProducer is the producer's hook as careful sentry-go code writes it,
// as franz-go's own OpenTelemetry plugin does: a queue.publish span below
// the span on the record's context with the Queues data, the trace and
// the enqueue time in the record's headers, the span ended with the
// produce's result.
type handProducer struct{}

func (handProducer) OnProduceRecordBuffered(r *kgo.Record) {
	span := sentry.StartSpan(r.Context, "queue.publish", sentry.WithDescription(r.Topic))
	span.SetData("messaging.system", "kafka")
	span.SetData("messaging.destination.name", r.Topic)
	span.SetData("messaging.message.body.size", len(r.Value))
	r.Headers = append(r.Headers,
		kgo.RecordHeader{Key: sentry.SentryTraceHeader, Value: []byte(span.ToSentryTrace())},
		kgo.RecordHeader{Key: sentry.SentryBaggageHeader, Value: []byte(span.ToBaggage())},
		kgo.RecordHeader{Key: "sentry-task-enqueued-time", Value: []byte(strconv.FormatFloat(float64(time.Now().UnixMicro())/1e6, 'f', 6, 64))})
	r.Context = span.Context()
}

func (handProducer) OnProduceRecordUnbuffered(r *kgo.Record, err error) {
	span := sentry.SpanFromContext(r.Context)
	if span == nil {
		return
	}
	span.Status = sentry.SpanStatusOK
	if err != nil {
		span.Status = sentry.SpanStatusInternalError
	} else {
		span.SetData("messaging.message.id", strconv.Itoa(int(r.Partition))+"/"+strconv.FormatInt(r.Offset, 10))
	}
	span.Finish()
}

// recordHeaders reads a record's headers for handProcess.
type recordHeaders []kgo.RecordHeader

func (h recordHeaders) Get(key string) string {
	for _, hd := range h {
		if hd.Key == key {
			return string(hd.Value)
		}
	}
	return ""
}

// handProcessRecord is the consumer's side by hand: handProcess, for a
// record.
func handProcessRecord(ctx context.Context, r *kgo.Record, handle func(context.Context) error) error {
	m := sentrytask.Message{System: "kafka", Destination: r.Topic, BodySize: len(r.Value),
		ID: strconv.Itoa(int(r.Partition)) + "/" + strconv.FormatInt(r.Offset, 10)}
	return handProcess(ctx, recordHeaders(r.Headers), m, handle)
}

// kafkaProduceCases are the producers compared: no instrumentation first.
var kafkaProduceCases = []struct {
	name string
	opts []kgo.Opt
}{
	{"no_instrumentation", nil},
	{"hand-written", []kgo.Opt{kgo.WithHooks(handProducer{})}},
	{"Tracing", []kgo.Opt{sentrytaskfranz.Tracing()}},
}

// kafkaProcessCases are the consumers compared: no instrumentation first.
var kafkaProcessCases = []struct {
	name    string
	process func(ctx context.Context, fetches kgo.Fetches) error
}{
	{"no_instrumentation", func(ctx context.Context, fetches kgo.Fetches) error {
		fetches.EachRecord(func(*kgo.Record) { _ = noop(ctx) })
		return nil
	}},
	{"hand-written", func(ctx context.Context, fetches kgo.Fetches) error {
		fetches.EachRecord(func(r *kgo.Record) { _ = handProcessRecord(ctx, r, noop) })
		return nil
	}},
	{"ProcessFetches", func(ctx context.Context, fetches kgo.Fetches) error {
		return sentrytaskfranz.ProcessFetches(ctx, fetches, func(ctx context.Context, _ *kgo.Record) error { return noop(ctx) })
	}},
}

// BenchmarkKafka compares Tracing and ProcessFetches with hand-written
// sentry-go code that does the same, and with none, per batch of 1,000
// records.
func BenchmarkKafka(b *testing.B) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, kafkaTopic), kfake.AllowAutoTopicCreation())
	if err != nil {
		b.Fatal(err)
	}
	defer cluster.Close()
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1,
		Transport: dropTransport{},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	root := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	for _, c := range kafkaProduceCases {
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}, c.opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("produce/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tx := sentry.StartTransaction(root, "POST /orders")
				for range fanOut {
					cl.Produce(tx.Context(), &kgo.Record{Topic: kafkaTopic, Value: kafkaValue}, nil)
				}
				if err := cl.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
				discard(tx)
			}
		})
		cl.Close()
	}

	fetches := kafkaPoll(b, root, cluster.ListenAddrs())
	for _, c := range kafkaProcessCases {
		b.Run("process/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.process(root, fetches); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// kafkaPoll produces 1,000 records with Tracing to a topic of their own
// and polls them: the consumers' benchmark's poll.
func kafkaPoll(tb testing.TB, root context.Context, seeds []string) kgo.Fetches {
	topic := "poll-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	producer, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation(), sentrytaskfranz.Tracing())
	if err != nil {
		tb.Fatal(err)
	}
	defer producer.Close()
	tx := sentry.StartTransaction(root, "POST /orders")
	for range fanOut {
		producer.Produce(tx.Context(), &kgo.Record{Topic: topic, Value: kafkaValue}, nil)
	}
	if err := producer.Flush(context.Background()); err != nil {
		tb.Fatal(err)
	}
	discard(tx)
	consumer, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		tb.Fatal(err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var all kgo.Fetches
	for all.NumRecords() < fanOut && ctx.Err() == nil {
		all = append(all, consumer.PollRecords(ctx, fanOut-all.NumRecords())...)
	}
	if all.NumRecords() != fanOut {
		tb.Fatalf("polled %d of %d records", all.NumRecords(), fanOut)
	}
	return all
}

// TestKafkaBaselinesDoWhatTracingAndProcessFetchesDo keeps the comparison
// fair: the hand-written hook and loop record the same spans, with the
// same data, in the same trace, as Tracing and ProcessFetches.
func TestKafkaBaselinesDoWhatTracingAndProcessFetchesDo(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, kafkaTopic), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	type recorded struct {
		publishData, processData map[string]any
		name                     string
		continued                bool
	}
	record := func(producerOpt kgo.Opt, process func(ctx context.Context, fetches kgo.Fetches) error) recorded {
		client, rec, err := sentrytasktest.NewClient(withoutDetector)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		root := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
		topic := "fair-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.AllowAutoTopicCreation(), producerOpt)
		if err != nil {
			t.Fatal(err)
		}
		defer producer.Close()
		tx := sentry.StartTransaction(root, "POST /orders")
		if err := producer.ProduceSync(tx.Context(), &kgo.Record{Topic: topic, Value: kafkaValue}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		consumer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err != nil {
			t.Fatal(err)
		}
		defer consumer.Close()
		if err := process(root, consumer.PollRecords(context.Background(), 1)); err != nil {
			t.Fatal(err)
		}
		publish := sentrytasktest.SpansByOp(rec.Events(), "queue.publish")
		processed := sentrytasktest.TransactionsByOp(rec.Events(), "queue.process")
		if len(publish) != 1 || len(processed) != 1 {
			t.Fatalf("%d queue.publish and %d queue.process spans; want 1 of each", len(publish), len(processed))
		}
		data := processed[0].Contexts["trace"]["data"].(map[string]any)
		if _, ok := data["messaging.message.receive.latency"]; !ok {
			t.Error("no receive latency")
		}
		traceID, _, parentID := sentrytasktest.IDs(processed[0])
		return recorded{
			publishData: publish[0].Data, processData: data, name: processed[0].Transaction,
			continued: traceID == publish[0].TraceID.String() && parentID == publish[0].SpanID.String(),
		}
	}
	hand := record(kafkaProduceCases[1].opts[0], kafkaProcessCases[1].process)
	ours := record(kafkaProduceCases[2].opts[0], kafkaProcessCases[2].process)
	if !hand.continued || !ours.continued {
		t.Errorf("the consumer continued the producer's span: hand-written %v, sentrytask %v; want both", hand.continued, ours.continued)
	}
	if hand.name[:len("fair-")] != "fair-" || ours.name[:len("fair-")] != "fair-" {
		t.Errorf("transaction names: hand-written %q, sentrytask %q; want the topic", hand.name, ours.name)
	}
	for _, side := range []recorded{hand, ours} {
		if id := side.publishData["messaging.message.id"]; id == nil || id != side.processData["messaging.message.id"] {
			t.Errorf("ids: publish %v, process %v; want the record's, the same on both sides", id, side.processData["messaging.message.id"])
		}
	}
	for _, k := range []string{"messaging.system", "messaging.message.body.size"} {
		if hand.publishData[k] != ours.publishData[k] || ours.publishData[k] == nil {
			t.Errorf("publish data %s: hand-written %v, sentrytask %v; want the same", k, hand.publishData[k], ours.publishData[k])
		}
		if hand.processData[k] != ours.processData[k] || ours.processData[k] == nil {
			t.Errorf("process data %s: hand-written %v, sentrytask %v; want the same", k, hand.processData[k], ours.processData[k])
		}
	}
	if _, ok := hand.processData["messaging.message.retry.count"]; !ok {
		t.Error("the hand-written consumer records no retry count")
	}
}
