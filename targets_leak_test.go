package sentrytask_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// traceHeadersIn lists the trace headers a request carries: sentry-trace,
// traceparent, and baggage's sentry-* members.
func traceHeadersIn(h http.Header) []string {
	var found []string
	for k, vs := range h {
		for _, v := range vs {
			switch {
			case strings.EqualFold(k, "sentry-trace"), strings.EqualFold(k, "traceparent"):
				found = append(found, k+": "+v)
			case strings.EqualFold(k, "baggage") && strings.Contains(v, "sentry-"):
				found = append(found, k+": "+v)
			}
		}
	}
	return found
}

// TestNewTransportSendsNoTraceHeadersOutsideTheTargets: whoever wrote them
// (a RequestEditor, the caller, an earlier hop), a request that NewTransport
// sends to a host outside the propagation targets carries no trace
// headers; other baggage members stay.
func TestNewTransportSendsNoTraceHeadersOutsideTheTargets(t *testing.T) {
	t.Parallel()
	stale := func() http.Header {
		return http.Header{
			"Sentry-Trace": {callerTrace + "-" + callerSpan + "-1"},
			"traceparent":  {"00-" + callerTrace + "-" + callerSpan + "-01"}, // not canonical: sent as is
			"Baggage":      {"sentry-trace_id=" + callerTrace + ",vendor=kept", "sentry-release=x"},
		}
	}
	withClient, tx, _ := newTrace(t, "send", func(o *sentry.ClientOptions) { o.TracePropagationTargets = []string{"api.test"} })
	defer tx.Finish()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		opts []sentrytask.TransportOption
	}{
		{"the client's targets", withClient, nil},
		{"the transport's targets", withClient, []sentrytask.TransportOption{sentrytask.WithPropagationTargets("api.test")}},
		{"the transport's targets, no client", noClient(), []sentrytask.TransportOption{sentrytask.WithPropagationTargets("api.test")}},
	} {
		base := &capture{}
		header := stale()
		get(t, tc.ctx, sentrytask.NewTransport(base, tc.opts...), "https://elsewhere.test/", header)
		sent := base.last(t).Header
		if found := traceHeadersIn(sent); len(found) != 0 {
			t.Errorf("%s: a request to a host outside the targets carried %q", tc.name, found)
		}
		if got := sent.Values("Baggage"); len(got) != 1 || got[0] != "vendor=kept" {
			t.Errorf("%s: baggage sent = %q; want [vendor=kept]", tc.name, got)
		}
		if len(traceHeadersIn(header)) != 4 {
			t.Errorf("%s: the caller's header was modified: %v", tc.name, header)
		}
	}
}

// TestARedirectToAHostOutsideTheTargetsCarriesNoTraceHeaders: an
// http.Client copies a request's headers, those RequestEditor wrote
// included, into the request of a redirect, to whatever host; through
// NewTransport that request carries none.
func TestARedirectToAHostOutsideTheTargetsCarriesNoTraceHeaders(t *testing.T) {
	t.Parallel()
	received := make(chan http.Header, 1)
	outside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- r.Header.Clone()
	}))
	defer outside.Close()
	target := httptest.NewServer(http.RedirectHandler(outside.URL+"/landing", http.StatusFound))
	defer target.Close()

	hub, _ := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) {
		o.TracePropagationTargets = []string{strings.TrimPrefix(target.URL, "http://")}
	})
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "fetch")
	defer tx.Finish()
	client := &http.Client{Transport: sentrytask.NewTransport(nil)}
	req, _ := http.NewRequestWithContext(tx.Context(), http.MethodGet, target.URL, nil)
	if err := sentrytask.RequestEditor(tx.Context(), req); err != nil {
		t.Fatal(err)
	}
	if len(traceHeadersIn(req.Header)) == 0 {
		t.Fatal("RequestEditor wrote no trace headers for a target")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	client.CloseIdleConnections()
	if found := traceHeadersIn(<-received); len(found) != 0 {
		t.Errorf("the redirect to %s, outside the targets, carried %q", outside.URL, found)
	}
}
