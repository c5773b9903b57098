package sentrytask

import (
	"context"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// startSpan starts a task's span below the span on ctx, or a transaction
// when there is none (continuing a detached trace if ctx is below Detach),
// and returns the context the task runs with. hub is ctx's. It returns a
// nil span when the parent is not sampled: see WithSpan.
func startSpan(ctx context.Context, hub *sentry.Hub, op string, cfg *config) (context.Context, *sentry.Span) {
	if parent := sentry.SpanFromContext(ctx); parent != nil {
		if parent.Sampled == sentry.SampledFalse {
			return ctx, nil
		}
		span := sentry.StartSpan(ctx, op)
		// The span is not yet visible to any other goroutine.
		span.Origin = originTask
		span.Description = cfg.description
		setData(span, cfg.data)
		return &spanUse{Context: span.Context(), span: span}, span
	}
	name := cfg.description
	if name == "" {
		name = op
	}
	ctx, span := startTransaction(ctx, hub, op, detachedFrom(ctx),
		sentry.WithTransactionName(name),
		sentry.WithTransactionSource(sentry.SourceTask),
		sentry.WithDescription(cfg.description),
		sentry.WithSpanOrigin(originTask))
	setData(span, cfg.data)
	return ctx, span
}

// endSpan ends s, a task's or Instrument's span that ctx carries, with
// status (sentry.SpanStatusUndefined keeps the one the task set).
//
// The status of a span is a field sentry-go reads under the span's lock,
// which this package cannot take, whenever an event is captured on a scope
// the span is current on: the scope of every task forked below it without
// a span of its own. Such a task that is still running when the span's
// function returns (an orphan, which an OrphanDetector reports) would race
// with the write. So a child span's status is written only once the tasks
// forked below it have all ended; otherwise it ends without one. A
// transaction's goes into its event (sending.go).
func endSpan(ctx context.Context, s *sentry.Span, status sentry.SpanStatus) {
	if senderOf(s) != nil {
		finishTransaction(s, txFinal{status: status})
		return
	}
	if u, ok := ctx.Value(spanUseKey{}).(*spanUse); ok && u.span == s && u.live.Load() != 0 {
		sentry.DebugLogger.Printf("sentrytask: span %q ended while %d tasks started below it were running; its status is left unset: they may be reading it",
			s.Op, u.live.Load())
	} else if status != sentry.SpanStatusUndefined {
		s.Status = status
	}
	s.Finish()
}

// spanUse is the context a task's or Instrument's span runs with. It
// counts the tasks forked below the span, with the span current on their
// scopes, that have not ended (see endSpan).
type spanUse struct {
	context.Context
	span *sentry.Span
	live atomic.Int32
}

type spanUseKey struct{}

func (u *spanUse) Value(key any) any {
	if key == (spanUseKey{}) {
		return u
	}
	return u.Context.Value(key)
}

// countUse counts a task forked below ctx, whose span is span, if this
// package started span; it reports whether it did. uncountUse takes the
// task off the count when it ends.
func countUse(ctx context.Context, span *sentry.Span) bool {
	u, ok := ctx.Value(spanUseKey{}).(*spanUse)
	if !ok || u.span != span {
		return false
	}
	u.live.Add(1)
	return true
}

func uncountUse(ctx context.Context) {
	ctx.Value(spanUseKey{}).(*spanUse).live.Add(-1)
}

func setData(span *sentry.Span, data []datum) {
	for _, d := range data {
		span.SetData(d.key, d.value)
	}
}
