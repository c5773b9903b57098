package sentrytask

import (
	"context"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
	"golang.org/x/sync/errgroup"
)

// A Group is an errgroup.Group that keeps the trace whole: every function it
// runs gets a context of its own carrying a clone of the group's hub, taken
// in the goroutine that calls Go, at the moment of the call. Migrating from
// errgroup means passing the task's ctx into the function instead of
// closing over the group's:
//
//	g, ctx := sentrytask.NewGroup(ctx)
//	g.Go(func(ctx context.Context) error { return fetch(ctx, url) })
//	err := g.Wait()
//
// Tasks run inside the span that was on the context given to NewGroup. A
// Group adds only that to errgroup: limits, TryGo, Wait and the
// cancellation of the group's context, with the first error as its cause,
// are errgroup's own.
//
// A zero Group is valid, has no limit on the number of active goroutines,
// does not cancel on error, and runs its tasks with the global hub, since it
// has no context to take a trace from. A Group should not be reused for
// different tasks.
type Group struct {
	eg   *errgroup.Group // NewGroup's, which cancels ctx
	zero errgroup.Group  // the zero Group's
	ctx  context.Context // nil for the zero Group
	// hub is ctx's hub, looked up once: a context's values never change.
	// Whether a client is bound to it is asked at every Go, as every
	// other spawn asks.
	hub *sentry.Hub
	cfg config
	// unbounded is set from the first Go or TryGo with no limit set until
	// Wait returns: tasks started without a limit may be running, and a
	// limit set then would leave each blocked for ever at its end, and
	// Wait with them (errgroup does not catch it). limited is set while a
	// limit is.
	unbounded, limited atomic.Bool
}

// NewGroup returns a new Group and a context derived from ctx. The context is
// cancelled, with the error as its cause, the first time a task returns a
// non-nil error (a recovered panic included), or the first time Wait
// returns, whichever occurs first. The options apply to every task; options
// given to Go or TryGo add to them.
func NewGroup(ctx context.Context, opts ...Option) (*Group, context.Context) {
	mustContext(ctx, "NewGroup")
	eg, ctx := errgroup.WithContext(ctx)
	g := &Group{eg: eg, ctx: ctx, hub: HubFromContext(ctx)}
	g.cfg = *with(&noOptions, opts)
	return g, ctx
}

// Go calls fn in a new goroutine with a context of its own; see Go (the
// function) for what that context carries and how panics are handled.
//
// The trace is captured now, in the calling goroutine. Go blocks until the
// new goroutine can be added without the number of active goroutines in the
// group exceeding the limit set by SetLimit. The first call to Go must happen
// before a Wait. The first task to return a non-nil error cancels the group's
// context; that error is what Wait returns.
func (g *Group) Go(fn func(ctx context.Context) error, opts ...Option) {
	mustFunc(fn == nil, "Group.Go")
	g.starting()
	j := g.capture(fn, opts)
	// A panic is not carried to Wait unless it is recovered into a
	// *PanicError: like errgroup, the default lets it end the program where
	// it happened, with its stack, instead of delaying it to a Wait that a
	// broken program may never reach. The job reports it first. As with
	// errgroup, whose deferred bookkeeping runs as the panic unwinds, Wait
	// may return in the moment before the panic ends the program.
	g.errgroup().Go(j.runTask)
}

// TryGo calls fn in a new goroutine, as Go does, only if the number of
// active goroutines in the group is below the limit set by SetLimit. It
// reports whether the goroutine was started.
func (g *Group) TryGo(fn func(ctx context.Context) error, opts ...Option) bool {
	mustFunc(fn == nil, "Group.TryGo")
	g.starting()
	j := g.capture(fn, opts)
	if !g.errgroup().TryGo(j.runTask) {
		j.release()
		return false
	}
	return true
}

// SetLimit limits the number of active goroutines in the group to at most
// n. A negative n removes the limit; a limit of zero prevents any new
// goroutines from being added. The limit must not be changed while any
// goroutines in the group are active: SetLimit panics if it is. Set it
// before the first Go, or once Wait has returned. (errgroup panics only
// when the active goroutines were started under a limit; one set while
// goroutines started without a limit run leaves each of them blocked for
// ever as it ends, and Wait with them. SetLimit panics then too.)
func (g *Group) SetLimit(n int) {
	if g.unbounded.Load() {
		panic("sentrytask: Group.SetLimit called while tasks started without a limit may be running; set the limit before the first Go, or after Wait")
	}
	g.errgroup().SetLimit(n)
	g.limited.Store(n >= 0)
}

// starting notes that a task is about to start, for SetLimit.
func (g *Group) starting() {
	if !g.limited.Load() && !g.unbounded.Load() {
		g.unbounded.Store(true)
	}
}

// Wait blocks until every task started by Go and TryGo has returned, then
// returns the first non-nil error from them, if any, and cancels the group's
// context.
func (g *Group) Wait() error {
	err := g.errgroup().Wait()
	g.unbounded.Store(false)
	return err
}

func (g *Group) errgroup() *errgroup.Group {
	if g.eg != nil {
		return g.eg
	}
	return &g.zero
}

// capture captures a task of the group in the calling goroutine.
func (g *Group) capture(fn func(context.Context) error, opts []Option) job {
	ctx, hub := g.ctx, g.hub
	if ctx == nil {
		// The zero Group has no context: its tasks run with
		// context.Background() and the global hub.
		ctx, hub = context.Background(), sentry.CurrentHub()
	}
	j := job{where: onOwnGoroutine}
	j.capture(ctx, hub, fn, with(&g.cfg, opts))
	return j
}
