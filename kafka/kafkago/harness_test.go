package sentrytaskkafkago_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// brokersEnv names a real Kafka cluster the tests also run on, when it is
// set: its bootstrap brokers, comma-separated.
const brokersEnv = "SENTRYTASK_KAFKA_BROKERS"

// cluster is a Kafka cluster the tests run on.
type cluster struct {
	name  string
	seeds []string
}

// clusters returns franz-go's in-process cluster (kfake), and the cluster
// brokersEnv names if it is set.
func clusters(t *testing.T) []cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	list := []cluster{{"kfake", c.ListenAddrs()}}
	if env := os.Getenv(brokersEnv); env != "" {
		list = append(list, cluster{"brokers", strings.Split(env, ",")})
	}
	return list
}

// onEachCluster runs f, as a subtest, on every cluster.
func onEachCluster(t *testing.T, f func(t *testing.T, c cluster)) {
	t.Helper()
	for _, c := range clusters(t) {
		t.Run(c.name, func(t *testing.T) { f(t, c) })
	}
}

// topic makes a topic of the test's own, with one partition, and deletes
// it when the test ends.
func (c cluster) topic(t *testing.T) string {
	t.Helper()
	name := "sentrytask-" + randomName()
	admin := &kafka.Client{Addr: kafka.TCP(c.seeds...), Timeout: 30 * time.Second, Transport: &kafka.Transport{}}
	resp, err := admin.CreateTopics(context.Background(), &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: name, NumPartitions: 1, ReplicationFactor: 1}},
	})
	if err == nil {
		err = resp.Errors[name]
	}
	if err != nil {
		t.Fatalf("creating topic %s on %s: %v", name, c.name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.DeleteTopics(context.Background(), &kafka.DeleteTopicsRequest{Topics: []string{name}}); err != nil {
			t.Errorf("deleting topic %s: %v", name, err)
		}
		admin.Transport.(*kafka.Transport).CloseIdleConnections()
	})
	return name
}

// writer returns a traced Writer for topic, closed when the test ends.
func (c cluster) writer(t *testing.T, topic string, configure ...func(*kafka.Writer)) *sentrytaskkafkago.Writer {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(c.seeds...), Topic: topic, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: &kafka.Transport{}}
	for _, f := range configure {
		f(w)
	}
	tw := sentrytaskkafkago.NewWriter(w)
	t.Cleanup(func() {
		tw.Close()
		w.Transport.(*kafka.Transport).CloseIdleConnections()
	})
	return tw
}

// read reads n messages of topic from its start, with no consumer group.
func (c cluster) read(t *testing.T, topic string, n int) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.seeds, Topic: topic, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var msgs []kafka.Message
	for len(msgs) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", len(msgs), n, err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

// producerTx starts a transaction on a hub of the producer's own.
func producerTx(t *testing.T) (*sentry.Span, *sentrytasktest.Recorder) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	return sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "POST /orders", sentry.WithOpName("http.server")), rec
}

// consumerHub returns a context with a hub of its own for a consumer, and
// its recorder.
func consumerHub(t *testing.T) (context.Context, *sentrytasktest.Recorder) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	return sentry.SetHubOnContext(context.Background(), hub), rec
}
