package sentrytasktest_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedTrace is a trace across two processes with fixed ids and times: a CLI
// transaction, two concurrent requests, the server transaction of one, an
// error on a span, and an error linked to no recorded span.
func fixedTrace() []*sentry.Event {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	trace := sentry.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	id := func(b byte) sentry.SpanID { return sentry.SpanID{b, b, b, b, b, b, b, b} }
	tx := func(name, op string, span, parent sentry.SpanID, start, end int, status string, spans ...*sentry.Span) *sentry.Event {
		e := sentry.NewEvent()
		e.Type, e.Transaction, e.StartTime, e.Timestamp, e.Spans = "transaction", name, at(start), at(end), spans
		tc := sentry.Context{"trace_id": trace, "span_id": span, "op": op, "status": status}
		if parent != (sentry.SpanID{}) {
			tc["parent_span_id"] = parent
		}
		e.Contexts = map[string]sentry.Context{"trace": tc}
		return e
	}
	span := func(op, desc string, s, parent sentry.SpanID, start, end int, status sentry.SpanStatus) *sentry.Span {
		return &sentry.Span{TraceID: trace, SpanID: s, ParentSpanID: parent, Op: op, Description: desc,
			StartTime: at(start), EndTime: at(end), Status: status}
	}
	errorOn := func(s sentry.SpanID, msg string) *sentry.Event {
		e := sentry.NewEvent()
		e.Level, e.Message = sentry.LevelError, msg
		e.Contexts = map[string]sentry.Context{"trace": {"trace_id": trace, "span_id": s}}
		return e
	}
	return []*sentry.Event{
		tx("sync", "cli", id(1), sentry.SpanID{}, 0, 40, "ok",
			span("http.client", "GET https://catalog.internal/items/2", id(3), id(1), 2, 30, sentry.SpanStatusNotFound),
			span("http.client", "GET https://catalog.internal/items/1", id(2), id(1), 1, 20, sentry.SpanStatusOK),
		),
		tx("GET /items/{id}", "http.server", id(4), id(2), 3, 18, "ok",
			span("db.query", "SELECT item", id(5), id(4), 4, 9, sentry.SpanStatusOK)),
		errorOn(id(5), "slow query"),
		errorOn(id(9), "lost"),
	}
}

func TestTreeGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		opts []sentrytasktest.TreeOption
	}{
		{"tree.golden", nil},
		{"tree_stable.golden", []sentrytasktest.TreeOption{sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()}},
	} {
		got := sentrytasktest.Tree(fixedTrace(), tc.opts...)
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("Tree differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
		}
	}
}
