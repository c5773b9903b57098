package sentrytask_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// grpcURL is where an RPC goes, as StartCall's callers write it.
func grpcURL(authority, method string) *url.URL {
	return &url.URL{Scheme: "grpc", Host: authority, Path: method}
}

func TestStartCallStartsASpanNotCurrentAndHeadersNamingIt(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "checkout")
	headers := sentrytask.MapCarrier{"baggage": "vendor=1"}
	call := sentrytask.StartCall(ctx, headers, "grpc.client", "/acme.Catalog/Get", grpcURL("catalog.internal:443", "/acme.Catalog/Get"))
	if cur := sentry.GetHubFromContext(ctx).Scope().GetSpan(); cur != tx {
		t.Errorf("the caller's scope points at %v; want its transaction still", cur)
	}
	call.SetData("rpc.system", "grpc")
	call.End(sentry.SpanStatusNotFound)
	call.End(sentry.SpanStatusOK) // only the first End counts
	tx.Finish()

	span := only1(t, sentrytasktest.SpansByOp(rec.Events(), "grpc.client"))
	if span.Description != "/acme.Catalog/Get" || span.Status != sentry.SpanStatusNotFound || span.Data["rpc.system"] != "grpc" {
		t.Errorf("span %q %v %v; want /acme.Catalog/Get, not_found, rpc.system grpc", span.Description, span.Status, span.Data)
	}
	if span.ParentSpanID != tx.SpanID {
		t.Errorf("span's parent %s; want the transaction %s", span.ParentSpanID, tx.SpanID)
	}
	if want := span.TraceID.String() + "-" + span.SpanID.String() + "-1"; headers["sentry-trace"] != want {
		t.Errorf("sentry-trace %q; want %q, naming the call's span", headers["sentry-trace"], want)
	}
	if b := headers["baggage"]; !strings.Contains(b, "vendor=1") || !strings.Contains(b, "sentry-trace_id="+span.TraceID.String()) {
		t.Errorf("baggage %q; want the vendor's member kept and the trace's sampling context", b)
	}
}

func TestStartCallOutsideTheTargetsRemovesTraceHeaders(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "checkout")
	defer tx.Finish()
	stale := func() sentrytask.MapCarrier {
		return sentrytask.MapCarrier{
			"sentry-trace":  "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
			"traceparent":   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
			"baggage":       "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,vendor=1",
			"authorization": "token",
		}
	}
	targets := sentrytask.WithPropagationTargets("catalog.internal", "^grpc://pricing\\.internal:8443/")
	for _, tc := range []struct {
		to        *url.URL
		propagate bool
	}{
		{grpcURL("catalog.internal:443", "/acme.Catalog/Get"), true},
		{grpcURL("eu.catalog.internal", "/acme.Catalog/Get"), true},
		{grpcURL("pricing.internal:8443", "/acme.Pricing/Quote"), true},
		{grpcURL("pricing.internal:9000", "/acme.Pricing/Quote"), false},
		{grpcURL("catalog.internal.evil.test", "/acme.Catalog/Get"), false},
		{grpcURL("third-party.example", "/vendor.API/Call"), false},
		{nil, false},
	} {
		headers := stale()
		sentrytask.StartCall(ctx, headers, "grpc.client", "call", tc.to, targets).End(sentry.SpanStatusOK)
		got := headers["sentry-trace"] != "" && headers["sentry-trace"] != stale()["sentry-trace"]
		if got != tc.propagate {
			t.Errorf("to %v: propagated %v; want %v (%v)", tc.to, got, tc.propagate, headers)
		}
		if !tc.propagate {
			if headers["sentry-trace"] != "" || headers["traceparent"] != "" || headers["baggage"] != "vendor=1" || headers["authorization"] != "token" {
				t.Errorf("to %v: headers %v; want no trace headers, the vendor's baggage and the rest kept", tc.to, headers)
			}
		}
	}
	if n := len(sentrytasktest.SpansByOp(rec.Events(), "grpc.client")); n != 0 {
		t.Fatalf("%d spans sent before the transaction ended", n)
	}
}

