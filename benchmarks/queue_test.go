package benchmarks

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// The queue benchmarks' messages: a batch of 1,000 published in one
// request's transaction, and the same 1,000 processed by a consumer, each
// in a transaction of its own that is sent.
var benchMessage = sentrytask.Message{System: "nats", Destination: "orders.created", BodySize: 128}

// handPublish is the producer's side as careful sentry-go code writes it
// from Sentry's "Instrument Queues" guide: a queue.publish span below the
// span on ctx with the Queues data, the trace and the enqueue time in the
// message's headers, the span ended with the send's status.
func handPublish(ctx context.Context, headers sentrytask.MapCarrier, m sentrytask.Message, id string) {
	span := sentry.StartSpan(ctx, "queue.publish", sentry.WithDescription(m.Destination))
	span.SetData("messaging.system", m.System)
	span.SetData("messaging.destination.name", m.Destination)
	span.SetData("messaging.message.body.size", m.BodySize)
	headers[sentry.SentryTraceHeader] = span.ToSentryTrace()
	headers[sentry.SentryBaggageHeader] = span.ToBaggage()
	headers["sentry-task-enqueued-time"] = strconv.FormatFloat(float64(time.Now().UnixMicro())/1e6, 'f', 6, 64)
	// The message is sent here; the engine answers with its id.
	span.SetData("messaging.message.id", id)
	span.Status = sentry.SpanStatusOK
	span.Finish()
}

// getter reads a message's headers: a MapCarrier, a Kafka record's.
type getter interface{ Get(key string) string }

// handProcess is the consumer's side as careful sentry-go code writes it:
// a fork of the hub, a queue.process transaction continuing the
// producer's trace with the Queues data, the retry count and the latency in
// milliseconds, a panic reported on it, its status from the handler.
func handProcess(ctx context.Context, headers getter, m sentrytask.Message, handle func(context.Context) error) (err error) {
	hub := sentry.GetHubFromContext(ctx).Clone()
	ctx = sentry.SetHubOnContext(ctx, hub)
	tx := sentry.StartTransaction(ctx, m.Destination,
		sentry.ContinueFromHeaders(headers.Get(sentry.SentryTraceHeader), headers.Get(sentry.SentryBaggageHeader)),
		sentry.WithOpName("queue.process"), sentry.WithTransactionSource(sentry.SourceTask))
	tx.SetData("messaging.system", m.System)
	tx.SetData("messaging.destination.name", m.Destination)
	tx.SetData("messaging.message.id", m.ID)
	tx.SetData("messaging.message.body.size", m.BodySize)
	tx.SetData("messaging.message.retry.count", m.RetryCount)
	if s, err := strconv.ParseFloat(headers.Get("sentry-task-enqueued-time"), 64); err == nil {
		if since := time.UnixMicro(int64(s * 1e6)); !since.After(time.Now()) {
			tx.SetData("messaging.message.receive.latency", time.Since(since).Milliseconds())
		}
	}
	defer func() {
		if r := recover(); r != nil {
			hub.RecoverWithContext(tx.Context(), r)
			tx.Status = sentry.SpanStatusInternalError
			tx.Finish()
			panic(r)
		}
	}()
	err = handle(tx.Context())
	tx.Status = sentry.SpanStatusOK
	if err != nil {
		tx.Status = sentry.SpanStatusInternalError
	}
	tx.Finish()
	return err
}

// publishCases are the producers compared: the hand-written baseline
// first.
var publishCases = []struct {
	name    string
	publish func(ctx context.Context, headers sentrytask.MapCarrier, id string)
}{
	{"hand-written", func(ctx context.Context, headers sentrytask.MapCarrier, id string) {
		handPublish(ctx, headers, benchMessage, id)
	}},
	{"Publish", func(ctx context.Context, headers sentrytask.MapCarrier, id string) {
		p := sentrytask.Publish(ctx, headers, benchMessage)
		p.SetMessageID(id)
		p.End(nil)
	}},
}

// processCases are the consumers compared: the hand-written baseline
// first.
var processCases = []struct {
	name    string
	process func(ctx context.Context, headers sentrytask.MapCarrier, m sentrytask.Message) error
}{
	{"hand-written", func(ctx context.Context, headers sentrytask.MapCarrier, m sentrytask.Message) error {
		return handProcess(ctx, headers, m, noop)
	}},
	{"Process", func(ctx context.Context, headers sentrytask.MapCarrier, m sentrytask.Message) error {
		return sentrytask.Process(ctx, headers, m, noop)
	}},
}

