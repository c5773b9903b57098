package sentrytaskkafkago_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

// kcatEnv names the kcat binary (librdkafka's command-line client) the
// wire-format tests talk to, when it is set (.ci/run installs kcat and
// sets it): a client nobody here wrote. Without it they talk to a
// kafka-go Writer and Reader without this package.
const kcatEnv = "SENTRYTASK_KCAT"

// produceOther writes a record without this package.
func produceOther(t *testing.T, c cluster, topic, value string, headers [][2]string) {
	t.Helper()
	if kcat := os.Getenv(kcatEnv); kcat != "" {
		args := []string{"-b", strings.Join(c.seeds, ","), "-P", "-t", topic}
		for _, h := range headers {
			args = append(args, "-H", h[0]+"="+h[1])
		}
		cmd := exec.Command(kcat, args...)
		cmd.Stdin = strings.NewReader(value + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kcat -P: %v\n%s", err, out)
		}
		return
	}
	w := &kafka.Writer{Addr: kafka.TCP(c.seeds...), Topic: topic, RequiredAcks: kafka.RequireAll, Transport: &kafka.Transport{}}
	defer w.Transport.(*kafka.Transport).CloseIdleConnections()
	defer w.Close()
	m := kafka.Message{Value: []byte(value)}
	for _, h := range headers {
		m.Headers = append(m.Headers, kafka.Header{Key: h[0], Value: []byte(h[1])})
	}
	if err := w.WriteMessages(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// consumeOther reads topic's first record without this package.
func consumeOther(t *testing.T, c cluster, topic string) (string, map[string]string) {
	t.Helper()
	got := map[string]string{}
	if kcat := os.Getenv(kcatEnv); kcat != "" {
		out, err := exec.Command(kcat, "-b", strings.Join(c.seeds, ","), "-C", "-t", topic, "-o", "beginning", "-c", "1", "-e", "-J").Output()
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
		for i := 0; i+1 < len(msg.Headers); i += 2 {
			got[msg.Headers[i]] = msg.Headers[i+1]
		}
		return msg.Payload, got
	}
	m := c.read(t, topic, 1)[0]
	for _, h := range m.Headers {
		got[h.Key] = string(h.Value)
	}
	return string(m.Value), got
}

// TestAMessageAnotherClientWroteContinuesItsTrace: the headers another
// SDK's producer writes, through another Kafka client, are continued, and
// the latency is measured from its sentry-task-enqueued-time.
func TestAMessageAnotherClientWroteContinuesItsTrace(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		const trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		enqueued := strconv.FormatFloat(float64(time.Now().Add(-2*time.Second).UnixMicro())/1e6, 'f', 6, 64)
		produceOther(t, c, topic, `{"id":9}`, [][2]string{
			{"sentry-trace", trace + "-" + span + "-1"},
			{"baggage", "sentry-trace_id=" + trace + ",sentry-sample_rate=1,sentry-sampled=true,vendor=acme"},
			{"sentry-task-enqueued-time", enqueued},
		})
		ctx, consumer := consumerHub(t)
		if err := sentrytaskkafkago.Process(ctx, c.read(t, topic, 1)[0], func(context.Context, kafka.Message) error { return nil }); err != nil {
			t.Fatal(err)
		}
		tx := consumer.Transactions()[0]
		if got, _, parent := sentrytasktest.IDs(tx); got != trace || parent != span {
			t.Errorf("transaction in trace %s below %s; want %s below %s", got, parent, trace, span)
		}
		if l, ok := data(tx)["messaging.message.receive.latency"].(int64); !ok || l < 2000 || l > 60_000 {
			t.Errorf("receive latency %#v; want at least the 2 s since the producer's enqueued time", data(tx)["messaging.message.receive.latency"])
		}
	})
}

// TestAnotherClientReadsTheHeadersTheWriterWrote: what WriteMessages
// writes is what another client reads.
func TestAnotherClientReadsTheHeadersTheWriterWrote(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t)
		tx, producer := producerTx(t)
		if err := c.writer(t, topic).WriteMessages(tx.Context(), kafka.Message{Value: []byte("hello"), Headers: []kafka.Header{{Key: "app", Value: []byte("orders")}}}); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		publish := sentrytasktest.SpansByOp(producer.Events(), "queue.publish")[0]

		value, got := consumeOther(t, c, topic)
		if value != "hello" || got["app"] != "orders" {
			t.Errorf("record %q with headers %v; want hello, with app=orders kept", value, got)
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
