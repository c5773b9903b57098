package sentrytask

import (
	"context"
	"fmt"
	"sync"

	"github.com/getsentry/sentry-go"
)

// A Group is errgroup.Group with the trace kept whole: every function it runs
// gets a context of its own carrying a clone of the group's hub, taken in the
// goroutine that calls Go, at the moment of the call. Migrating from errgroup
// means passing the task's ctx into the function instead of closing over the
// group's:
//
//	g, ctx := sentrytask.NewGroup(ctx)
//	g.Go(func(ctx context.Context) error { return fetch(ctx, url) })
//	err := g.Wait()
//
// Tasks run inside the span that was on the context given to NewGroup.
//
// A zero Group is valid, has no limit on the number of active goroutines,
// does not cancel on error, and runs its tasks with the global hub, since it
// has no context to take a trace from. A Group should not be reused for
// different tasks.
type Group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	// hub is ctx's hub, looked up once: a context's values never change.
	hub *sentry.Hub
	// enabled records whether an enabled client was bound to hub when the
	// group was made. Without one, tasks skip the hub entirely: asking it
	// again for every task takes two of its locks, the largest part of
	// what a task costs over errgroup's.
	enabled bool
	cfg     config

	wg  sync.WaitGroup
	sem chan struct{}

	errOnce sync.Once
	err     error
}

// NewGroup returns a new Group and a context derived from ctx. The context is
// cancelled, with the error as its cause, the first time a task returns a
// non-nil error (a recovered panic included), or the first time Wait
// returns, whichever occurs first. The options apply to every task; options
// given to Go or TryGo add to them.
//
// Whether a Sentry client is bound to ctx's hub is decided here, once: the
// tasks of a group made before a client was bound run as plain goroutines
// (what each task captures is still taken when Go is called).
func NewGroup(ctx context.Context, opts ...Option) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	hub := HubFromContext(ctx)
	g := &Group{ctx: ctx, cancel: cancel, hub: hub, enabled: hub.Client().IsEnabled()}
	g.cfg.apply(opts)
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
	if fn == nil {
		panic("sentrytask: Group.Go called with a nil function")
	}
	j := g.capture(fn, opts)
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.start(j)
}

// TryGo calls fn in a new goroutine, as Go does, only if the number of
// active goroutines in the group is below the limit set by SetLimit. It
// reports whether the goroutine was started.
func (g *Group) TryGo(fn func(ctx context.Context) error, opts ...Option) bool {
	if fn == nil {
		panic("sentrytask: Group.TryGo called with a nil function")
	}
	if g.sem != nil {
		select {
		case g.sem <- struct{}{}:
		default:
			return false
		}
	}
	g.start(g.capture(fn, opts))
	return true
}

// SetLimit limits the number of active goroutines in the group to at most
// n. A negative n removes the limit; a limit of zero prevents any new
// goroutines from being added. The limit must not be changed while any
// goroutines in the group are active: SetLimit panics if it is.
func (g *Group) SetLimit(n int) {
	if n < 0 {
		g.sem = nil
		return
	}
	if active := len(g.sem); active != 0 {
		panic(fmt.Errorf("sentrytask: Group.SetLimit while %d goroutines in the group are still active", active))
	}
	g.sem = make(chan struct{}, n)
}

// Wait blocks until every task started by Go and TryGo has returned, then
// returns the first non-nil error from them, if any, and cancels the group's
// context.
func (g *Group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel(g.err)
	}
	return g.err
}

func (g *Group) capture(fn func(context.Context) error, opts []Option) job {
	j := job{cfg: g.cfg.with(opts)}
	switch {
	case g.ctx == nil:
		// The zero Group has no context: its tasks run with
		// context.Background() and the global hub.
		j.capture(context.Background(), fn)
	case !g.enabled:
		j.ctx, j.fn = g.ctx, fn
	default:
		j.captureFrom(g.ctx, g.hub, fn)
	}
	return j
}

func (g *Group) start(j job) {
	g.wg.Add(1)
	// The closure holds j by value: one allocation per task.
	go func() { g.run(j) }()
}

func (g *Group) run(j job) {
	defer func() {
		if !j.repanicking {
			g.done()
		}
	}()
	// A panic is not carried to Wait unless it is recovered into a
	// *PanicError: like errgroup, the default lets it end the program where
	// it happened, with its stack, instead of delaying it to a Wait that a
	// broken program may never reach. job.run reports it first.
	if err := j.run(); err != nil {
		g.errOnce.Do(func() {
			g.err = err
			if g.cancel != nil {
				g.cancel(err)
			}
		})
	}
}

func (g *Group) done() {
	if g.sem != nil {
		<-g.sem
	}
	g.wg.Done()
}
