package clean // want package:"usesSentry"

// Package clean holds goroutines, groups and headers that keep the trace
// whole, or never touch it: none is reported.

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"golang.org/x/sync/errgroup"
)

func process(ctx context.Context, n int) { sentry.StartSpan(ctx, "process").Finish() } // want process:"uses ctx: sentry.StartSpan at clean.go:19"

// NoContext starts goroutines that use no context at all.
func NoContext(jobs chan int, srv *http.Server) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jobs <- i
		}()
	}
	go srv.ListenAndServe()
	wg.Wait()
}

// WaitsOnDone only waits for ctx to end, which reads no hub.
func WaitsOnDone(ctx context.Context, srv *http.Server) {
	go func() {
		<-ctx.Done()
		if ctx.Err() != nil {
			srv.Close()
		}
	}()
	go func(ctx context.Context) { <-ctx.Done() }(ctx)
	go func() {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}()
}

// StandardLibrary hands ctx only to the standard library.
func StandardLibrary(ctx context.Context, srv *http.Server, errs chan error) {
	go func() {
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		errs <- srv.Shutdown(c)
	}()
	go srv.Shutdown(ctx)
}

// Background's context cannot carry a hub.
func Background(jobs chan int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go process(ctx, 1)
	go func() { process(ctx, 2) }()
}

// Signals cancels on an interrupt, which adds no hub either.
func Signals() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go process(ctx, 6)
}

// Tasks are started the way this library means them to be.
func Tasks(ctx context.Context, ids []int) error {
	sentrytask.Go(ctx, func(ctx context.Context) error {
		go func() { <-ctx.Done() }()
		process(ctx, 3)
		return nil
	})
	g, ctx := sentrytask.NewGroup(ctx)
	for _, id := range ids {
		g.Go(func(ctx context.Context) error { process(ctx, id); return nil })
	}
	return g.Wait()
}

// ErrgroupWithoutContext's tasks use no context.
func ErrgroupWithoutContext(ids []int) error {
	var g errgroup.Group
	for _, id := range ids {
		g.Go(func() error { _ = id; return nil })
	}
	return g.Wait()
}

// ClonedBefore clones the hub before the goroutine and binds it.
func ClonedBefore(ctx context.Context) { // want ClonedBefore:"uses ctx: sentry.GetHubFromContext at clean.go:102"
	hub := sentry.GetHubFromContext(ctx).Clone()
	go func() {
		ctx := sentry.SetHubOnContext(context.Background(), hub)
		hub.CaptureMessage("own hub")
		_ = ctx
	}()
}

// OtherHeaders sets headers that carry no trace.
func OtherHeaders() http.Header {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("X-Request-Id", "1")
	return h
}

// Demonstration shows the bug on purpose, and says so.
//
//sentrytask:ignore this function shows what sharing a hub does
func Demonstration(ctx context.Context) {
	go process(ctx, 4)
	go func() { process(ctx, 5) }()
}

// OtherSpawners start work that uses no context, or only waits on it.
func OtherSpawners(ctx context.Context, jobs chan int) {
	var wg sync.WaitGroup
	wg.Go(func() { jobs <- 1 })
	wg.Go(func() { <-ctx.Done() })
	wg.Wait()
	time.AfterFunc(time.Second, func() { close(jobs) })
	stop := func() { <-ctx.Done() }
	go stop()
}

// OwnHubs change hubs cloned or made for the goroutine before, or in, it.
func OwnHubs(ctx context.Context, client *sentry.Client) { // want OwnHubs:"uses ctx: sentry.GetHubFromContext at clean.go:139"
	hub := sentry.GetHubFromContext(ctx)
	mine := hub.Clone()
	go func() { mine.Scope().SetTag("worker", "1") }()
	go func(h *sentry.Hub) { h.ConfigureScope(func(s *sentry.Scope) { s.SetTag("worker", "2") }) }(hub.Clone())
	go func() {
		own := sentry.NewHub(client, sentry.NewScope())
		own.AddBreadcrumb(&sentry.Breadcrumb{Message: "mine"}, nil)
	}()
	go func(h *sentry.Hub) { h.CaptureMessage("reading a shared hub changes nothing") }(hub)
}
