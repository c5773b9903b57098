package sentrytask_test

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// capture is a round tripper that does no I/O: it keeps each request it is
// given and answers with status and body.
type capture struct {
	mu     sync.Mutex
	reqs   []*http.Request
	status int
	body   string
	err    error
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	body := io.ReadCloser(http.NoBody)
	if c.body != "" {
		body = io.NopCloser(strings.NewReader(c.body))
	}
	return &http.Response{StatusCode: status, Body: body, Header: http.Header{}, Request: req}, nil
}

func (c *capture) last(t *testing.T) *http.Request {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) == 0 {
		t.Fatal("no request reached the base round tripper")
	}
	return c.reqs[len(c.reqs)-1]
}

// get sends a GET for url through rt with ctx and drains and closes the body.
func get(t *testing.T, ctx context.Context, rt http.RoundTripper, url string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip(%s) = %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestTransportBuiltBeforeTheClientUsesTheRequestsClient(t *testing.T) {
	t.Parallel()
	// Both transports are built while no client exists anywhere (the
	// global hub has none in tests): the seeds' CLI built its HTTP client
	// at start-up, before sentry.Init.
	base := &capture{}
	ours := sentrytask.NewTransport(base)
	theirs := sentryhttpclient.NewSentryRoundTripper(base)

	ctx, tx, _ := newTrace(t, "cli", func(o *sentry.ClientOptions) {
		o.TracePropagationTargets = []string{"api.internal"}
	})
	defer tx.Finish()

	get(t, ctx, ours, "https://api.internal/items", nil)
	if got := base.last(t).Header.Get("sentry-trace"); !strings.HasPrefix(got, tx.TraceID.String()+"-") {
		t.Errorf("ours: sentry-trace to a target = %q; want trace %s", got, tx.TraceID)
	}
	get(t, ctx, ours, "https://third-party.test/", nil)
	if h := base.last(t).Header; h.Get("sentry-trace") != "" || h.Get("baggage") != "" {
		t.Errorf("ours: request to a host outside the targets carries %v", h)
	}

	// sentryhttpclient read the targets when it was built, when there were
	// none, and so sends the trace everywhere.
	get(t, ctx, theirs, "https://third-party.test/", nil)
	if base.last(t).Header.Get("sentry-trace") == "" {
		t.Error("sentryhttpclient respected targets it could not have seen; the side-by-side premise is wrong")
	}
}

func TestTransportStartsAClientSpanWithoutMovingTheScope(t *testing.T) {
	t.Parallel()
	base := &capture{status: http.StatusNotFound, body: "missing"}
	rt := sentrytask.NewTransport(base)
	ctx, tx, rec := newTrace(t, "cli")
	hub := sentry.GetHubFromContext(ctx)
	before := hub.Scope().GetSpan()

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://user:secret@api.test:8443/items/1?token=secret#frag", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := hub.Scope().GetSpan(); got != before {
		t.Errorf("while the request is open the scope's span is %v; want %v, as before", got, before)
	}
	_, _ = io.ReadAll(resp.Body) // EOF ends the span; Close must not end it twice
	_ = resp.Body.Close()
	if got := hub.Scope().GetSpan(); got != before {
		t.Errorf("after the request the scope's span is %v; want %v, as before", got, before)
	}
	tx.Finish()

	ev := only(t, "transactions", rec.Transactions())
	spans := sentrytasktest.SpansByOp([]*sentry.Event{ev}, "http.client")
	if len(spans) != 1 {
		t.Fatalf("transaction has %d http.client spans; want 1", len(spans))
	}
	s := spans[0]
	if s.ParentSpanID != tx.SpanID || s.Status != sentry.SpanStatusNotFound {
		t.Errorf("http.client span parent %s status %v; want parent %s, status not_found", s.ParentSpanID, s.Status, tx.SpanID)
	}
	if s.Description != "GET https://api.test:8443/items/1" {
		t.Errorf("description = %q; want the method and the URL without credentials, query or fragment", s.Description)
	}
	want := map[string]any{"http.request.method": "GET", "url": "https://api.test:8443/items/1",
		"server.address": "api.test", "server.port": 8443, "http.response.status_code": 404}
	for k, v := range want {
		if s.Data[k] != v {
			t.Errorf("span data %s = %v; want %v", k, s.Data[k], v)
		}
	}
	if got := base.last(t).Header.Get("sentry-trace"); got != s.TraceID.String()+"-"+s.SpanID.String()+"-1" {
		t.Errorf("sentry-trace = %q; want the http.client span %s", got, s.SpanID)
	}
}

