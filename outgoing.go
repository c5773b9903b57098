package sentrytask

import (
	"context"
	"maps"
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// Outgoing: the trace headers a request or message carries to continue the
// trace in the next process, resolved from the context of that request or
// message when it is sent. Inject writes them into a carrier,
// RequestEditor into a request; NewTransport (transport.go) also starts the
// request's span.

// outgoing is what a request or message carries to continue the trace.
type outgoing struct {
	sentryTrace string
	traceparent string // empty unless asked for
	baggage     string // the sentry-* members only
	members     int
	// The parent the headers name, for a traceparent not asked for: one
	// the caller's request or message already holds names another trace,
	// and is replaced.
	traceID sentry.TraceID
	spanID  sentry.SpanID
	sampled sentry.Sampled
}

// replacement returns the traceparent that replaces one the caller wrote.
func (o outgoing) replacement() string {
	if o.traceparent != "" {
		return o.traceparent
	}
	return wire.FormatTraceparent(o.traceID, o.spanID, o.sampled)
}

// outgoingFrom returns the trace headers for a call made below span: its
// ids and sampling decision, and its transaction's frozen dynamic sampling
// context.
func outgoingFrom(span *sentry.Span, traceparent bool) outgoing {
	o := outgoing{sentryTrace: wire.FormatSentryTrace(span.TraceID, span.SpanID, span.Sampled),
		traceID: span.TraceID, spanID: span.SpanID, sampled: span.Sampled}
	if traceparent {
		o.traceparent = wire.FormatTraceparent(span.TraceID, span.SpanID, span.Sampled)
	}
	if tx := span.GetTransaction(); tx != nil {
		f := dscOf(tx)
		o.baggage, o.members = f.baggage, f.members
	}
	return o
}

// outgoingFor returns the trace headers for a call made with ctx and no
// span of its own: below the span on ctx if there is one, else below the
// span current on the hub's scope, else as part of the trace the hub's
// scope propagates (below Detach, the span that was current there). ok is
// false when the hub has no scope.
//
// With tracing off, spans are never sent and their decision is always "not
// sampled": the scope's trace is propagated instead, without a decision, so
// that a service with tracing off passes a trace on instead of cutting it.
func outgoingFor(ctx context.Context, hub *sentry.Hub, st *clientState, traceparent bool) (o outgoing, ok bool) {
	if st.tracing {
		if span := sentry.SpanFromContext(ctx); span != nil {
			return outgoingFrom(span, traceparent), true
		}
	}
	scope := hub.Scope()
	if scope == nil {
		return o, false
	}
	if st.tracing {
		if span := scope.GetSpan(); span != nil {
			return outgoingFrom(span, traceparent), true
		}
	}
	// sentry-go offers the scope's propagation context only through these
	// two; with no span on the scope neither touches a transaction.
	h, ok := wire.ParseSentryTrace(hub.GetTraceparent())
	if !ok {
		return o, false
	}
	o.sentryTrace = wire.FormatSentryTrace(h.TraceID, h.SpanID, h.Sampled)
	o.traceID, o.spanID, o.sampled = h.TraceID, h.SpanID, h.Sampled
	if traceparent {
		o.traceparent = wire.FormatTraceparent(h.TraceID, h.SpanID, h.Sampled)
	}
	dsc := wire.ParseDSC([]string{hub.GetBaggage()})
	if !dsc.HasEntries() {
		// A trace this process started: the context sentry-go would give
		// events on this scope.
		dsc.Entries = maps.Clone(st.static)
		dsc.Entries["trace_id"] = h.TraceID.String()
	}
	o.baggage, o.members = wire.EncodeDSC(dsc.Entries)
	return o, true
}

// writeTo writes the headers into c: sentry-trace replaced, baggage's
// sentry-* members replaced and the others kept (every value, when c is a
// ValuesGetter), traceparent if asked for or if c holds one already (a
// message forwarded as it came, metadata copied from a caller's), which
// would name another trace.
func (o outgoing) writeTo(c Carrier) {
	c.Set(keySentryTrace, o.sentryTrace)
	if b := wire.MergeBaggage(o.baggage, o.members, values(c, keyBaggage)); b != "" {
		c.Set(keyBaggage, b)
	}
	if o.traceparent != "" || len(values(c, keyTraceparent)) > 0 {
		c.Set(keyTraceparent, o.replacement())
	}
}

// Inject writes the trace headers for work continued elsewhere from ctx into
// c: "sentry-trace" (replaced), "baggage" (its sentry-* members replaced,
// others kept, in one value; every value when c is a ValuesGetter) and,
// when the client's PropagateTraceparent is set, "traceparent". The headers
// name the span on ctx; with none, the trace the hub propagates, so the
// trace continues even with tracing off. The baggage carries the dynamic
// sampling context the head of the trace froze.
//
// Inject does nothing when no enabled client is bound to ctx's hub.
// Propagation targets do not apply: a Carrier has no URL.
func Inject(ctx context.Context, c Carrier) {
	mustContext(ctx, "Inject")
	mustWritable(c, "Inject")
	hub, st := enabledState(ctx)
	if st == nil {
		return
	}
	o, ok := outgoingFor(ctx, hub, st, st.traceparent)
	if !ok {
		return
	}
	o.writeTo(c)
}

// RequestEditor adds the trace headers for ctx to req, as Inject does, if
// req's URL matches the client's propagation targets (see NewTransport).
// It edits req in place and starts no span. Its signature is that of
// oapi-codegen's RequestEditorFn, so a generated client can take it with
// WithRequestEditorFn; prefer NewTransport where you build the http.Client.
// NewRequestEditor makes one with targets of its own.
//
// What RequestEditor alone cannot prevent: it sees the request once, and an
// http.Client copies the request's headers, the trace headers included,
// into every redirect it follows, whatever the host. Give that client
// NewTransport as well (it removes trace headers from every request outside
// the targets, a redirect's included), or a CheckRedirect that deletes
// them.
func RequestEditor(ctx context.Context, req *http.Request) error {
	return defaultEditor.edit(ctx, req)
}

var defaultEditor = &requestEditor{}

// NewRequestEditor returns a function like RequestEditor that follows opts:
// WithPropagationTargets and WithTraceparent, as NewTransport does.
func NewRequestEditor(opts ...TransportOption) func(ctx context.Context, req *http.Request) error {
	e := &requestEditor{clientSide: newTransportConfig(opts)}
	return e.edit
}

type requestEditor struct{ clientSide transportConfig }

func (e *requestEditor) edit(ctx context.Context, req *http.Request) error {
	mustContext(ctx, "RequestEditor")
	if req == nil {
		panic("sentrytask: RequestEditor called with a nil request")
	}
	hub, st := enabledState(ctx)
	if st == nil || !e.clientSide.targetsOf(st).Match(req.URL) {
		return nil
	}
	o, ok := outgoingFor(ctx, hub, st, st.traceparent || e.clientSide.traceparent)
	if !ok {
		return nil
	}
	if req.Header == nil {
		req.Header = make(http.Header, 3)
	}
	setTraceHeaders(req.Header, req.Header, o)
	return nil
}

// Header names, as net/http canonicalises them.
const (
	headerSentryTrace = "Sentry-Trace"
	headerBaggage     = "Baggage"
	headerTraceparent = "Traceparent"
)

// setTraceHeaders writes o into dst, which holds src's fields (dst may be
// src): any field named like a trace header, in any case, is replaced (a
// traceparent src held too, though not asked for: it would name another
// trace), and the request's foreign baggage members are kept in the one
// baggage header.
func setTraceHeaders(dst, src http.Header, o outgoing) {
	baggage := wire.MergeBaggage(o.baggage, o.members, fieldValues(src, headerBaggage))
	if o.traceparent == "" && len(fieldValues(src, headerTraceparent)) > 0 {
		o.traceparent = o.replacement()
	}
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

// withTraceHeaders returns a shallow copy of req with its own header map
// holding the trace headers: a RoundTripper must not modify its request.
func withTraceHeaders(req *http.Request, o outgoing) *http.Request {
	r := *req
	r.Header = make(http.Header, len(req.Header)+3)
	for k, v := range req.Header {
		// Capped, so that an append by a later round tripper copies
		// instead of writing into the caller's array.
		r.Header[k] = v[:len(v):len(v)]
	}
	setTraceHeaders(r.Header, req.Header, o)
	return &r
}

// withoutTraceHeaders returns req, or a shallow copy of it without
// sentry-trace, traceparent and baggage's sentry-* members when it has
// them; other baggage members are kept.
func withoutTraceHeaders(req *http.Request) *http.Request {
	if !hasTraceHeaders(req.Header) {
		return req
	}
	r := *req
	r.Header = make(http.Header, len(req.Header))
	for k, v := range req.Header {
		if !isTraceHeader(k) {
			r.Header[k] = v[:len(v):len(v)]
		}
	}
	// The caller's other baggage members stay as they were written.
	if kept, _ := wire.WithoutSentryMembers(fieldValues(req.Header, headerBaggage)); len(kept) > 0 {
		r.Header[headerBaggage] = kept
	}
	return &r
}

// hasTraceHeaders reports whether h, whose keys may not be canonical,
// holds sentry-trace or traceparent, or baggage that may hold sentry-*
// members.
func hasTraceHeaders(h http.Header) bool {
	for k, vs := range h {
		if !isTraceHeader(k) {
			continue
		}
		if !strings.EqualFold(k, headerBaggage) || wire.HasSentryMembers(vs) {
			return true
		}
	}
	return false
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

// enabledState returns the hub on ctx and its client's derived state, or
// nil when no enabled client is bound: then nothing is propagated.
func enabledState(ctx context.Context) (*sentry.Hub, *clientState) {
	hub := HubFromContext(ctx)
	return hub, enabledStateOf(hub)
}

// enabledStateOf is enabledState for a hub.
func enabledStateOf(hub *sentry.Hub) *clientState {
	client := hub.Client()
	if !client.IsEnabled() {
		return nil
	}
	return stateOf(client)
}
