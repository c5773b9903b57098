package hubs // want package:"usesSentry"

// Package hubs holds goroutines that reach for the global hub or clone a
// hub too late.

import (
	"context"
	"errors"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"golang.org/x/sync/errgroup"
)

// Global captures through the hub every goroutine shares.
func Global() {
	go func() {
		sentry.CurrentHub().CaptureException(errors.New("boom")) // want "sentry.CurrentHub\\(\\) is the global hub every goroutine shares"
	}()
}

// LateClone clones inside the goroutine, racing with its spawner.
func LateClone() {
	go func() {
		hub := sentry.CurrentHub().Clone() // want "the hub is cloned inside the goroutine"
		hub.CaptureMessage("late")
	}()
}

// LateCloneFromContext clones the context's hub too late as well.
func LateCloneFromContext(ctx context.Context) { // want LateCloneFromContext:"uses ctx: sentry.GetHubFromContext at hubs.go:32"
	hub := sentry.GetHubFromContext(ctx)
	go func() {
		defer func() {
			local := hub.Clone() // want "the hub is cloned inside the goroutine"
			local.Flush(0)
		}()
	}()
}

// ErrgroupTask reaches for the global hub in an errgroup task.
func ErrgroupTask() error {
	var g errgroup.Group
	g.Go(func() error {
		sentry.CurrentHub().CaptureMessage("task") // want "sentry.CurrentHub\\(\\) is the global hub"
		return nil
	})
	return g.Wait()
}

// InTask reaches for the global hub in a sentrytask task, which has a hub
// of its own on ctx.
func InTask(ctx context.Context) {
	sentrytask.Go(ctx, func(ctx context.Context) error {
		sentry.CurrentHub().CaptureMessage("task") // want "sentry.CurrentHub\\(\\) is the global hub"
		sentrytask.HubFromContext(ctx).Clone()     // a task's own hub: cloning it is fine
		return nil
	})
}

// Before clones before the go statement, as sentry-go documents.
func Before() {
	hub := sentry.CurrentHub().Clone()
	go func() {
		hub.CaptureMessage("mine")
	}()
}
