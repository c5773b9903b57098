package errgroups // want package:"usesSentry"

// Package errgroups holds errgroup tasks that share their spawner's hub,
// and the fixes that build their groups with sentrytask.NewGroup.

import (
	"context"

	"github.com/getsentry/sentry-go"
	"golang.org/x/sync/errgroup"
)

func fetch(ctx context.Context, id int) error { // want fetch:"uses ctx: sentry.StartSpan at errgroups.go:14"
	sentry.StartSpan(ctx, "fetch").Finish()
	return nil
}

// GroupContext is errgroup as its documentation shows it.
func GroupContext(ctx context.Context, ids []int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, id := range ids {
		g.Go(func() error { // want "errgroup tasks share the Sentry hub on gctx"
			return fetch(gctx, id)
		})
	}
	if !g.TryGo(func() error { return fetch(gctx, 0) }) { // want "errgroup tasks share the Sentry hub on gctx"
		return nil
	}
	g.Go(func() error { return nil })
	return g.Wait()
}

// ParentContext's tasks read the parent's ctx instead of the group's.
func ParentContext(ctx context.Context) error {
	g, _ := errgroup.WithContext(ctx)
	g.Go(func() error { return fetch(ctx, 1) }) // want "errgroup tasks share the Sentry hub on ctx \\(a parameter of ParentContext\\)"
	return g.Wait()
}

// ZeroGroup has no context to build a sentrytask.Group from: no fix.
func ZeroGroup(ctx context.Context) error {
	var g errgroup.Group
	g.Go(func() error { return fetch(ctx, 2) }) // want "errgroup tasks share the Sentry hub on ctx"
	return g.Wait()
}

// Escapes hands its group to another function: no fix, since that
// function takes an *errgroup.Group.
func Escapes(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return fetch(gctx, 3) }) // want "errgroup tasks share the Sentry hub on gctx"
	more(g)
	return g.Wait()
}

func more(g *errgroup.Group) { g.Go(func() error { return nil }) }
