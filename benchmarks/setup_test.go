package benchmarks

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// batch is how many tasks each iteration of a task benchmark spawns and
// joins, so that the join's cost is shared as it is in real fan-outs. The
// report divides by it to give figures per task.
const batch = 64

// workers is the size of every long-lived pool compared.
const workers = 2

func noop(context.Context) error { return nil }

// noClient is a context whose hub has no client: Sentry is off.
func noClient() context.Context {
	return sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
}

// scopes are the spawner's scopes every client benchmark runs with: an
// empty one, and one as a request handler's looks after some work, whose
// tags, contexts and breadcrumbs every clone copies.
var scopes = []struct {
	name string
	fill func(*sentry.Scope)
}{
	{"empty scope", func(*sentry.Scope) {}},
	{"heavy scope", func(s *sentry.Scope) {
		for i := range 16 {
			s.SetTag(fmt.Sprintf("tag%d", i), "value")
		}
		s.SetUser(sentry.User{ID: "42", Email: "user@example.com"})
		s.SetContext("request", sentry.Context{"method": "GET", "url": "/items"})
		for i := range 30 {
			s.AddBreadcrumb(&sentry.Breadcrumb{Category: "query", Message: fmt.Sprintf("select %d", i)}, 100)
		}
	}},
}

// traced returns a context with a client, the given scope and a sampled
// transaction (or an unsampled one), and a function that releases them. The
// transaction is never sent: spans past MaxSpans are not recorded, so it
// does not grow with b.N.
func traced(b *testing.B, fill func(*sentry.Scope), sampled bool) (context.Context, func()) {
	b.Helper()
	client, _, err := sentrytasktest.NewClient(withoutDetector)
	if err != nil {
		b.Fatal(err)
	}
	scope := sentry.NewScope()
	fill(scope)
	hub := sentry.NewHub(client, scope)
	decision := sentry.SampledTrue
	if !sampled {
		decision = sentry.SampledFalse
	}
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "bench",
		sentry.WithSpanSampled(decision))
	return tx.Context(), func() {
		discard(tx)
		client.Close()
	}
}

// withoutDetector builds the benchmarks' clients without the OrphanDetector
// that sentrytasktest installs: it is opt-in for users, and its cost is
// measured on its own (BenchmarkOrphanDetector).
func withoutDetector(o *sentry.ClientOptions) { o.Integrations = nil }

// discard finishes tx without sending it: spans would pile up in the
// recorder across runs, and sending is not what is measured.
func discard(tx *sentry.Span) {
	tx.Sampled = sentry.SampledFalse
	tx.Finish()
}

// handClone is the capture careful sentry-go code does before spawning:
// clone the hub, point the clone at the span on ctx, bind it.
func handClone(ctx context.Context) (context.Context, *sentry.Hub) {
	hub := sentry.GetHubFromContext(ctx).Clone()
	hub.Scope().SetSpan(sentry.SpanFromContext(ctx))
	return sentry.SetHubOnContext(ctx, hub), hub
}

// handTask is a task's body as careful sentry-go code writes it: panics
// reported through the task's hub and, if span, a child span with a status.
func handTask(ctx context.Context, hub *sentry.Hub, span bool) error {
	defer func() {
		if r := recover(); r != nil {
			hub.RecoverWithContext(ctx, r)
			panic(r)
		}
	}()
	if !span {
		return noop(ctx)
	}
	s := sentry.StartSpan(ctx, "task")
	err := noop(s.Context())
	s.Status = sentry.SpanStatusOK
	if err != nil {
		s.Status = sentry.SpanStatusInternalError
	}
	s.Finish()
	return err
}

// handSpawn is the whole hand-written fan-out: clone before each spawn, run
// handTask in a goroutine, join with a WaitGroup.
func handSpawn(ctx context.Context, span bool) {
	var wg sync.WaitGroup
	for range batch {
		tctx, hub := handClone(ctx)
		wg.Go(func() { _ = handTask(tctx, hub, span) })
	}
	wg.Wait()
}