// BenchmarkQueue compares Publish and Process with the hand-written
// sentry-go code that does the same, per batch of 1,000 messages: publish
// a batch in one transaction; process a batch, each message in a
// transaction that is sent (to a transport that drops it, so that what is
// measured is the instrumentation and the client's work, not I/O).
func BenchmarkQueue(b *testing.B) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1,
		Transport: dropTransport{},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	root := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	ids := make([]string, fanOut)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}

	for _, c := range publishCases {
		b.Run("publish/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tx := sentry.StartTransaction(root, "POST /orders")
				for _, id := range ids {
					c.publish(tx.Context(), sentrytask.MapCarrier{}, id)
				}
				discard(tx)
			}
		})
	}

	// The consumer's messages, published once by a producer's transaction.
	tx := sentry.StartTransaction(root, "POST /orders")
	headers := make([]sentrytask.MapCarrier, fanOut)
	for i := range headers {
		headers[i] = sentrytask.MapCarrier{}
		sentrytask.Publish(tx.Context(), headers[i], benchMessage).End(nil)
	}
	discard(tx)
	for _, c := range processCases {
		b.Run("process/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i, h := range headers {
					m := benchMessage
					m.ID = ids[i]
					_ = c.process(root, h, m)
				}
			}
		})
	}
}

// dropTransport drops every event, as sentry-go's own no-op transport does
// without a DSN.
type dropTransport struct{}

func (dropTransport) Configure(sentry.ClientOptions)        {}
func (dropTransport) SendEvent(*sentry.Event)               {}
func (dropTransport) Flush(time.Duration) bool              { return true }
func (dropTransport) FlushWithContext(context.Context) bool { return true }
func (dropTransport) Close()                                {}

// TestQueueBaselinesDoWhatPublishAndProcessDo keeps the comparison fair:
// the hand-written producer and consumer record the same spans, with the
// same data, in the same trace, as Publish and Process.
func TestQueueBaselinesDoWhatPublishAndProcessDo(t *testing.T) {
	type recorded struct {
		publishData, processData map[string]bool
		name                     string
		continued                bool
	}
	record := func(pub func(ctx context.Context, headers sentrytask.MapCarrier, id string),
		proc func(ctx context.Context, headers sentrytask.MapCarrier, m sentrytask.Message) error) recorded {
		client, rec, err := sentrytasktest.NewClient(withoutDetector)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		root := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
		tx := sentry.StartTransaction(root, "POST /orders")
		headers := sentrytask.MapCarrier{}
		pub(tx.Context(), headers, "7")
		tx.Finish()
		m := benchMessage
		m.ID = "7"
		if err := proc(root, headers, m); err != nil {
			t.Fatal(err)
		}
		publish := sentrytasktest.SpansByOp(rec.Events(), "queue.publish")
		process := sentrytasktest.TransactionsByOp(rec.Events(), "queue.process")
		if len(publish) != 1 || len(process) != 1 {
			t.Fatalf("%d queue.publish and %d queue.process spans; want 1 of each", len(publish), len(process))
		}
		keys := func(data map[string]any) map[string]bool {
			k := map[string]bool{}
			for key := range data {
				k[key] = true
			}
			return k
		}
		traceID, _, parentID := sentrytasktest.IDs(process[0])
		return recorded{
			publishData: keys(publish[0].Data), processData: keys(process[0].Contexts["trace"]["data"].(map[string]any)),
			name:      process[0].Transaction,
			continued: traceID == publish[0].TraceID.String() && parentID == publish[0].SpanID.String(),
		}
	}
	hand := record(publishCases[0].publish, processCases[0].process)
	ours := record(publishCases[1].publish, processCases[1].process)
	if hand.name != ours.name {
		t.Errorf("transaction names: hand-written %q, sentrytask %q", hand.name, ours.name)
	}
	if !hand.continued || !ours.continued {
		t.Errorf("the consumer continued the producer's span: hand-written %v, sentrytask %v; want both", hand.continued, ours.continued)
	}
	for _, k := range []string{"messaging.system", "messaging.destination.name", "messaging.message.id", "messaging.message.body.size"} {
		if !hand.publishData[k] || !ours.publishData[k] {
			t.Errorf("publish data %s: hand-written %v, sentrytask %v; want both", k, hand.publishData[k], ours.publishData[k])
		}
	}
	for _, k := range []string{"messaging.system", "messaging.destination.name", "messaging.message.id", "messaging.message.body.size", "messaging.message.retry.count", "messaging.message.receive.latency"} {
		if !hand.processData[k] || !ours.processData[k] {
			t.Errorf("process data %s: hand-written %v, sentrytask %v; want both", k, hand.processData[k], ours.processData[k])
		}
	}
}
