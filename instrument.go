package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// Instrument runs fn in the calling goroutine inside a new span with
// operation op: a child of the span on ctx, or a transaction named after op
// (or WithDescription) when ctx has none, or a transaction continuing the
// trace when ctx is below Detach. fn receives the span's context. The span
// ends when fn returns, with a status derived from its error (nil → ok,
// context.Canceled → cancelled, context.DeadlineExceeded →
// deadline_exceeded, others → internal_error) unless fn set one itself.
//
// A panic in fn is reported on the span (unless a layer further in did), the
// span is finished, and the panic is raised again in the caller, unless
// WithRecoverPanics is given. Nothing is flushed: the caller may recover
// the panic and carry on, and a flush would hold it for as long as Sentry
// takes to answer. In a goroutine this package did not start, a panic that
// ends the program may therefore leave before its report; Go flushes.
//
// Instrument works on the hub found on ctx and does not clone it: that hub
// must not be shared with other goroutines running at the same time. Use Go,
// a Group or a Pool to cross goroutines. It takes RunOptions: WithSpan,
// which would ask for the span it always starts, does not compile.
func Instrument(ctx context.Context, op string, fn func(ctx context.Context) error, opts ...RunOption) error {
	mustContext(ctx, "Instrument")
	mustFunc(fn == nil, "Instrument")
	// The shared empty configuration unless options are given: a config
	// built here would escape through the option functions on every call.
	cfg := with(&noOptions, opts)
	j := job{ctx: ctx, fn: fn, cfg: cfg, traced: tracing(ctx), where: inline}
	return j.run(true, op)
}

// InstrumentValue is Instrument for a function that also returns a value.
func InstrumentValue[T any](ctx context.Context, op string, fn func(ctx context.Context) (T, error), opts ...RunOption) (T, error) {
	mustFunc(fn == nil, "InstrumentValue")
	var v T
	err := Instrument(ctx, op, func(ctx context.Context) error {
		var err error
		v, err = fn(ctx)
		return err
	}, opts...)
	return v, err
}

// tracing reports whether a span can be started below ctx. A sampled span on
// ctx was started by an enabled client, which spares asking the hub: its
// Client takes two read locks, a tenth of what a span costs.
func tracing(ctx context.Context) bool {
	if parent := sentry.SpanFromContext(ctx); parent != nil && parent.Sampled.Bool() {
		return true
	}
	return HubFromContext(ctx).Client().IsEnabled()
}