func TestTransportEndsTheSpanWhenTheBodyIsClosedOrTheRequestFails(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "cli")
	ok := &capture{body: "unread"}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/open", nil)
	resp, err := sentrytask.NewTransport(ok).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}

	failing := &capture{err: context.DeadlineExceeded}
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/slow", nil)
	if _, err := sentrytask.NewTransport(failing).RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RoundTrip = %v; want the base's error", err)
	}

	// The body of the first request is still open: its span must be too.
	tx.Finish()
	if n := len(sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "http.client")); n != 1 {
		t.Fatalf("with one body still open, the transaction has %d finished http.client spans; want 1 (the failed request)", n)
	}
	_ = resp.Body.Close()

	ctx, tx, rec = newTrace(t, "cli")
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/slow", nil)
	_, _ = sentrytask.NewTransport(failing).RoundTrip(req)
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/open", nil)
	resp, _ = sentrytask.NewTransport(ok).RoundTrip(req)
	_ = resp.Body.Close()
	tx.Finish()
	statuses := map[string]sentry.SpanStatus{}
	for _, s := range sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "http.client") {
		statuses[s.Description] = s.Status
	}
	if statuses["GET https://api.test/slow"] != sentry.SpanStatusDeadlineExceeded || statuses["GET https://api.test/open"] != sentry.SpanStatusOK {
		t.Errorf("span statuses = %v; want deadline_exceeded for the failed request and ok for the closed one", statuses)
	}
}

func TestTransportReplacesTraceHeadersAndMergesBaggage(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "cli")
	defer tx.Finish()
	stale := http.Header{
		"Sentry-Trace": {"00000000000000000000000000000001-0000000000000001-1", "00000000000000000000000000000002-0000000000000002-1"},
		"Baggage":      {"vendor=1;prop, sentry-trace_id=00000000000000000000000000000001", "other=2"},
	}
	//sentrytask:ignore stale headers are what this test sends
	stale["sentry-trace"] = []string{"00000000000000000000000000000003-0000000000000003-1"} // not canonical

	base := &capture{}
	get(t, ctx, sentrytask.NewTransport(base), "https://api.test/", stale)
	h := base.last(t).Header
	var traceFields int
	for k, v := range h {
		if strings.EqualFold(k, "sentry-trace") {
			traceFields += len(v)
		}
	}
	if traceFields != 1 || !strings.HasPrefix(h.Get("sentry-trace"), tx.TraceID.String()) {
		t.Errorf("sentry-trace fields = %d, first %q; want exactly one, of trace %s", traceFields, h.Get("sentry-trace"), tx.TraceID)
	}
	baggage := h.Values("baggage")
	if len(baggage) != 1 {
		t.Fatalf("baggage = %q; want one header", baggage)
	}
	if !strings.Contains(baggage[0], "sentry-trace_id="+tx.TraceID.String()) || strings.Contains(baggage[0], "00000000000000000000000000000001") ||
		!strings.HasSuffix(baggage[0], ",vendor=1;prop,other=2") {
		t.Errorf("baggage = %q; want our sentry members, then vendor=1;prop,other=2", baggage[0])
	}

	// sentryhttpclient adds: the receiver reads the stale header first.
	get(t, ctx, sentryhttpclient.NewSentryRoundTripper(base), "https://api.test/", stale)
	if n := len(base.last(t).Header.Values("sentry-trace")); n < 2 {
		t.Errorf("sentryhttpclient sent %d sentry-trace headers; the side-by-side premise is wrong", n)
	}
}

