package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// startSpan starts a task's span below the span on ctx, or a transaction
// when there is none (continuing a detached trace if ctx is below Detach).
// It returns nil when the parent is not sampled: see WithSpan.
func startSpan(ctx context.Context, op string, cfg *config) *sentry.Span {
	if parent := sentry.SpanFromContext(ctx); parent != nil {
		if parent.Sampled == sentry.SampledFalse {
			return nil
		}
		span := sentry.StartSpan(ctx, op)
		// The span is not yet visible to any other goroutine.
		span.Description = cfg.description
		setData(span, cfg.data)
		return span
	}
	name := cfg.description
	if name == "" {
		name = op
	}
	span := startTransaction(ctx, op, detachedFrom(ctx),
		sentry.WithTransactionName(name),
		sentry.WithTransactionSource(sentry.SourceTask),
		sentry.WithDescription(cfg.description))
	setData(span, cfg.data)
	return span
}

func setData(span *sentry.Span, data []datum) {
	for _, d := range data {
		span.SetData(d.key, d.value)
	}
}
