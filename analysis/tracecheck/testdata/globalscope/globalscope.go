package globalscope // want package:"usesSentry"

// Package globalscope holds goroutines that change the global hub's scope,
// whose one stack every goroutine pushes onto and pops from.

import (
	"context"
	"errors"
	"sync"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"golang.org/x/sync/errgroup"
)

// Checks reports a failed check with extras on a scope of its own, from a
// goroutine: the shape of a live-stream checker.
func Checks(url string) {
	go func() {
		sentry.WithScope(func(scope *sentry.Scope) { // want `this goroutine changes the global hub's scope \(sentry.WithScope at globalscope.go:20\)`
			scope.SetContext("stream", sentry.Context{"url": url})
			sentry.CaptureException(errors.New("404"))
		})
	}()
}

// Configure sets a tag every goroutine's events get, from a task.
func Configure(ids []int) error {
	var g errgroup.Group
	for _, id := range ids {
		g.Go(func() error {
			sentry.ConfigureScope(func(s *sentry.Scope) { s.SetTag("id", "x") }) // want "this goroutine changes the global hub's scope \\(sentry.ConfigureScope"
			_ = id
			return nil
		})
	}
	return g.Wait()
}

// PushPop pushes and pops the global stack in sync.WaitGroup tasks.
func PushPop(wg *sync.WaitGroup) {
	wg.Go(func() {
		sentry.PushScope() // want "this goroutine changes the global hub's scope \\(sentry.PushScope"
		defer sentry.PopScope()
		sentry.CaptureMessage("pushed")
	})
}

// report changes the global scope for the event it captures.
func report(err error, tag string) { // want report:"changes the global scope: sentry.WithScope at globalscope.go:51"
	sentry.WithScope(func(scope *sentry.Scope) {
		scope.SetTag("where", tag)
		sentry.CaptureException(err)
	})
}

// fail reports through report.
func fail(err error) { report(err, "fail") } // want fail:"changes the global scope: report → sentry.WithScope at globalscope.go:51"

// Reports calls report from goroutines: the finding names the chain.
func Reports(err error) {
	go report(err, "go")      // want `this goroutine changes the global hub's scope \(report → sentry.WithScope at globalscope.go:51\)`
	go func() { fail(err) }() // want `this goroutine changes the global hub's scope \(fail → report → sentry.WithScope at globalscope.go:51\)`
	sentrytask.Go(context.Background(), func(ctx context.Context) error {
		report(err, "task") // want "this goroutine changes the global hub's scope"
		return nil
	})
}

// current changes it through sentry.CurrentHub(): in a goroutine's own
// code that is the finding about the global hub; a goroutine calling
// current gets this one.
func current() { // want current:"changes the global scope: sentry.CurrentHub\\(\\).ConfigureScope at globalscope.go:74"
	sentry.CurrentHub().ConfigureScope(func(s *sentry.Scope) { s.SetTag("k", "v") })
}

// Current calls it from a goroutine.
func Current() {
	go current() // want "this goroutine changes the global hub's scope \\(current → sentry.CurrentHub\\(\\).ConfigureScope"
}

// Sequential code changes the global scope where no other goroutine of
// its own runs: not reported.
func Sequential(err error) { // want Sequential:"changes the global scope: report → sentry.WithScope at globalscope.go:51"
	report(err, "main")
	sentry.ConfigureScope(func(s *sentry.Scope) { s.SetTag("mode", "cli") })
}

// OwnHub gives the goroutine a hub of its own and changes its scope.
func OwnHub(ctx context.Context, err error) { // want OwnHub:"uses ctx: sentry.GetHubFromContext at globalscope.go:91"
	hub := sentry.GetHubFromContext(ctx).Clone()
	go func() {
		hub.WithScope(func(scope *sentry.Scope) {
			scope.SetTag("own", "yes")
			hub.CaptureException(err)
		})
	}()
}

// Task changes the scope of its task's own hub.
func Task(ctx context.Context, err error) {
	sentrytask.Go(ctx, func(ctx context.Context) error {
		sentrytask.HubFromContext(ctx).WithScope(func(scope *sentry.Scope) {
			scope.SetTag("own", "yes")
			sentrytask.HubFromContext(ctx).CaptureException(err)
		})
		return nil
	})
}
