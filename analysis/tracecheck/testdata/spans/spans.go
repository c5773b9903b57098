package spans // want package:"usesSentry"

// Package spans holds goroutines that share a span, rather than a
// context, with their spawner: starting a child of it moves the current
// span of the hub on the span's context, which the spawner uses too.

import (
	"context"
	"sync"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"golang.org/x/sync/errgroup"
)

// Dispatch starts children of a span it was handed in a goroutine while
// it starts its own: the shape of a profile-merging service.
func Dispatch(span *sentry.Span, jobs chan<- int, results <-chan int) int { // want Dispatch:"uses span: Span.StartChild at spans.go:26"
	go func() { // want `this goroutine shares span \(a parameter of Dispatch\) and the Sentry hub on its context with its spawner, and Span.StartChild at spans.go:20 reads it`
		dispatch := span.StartChild("dispatch")
		for i := range 3 {
			jobs <- i
		}
		dispatch.Finish()
	}()
	processing := span.StartChild("processing")
	defer processing.Finish()
	return <-results
}

// Local shares a span it started.
func Local(ctx context.Context) { // want Local:"uses ctx: sentry.StartSpan at spans.go:33"
	span := sentry.StartSpan(ctx, "parent")
	defer span.Finish()
	go func() { // want `this goroutine shares span \(set to sentry.StartSpan\(ctx, "parent"\) at spans.go:33\) and the Sentry hub on its context`
		child := span.StartChild("child")
		defer child.Finish()
	}()
}

// SpanContext reads the span's context, and the hub on it.
func SpanContext(tx *sentry.Span) {
	go func() { // want "this goroutine shares tx \\(a parameter of SpanContext\\) and the Sentry hub on its context"
		sentry.StartSpan(tx.Context(), "child").Finish()
	}()
}

// child starts a child of the span it is given.
func child(parent *sentry.Span, op string) { // want child:"uses parent: Span.StartChild at spans.go:50"
	parent.StartChild(op).Finish()
}

// Passed hands the span to a function that starts a child of it.
func Passed(span *sentry.Span) {
	go child(span, "passed") // want "this goroutine shares span \\(a parameter of Passed\\) and the Sentry hub on its context with its spawner, and child → Span.StartChild at spans.go:50 reads it"
}

// Group shares a span with errgroup tasks.
func Group(span *sentry.Span) error {
	var g errgroup.Group
	g.Go(func() error { // want "errgroup tasks share span \\(a parameter of Group\\)"
		child(span, "task")
		return nil
	})
	return g.Wait()
}

// Annotate only writes the span's data, which starts nothing and moves
// no current span.
func Annotate(span *sentry.Span, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		span.SetData("worker", 1)
	}()
}

// OwnSpan starts its span from a context of its own, made by
// sentrytask.Go: nothing shared.
func OwnSpan(span *sentry.Span) {
	sentrytask.Go(span.Context(), func(ctx context.Context) error {
		sentry.StartSpan(ctx, "own").Finish()
		return nil
	})
}

// Made starts its span from a context the spawner made without a hub.
func Made() {
	go func() {
		span := sentry.StartSpan(context.Background(), "job")
		defer span.Finish()
		span.StartChild("step").Finish()
	}()
}
