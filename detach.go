package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// Detach returns a context for work that may outlive ctx and the transaction
// on it: it is not cancelled when ctx is, and the first span this package
// starts below it (with WithSpan or Instrument) is a transaction of its own
// that continues the trace — same trace id, the span current at Detach as its
// parent, the sampling decision and the dynamic sampling context of the head
// of the trace. Such work would otherwise become a child of a transaction
// that has been sent already, and sentry-go would drop it without a word.
//
// Like Fork, Detach clones the hub; errors captured below it before any span
// starts are linked to the span that was current at Detach, and name it in
// their OrphanContext ("detached_from"), since it may have finished.
//
// Below Detach the span that was current is hidden: sentry.SpanFromContext
// and sentry.TransactionFromContext return nil, and sentry.StartSpan starts a
// new trace. Start spans there with Instrument or WithSpan to continue it.
func Detach(ctx context.Context) context.Context {
	mustContext(ctx, "Detach")
	base := context.WithoutCancel(ctx)
	hub := HubFromContext(ctx)
	if !hub.Client().IsEnabled() {
		return base
	}
	span := sentry.SpanFromContext(ctx)
	if span == nil {
		// Nothing to hide; a detachment further up, if any, stays visible
		// through base.
		ctx, _ = fork(base, hub)
		return ctx
	}
	d := &remoteParent{
		traceID: span.TraceID,
		spanID:  span.SpanID,
		sampled: span.Sampled,
		dsc:     headDSC(span),
	}
	clone := cloneHub(hub)
	scope := clone.Scope()
	scope.SetSpan(nil)
	scope.SetPropagationContext(sentry.PropagationContext{
		TraceID:                span.TraceID,
		SpanID:                 span.SpanID,
		ParentSpanID:           span.ParentSpanID,
		DynamicSamplingContext: d.dsc,
	})
	// Errors captured before the detached work starts a span are linked to
	// the span current here, which may have finished long before: say so
	// on them, and on the transactions the work starts.
	scope.SetContext(OrphanContext, sentry.Context{"detached_from": span.SpanID.String()})
	return sentry.SetHubOnContext(detachedContext{base, d}, clone)
}

type detachmentKey struct{}

// detachedContext hides every *sentry.Span value of its parent. sentry-go
// stores the current span under an unexported key and StartSpan takes
// whatever span it finds there as the parent, so the value cannot be
// overwritten, only hidden. Spans started below a detachedContext are stored
// in contexts derived from it and stay visible.
type detachedContext struct {
	context.Context
	d *remoteParent
}

func (c detachedContext) Value(key any) any {
	if _, ok := key.(detachmentKey); ok {
		return c.d
	}
	v := c.Context.Value(key)
	if _, ok := v.(*sentry.Span); ok {
		return nil
	}
	return v
}

// detachedFrom returns the span that was current at the Detach above ctx,
// or nil.
func detachedFrom(ctx context.Context) *remoteParent {
	d, _ := ctx.Value(detachmentKey{}).(*remoteParent)
	return d
}

// headDSC returns the frozen dynamic sampling context of span's transaction:
// the one it continued, or, for the head of a trace, its own, frozen now.
func headDSC(span *sentry.Span) sentry.DynamicSamplingContext {
	tx := span.GetTransaction()
	if tx == nil {
		return sentry.DynamicSamplingContext{}
	}
	return dscOf(tx).dsc
}
