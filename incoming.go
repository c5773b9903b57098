package sentrytask

import "github.com/getsentry/sentry-go"

// readIncoming decides which trace incoming work continues. Every value is
// untrusted: the parent comes from sentry-trace, or from W3C traceparent
// when sentry-trace is missing or malformed; a header sent several times
// with different values counts as malformed. nil means a new trace — also
// when the client may not continue the trace (org_id rules) — and never an
// error: bad headers must not cost the request.
func readIncoming(st *clientState, sentryTrace, baggage, traceparent []string) *remoteParent {
	h, ok := single(sentryTrace, parseSentryTrace)
	if !ok {
		h, ok = single(traceparent, parseTraceparent)
	}
	if !ok {
		return nil
	}
	dsc := parseDSC(baggage)
	if !st.continues(dsc) {
		return nil
	}
	if id, ok := dsc.Entries["trace_id"]; ok && id != h.traceID.String() {
		// Baggage from another trace: keep the parent, not its context.
		dsc.Entries = nil
	}
	// With no sentry members the context stays empty and frozen, as in
	// sentry-go: this process is not the head and must not invent one.
	return &remoteParent{traceID: h.traceID, spanID: h.spanID, sampled: h.sampled, dsc: dsc}
}

// single parses the values of a header that must appear once; repeats of
// the same value are tolerated.
func single(values []string, parse func(string) (traceHeader, bool)) (traceHeader, bool) {
	if len(values) == 0 {
		return traceHeader{}, false
	}
	h, ok := parse(values[0])
	for _, v := range values[1:] {
		if !ok {
			break
		}
		var g traceHeader
		g, ok = parse(v)
		ok = ok && g == h
	}
	return h, ok
}

// propagate makes hub's scope propagate tx's trace, continued from p when p
// is not nil, so that errors captured on it without tx (tracing off, or
// after tx ends) still belong to that trace.
func propagate(hub *sentry.Hub, tx *sentry.Span, p *remoteParent) {
	pc := sentry.NewPropagationContext()
	pc.TraceID = tx.TraceID
	if p != nil {
		pc.ParentSpanID = p.spanID
		pc.DynamicSamplingContext = p.dsc
	}
	hub.Scope().SetPropagationContext(pc)
}
