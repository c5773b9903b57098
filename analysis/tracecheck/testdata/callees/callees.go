package callees // want package:"usesSentry"

// Package callees holds goroutines judged by what they run: a goroutine
// breaks a trace only if its code, or code it calls, reads the hub or span
// on the context it shares.

import (
	"context"
	"net"
	"time"

	"github.com/getsentry/sentry-go"
)

type notifier struct{ ch chan struct{} }

// Wakeup takes a ctx it never reads.
func (n *notifier) Wakeup(ctx context.Context, o int) { n.ch <- struct{}{} }

// Wakes hands ctx to a method that ignores it.
func Wakes(ctx context.Context, n *notifier) {
	go n.Wakeup(ctx, 1)
}

// waitDone only waits for ctx to end.
func waitDone(ctx context.Context, stop func()) {
	<-ctx.Done()
	stop()
}

// Waits starts a goroutine that only waits on ctx.
func Waits(ctx context.Context, stop func()) {
	go waitDone(ctx, stop)
	go func() { waitDone(ctx, stop) }()
}

// poll is a long-lived loop that hands ctx only to the standard library.
func poll(ctx context.Context, addr string, out chan<- net.Conn) {
	var d net.Dialer
	for ctx.Err() == nil {
		if c, err := d.DialContext(ctx, "tcp", addr); err == nil {
			out <- c
		}
		time.Sleep(time.Second)
	}
}

// Polls hands a process-lifetime context to a loop that reads no hub.
func Polls(ctx context.Context, out chan net.Conn) {
	loopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go poll(loopCtx, "localhost:1", out)
}

// trace reads the hub, two calls down.
func trace(ctx context.Context) { // want trace:"uses ctx: sentry.StartSpan at callees.go:57"
	sentry.StartSpan(ctx, "step").Finish()
}

func step(ctx context.Context) { trace(ctx) } // want step:"uses ctx: trace → sentry.StartSpan at callees.go:57"

type server struct{}

// serve reads it through a method.
func (s *server) serve(ctx context.Context, n int) error { // want serve:"uses ctx: step → trace → sentry.StartSpan at callees.go:57"
	for range n {
		step(ctx)
	}
	return nil
}

// Serves starts a method that reads the hub: the finding says through
// which calls.
func Serves(ctx context.Context, s *server) {
	go s.serve(ctx, 3) // want `this goroutine shares the Sentry hub on ctx \(a parameter of Serves\) with its spawner, and server.serve → step → trace → sentry.StartSpan at callees.go:57 reads it`
}

// spawns only starts a goroutine that reads ctx, which is reported where
// it is started; spawns itself reads nothing.
func spawns(ctx context.Context) {
	go trace(ctx) // want "this goroutine shares the Sentry hub on ctx"
}

// Spawns starts spawns: only the goroutine it starts is reported.
func Spawns(ctx context.Context) {
	go spawns(ctx)
}

// count calls itself; the recursion adds nothing it does not read.
func count(ctx context.Context, n int) int { // want count:"uses ctx: trace → sentry.StartSpan at callees.go:57"
	if n == 0 {
		trace(ctx)
		return 0
	}
	return count(ctx, n-1) + 1
}

// Recursive reads it through a recursive function.
func Recursive(ctx context.Context) {
	go count(ctx, 3) // want "this goroutine shares the Sentry hub on ctx"
}

type runner interface{ Run(ctx context.Context) }

// Interface calls a method through an interface, whose code is unknown
// here: not reported (a miss the README owns up to).
func Interface(ctx context.Context, r runner) {
	go r.Run(ctx)
}

// hubOf reads the hub on the context it is given and captures on it.
func hubOf(ctx context.Context, err error) { // want hubOf:"uses ctx: sentry.GetHubFromContext at callees.go:113"
	if hub := sentry.GetHubFromContext(ctx); hub != nil {
		hub.CaptureException(err)
	}
}

// Captures captures on the shared hub, whose current span its spawner
// moves.
func Captures(ctx context.Context, err error) {
	go func() { // want `this goroutine shares the Sentry hub on ctx \(a parameter of Captures\) with its spawner, and hubOf → sentry.GetHubFromContext at callees.go:113 reads it`
		time.Sleep(time.Millisecond)
		hubOf(ctx, err)
	}()
}

// Own gives each goroutine a hub of its own first: nothing shared.
func Own(ctx context.Context) { // want Own:"uses ctx: sentry.GetHubFromContext at callees.go:129"
	hub := sentry.GetHubFromContext(ctx).Clone()
	go func() {
		trace(sentry.SetHubOnContext(context.Background(), hub))
	}()
}

// clone gives the context a hub of its own, as sentry-go's documentation
// does by hand.
func clone(ctx context.Context) (context.Context, *sentry.Hub) { // want clone:"uses ctx: sentry.GetHubFromContext at callees.go:138; returns a context with a hub of its own"
	hub := sentry.GetHubFromContext(ctx).Clone()
	hub.Scope().SetSpan(sentry.SpanFromContext(ctx))
	return sentry.SetHubOnContext(ctx, hub), hub
}

// Cloned hands each goroutine a context its helper cloned the hub for.
func Cloned(ctx context.Context, n int) { // want Cloned:"uses ctx: clone → sentry.GetHubFromContext at callees.go:138"
	for range n {
		tctx, hub := clone(ctx)
		go func() {
			trace(tctx)
			hub.Flush(time.Second)
		}()
	}
}

// Shared derives its context with the context package, which keeps the
// hub: reported.
func Shared(ctx context.Context) {
	shared := context.WithoutCancel(ctx)
	go trace(shared) // want "this goroutine shares the Sentry hub on shared \\(set to context.WithoutCancel\\(ctx\\) at callees.go:157\\)"
}