func TestStartCallBelowAnUnsampledSpanPropagatesWithoutASpan(t *testing.T) {
	t.Parallel()
	hub, _ := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "checkout",
		sentry.WithSpanSampled(sentry.SampledFalse))
	headers := sentrytask.MapCarrier{}
	call := sentrytask.StartCall(tx.Context(), headers, "grpc.client", "call", grpcURL("catalog.internal", "/a.B/C"))
	call.SetData("k", "v")
	call.End(sentry.SpanStatusOK)
	if want := tx.TraceID.String() + "-" + tx.SpanID.String() + "-0"; headers["sentry-trace"] != want {
		t.Errorf("sentry-trace %q; want %q: the unsampled transaction's decision", headers["sentry-trace"], want)
	}
}

func TestStartCallWithoutAClientDoesNothing(t *testing.T) {
	t.Parallel()
	headers := sentrytask.MapCarrier{}
	call := sentrytask.StartCall(noClient(), headers, "grpc.client", "call", grpcURL("catalog.internal", "/a.B/C"))
	call.SetData("k", "v")
	call.End(sentry.SpanStatusOK)
	if len(headers) != 0 {
		t.Errorf("headers %v; want none", headers)
	}
}

func TestACallNotEndedIsAnOrphan(t *testing.T) {
	t.Parallel()
	hub, rec, det := detected(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "checkout")
	call := sentrytask.StartCall(tx.Context(), sentrytask.MapCarrier{}, "grpc.client", "/acme.Catalog/Watch", grpcURL("catalog.internal", "/acme.Catalog/Watch"))
	tx.Finish()
	call.End(sentry.SpanStatusOK)
	if got := sentrytasktest.Orphans(rec.Events()); det.Count() != 1 || len(got) != 1 || got[0] != "/acme.Catalog/Watch" {
		t.Errorf("orphans %q (count %d); want the call", got, det.Count())
	}
}

// only1 returns the single span in spans, failing the test otherwise.
func only1(t *testing.T, spans []*sentry.Span) *sentry.Span {
	t.Helper()
	if len(spans) != 1 {
		t.Fatalf("recorded %d spans; want 1", len(spans))
	}
	return spans[0]
}

// TestOutsideTheTargetsTheCallersBaggageIsKeptAsWritten: a call or request
// outside the targets loses the sentry-* baggage members and nothing else:
// members with spaces or quotes, and members past the W3C limit of 64,
// are the caller's, and go on byte for byte.
func TestOutsideTheTargetsTheCallersBaggageIsKeptAsWritten(t *testing.T) {
	t.Parallel()
	var many []string
	for i := range 70 {
		many = append(many, "k"+strconv.Itoa(i)+"=v")
	}
	for _, tc := range []struct{ in, want string }{
		{`sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736, note=two words , quoted="x",sentry-sampled=true`, `note=two words , quoted="x"`},
		{strings.Join(many, ",") + ",sentry-sampled=true", strings.Join(many, ",")},
		{"vendor=1;prop=x", "vendor=1;prop=x"},
	} {
		ctx, tx, _ := newTrace(t, "call")
		headers := sentrytask.MapCarrier{"baggage": tc.in}
		sentrytask.StartCall(ctx, headers, "grpc.client", "/pkg.Svc/M", grpcURL("elsewhere.test:443", "/pkg.Svc/M"),
			sentrytask.WithPropagationTargets("catalog.internal")).End(sentry.SpanStatusOK)

		var sent http.Header
		rt := sentrytask.NewTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = r.Header
			return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
		}), sentrytask.WithPropagationTargets("catalog.internal"))
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://elsewhere.test/", nil)
		req.Header.Set("Baggage", tc.in) //sentrytask:ignore the caller's own baggage, which the transport must keep
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		if headers["baggage"] != tc.want || sent.Get("Baggage") != tc.want {
			t.Errorf("baggage %.60q…: StartCall left %.80q…, NewTransport sent %.80q…; want %.80q…", tc.in, headers["baggage"], sent.Get("Baggage"), tc.want)
		}
	}
}
