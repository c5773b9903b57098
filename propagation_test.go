package sentrytask_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestCLIToServerTraceIsContinuous is the seeds' scenario: a CLI builds its
// HTTP client at start-up, before any Sentry client exists, then fans out
// requests from Group tasks to a server behind Middleware. Every server
// transaction must belong to the CLI's trace, as a child of the http.client
// span of the request that caused it.
func TestCLIToServerTraceIsContinuous(t *testing.T) {
	t.Parallel()
	httpClient := &http.Client{Transport: sentrytask.NewTransport(nil)}

	serverHub, serverRec := sentrytasktest.NewHub(t)
	srv := httptest.NewUnstartedServer(sentrytask.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = sentrytask.Instrument(r.Context(), "db.query", func(context.Context) error { return nil })
		_, _ = io.WriteString(w, r.URL.Path)
	})))
	srv.Config.BaseContext = func(net.Listener) context.Context {
		return sentry.SetHubOnContext(context.Background(), serverHub)
	}
	srv.Start()
	defer srv.Close()
	defer httpClient.CloseIdleConnections()

	ctx, tx, cliRec := newTrace(t, "cli sync")
	const n = 8
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("task"))
	for i := range n {
		g.Go(func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/items/%d", srv.URL, i), nil)
			if err != nil {
				return err
			}
			resp, err := httpClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, resp.Body)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()

	cli := only(t, "CLI transactions", cliRec.Transactions())
	clientSpans := map[string]bool{}
	for _, s := range sentrytasktest.SpansByOp([]*sentry.Event{cli}, "http.client") {
		clientSpans[s.SpanID.String()] = true
	}
	servers := serverRec.Transactions()
	if len(clientSpans) != n || len(servers) != n {
		t.Fatalf("%d http.client spans, %d server transactions; want %d each", len(clientSpans), len(servers), n)
	}
	for _, s := range servers {
		traceID, _, parent := sentrytasktest.IDs(s)
		if traceID != tx.TraceID.String() || !clientSpans[parent] {
			t.Errorf("server transaction %q: trace %s parent %s; want trace %s, a CLI http.client span", s.Transaction, traceID, parent, tx.TraceID)
		}
		delete(clientSpans, parent) // one server transaction per request
		if len(sentrytasktest.SpansByOp([]*sentry.Event{s}, "db.query")) != 1 {
			t.Errorf("server transaction %q lost its db.query span", s.Transaction)
		}
	}
	sentrytasktest.AssertTrace(t, sentrytasktest.Merge(cliRec, serverRec), sentrytasktest.ExpectSpans("task", n),
		sentrytasktest.ExpectSpans("http.client", n), sentrytasktest.ExpectSpans("http.server", n), sentrytasktest.ExpectSpans("db.query", n))
}

