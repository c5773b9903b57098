package sentrytask

import (
	"context"
	"maps"

	"github.com/getsentry/sentry-go"
)

// remoteParent is the parent of a transaction that continues a trace whose
// earlier spans are not in this transaction: spans of another process (an
// incoming request or message), or the span that was current at Detach.
type remoteParent struct {
	traceID sentry.TraceID
	spanID  sentry.SpanID
	sampled sentry.Sampled
	dsc     sentry.DynamicSamplingContext // as the head of the trace froze it
}

// continueTrace is a sentry.SpanOption that makes a transaction the child
// of p.
func (p *remoteParent) continueTrace(s *sentry.Span) {
	s.TraceID = p.traceID
	s.ParentSpanID = p.spanID
	s.Sampled = p.sampled
	// Each transaction gets its own map: sentry-go writes sample_rate into
	// it when it samples.
	s.SetDynamicSamplingContext(sentry.DynamicSamplingContext{Entries: maps.Clone(p.dsc.Entries), Frozen: true})
}

// startTransaction starts a transaction on ctx's hub, continuing p's trace
// when p is not nil. Its dynamic sampling context is then p's, frozen now,
// so that outgoing requests forward it unchanged.
func startTransaction(ctx context.Context, op string, p *remoteParent, opts ...sentry.SpanOption) *sentry.Span {
	if p != nil {
		opts = append(opts, p.continueTrace)
	}
	tx := sentry.StartSpan(ctx, op, opts...)
	if p != nil {
		freezeDSC(tx, p.dsc)
	}
	return tx
}
