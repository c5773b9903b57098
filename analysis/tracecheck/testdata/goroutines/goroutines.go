package goroutines // want package:"usesSentry"

// Package goroutines holds go statements whose goroutines share their
// spawner's hub, and the fixes that start them with sentrytask.Go.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/getsentry/sentry-go"
)

func process(ctx context.Context, n int) { sentry.StartSpan(ctx, "process").Finish() } // want process:"uses ctx: sentry.StartSpan at goroutines.go:15"

func send(ctx context.Context, msg string) error { // want send:"uses ctx: sentry.StartSpan at goroutines.go:21"
	if msg == "" {
		return errors.New("empty")
	}
	sentry.StartSpan(ctx, "send").Finish()
	return nil
}

func worker(ctx context.Context, jobs <-chan int) { // want worker:"uses ctx: process → sentry.StartSpan at goroutines.go:15"
	for n := range jobs {
		process(ctx, n)
	}
}

// Literal reads the spawner's ctx from inside the goroutine.
func Literal(ctx context.Context) {
	go func() { process(ctx, 1) }() // want `this goroutine shares the Sentry hub on ctx \(a parameter of Literal\) with its spawner, and process → sentry.StartSpan at goroutines.go:15 reads it`
}

// Returns turns the goroutine's bare returns into return nil.
func Returns(ctx context.Context, skip bool) {
	go func() { // want "this goroutine shares the Sentry hub on ctx"
		if skip {
			return
		}
		process(ctx, 2)
		defer func() {
			if recover() != nil {
				return
			}
		}()
	}()
}

// Derived uses a context derived inside the goroutine from the captured one.
func Derived(ctx context.Context) {
	go func() { // want "this goroutine shares the Sentry hub on ctx"
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		process(c, 3)
	}()
}

// Named keeps the name the spawner gave its context.
func Named(reqCtx context.Context) {
	go func() { process(reqCtx, 4) }() // want "this goroutine shares the Sentry hub on reqCtx"
}

// Call starts a function with ctx as an argument.
func Call(ctx context.Context, jobs chan int) {
	go worker(ctx, jobs) // want "this goroutine shares the Sentry hub on ctx"
}

// ReturnsError keeps the error a goroutine's function returns.
func ReturnsError(ctx context.Context) {
	const msg = "hello"
	go send(ctx, msg) // want "this goroutine shares the Sentry hub on ctx"
}

// Request passes a request's context, which a middleware gave a hub.
func Request(w http.ResponseWriter, r *http.Request) {
	go process(r.Context(), 5) // want `this goroutine shares the Sentry hub on r.Context\(\) \(its request's context\)`
}

// RangeLoop passes each iteration's own variable (Go 1.22 and later).
func RangeLoop(ctx context.Context, ids []int) {
	for _, id := range ids {
		go process(ctx, id) // want "this goroutine shares the Sentry hub on ctx"
	}
}

// CountingLoop passes a variable the loop changes: no fix, because the
// task would read it later than the go statement does.
func CountingLoop(ctx context.Context) {
	for i := 0; i < 3; i++ {
		go process(ctx, i) // want "this goroutine shares the Sentry hub on ctx"
	}
}

// Reassigned passes a variable changed after the go statement: no fix.
func Reassigned(ctx context.Context) {
	n := 1
	go process(ctx, n) // want "this goroutine shares the Sentry hub on ctx"
	n = 2
	_ = n
}

// Parameters binds its arguments at the go statement: no fix.
func Parameters(ctx context.Context) {
	go func(n int) { process(ctx, n) }(6) // want "this goroutine shares the Sentry hub on ctx"
}

// Passed hands the context to the literal as an argument: no fix.
func Passed(ctx context.Context) {
	go func(ctx context.Context) { process(ctx, 7) }(ctx) // want "this goroutine shares the Sentry hub on ctx"
}

// Transaction starts from Background, but the span's context carries a hub.
func Transaction() {
	tx := sentry.StartTransaction(context.Background(), "job")
	defer tx.Finish()
	ctx := tx.Context()
	go process(ctx, 8) // want "this goroutine shares the Sentry hub on ctx"
}

// Dynamic calls a function value, which may read a hub: what it runs is
// unknown here, so it is not reported (a miss the README owns up to).
func Dynamic(ctx context.Context, fn func(context.Context)) {
	go func() { fn(ctx) }()
}

// Ignored is silenced on purpose.
func Ignored(ctx context.Context) {
	//sentrytask:ignore the test shows what sharing a hub does
	go process(ctx, 9)
}

type job struct {
	ctx context.Context
	n   int
}

// Field reads the context from a field: the fix passes the field to Go,
// and the body reads the task's ctx instead.
func Field(j *job) {
	go func() { process(j.ctx, j.n) }() // want "this goroutine shares the Sentry hub on j.ctx \\(a field"
}

// FieldDerived derives from the field inside the goroutine.
func FieldDerived(j job) {
	go func() { // want "this goroutine shares the Sentry hub on j.ctx"
		c, cancel := context.WithTimeout(j.ctx, time.Second)
		defer cancel()
		process(c, j.n)
	}()
}

// FieldAndCtx also refers to a ctx of its own, which the task's parameter
// would shadow: no fix.
func FieldAndCtx(j *job, ctx context.Context) {
	go func() { // want "this goroutine shares the Sentry hub on j.ctx"
		if ctx.Err() == nil {
			process(j.ctx, 10)
		}
	}()
}

// FieldCall passes the field to a call: no fix, since j.n would be read
// later than the go statement reads it.
func FieldCall(j *job) {
	go process(j.ctx, j.n) // want "this goroutine shares the Sentry hub on j.ctx \\(a field"
}
