package app // want package:"usesSentry"

// Package app is an application's own code, in a module whose path has no
// dot: its functions are the application's, never the standard library's.

import (
	"context"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"golang.org/x/sync/errgroup"

	"myapp/store"
	"myapp/util"
)

func process(ctx context.Context, n int) { sentry.StartSpan(ctx, "process").Finish() } // want process:"uses ctx: sentry.StartSpan at app.go:17"

func send(ctx context.Context, msg string) error { // want send:"uses ctx: sentry.StartSpan at app.go:20"
	sentry.StartSpan(ctx, "send").Finish()
	return nil
}

// Local hands the spawner's context to the package's own functions.
func Local(ctx context.Context, c context.Context) {
	go send(ctx, "hello")         // want "this goroutine shares the Sentry hub on ctx"
	go func() { process(c, 1) }() // want "this goroutine shares the Sentry hub on c \\(a parameter of Local\\)"
}

// OtherPackage hands it to another package of the application that uses
// sentry-go.
func OtherPackage(ctx context.Context) {
	go store.Save(ctx, "key") // want "this goroutine shares the Sentry hub on ctx"
}

// Group runs the application's functions in errgroup tasks.
func Group(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return send(gctx, "a") }) // want "errgroup tasks share the Sentry hub on gctx"
	return g.Wait()
}

// NoSentry hands it only to a package of the application that does not use
// sentry-go, which can no more read a hub than the standard library can.
func NoSentry(ctx context.Context) {
	go util.Wait(ctx, 1)
}

// Task spawns with sentrytask: nothing to report.
func Task(ctx context.Context) error {
	return sentrytask.Go(ctx, func(ctx context.Context) error { return send(ctx, "b") }).Wait()
}
