package callees

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// cloneOrGlobal falls back to the global hub, then clones whichever it
// has: on every path, the hub it returns is its own.
func cloneOrGlobal(ctx context.Context) (context.Context, *sentry.Hub) { // want cloneOrGlobal:"uses ctx: sentry.GetHubFromContext at reassigned.go:12; returns a context with a hub of its own"
	hub := sentry.GetHubFromContext(ctx)
	if hub == nil {
		hub = sentry.CurrentHub()
	}
	hub = hub.Clone()
	return sentry.SetHubOnContext(ctx, hub), hub
}

// ClonedOrGlobal hands each goroutine a context cloneOrGlobal made.
func ClonedOrGlobal(ctx context.Context, n int) { // want ClonedOrGlobal:"uses ctx: cloneOrGlobal → sentry.GetHubFromContext at reassigned.go:12"
	for range n {
		tctx, _ := cloneOrGlobal(ctx)
		go func() { trace(tctx) }()
	}
}

// cloneThenMaybeShare may hand back the shared hub after all.
func cloneThenMaybeShare(ctx context.Context, shared bool) context.Context { // want cloneThenMaybeShare:"uses ctx: sentry.GetHubFromContext at reassigned.go:30"
	hub := sentry.GetHubFromContext(ctx).Clone()
	if shared {
		hub = sentry.GetHubFromContext(ctx)
	}
	return sentry.SetHubOnContext(ctx, hub)
}

// MaybeShared hands each goroutine such a context: reported.
func MaybeShared(ctx context.Context, n int) { // want MaybeShared:"uses ctx: cloneThenMaybeShare → sentry.GetHubFromContext at reassigned.go:30"
	for range n {
		tctx := cloneThenMaybeShare(ctx, n > 1)
		go func() { trace(tctx) }() // want `this goroutine shares the Sentry hub on tctx \(set to cloneThenMaybeShare\(ctx, n > 1\) at reassigned.go:40\)`
	}
}