func TestTransportNeverModifiesTheCallersRequest(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "cli")
	defer tx.Finish()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/", nil)
	req.Header.Set("Baggage", "vendor=1")
	req.Header.Set("X-Other", "kept")
	before := req.Header.Clone()
	resp, err := sentrytask.NewTransport(&capture{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(req.Header) != len(before) || req.Header.Get("Baggage") != "vendor=1" || req.Header.Get("Sentry-Trace") != "" {
		t.Errorf("caller's headers after RoundTrip = %v; want %v", req.Header, before)
	}
}

func TestTransportAddsTraceparentWhenAsked(t *testing.T) {
	t.Parallel()
	base := &capture{}
	ctx, tx, _ := newTrace(t, "cli", func(o *sentry.ClientOptions) { o.PropagateTraceparent = true })
	defer tx.Finish()
	get(t, ctx, sentrytask.NewTransport(base), "https://api.test/", http.Header{"Traceparent": {"00-stale"}})
	h := base.last(t).Header
	if tp := h.Values("traceparent"); len(tp) != 1 || !strings.HasPrefix(tp[0], "00-"+tx.TraceID.String()+"-") || !strings.HasSuffix(tp[0], "-01") {
		t.Errorf("traceparent = %q; want one, of trace %s, sampled", tp, tx.TraceID)
	}

	ctx, tx2, _ := newTrace(t, "cli")
	defer tx2.Finish()
	get(t, ctx, sentrytask.NewTransport(base), "https://api.test/", nil)
	if tp := base.last(t).Header.Get("traceparent"); tp != "" {
		t.Errorf("traceparent = %q without PropagateTraceparent; want none", tp)
	}
	get(t, ctx, sentrytask.NewTransport(base, sentrytask.WithTraceparent()), "https://api.test/", nil)
	if tp := base.last(t).Header.Get("traceparent"); !strings.HasPrefix(tp, "00-"+tx2.TraceID.String()) {
		t.Errorf("traceparent with WithTraceparent = %q; want trace %s", tp, tx2.TraceID)
	}
}

func TestTransportPropagatesWithoutASpan(t *testing.T) {
	t.Parallel()
	for _, tracing := range []bool{true, false} {
		hub, _ := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) { o.EnableTracing = tracing })
		ctx := sentry.SetHubOnContext(context.Background(), hub)
		// What an incoming request without a transaction leaves on the
		// scope: the caller's trace.
		hub.Scope().SetPropagationContext(sentry.PropagationContext{
			TraceID: mustTraceID(t, "4bf92f3577b34da6a3ce929d0e0e4736"), SpanID: sentry.SpanID{1},
			DynamicSamplingContext: sentry.DynamicSamplingContext{Entries: map[string]string{"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "public_key": "head"}, Frozen: true},
		})
		base := &capture{}
		get(t, ctx, sentrytask.NewTransport(base), "https://api.test/", nil)
		h := base.last(t).Header
		if !strings.HasPrefix(h.Get("sentry-trace"), "4bf92f3577b34da6a3ce929d0e0e4736-0100000000000000") ||
			!strings.Contains(h.Get("baggage"), "sentry-public_key=head") {
			t.Errorf("tracing %v: no span on ctx: headers %v; want the scope's trace and baggage", tracing, h)
		}

		// With no hub on the context sentryhttpclient sends nothing; we
		// use the global hub, which in tests has no client, so nothing is
		// sent either: this is the no-client fast path.
		get(t, context.Background(), sentrytask.NewTransport(base), "https://api.test/", nil)
		if h := base.last(t).Header; len(h) != 0 {
			t.Errorf("no enabled client: request carries %v; want it untouched", h)
		}
	}
}

func mustTraceID(t *testing.T, s string) sentry.TraceID {
	t.Helper()
	var id sentry.TraceID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		t.Fatalf("bad trace id %q", s)
	}
	copy(id[:], b)
	return id
}

func TestTransportReusesConnections(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	base := srv.Client().Transport
	defer srv.Client().CloseIdleConnections()

	ctx, tx, _ := newTrace(t, "cli")
	defer tx.Finish()
	client := &http.Client{Transport: sentrytask.NewTransport(base)}
	for range 5 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Errorf("5 sequential requests opened %d connections; want 1", conns)
	}
}

func TestTransportTargetsMatchTheHostNotTheWholeURL(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "cli")
	defer tx.Finish()
	base := &capture{}
	const evil = "https://evil.test/?next=api.example.com"

	get(t, ctx, sentrytask.NewTransport(base, sentrytask.WithPropagationTargets("api.example.com")), evil, nil)
	if h := base.last(t).Header; h.Get("sentry-trace") != "" || h.Get("baggage") != "" {
		t.Errorf("ours: %s carries trace headers %v", evil, h)
	}
	get(t, ctx, sentrytask.NewTransport(base, sentrytask.WithPropagationTargets("api.example.com")), "https://eu.api.example.com/x", nil)
	if base.last(t).Header.Get("sentry-trace") == "" {
		t.Error("ours: a subdomain of a target carries no trace headers")
	}
	get(t, ctx, sentrytask.NewTransport(base, sentrytask.WithPropagationTargets()), "https://eu.api.example.com/x", nil)
	if base.last(t).Header.Get("sentry-trace") != "" {
		t.Error("ours: WithPropagationTargets() with no targets still propagates")
	}

	theirs := sentryhttpclient.NewSentryRoundTripper(base, sentryhttpclient.WithTracePropagationTargets([]string{"api.example.com"}))
	get(t, ctx, theirs, evil, nil)
	if base.last(t).Header.Get("sentry-trace") == "" {
		t.Error("sentryhttpclient did not propagate to a URL merely containing the target; the side-by-side premise is wrong")
	}
}
