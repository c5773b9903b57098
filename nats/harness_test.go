package sentrytasknats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// natsEnv names the standalone NATS server (with JetStream) the tests also
// run on, when it is set (.ci/run sets it): nats://host:port.
const natsEnv = "SENTRYTASK_NATS_URL"

// server is a NATS server the tests run on.
type natsServer struct {
	name string
	url  string
}

// servers returns nats-server embedded in this process, with JetStream in
// a temporary directory, and the standalone server named by natsEnv if it
// is set.
func servers(t *testing.T) []natsServer {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(),
		NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the embedded nats-server was not ready within 10 seconds")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	list := []natsServer{{"embedded", s.ClientURL()}}
	if url := os.Getenv(natsEnv); url != "" {
		list = append(list, natsServer{"standalone", url})
	}
	return list
}

// stream is a JetStream stream of the test's own, deleted when it ends, and
// a durable consumer of it.
type stream struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	name     string
	subject  string // for publishing: one subject of the stream
	consumer jetstream.Consumer
}

// newStream makes a stream and its durable consumer "worker", with an
// AckWait of 30 s and a MaxDeliver of 5 unless cfg changes them.
func newStream(t *testing.T, srv natsServer, cfg ...func(*jetstream.ConsumerConfig)) *stream {
	t.Helper()
	nc, err := nats.Connect(srv.url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", srv.name, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	name := "sentrytask_" + randomName()
	ctx := context.Background()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.MemoryStorage,
	})
	if err != nil {
		t.Fatalf("creating stream %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := js.DeleteStream(context.Background(), name); err != nil {
			t.Errorf("deleting stream %s: %v", name, err)
		}
	})
	cc := jetstream.ConsumerConfig{
		Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, AckWait: 30 * time.Second, MaxDeliver: 5,
	}
	for _, f := range cfg {
		f(&cc)
	}
	consumer, err := st.CreateOrUpdateConsumer(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	return &stream{nc: nc, js: js, name: name, subject: name + ".orders.created", consumer: consumer}
}

// consume consumes s's messages with handler until the test ends, or
// until the returned function stops it.
func (s *stream) consume(t *testing.T, handler jetstream.MessageHandler) (stop func()) {
	t.Helper()
	cc, err := s.consumer.Consume(handler)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cc.Stop()
			<-cc.Closed()
		})
	}
	t.Cleanup(stop)
	return stop
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

// notifying records what a hub sends and says when a transaction is sent:
// a consumer's transaction is sent after its handler returns, which a test
// cannot otherwise see.
type notifying struct {
	sentrytasktest.Recorder
	transactions chan *sentry.Event
}

func (n *notifying) SendEvent(e *sentry.Event) {
	n.Recorder.SendEvent(e)
	if e.Type == "transaction" {
		n.transactions <- e
	}
}

// consumerHub returns a context with a hub of its own for a consumer, and
// its transport.
func consumerHub(t *testing.T) (context.Context, *notifying) {
	t.Helper()
	n := &notifying{transactions: make(chan *sentry.Event, 100)}
	hub, _ := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) { o.Transport = n })
	return sentry.SetHubOnContext(context.Background(), hub), n
}

// await returns the next n transactions the consumer sends.
func (n *notifying) await(t *testing.T, count int) []*sentry.Event {
	t.Helper()
	var got []*sentry.Event
	for len(got) < count {
		select {
		case e := <-n.transactions:
			got = append(got, e)
		case <-time.After(time.Minute):
			t.Fatalf("after a minute, %d of %d transactions", len(got), count)
		}
	}
	return got
}
