package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// HubFromContext returns the hub bound to ctx, or sentry.CurrentHub() when
// there is none. It never returns nil.
func HubFromContext(ctx context.Context) *sentry.Hub {
	if hub := sentry.GetHubFromContext(ctx); hub != nil {
		return hub
	}
	return sentry.CurrentHub()
}

// Fork returns a context for work that will run in another goroutine: it
// carries a clone of ctx's hub whose scope's current span is the span on ctx.
// Everything else on ctx — values, deadline, cancellation — is kept.
//
// Call Fork in the spawning goroutine, before the work starts, and pass the
// result to the work: the clone is then a snapshot of the spawner's scope at
// the moment of spawning, and neither side sees what the other later does to
// its own scope. Go, Group and Pool call it for every task.
//
// The span on ctx (sentry.SpanFromContext) is the only source of the current
// span: a span that is current on the hub's scope but not on ctx is not
// carried over, because such a span is often one that has already finished.
//
// Prefer Go, a Group or a Pool, which also wait for the work to be done
// with the span: the status of a span this package started (WithSpan,
// Instrument) is written when its function returns, and is read by work
// that has it current and captures an event. Go and the others count their
// tasks, and leave the status unwritten rather than race with one still
// running; work given Fork's context must end before that span does.
//
// When no enabled client is bound to the hub, Fork returns ctx unchanged:
// nothing would be sent, so there is nothing to keep apart.
func Fork(ctx context.Context) context.Context {
	mustContext(ctx, "Fork")
	hub := HubFromContext(ctx)
	if !hub.Client().IsEnabled() {
		return ctx
	}
	ctx, _ = fork(ctx, hub)
	return ctx
}

// fork binds to ctx a clone of hub whose scope points at the span on ctx.
func fork(ctx context.Context, hub *sentry.Hub) (context.Context, *sentry.Hub) {
	return forkBelow(ctx, hub, sentry.SpanFromContext(ctx))
}

// forkBelow is fork when the span on ctx is known: span.
func forkBelow(ctx context.Context, hub *sentry.Hub, span *sentry.Span) (context.Context, *sentry.Hub) {
	clone := cloneHub(hub)
	clone.Scope().SetSpan(span)
	return sentry.SetHubOnContext(ctx, clone), clone
}

// cloneHub is hub.Clone, except that the clone always has a scope: a hub
// built with a nil scope clones into another scopeless hub, whose capture
// methods silently do nothing.
func cloneHub(hub *sentry.Hub) *sentry.Hub {
	clone := hub.Clone()
	if clone.Scope() == nil {
		clone = sentry.NewHub(hub.Client(), sentry.NewScope())
	}
	return clone
}
