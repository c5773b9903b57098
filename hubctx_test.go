package sentrytask_test

import (
	"context"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestHubFromContextReturnsTheBoundHubElseTheGlobalOne(t *testing.T) {
	t.Parallel()
	hub, _ := sentrytasktest.NewHub(t)
	if got := sentrytask.HubFromContext(sentry.SetHubOnContext(context.Background(), hub)); got != hub {
		t.Errorf("HubFromContext(ctx with hub) = %p; want the bound hub %p", got, hub)
	}
	if got := sentrytask.HubFromContext(context.Background()); got != sentry.CurrentHub() {
		t.Errorf("HubFromContext(ctx without hub) = %p; want sentry.CurrentHub() %p", got, sentry.CurrentHub())
	}
}

func TestForkBindsACloneWhoseScopePointsAtTheSpanOnCtx(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	span := sentry.StartSpan(ctx, "step")
	defer span.Finish()
	parentHub := sentry.GetHubFromContext(ctx)

	forked := sentrytask.Fork(span.Context())

	clone := sentry.GetHubFromContext(forked)
	if clone == nil || clone == parentHub {
		t.Fatalf("after Fork, hub on ctx = %p; want a clone, not the spawner's %p", clone, parentHub)
	}
	if got := clone.Scope().GetSpan(); got != span {
		t.Errorf("after Fork, clone's scope span = %v; want the span on ctx %v", got, span)
	}
	if got := sentry.SpanFromContext(forked); got != span {
		t.Errorf("after Fork, SpanFromContext = %v; want %v", got, span)
	}
	if clone.Client() != parentHub.Client() {
		t.Error("after Fork, the clone has another client; want the spawner's")
	}

	clone.Scope().SetTag("task", "1")
	parentHub.Scope().SetTag("spawner", "1")
	event := parentHub.Client().EventFromMessage("probe", sentry.LevelInfo)
	if got := clone.Scope().ApplyToEvent(event, nil, clone.Client()).Tags; got["spawner"] != "" || got["task"] != "1" {
		t.Errorf("clone's scope tags = %v; want only task=1", got)
	}
	event = parentHub.Client().EventFromMessage("probe", sentry.LevelInfo)
	if got := parentHub.Scope().ApplyToEvent(event, nil, parentHub.Client()).Tags; got["task"] != "" {
		t.Errorf("spawner's scope tags = %v; want no task tag", got)
	}
	_ = tx
}

func TestForkTakesTheSpanFromCtxNotFromTheScope(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	stale := sentry.StartSpan(ctx, "stale")
	stale.Finish()
	hub := sentry.GetHubFromContext(ctx)
	hub.Scope().SetSpan(stale)

	if got := sentry.GetHubFromContext(sentrytask.Fork(ctx)).Scope().GetSpan(); got != tx {
		t.Errorf("Fork(ctx with tx) scope span = %v; want the transaction on ctx", got)
	}
	noSpan := sentry.SetHubOnContext(context.Background(), hub)
	if got := sentry.GetHubFromContext(sentrytask.Fork(noSpan)).Scope().GetSpan(); got != nil {
		t.Errorf("Fork(ctx without span) scope span = %v; want nil, not the scope's stale span", got)
	}
}

func TestForkWithoutClientReturnsCtxUnchanged(t *testing.T) {
	t.Parallel()
	hub := sentry.NewHub(nil, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	if got := sentrytask.Fork(ctx); got != ctx {
		t.Errorf("Fork(ctx without client) = %v; want ctx unchanged", got)
	}
}

func TestForkOfAScopelessHubGivesTheCloneAScope(t *testing.T) {
	t.Parallel()
	withScope, rec := sentrytasktest.NewHub(t)
	hub := sentry.NewHub(withScope.Client(), nil)
	ctx := sentrytask.Fork(sentry.SetHubOnContext(context.Background(), hub))
	sentry.GetHubFromContext(ctx).CaptureMessage("from a task")
	only(t, "error events", rec.Errors())
}
