package sentrytaskfranz_test

import (
	"context"
	"encoding/json"

	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// kcatEnv names the kcat binary (librdkafka's command-line client) the
// wire-format tests talk to, when it is set (.ci/run installs kcat and
// sets it): a client nobody here wrote. Without it they talk to a franz-go
// client without this package's hooks.
const kcatEnv = "SENTRYTASK_KCAT"

// otherClient produces and consumes records without this package.
type otherClient interface {
	produce(t *testing.T, topic, value string, headers [][2]string)
	consume(t *testing.T, topic string) (value string, headers [][2]string)
}

func other(t *testing.T, c cluster) otherClient {
	if kcat := os.Getenv(kcatEnv); kcat != "" {
		return kcatClient{bin: kcat, brokers: strings.Join(c.seeds, ",")}
	}
	return plainClient{c}
}

type kcatClient struct{ bin, brokers string }

func (k kcatClient) produce(t *testing.T, topic, value string, headers [][2]string) {
	t.Helper()
	args := []string{"-b", k.brokers, "-P", "-t", topic}
	for _, h := range headers {
		args = append(args, "-H", h[0]+"="+h[1])
	}
	cmd := exec.Command(k.bin, args...)
	cmd.Stdin = strings.NewReader(value + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}
}

func (k kcatClient) consume(t *testing.T, topic string) (string, [][2]string) {
	t.Helper()
	out, err := exec.Command(k.bin, "-b", k.brokers, "-C", "-t", topic, "-o", "beginning", "-c", "1", "-e", "-J").Output()
	if err != nil {
		t.Fatalf("kcat -C: %v\n%s", err, out)
	}
	var msg struct {
		Payload string   `json:"payload"`
		Headers []string `json:"headers"`
	}
	if err := json.Unmarshal(out, &msg); err != nil {
		t.Fatalf("kcat's output %q: %v", out, err)
	}
	var hs [][2]string
	for i := 0; i+1 < len(msg.Headers); i += 2 {
		hs = append(hs, [2]string{msg.Headers[i], msg.Headers[i+1]})
	}
	return msg.Payload, hs
}

type plainClient struct{ c cluster }

func (p plainClient) produce(t *testing.T, topic, value string, headers [][2]string) {
	t.Helper()
	r := &kgo.Record{Topic: topic, Value: []byte(value)}
	for _, h := range headers {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: h[0], Value: []byte(h[1])})
	}
	if err := p.c.client(t).ProduceSync(context.Background(), r).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func (p plainClient) consume(t *testing.T, topic string) (string, [][2]string) {
	t.Helper()
	r := poll(t, p.c.consumer(t, topic), 1).Records()[0]
	var hs [][2]string
	for _, h := range r.Headers {
		hs = append(hs, [2]string{h.Key, string(h.Value)})
	}
	return string(r.Value), hs
}

// TestARecordAnotherClientProducedContinuesItsTrace: the headers another
// SDK's producer writes, through another Kafka client, are continued, and
// the latency is measured from its sentry-task-enqueued-time.
func TestARecordAnotherClientProducedContinuesItsTrace(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		const trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		enqueued := strconv.FormatFloat(float64(time.Now().Add(-2*time.Second).UnixMicro())/1e6, 'f', 6, 64)
		other(t, c).produce(t, topic, `{"id":9}`, [][2]string{
			{"sentry-trace", trace + "-" + span + "-1"},
			{"baggage", "sentry-trace_id=" + trace + ",sentry-sample_rate=1,sentry-sampled=true,sentry-environment=prod,vendor=acme"},
			{"sentry-task-enqueued-time", enqueued},
		})
		ctx, consumer := consumerHub(t)
		if err := sentrytaskfranz.ProcessFetches(ctx, poll(t, c.consumer(t, topic), 1), func(context.Context, *kgo.Record) error { return nil }); err != nil {
			t.Fatal(err)
		}
		tx := consumer.Transactions()[0]
		gotTrace, _, parent := sentrytasktest.IDs(tx)
		if gotTrace != trace || parent != span {
			t.Errorf("transaction in trace %s below %s; want %s below %s", gotTrace, parent, trace, span)
		}
		if l, ok := data(tx)["messaging.message.receive.latency"].(int64); !ok || l < 2000 || l > 60_000 {
			t.Errorf("receive latency %#v; want at least the 2 s since the producer's enqueued time", data(tx)["messaging.message.receive.latency"])
		}
	})
}

// TestAnotherClientReadsTheHeadersTracingWrote: what Tracing writes is
// what another client reads: the publish span's sentry-trace, the trace's
// baggage, and when it was enqueued.
func TestAnotherClientReadsTheHeadersTracingWrote(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 1)
		p := newProducer(t, c)
		p.produce(t, &kgo.Record{Topic: topic, Value: []byte("hello"), Headers: []kgo.RecordHeader{{Key: "app", Value: []byte("orders")}}})
		publish := sentrytasktest.SpansByOp(p.rec.Events(), "queue.publish")[0]

		value, headers := other(t, c).consume(t, topic)
		got := map[string]string{}
		for _, h := range headers {
			got[h[0]] = h[1]
		}
		if value != "hello" || got["app"] != "orders" {
			t.Errorf("record %q with headers %v; want hello, with app=orders kept", value, headers)
		}
		if want := publish.TraceID.String() + "-" + publish.SpanID.String() + "-1"; got["sentry-trace"] != want {
			t.Errorf("sentry-trace %q; want %q", got["sentry-trace"], want)
		}
		if !strings.Contains(got["baggage"], "sentry-trace_id="+publish.TraceID.String()) || !strings.Contains(got["baggage"], "sentry-sample_rand=") {
			t.Errorf("baggage %q; want the trace's sampling context", got["baggage"])
		}
		at, err := strconv.ParseFloat(got["sentry-task-enqueued-time"], 64)
		if err != nil || time.Since(time.Unix(0, int64(at*1e9))).Abs() > time.Minute {
			t.Errorf("sentry-task-enqueued-time %q; want seconds since the epoch, about now", got["sentry-task-enqueued-time"])
		}
	})
}

// TestHostileHeadersStartATraceOfTheirOwn: a record with no headers, or
// with oversized, contradictory or non-UTF-8 ones, is processed in a
// trace of its own, never panicking; one whose producer wrote only
// traceparent continues that trace.
func TestHostileHeadersStartATraceOfTheirOwn(t *testing.T) {
	t.Parallel()
	const trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	cases := map[string][]kgo.RecordHeader{
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
			r := &kgo.Record{Topic: "orders", Headers: headers}
			if err := sentrytaskfranz.Process(ctx, r, func(context.Context, *kgo.Record) error { return nil }); err != nil {
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
		r := &kgo.Record{Topic: "orders", Headers: []kgo.RecordHeader{{Key: "traceparent", Value: []byte("00-" + trace + "-" + span + "-01")}}}
		if err := sentrytaskfranz.Process(ctx, r, func(context.Context, *kgo.Record) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if got, _, parent := sentrytasktest.IDs(consumer.Transactions()[0]); got != trace || parent != span {
			t.Errorf("transaction in trace %s below %s; want the traceparent's, %s below %s", got, parent, trace, span)
		}
	})
}
