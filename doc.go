// Package sentrytask keeps Sentry traces whole across goroutines, errgroups,
// worker pools and process boundaries.
//
// sentry-go keeps the current span on the scope of a hub, and every
// goroutine that shares the hub overwrites it: errors land on the wrong
// span, outgoing requests carry another task's span id, and work that
// outlives its transaction is dropped. This package captures the trace where
// work is spawned and gives every task a hub of its own:
//
//	sentrytask.Go(ctx, func(ctx context.Context) error { … })         // instead of go f()
//	g, ctx := sentrytask.NewGroup(ctx)                                // instead of errgroup.WithContext
//	pool.Submit(ctx, f)                                               // a worker pool; capture per submit
//	sentrytask.Go(sentrytask.Detach(ctx), f, sentrytask.WithSpan(op)) // work that outlives ctx
//	sentrytask.Instrument(ctx, "parse", f)                            // a span around f
//
// The context is the only carrier: a task's context holds its own clone of
// the spawner's hub, taken at the moment of spawning, whose scope points at
// the span on the spawner's context. With no Sentry client bound, nothing is
// cloned and no span is started, so instrumented code costs about what plain
// goroutines do.
//
// Import it as
//
//	import "github.com/sentrytask/sentrytask"
package sentrytask
