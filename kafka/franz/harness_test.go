package sentrytaskfranz_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
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

// topic makes a topic of the test's own, with the given number of
// partitions, and deletes it when the test ends.
func (c cluster) topic(t *testing.T, partitions int32) string {
	t.Helper()
	admin := c.client(t)
	name := "sentrytask-" + randomName()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = name, partitions, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), admin)
	if err == nil {
		err = kerr.ErrorForCode(resp.Topics[0].ErrorCode)
	}
	if err != nil {
		t.Fatalf("creating topic %s on %s: %v", name, c.name, err)
	}
	t.Cleanup(func() {
		req := kmsg.NewPtrDeleteTopicsRequest()
		dt := kmsg.NewDeleteTopicsRequestTopic()
		dt.Topic = kmsg.StringPtr(name)
		req.Topics = append(req.Topics, dt)
		req.TopicNames = []string{name}
		if _, err := req.RequestWith(context.Background(), c.client(t)); err != nil {
			t.Errorf("deleting topic %s: %v", name, err)
		}
	})
	return name
}

// client returns a client of c, closed when the test ends.
func (c cluster) client(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.seeds...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// consumer returns a client consuming topic from its start, with no
// consumer group.
func (c cluster) consumer(t *testing.T, topic string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	return c.client(t, append([]kgo.Opt{kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, opts...)...)
}

// poll polls cl until it has n records, or fails the test after a minute.
func poll(t *testing.T, cl *kgo.Client, n int) kgo.Fetches {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var all kgo.Fetches
	for all.NumRecords() < n {
		f := cl.PollRecords(ctx, n-all.NumRecords())
		if err := ctx.Err(); err != nil {
			t.Fatalf("after a minute, %d of %d records", all.NumRecords(), n)
		}
		f.EachError(func(topic string, p int32, err error) { t.Fatalf("polling %s/%d: %v", topic, p, err) })
		all = append(all, f...)
	}
	return all
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

// producer is a producing client with Tracing, and the hub and recorder
// of the process producing.
type producer struct {
	cl  *kgo.Client
	hub *sentry.Hub
	rec *sentrytasktest.Recorder
}

func newProducer(t *testing.T, c cluster, opts ...kgo.Opt) *producer {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	return &producer{cl: c.client(t, append([]kgo.Opt{sentrytaskfranz.Tracing()}, opts...)...), hub: hub, rec: rec}
}

// produce produces records from a transaction of the producer's and waits
// for them; it returns the transaction's context's trace.
func (p *producer) produce(t *testing.T, records ...*kgo.Record) {
	t.Helper()
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), p.hub), "POST /orders", sentry.WithOpName("http.server"))
	if err := p.cl.ProduceSync(tx.Context(), records...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
}

// consumerHub returns a context with a hub of its own for a consumer, and
// its recorder.
func consumerHub(t *testing.T) (context.Context, *sentrytasktest.Recorder) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	return sentry.SetHubOnContext(context.Background(), hub), rec
}
