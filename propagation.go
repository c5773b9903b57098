package sentrytask

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"
)

// A Carrier holds trace headers on their way between processes: a message's
// metadata, a job's fields, RPC headers. Keys are "sentry-trace", "baggage"
// and "traceparent"; Get returns "" for a missing key.
type Carrier interface {
	Get(key string) string
	Set(key, value string)
}

// A ValuesGetter is a Carrier that can hold a key more than once, as HTTP
// headers and most message headers can. Continue and Inject read every
// value of such a carrier, as Middleware reads a request's: a sampling
// context in a second baggage field is found, contradictory sentry-trace
// values start a new trace, and foreign baggage members of every field are
// kept. Set must replace every value of its key.
type ValuesGetter interface {
	Values(key string) []string
}

// HeaderCarrier adapts an http.Header (or anything of its shape, such as
// gRPC-gateway or NATS headers) to Carrier and ValuesGetter. Keys are
// canonicalised.
type HeaderCarrier http.Header

// Get returns the first value of key.
func (h HeaderCarrier) Get(key string) string { return http.Header(h).Get(key) }

// Set replaces the values of key.
func (h HeaderCarrier) Set(key, value string) { http.Header(h).Set(key, value) }

// Values returns every value of key.
func (h HeaderCarrier) Values(key string) []string { return http.Header(h).Values(key) }

// MapCarrier adapts a map to Carrier. Keys are used as given: the lower-case
// names this package uses.
type MapCarrier map[string]string

// Get returns the value of key.
func (m MapCarrier) Get(key string) string { return m[key] }

// Set sets the value of key.
func (m MapCarrier) Set(key, value string) { m[key] = value }

var (
	_ Carrier      = HeaderCarrier(nil)
	_ ValuesGetter = HeaderCarrier(nil)
	_ Carrier      = MapCarrier(nil)
)

// values returns every value c holds for key.
func values(c Carrier, key string) []string {
	if v, ok := c.(ValuesGetter); ok {
		return v.Values(key)
	}
	return one(c.Get(key))
}

// Inject writes the trace headers for work continued elsewhere from ctx into
// c: "sentry-trace" (replaced), "baggage" (its sentry-* members replaced,
// others kept, in one value; every value when c is a ValuesGetter) and,
// when the client's PropagateTraceparent is set, "traceparent". The headers name the span on ctx; with none, the trace the
// hub propagates, so the trace continues even with tracing off. The
// baggage carries the dynamic sampling context the head of the trace froze.
//
// Inject does nothing when no enabled client is bound to ctx's hub.
// Propagation targets do not apply: a Carrier has no URL.
func Inject(ctx context.Context, c Carrier) {
	hub, st := enabledState(ctx)
	if st == nil {
		return
	}
	o, ok := outgoingFor(ctx, hub, st, st.traceparent)
	if !ok {
		return
	}
	c.Set(keySentryTrace, o.sentryTrace)
	if b := mergeBaggage(o.baggage, o.members, values(c, keyBaggage)); b != "" {
		c.Set(keyBaggage, b)
	}
	if o.traceparent != "" {
		c.Set(keyTraceparent, o.traceparent)
	}
}

// errNilRequest is what RequestEditor returns for a nil request.
var errNilRequest = errors.New("sentrytask: RequestEditor called with a nil request")

// RequestEditor adds the trace headers for ctx to req, as Inject does, if
// req's URL matches the client's propagation targets (see NewTransport).
// It edits req in place and starts no span. Its signature is that of
// oapi-codegen's RequestEditorFn, so a generated client can take it with
// WithRequestEditorFn; prefer NewTransport where you build the http.Client.
//
// What RequestEditor alone cannot prevent: it sees the request once, and an
// http.Client copies the request's headers, the trace headers included,
// into every redirect it follows, whatever the host. Give that client
// NewTransport as well (it removes trace headers from every request outside
// the targets, a redirect's included), or a CheckRedirect that deletes
// them.
func RequestEditor(ctx context.Context, req *http.Request) error {
	if req == nil {
		return errNilRequest
	}
	hub, st := enabledState(ctx)
	if st == nil || !st.targets.match(req.URL) {
		return nil
	}
	o, ok := outgoingFor(ctx, hub, st, st.traceparent)
	if !ok {
		return nil
	}
	if req.Header == nil {
		req.Header = make(http.Header, 3)
	}
	setTraceHeaders(req.Header, req.Header, o)
	return nil
}

// setTraceHeaders writes o into dst, which holds src's fields (dst may be
// src): any field named like a trace header, in any case, is replaced, and
// the request's foreign baggage members are kept in the one baggage header.
func setTraceHeaders(dst, src http.Header, o outgoing) {
	baggage := mergeBaggage(o.baggage, o.members, fieldValues(src, headerBaggage))
	for k := range src {
		if isTraceHeader(k) {
			delete(dst, k)
		}
	}
	// One backing array for the three fields' values.
	vals := [3]string{o.sentryTrace, baggage, o.traceparent}
	backing := vals[:]
	dst[headerSentryTrace] = backing[0:1:1]
	if baggage != "" {
		dst[headerBaggage] = backing[1:2:2]
	}
	if o.traceparent != "" {
		dst[headerTraceparent] = backing[2:3:3]
	}
}

// fieldValues returns the values of a header field, under its canonical
// name and under any other case of it: a header set by assigning to the
// map is sent as it was spelt.
func fieldValues(h http.Header, name string) []string {
	vs := h[name]
	for k, v := range h {
		if len(k) == len(name) && k != name && strings.EqualFold(k, name) {
			vs = append(vs[:len(vs):len(vs)], v...)
		}
	}
	return vs
}

// isTraceHeader reports whether a header field name, which may not be in
// canonical form if set by assigning to the map, is one this package sets.
func isTraceHeader(k string) bool {
	return strings.EqualFold(k, headerSentryTrace) || strings.EqualFold(k, headerBaggage) ||
		strings.EqualFold(k, headerTraceparent)
}

// Continue starts a transaction with operation op (and op as its name) for
// work that arrived through c — a message, a job — continuing the trace
// whose headers c carries: "sentry-trace" and "baggage", or a W3C
// "traceparent" when there is no valid sentry-trace. A missing, malformed,
// contradictory (two different values, when c is a ValuesGetter) or foreign
// (see sentry.ClientOptions.StrictTraceContinuation) trace starts a new one. A span on ctx is not the parent: the carrier says where the
// work came from.
//
// The returned context carries a fork of ctx's hub (or of the global hub)
// whose scope continues the trace too, and the transaction; the caller must
// Finish the span, which is never nil.
func Continue(ctx context.Context, c Carrier, op string) (context.Context, *sentry.Span) {
	ctx = detachedContext{ctx, detachedFrom(ctx)}
	hub, st := enabledState(ctx)
	if st == nil {
		span := sentry.StartSpan(ctx, op, sentry.WithTransactionName(op))
		return span.Context(), span
	}
	p := readIncoming(st, values(c, keySentryTrace), values(c, keyBaggage), values(c, keyTraceparent))
	ctx, hub = fork(ctx, hub)
	tx := startTransaction(ctx, op, p,
		sentry.WithTransactionName(op),
		sentry.WithTransactionSource(sentry.SourceTask),
		sentry.WithSpanOrigin(spanOrigin))
	propagate(hub, tx, p)
	return tx.Context(), tx
}

// spanOrigin marks the spans this package starts by itself.
const spanOrigin sentry.SpanOrigin = "auto.sentrytask"

func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}
