package sentrytask_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// readmeHealthChecks is the README's health-check filter, compiled.
func readmeHealthChecks(mux http.Handler) http.Handler {
	health := sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
		return in.Name != "/healthz" && !strings.HasPrefix(in.Name, "/grpc.health.v1.Health/") &&
			!strings.HasPrefix(in.Headers.Get("User-Agent"), "ELB-HealthChecker")
	})
	handler := sentrytask.Middleware(mux, health)
	return handler
}

// TestAFilteredRequestStartsNoTransactionAndKeepsItsTrace: the README's
// filter leaves a health check and a load balancer's probe out; their
// handler's errors and outgoing calls stay in the caller's trace; other
// requests are traced.
func TestAFilteredRequestStartsNoTransactionAndKeepsItsTrace(t *testing.T) {
	t.Parallel()
	var downstream []http.Header
	next := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downstream = append(downstream, r.Header.Clone())
	}))
	defer next.Close()
	client := &http.Client{Transport: sentrytask.NewTransport(nil)}

	hub, rec := sentrytasktest.NewHub(t)
	h := readmeHealthChecks(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sentry.GetHubFromContext(r.Context()).CaptureException(errors.New("disk almost full"))
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, next.URL, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}))
	serve := func(req *http.Request) {
		h.ServeHTTP(httptest.NewRecorder(), req.WithContext(sentry.SetHubOnContext(req.Context(), hub)))
	}

	caller := "771a43a4192642f0b136d5159a501700-1234567890abcdef-1"
	for _, probe := range []struct{ path, agent string }{{"/healthz", ""}, {"/", "ELB-HealthChecker/2.0"}} {
		req := httptest.NewRequest(http.MethodGet, probe.path, nil)
		req.Header.Set("sentry-trace", caller)
		req.Header.Set("User-Agent", probe.agent)
		serve(req)
	}
	if n := len(rec.Transactions()); n != 0 {
		t.Errorf("health checks sent %d transactions; want none", n)
	}
	for i, e := range rec.Errors() {
		if traceID, _, _ := sentrytasktest.IDs(e); traceID != "771a43a4192642f0b136d5159a501700" {
			t.Errorf("error %d of a filtered request is on trace %s; want the caller's", i, traceID)
		}
	}
	for i, hd := range downstream {
		if got := hd.Get("sentry-trace"); !strings.HasPrefix(got, "771a43a4192642f0b136d5159a501700-1234567890abcdef") {
			t.Errorf("call %d from a filtered request carried sentry-trace %q; want the caller's trace and span", i, got)
		}
	}
	if len(downstream) != 2 || len(rec.Errors()) != 2 {
		t.Errorf("the health checks' handlers made %d calls and captured %d errors; want 2 and 2", len(downstream), len(rec.Errors()))
	}

	serve(httptest.NewRequest(http.MethodGet, "/items/7", nil))
	if tx := only(t, "transactions", rec.Transactions()); tx.Transaction != "GET /items/7" {
		t.Errorf("a request the filter keeps made transaction %q", tx.Transaction)
	}
}

func TestAFilteredMessageRunsInItsProducersTraceWithoutATransaction(t *testing.T) {
	t.Parallel()
	ctx, tx, producer := newTrace(t, "tick")
	headers := sentrytask.MapCarrier{}
	sentrytask.Publish(sentrytask.WithMonitor(ctx, everyMinute), headers, sentrytask.Message{Destination: "pings"}).End(nil)
	tx.Finish()

	wctx, consumer := consumer(t)
	ran := false
	err := sentrytask.Process(wctx, headers, sentrytask.Message{Destination: "pings"}, func(ctx context.Context) error {
		ran = true
		if got := sentry.GetHubFromContext(ctx).GetTraceparent(); !strings.HasPrefix(got, tx.TraceID.String()) {
			t.Errorf("the filtered message's hub propagates %q; want the producer's trace %s", got, tx.TraceID)
		}
		return nil
	}, sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
		return !(in.Op == "queue.process" && in.Name == "pings" && in.Headers.Get("sentry-trace") != "")
	}))
	if err != nil || !ran {
		t.Fatalf("the filtered message ran %v, returned %v", ran, err)
	}
	if n := len(consumer.Events()); n != 0 {
		t.Errorf("a filtered message sent %d events (transactions, check-ins); want none", n)
	}
	if n := len(producer.CheckIns()); n != 1 {
		t.Errorf("the producer sent %d check-ins; want the run's opening one", n)
	}
}

// TestAFilteredCallStartsNoSpanAndCarriesItsContextsTrace: the sending
// side, NewTransport and StartCall, leaves out what the filter says and
// still propagates the trace on the call's context.
func TestAFilteredCallStartsNoSpanAndCarriesItsContextsTrace(t *testing.T) {
	t.Parallel()
	var got []string
	next := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("sentry-trace"))
	}))
	defer next.Close()
	notMetrics := sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
		return in.Name != "/metrics" && in.Name != "/pkg.Metrics/Push"
	})
	ctx, tx, rec := newTrace(t, "scrape")
	client := &http.Client{Transport: sentrytask.NewTransport(nil, notMetrics)}
	for _, path := range []string{"/metrics", "/items"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, next.URL+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	headers := sentrytask.MapCarrier{}
	sentrytask.StartCall(ctx, headers, "grpc.client", "/pkg.Metrics/Push", nil, notMetrics).End(sentry.SpanStatusOK)
	tx.Finish()

	spans := only(t, "transactions", rec.Transactions()).Spans
	if len(spans) != 1 || spans[0].Description != "GET "+next.URL+"/items" {
		t.Errorf("spans %v; want only the request the filter keeps", spans)
	}
	want := tx.TraceID.String() + "-" + tx.SpanID.String() + "-1"
	if len(got) != 2 || got[0] != want || headers["sentry-trace"] != want {
		t.Errorf("a filtered request carried %q and a filtered call %q; want the context's %s", got, headers["sentry-trace"], want)
	}
}

func TestContinueUntracedContinuesWithoutATransaction(t *testing.T) {
	t.Parallel()
	wctx, rec := consumer(t)
	ctx := sentrytask.ContinueUntraced(wctx, sentrytask.MapCarrier{"sentry-trace": "771a43a4192642f0b136d5159a501700-1234567890abcdef-1"})
	hub := sentry.GetHubFromContext(ctx)
	if hub == sentry.GetHubFromContext(wctx) || !strings.HasPrefix(hub.GetTraceparent(), "771a43a4192642f0b136d5159a501700-1234567890abcdef") {
		t.Errorf("ContinueUntraced's hub %p propagates %q; want a fork continuing the caller's span", hub, hub.GetTraceparent())
	}
	if sentry.SpanFromContext(ctx) != nil || len(rec.Events()) != 0 {
		t.Error("ContinueUntraced started a span")
	}
}

func TestAFilterIsAskedWhatItLeavesOut(t *testing.T) {
	t.Parallel()
	hub, _ := sentrytasktest.NewHub(t)
	var asked []sentrytask.FilterInput
	h := sentrytask.Middleware(http.NotFoundHandler(), sentrytask.WithHub(hub), sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
		asked = append(asked, in)
		return true
	}))
	req := httptest.NewRequest(http.MethodGet, "/healthz?verbose=1", nil)
	req.Header.Set("User-Agent", "kube-probe/1.31")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if len(asked) != 1 || asked[0].Op != "http.server" || asked[0].Name != "/healthz" || asked[0].Headers.Get("User-Agent") != "kube-probe/1.31" {
		t.Errorf("the filter was asked %+v; want http.server, the path and the request's headers", asked)
	}
}
