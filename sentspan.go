package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// sentSpan is the span of work sent to another process without
// NewTransport — a message (Publishing), a call (Call): started below the
// span on the sender's context on the client's scratch hub, so that it is
// never current on a scope other goroutines share, and watched by the
// client's OrphanDetector until it ends.
type sentSpan struct {
	span  *sentry.Span
	watch *orphanWatch
}

// start starts the span with op, description and origin when the span on
// ctx is sampled; the detector names it watchAs.
func (s *sentSpan) start(ctx context.Context, hub *sentry.Hub, st *clientState, op, description, watchAs string, origin sentry.SpanOrigin) {
	parent := sentry.SpanFromContext(ctx)
	if !st.tracing || parent == nil || !parent.Sampled.Bool() {
		return
	}
	s.span = sentry.StartSpan(sentry.SetHubOnContext(parent.Context(), st.scratchHub(hub.Client())), op)
	// Not yet visible to any other goroutine.
	s.span.Origin = origin
	s.span.Description = description
	if d := detectorOf(hub.Client()); d != nil {
		s.watch = d.enter(s.span, watchName{name: watchAs})
	}
}

// headers returns the trace headers the work carries: naming the span, or,
// with none, the trace on ctx, as Inject's. ok is false when there is no
// trace to carry.
func (s *sentSpan) headers(ctx context.Context, hub *sentry.Hub, st *clientState, traceparent bool) (outgoing, bool) {
	if s.span != nil {
		return outgoingFrom(s.span, traceparent), true
	}
	return outgoingFor(ctx, hub, st, traceparent)
}

// setData sets a data field of the span, if there is one.
func (s *sentSpan) setData(key string, value any) {
	if s.span != nil {
		s.span.SetData(key, value)
	}
}

// end ends the span with status. Only the first call does anything.
func (s *sentSpan) end(status sentry.SpanStatus) {
	if s.span == nil {
		return
	}
	s.span.Status = status
	s.span.Finish()
	s.watch.leave()
	s.span, s.watch = nil, nil
}
