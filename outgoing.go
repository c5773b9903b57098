package sentrytask

import (
	"context"
	"maps"

	"github.com/getsentry/sentry-go"
)

// outgoing is what a request or message carries to continue the trace in
// the next process.
type outgoing struct {
	sentryTrace string
	traceparent string // empty unless asked for
	baggage     string // the sentry-* members only
	members     int
}

// outgoingFrom returns the trace headers for a call made below span: its
// ids and sampling decision, and its transaction's frozen dynamic sampling
// context.
func outgoingFrom(st *clientState, span *sentry.Span, traceparent bool) outgoing {
	o := outgoing{sentryTrace: formatSentryTrace(span.TraceID, span.SpanID, span.Sampled)}
	if traceparent {
		o.traceparent = formatTraceparent(span.TraceID, span.SpanID, span.Sampled)
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
// scope propagates. ok is false when the hub has no scope.
//
// With tracing off, spans are never sent and their decision is always "not
// sampled": the scope's trace is propagated instead, without a decision, so
// that a service with tracing off passes a trace on instead of cutting it.
func outgoingFor(ctx context.Context, hub *sentry.Hub, st *clientState, traceparent bool) (o outgoing, ok bool) {
	if st.tracing {
		if span := sentry.SpanFromContext(ctx); span != nil {
			return outgoingFrom(st, span, traceparent), true
		}
	}
	scope := hub.Scope()
	if scope == nil {
		return o, false
	}
	if st.tracing {
		if span := scope.GetSpan(); span != nil {
			return outgoingFrom(st, span, traceparent), true
		}
	}
	// sentry-go offers the scope's propagation context only through these
	// two; with no span on the scope neither touches a transaction.
	h, ok := parseSentryTrace(hub.GetTraceparent())
	if !ok {
		return o, false
	}
	o.sentryTrace = formatSentryTrace(h.traceID, h.spanID, h.sampled)
	if traceparent {
		o.traceparent = formatTraceparent(h.traceID, h.spanID, h.sampled)
	}
	dsc := parseDSC([]string{hub.GetBaggage()})
	if !dsc.HasEntries() {
		// A trace this process started: the context sentry-go would give
		// events on this scope.
		dsc.Entries = maps.Clone(st.static)
		dsc.Entries["trace_id"] = h.traceID.String()
	}
	o.baggage, o.members = encodeDSC(dsc.Entries)
	return o, true
}

// enabledState returns the hub on ctx and its client's derived state, or
// nil when no enabled client is bound: then nothing is propagated.
func enabledState(ctx context.Context) (*sentry.Hub, *clientState) {
	hub := HubFromContext(ctx)
	client := hub.Client()
	if !client.IsEnabled() {
		return hub, nil
	}
	return hub, stateOf(client)
}
