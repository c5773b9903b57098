package spawners // want package:"usesSentry"

// Package spawners holds the other ways Go starts concurrent work, and
// goroutines that change a hub their spawner holds too.

import (
	"context"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
)

func process(ctx context.Context, n int) { sentry.StartSpan(ctx, "process").Finish() } // want process:"uses ctx: sentry.StartSpan at spawners.go:14"

// WaitGroupGo runs a task with sync.WaitGroup.Go (Go 1.25).
func WaitGroupGo(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { process(ctx, 1) }) // want "this sync.WaitGroup task shares the Sentry hub on ctx"
	wg.Wait()
}

// AfterFunc runs a function later, in a goroutine of its own.
func AfterFunc(ctx context.Context) *time.Timer {
	return time.AfterFunc(time.Second, func() { process(ctx, 2) }) // want "time.AfterFunc runs this function in a goroutine of its own"
}

// AfterFuncValue schedules a function value that captures ctx.
func AfterFuncValue(ctx context.Context) { // want AfterFuncValue:"uses ctx: process → sentry.StartSpan at spawners.go:14"
	flush := func() { process(ctx, 3) }
	time.AfterFunc(time.Minute, flush) // want "time.AfterFunc runs this function"
}

// FuncValue starts a function value that captures ctx.
func FuncValue(ctx context.Context) { // want FuncValue:"uses ctx: process → sentry.StartSpan at spawners.go:14"
	work := func() { process(ctx, 4) }
	go work() // want "this goroutine shares the Sentry hub on ctx"
}

// FuncValueArgument hands ctx to a function value's parameter.
func FuncValueArgument(ctx context.Context) {
	work := func(c context.Context) { process(c, 5) }
	go work(ctx) // want "this goroutine shares the Sentry hub on ctx"
}

// GlobalLater reaches for the global hub in a function AfterFunc runs.
func GlobalLater() {
	time.AfterFunc(time.Second, func() {
		sentry.CurrentHub().CaptureMessage("later") // want "sentry.CurrentHub\\(\\) is the global hub"
	})
}

// HubArgument hands the spawner's hub to a goroutine that changes it.
func HubArgument(ctx context.Context) { // want HubArgument:"uses ctx: sentry.GetHubFromContext at spawners.go:55"
	hub := sentry.GetHubFromContext(ctx)
	go func(h *sentry.Hub) {
		h.Scope().SetTag("worker", "1")                                             // want "this goroutine changes a hub that its spawner"
		h.ConfigureScope(func(s *sentry.Scope) { s.SetLevel(sentry.LevelWarning) }) // want "this goroutine changes a hub that its spawner"
		h.CaptureMessage("reading it is fine")
	}(hub)
}

// CapturedHub changes a hub captured from its spawner.
func CapturedHub(hub *sentry.Hub) {
	go func() {
		hub.AddBreadcrumb(&sentry.Breadcrumb{Message: "step"}, nil) // want "this goroutine changes a hub that its spawner"
	}()
}

// WaitGroupHub changes a shared hub in a sync.WaitGroup task.
func WaitGroupHub(hub *sentry.Hub) {
	var wg sync.WaitGroup
	wg.Go(func() {
		hub.Scope().SetUser(sentry.User{ID: "42"}) // want "this goroutine changes a hub that its spawner"
	})
	wg.Wait()
}
