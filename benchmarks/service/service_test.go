package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

// TestTheHandWrittenServiceRecordsWhatSentrytasksDoes: the two traced
// variants send the same spans for a request — the server's transaction,
// 8 item checks, a render, a downstream call and a publish, one whole
// trace — so that the benchmark compares the same work.
func TestTheHandWrittenServiceRecordsWhatSentrytasksDoes(t *testing.T) {
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer downstream.Close()
	spans := map[Variant]map[string]int{}
	for _, v := range []Variant{Hand, SentryTask} {
		hub, rec := sentrytasktest.NewHub(t)
		q := NewQueue()
		svc := New(v, downstream.URL, q)
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/orders", nil).WithContext(sentry.SetHubOnContext(context.Background(), hub))
		svc.ServeHTTP(w, req)
		svc.Close()
		close(q)
		if w.Code != http.StatusOK {
			t.Fatalf("%s answered %d", v, w.Code)
		}
		events := rec.Events()
		sentrytasktest.AssertTrace(t, events)
		counts := map[string]int{}
		for _, tx := range rec.Transactions() {
			counts["transaction "+tx.Contexts["trace"]["op"].(string)]++
			for _, s := range tx.Spans {
				counts[s.Op]++
			}
		}
		spans[v] = counts
	}
	want := map[string]int{"transaction http.server": 1, "item.check": FanOut, "render": 1, "http.client": 1, "queue.publish": 1}
	for v, got := range spans {
		for op, n := range want {
			if got[op] != n {
				t.Errorf("%s recorded %d %s; want %d (all: %v)", v, got[op], op, n, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s recorded %v; want %v", v, got, want)
		}
	}
}

func TestTheServiceWithoutSentryAnswers(t *testing.T) {
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer downstream.Close()
	q := NewQueue()
	svc := New(None, downstream.URL, q)
	w := httptest.NewRecorder()
	svc.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/orders", nil))
	svc.Close()
	close(q)
	if w.Code != http.StatusOK || w.Body.String() != "ok" {
		t.Errorf("answered %d %q", w.Code, w.Body.String())
	}
}

// TestTheHandWrittenConsumerRecordsWhatSentrytasksDoes: on a real
// nats-server, both traced consumers send one queue.process transaction
// per message, continuing its producer's trace, with the same data.
func TestTheHandWrittenConsumerRecordsWhatSentrytasksDoes(t *testing.T) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[Variant][]string{}
	for _, v := range []Variant{Hand, SentryTask} {
		ctx := context.Background()
		name := "bench_" + strings.ReplaceAll(string(v), " ", "_")
		name = strings.ReplaceAll(name, "-", "_")
		st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.MemoryStorage})
		if err != nil {
			t.Fatal(err)
		}
		cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy})
		if err != nil {
			t.Fatal(err)
		}
		producer, prec := sentrytasktest.NewHub(t)
		if err := Publish(sentry.SetHubOnContext(ctx, producer), js, name+".orders", 1); err != nil {
			t.Fatal(err)
		}
		hub, rec := sentrytasktest.NewHub(t)
		done := make(chan struct{})
		cc, err := cons.Consume(ConsumerHandler(sentry.SetHubOnContext(ctx, hub), v, func() { close(done) }))
		if err != nil {
			t.Fatal(err)
		}
		<-done
		cc.Stop()
		<-cc.Closed()
		sentrytasktest.AssertTrace(t, sentrytasktest.Merge(prec, rec), sentrytasktest.ExpectSpans("queue.process", 1))
		for k := range only(t, rec.Transactions()).Contexts["trace"]["data"].(map[string]any) {
			keys[v] = append(keys[v], k)
		}
		slices.Sort(keys[v])
	}
	if !slices.Equal(keys[Hand], keys[SentryTask]) {
		t.Errorf("the hand-written consumer records %v; sentrytask's %v", keys[Hand], keys[SentryTask])
	}
}

func only[T any](t *testing.T, xs []T) T {
	t.Helper()
	if len(xs) != 1 {
		t.Fatalf("%d recorded; want 1", len(xs))
	}
	return xs[0]
}