// TestConcurrentFirstRequestsOfAHeadTransaction has many tasks make the
// first outgoing requests of a head transaction at once: sentry-go's
// ToBaggage freezes the sampling context then, without a lock. Under -race
// this fails if we call it concurrently; every request must carry the same
// baggage.
func TestConcurrentFirstRequestsOfAHeadTransaction(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "head")
	defer tx.Finish()
	base := &capture{}
	rt := sentrytask.NewTransport(base)
	g, _ := sentrytask.NewGroup(ctx)
	for range 32 {
		g.Go(func(ctx context.Context) error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/", nil)
			resp, err := rt.RoundTrip(req)
			if err == nil {
				err = resp.Body.Close()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	first := base.reqs[0].Header.Get("baggage")
	if !strings.Contains(first, "sentry-trace_id="+tx.TraceID.String()) || !strings.Contains(first, "sentry-public_key=testkey") {
		t.Fatalf("baggage %q; want this head's trace id and public key", first)
	}
	for _, r := range base.reqs {
		if got := r.Header.Get("baggage"); got != first {
			t.Fatalf("baggage differs between requests: %q and %q", got, first)
		}
	}
}

func TestInjectAndContinueCarryTheTraceThroughAMessage(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "producer", func(o *sentry.ClientOptions) { o.PropagateTraceparent = true })
	send := sentry.StartSpan(ctx, "queue.publish")
	msg := sentrytask.MapCarrier{"baggage": "vendor=1,sentry-release=stale"}
	sentrytask.Inject(send.Context(), msg)
	send.Finish()
	tx.Finish()
	if msg["sentry-trace"] != tx.TraceID.String()+"-"+send.SpanID.String()+"-1" ||
		!strings.HasSuffix(msg["baggage"], ",vendor=1") || strings.Contains(msg["baggage"], "stale") ||
		!strings.HasPrefix(msg["traceparent"], "00-"+tx.TraceID.String()) {
		t.Errorf("injected %v; want the publish span's trace headers, foreign baggage kept", msg)
	}

	// The consumer runs inside a transaction of its own (a polling loop):
	// the message, not the loop, is the parent.
	consumerHub, rec := sentrytasktest.NewHub(t)
	loop := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), consumerHub), "poll")
	cctx, process := sentrytask.Continue(loop.Context(), sentrytask.HeaderCarrier(http.Header{
		"Sentry-Trace": {msg["sentry-trace"]}, "Baggage": {msg["baggage"]},
	}), "queue.process")
	if sentry.SpanFromContext(cctx) != process || sentry.GetHubFromContext(cctx) == consumerHub {
		t.Error("Continue's context must carry its transaction and a hub of its own")
	}
	sentry.GetHubFromContext(cctx).CaptureMessage("handled")
	process.Finish()
	loop.Finish()

	var processed *sentry.Event
	for _, ev := range rec.Transactions() {
		if ev.Transaction == "queue.process" {
			processed = ev
		}
	}
	if processed == nil {
		t.Fatal("no queue.process transaction")
	}
	traceID, spanID, parent := sentrytasktest.IDs(processed)
	if traceID != tx.TraceID.String() || parent != send.SpanID.String() {
		t.Errorf("queue.process trace %s parent %s; want %s, %s", traceID, parent, tx.TraceID, send.SpanID)
	}
	if evTrace, evSpan, _ := sentrytasktest.IDs(only(t, "errors", rec.Errors())); evTrace != traceID || evSpan != spanID {
		t.Errorf("message captured in the consumer is on %s/%s; want %s/%s", evTrace, evSpan, traceID, spanID)
	}
}

func TestContinueWithoutATraceStartsOne(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	_, span := sentrytask.Continue(sentry.SetHubOnContext(context.Background(), hub), sentrytask.MapCarrier{"sentry-trace": "junk"}, "job")
	span.Finish()
	tx := only(t, "transactions", rec.Transactions())
	if traceID, _, parent := sentrytasktest.IDs(tx); len(traceID) != 32 || parent != "" || tx.Transaction != "job" {
		t.Errorf("transaction %q trace %s parent %q; want job, a new trace", tx.Transaction, traceID, parent)
	}

	// No client: a span all the same, so that callers can always Finish it.
	if _, span := sentrytask.Continue(context.Background(), sentrytask.MapCarrier{}, "job"); span == nil {
		t.Error("Continue without a client returned a nil span")
	} else {
		span.Finish()
	}
}

func TestRequestEditor(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "cli", func(o *sentry.ClientOptions) { o.TracePropagationTargets = []string{"api.internal"} })
	defer tx.Finish()
	req, _ := http.NewRequest(http.MethodGet, "https://api.internal/x", nil)
	req.Header.Set("Sentry-Trace", "stale")
	if err := sentrytask.RequestEditor(ctx, req); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Values("Sentry-Trace"); len(got) != 1 || got[0] != tx.ToSentryTrace() {
		t.Errorf("sentry-trace = %q; want the transaction's %q, once", got, tx.ToSentryTrace())
	}
	other, _ := http.NewRequest(http.MethodGet, "https://third-party.test/", nil)
	if err := sentrytask.RequestEditor(ctx, other); err != nil || len(other.Header) != 0 {
		t.Errorf("RequestEditor to a non-target = %v, headers %v; want nil and none", err, other.Header)
	}
}
