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
// The package's names come in three groups:
//
//   - Tasks: Go, Task, NewGroup, Group, NewPool, Pool, Instrument,
//     InstrumentValue, Detach, Fork, HubFromContext, and their options
//     (Option, RunOption, PoolOption: WithSpan, WithDescription, WithData,
//     WithCaptureErrors, WithRecoverPanics, WithQueueSize), PanicError,
//     ErrClosed, OrphanDetector.
//   - HTTP: NewTransport and RequestEditor for requests sent, Middleware
//     for requests served, and their options (TransportOption,
//     MiddlewareOption), WithFilter among them.
//   - Any other transport or engine, for an integration or a service's own
//     code: Inject and Continue for a call's headers, StartCall for its
//     span, Publish and Process for a message, WithMonitor for a scheduled
//     run, the Carrier types they read and write, FinishTransaction and
//     ReportPanic. The River, NATS, Kafka and gRPC modules are built on
//     these alone.
//
// Import it as
//
//	import "github.com/sentrytask/sentrytask"
package sentrytask
