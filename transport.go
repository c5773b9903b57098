package sentrytask

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

type transport struct {
	base http.RoundTripper
	opts transportConfig
}

var _ http.RoundTripper = (*transport)(nil)

// NewTransport returns an http.RoundTripper that continues the trace of each
// request's context into the server it calls, through base
// (http.DefaultTransport when nil), which it shares across requests so
// connections are reused.
//
// Everything is resolved from the request's context when it is sent —
// the hub (or the global hub), its client's options, the current span — so
// a transport built before sentry.Init works like one built after, and one
// transport serves every goroutine. For each request it:
//
//   - starts an "http.client" span below the span on the context, if that is
//     sampled, without making it current on any hub's scope, and ends it
//     when the response body is read to the end or closed, or the request
//     fails; status from the response code, data after Sentry's conventions
//     (http.request.method, url without query and fragment, server.address,
//     server.port, http.response.status_code);
//   - sets sentry-trace (replacing any), merges baggage (sentry-* members
//     replaced with the trace's, other members kept, one header within the
//     W3C limits of 8192 bytes and 64 members) and, if the client's
//     PropagateTraceparent or WithTraceparent asks, sets traceparent;
//   - takes the baggage from the dynamic sampling context the head of the
//     trace froze, so a service that continued a trace forwards the head's
//     values unchanged;
//   - with no span on the context, propagates the trace of the hub's scope,
//     so the trace continues even with tracing off.
//
// The caller's request is never modified: headers are set on a copy. When no
// enabled client is bound, the request goes through untouched.
//
// Propagation targets (ClientOptions.TracePropagationTargets, or
// WithPropagationTargets) say which requests carry trace headers; none
// configured means every request. A request outside the targets carries
// none, whoever wrote them: sentry-trace and traceparent are removed from
// the copy sent, and so are baggage's sentry-* members (others are kept);
// this covers the redirects an http.Client follows, which copy the first
// request's headers. Spans are recorded for every request. A
// target is matched against the parts of the URL the destination owns —
// never the query or fragment — so that "api.example.com" does not send
// trace headers to https://evil.test/?api.example.com, as sentry-go's
// substring match does:
//
//   - "api.example.com", "localhost:8080": that host (and port, if given) or
//     a subdomain of it;
//   - "api.example.com/v1": the host as above, path /v1 or below it;
//   - "https://api.example.com/v1": that scheme, exactly that host and port
//     (the scheme's default if none), path /v1 or below it;
//   - "^https://[a-z]+\.example\.com/": a regular expression (marked by its
//     leading ^) matched against "scheme://host[:port]/path".
//
// Both sides are compared in the form the request is delivered in: the path
// with "." and ".." segments removed and escaped unreserved characters
// decoded ("/v1/%2e%2e/admin" is "/admin", not below "/v1"), the host in
// lower case with internationalised labels in punycode (bücher.example is
// xn--bcher-kva.example), and IP addresses in canonical form
// ("[0:0:0:0:0:0:0:1]" is "[::1]", "::ffff:127.0.0.1" is "127.0.0.1").
//
// The span records what sentry-go's sentryhttpclient records of the
// request and its response, under the client's DataCollection: the query
// string, the request's headers (sensitive values filtered), its body when
// outgoing bodies are collected, the response's length and headers.
//
// Its options are TransportOptions: WithPropagationTargets,
// WithTraceparent; a MiddlewareOption given to it does not compile.
func NewTransport(base http.RoundTripper, opts ...TransportOption) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, opts: newTransportConfig(opts)}
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	hub, st := enabledState(ctx)
	targets := t.opts.targets
	if st != nil {
		targets = t.opts.targetsOf(st)
	}
	// A request outside the targets carries no trace headers, whoever
	// wrote them: a RequestEditor, the caller, or an http.Client copying
	// them into a redirect to another host.
	propagate := targets == nil || targets.Match(req.URL)
	if !propagate {
		req = withoutTraceHeaders(req)
	}
	if st == nil {
		return t.base.RoundTrip(req)
	}
	parent := sentry.SpanFromContext(ctx)
	var span *sentry.Span
	if parent != nil && parent.Sampled.Bool() &&
		t.opts.traces(FilterInput{Op: "http.client", Name: req.URL.Path, Headers: HeaderCarrier(req.Header)}) {
		span = startClientSpan(st.scratchHub(hub.Client()), parent, req)
		recordRequest(span, req, &st.dc)
	}
	if !propagate && span == nil {
		return t.base.RoundTrip(req)
	}
	if propagate {
		var o outgoing
		ok := true
		traceparent := st.traceparent || t.opts.traceparent
		if span != nil {
			o = outgoingFrom(span, traceparent)
		} else {
			o, ok = outgoingFor(ctx, hub, st, traceparent)
		}
		if ok {
			req = withTraceHeaders(req, o)
		}
	}
	var recordBody func()
	if span != nil {
		req, recordBody = teeBody(span, req, &st.dc)
	}
	resp, err := t.base.RoundTrip(req)
	if recordBody != nil {
		recordBody()
	}
	if span != nil {
		endClientSpan(span, resp, err, &st.dc, detectorOf(hub.Client()))
	}
	return resp, err
}

