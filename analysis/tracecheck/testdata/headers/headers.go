package headers // want package:"usesSentry"

// Package headers holds trace headers fixed before the requests that send
// them.

import (
	"context"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// staticHeaders adds the headers it was built with to every request.
type staticHeaders struct {
	base    http.RoundTripper
	headers http.Header
	baggage string
	traceID string
}

func (t *staticHeaders) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for k, v := range t.headers {
		req.Header[k] = v
	}
	req.Header.Set("baggage", t.baggage) // want "baggage is set from a value read before the request"
	return t.base.RoundTrip(req)
}

// NewClient builds the headers once, as generated clients' default
// headers are.
func NewClient(ctx context.Context) *http.Client { // want NewClient:"uses ctx: sentry.GetHubFromContext at headers.go:33"
	hub := sentry.GetHubFromContext(ctx)
	h := http.Header{}
	h.Set("sentry-trace", hub.GetTraceparent()) // want "sentry-trace is set on a header built outside a RoundTripper or request editor"
	h.Add("Traceparent", "00-x-y-01")           // want "traceparent is set on a header built outside"
	h["Baggage"] = []string{hub.GetBaggage()}   // want "baggage is set on a header built outside"
	extra := http.Header{
		"Sentry-Trace": {hub.GetTraceparent()}, // want "sentry-trace is set on a header built outside"
		"Accept":       {"application/json"},
	}
	for k, v := range extra {
		h[k] = v
	}
	return &http.Client{Transport: &staticHeaders{base: http.DefaultTransport, headers: h}}
}

// defaults are headers a client sends with every request, read once.
var defaults = http.Header{"baggage": []string{sentry.CurrentHub().GetBaggage()}} // want "baggage is set on a header built outside"

// Editor reads the trace when it is built, not per request.
func Editor(ctx context.Context) func(context.Context, *http.Request) error { // want Editor:"uses ctx: sentry.GetHubFromContext at headers.go:53"
	trace := sentry.GetHubFromContext(ctx).GetTraceparent()
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("sentry-trace", trace) // want "sentry-trace is set from a value read before the request"
		return nil
	}
}

// PerRequest reads the trace for each request: fine.
func PerRequest(ctx context.Context, req *http.Request) error { // want PerRequest:"uses ctx: sentry.GetHubFromContext at headers.go:62"
	trace := sentry.GetHubFromContext(ctx).GetTraceparent()
	req.Header.Set("sentry-trace", trace)
	req.Header.Set("baggage", sentry.GetHubFromContext(ctx).GetBaggage())
	return nil
}

// Build sets the headers on a request it built itself: fine.
func Build(ctx context.Context, url string) (*http.Request, error) { // want Build:"uses ctx: sentry.GetHubFromContext at headers.go:74"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Sentry-Trace", sentry.GetHubFromContext(ctx).GetTraceparent())
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// BuildLiteral gives a request it built a header literal: fine.
func BuildLiteral(ctx context.Context, url string) (*http.Request, error) { // want BuildLiteral:"uses ctx: sentry.GetHubFromContext at headers.go:85"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header = http.Header{"Sentry-Trace": {sentry.GetHubFromContext(ctx).GetTraceparent()}}
	return req, nil
}

// literalFromField gives each request a literal holding a value read
// before it. Not reported: a literal is checked only when sentry-go
// produces its value, since literals of other values are mostly incoming
// headers, a test's or a message's.
func (t *staticHeaders) literalFromField(req *http.Request) {
	req.Header = http.Header{"Baggage": {t.baggage}}
}

// incoming is a header as a test or a message consumer builds it.
var incoming = http.Header{"Sentry-Trace": {"00000000000000000000000000000001-0000000000000001-1"}}

// setTrace writes on a header its caller hands it, as a helper of a
// RoundTripper does: the caller decides when, so it is not reported.
func setTrace(dst http.Header, trace string) {
	dst.Set("sentry-trace", trace)
}

// FromResponse reads a response's header, which nobody builds to keep.
func FromResponse(resp *http.Response) {
	resp.Header.Set("traceparent", "00-x-y-01")
}
