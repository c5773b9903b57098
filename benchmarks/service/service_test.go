package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getsentry/sentry-go"
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