// startClientSpan starts the span of an outgoing request below parent. It
// is started on the client's scratch hub (clientState): on the request's hub, sentry-go
// would make it the scope's current span, and other goroutines sharing that
// hub would see their errors attached to this request.
func startClientSpan(scratch *sentry.Hub, parent *sentry.Span, req *http.Request) *sentry.Span {
	ctx := sentry.SetHubOnContext(parent.Context(), scratch)
	span := sentry.StartSpan(ctx, "http.client")
	// The span is not yet visible to any other goroutine: plain writes
	// save the closures that span options would allocate.
	span.Origin = originHTTP
	span.Description = req.Method + " " + cleanURL(req.URL)
	span.SetData("http.request.method", req.Method)
	span.SetData("url", span.Description[len(req.Method)+1:])
	if req.URL != nil {
		span.SetData("server.address", req.URL.Hostname())
		if port := req.URL.Port(); port != "" {
			if n, err := strconv.Atoi(port); err == nil {
				span.SetData("server.port", n)
			}
		}
	}
	return span
}

// cleanURL is u without user info, query and fragment: they may hold
// secrets, and they make every span's description unique.
func cleanURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.User == nil && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery {
		return u.String()
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, Opaque: u.Opaque}
	return c.String()
}

// endClientSpan records the outcome of a request on its span, and ends the
// span now or, when there is a body to read, when the body is done. Until
// then the span is watched by the client's OrphanDetector, if it has one,
// as a task would be: a transaction sent while the body is still open loses
// the span.
func endClientSpan(span *sentry.Span, resp *http.Response, err error, dc *sentry.DataCollection, d *OrphanDetector) {
	if err != nil || resp == nil {
		span.Status = errorStatus(err)
		if err == nil {
			span.Status = sentry.SpanStatusInternalError
		}
		span.Finish()
		return
	}
	span.Status = sentry.HTTPtoSpanStatus(resp.StatusCode)
	span.SetData("http.response.status_code", resp.StatusCode)
	recordResponse(span, resp, dc)
	// A 101 response's body is the upgraded connection, which callers
	// type-assert to io.ReadWriteCloser: it must stay as it is.
	if resp.Body == nil || resp.Body == http.NoBody || resp.StatusCode == http.StatusSwitchingProtocols {
		span.Finish()
		return
	}
	body := &spanBody{ReadCloser: resp.Body, span: span}
	if d != nil {
		body.watch = d.enter(span, watchName{name: span.Description})
	}
	resp.Body = body
}

// spanBody ends the request's span when the caller is done with the body.
type spanBody struct {
	io.ReadCloser
	span  *sentry.Span
	watch *orphanWatch
	done  atomic.Bool
}

func (b *spanBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		if err != io.EOF && b.span.Status == sentry.SpanStatusOK {
			b.finish(sentry.SpanStatusInternalError)
		} else {
			b.finish(sentry.SpanStatusUndefined)
		}
	}
	return n, err
}

func (b *spanBody) Close() error {
	err := b.ReadCloser.Close()
	b.finish(sentry.SpanStatusUndefined)
	return err
}

// finish ends the span once, with status if one is given.
func (b *spanBody) finish(status sentry.SpanStatus) {
	if b.done.Swap(true) {
		return
	}
	if status != sentry.SpanStatusUndefined {
		b.span.Status = status
	}
	b.span.Finish()
	b.watch.leave()
}
