package sentrytask_test

import (
	"context"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// batch is how many tasks each benchmark iteration spawns and joins, so that
// the join's cost is shared as it is in real fan-outs.
const batch = 64

func noop(context.Context) error { return nil }

// BenchmarkSpawn compares spawning and joining tasks with plain goroutines,
// with sentrytask.Go, and with the same work written by hand with sentry-go.
// Figures are per batch of 64 tasks; compare them as ratios within one run.
func BenchmarkSpawn(b *testing.B) {
	disabled := sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))

	b.Run("plain go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for range batch {
				wg.Go(func() { _ = noop(disabled) })
			}
			wg.Wait()
		}
	})
	// What a caller who needs each task's result writes by hand: the join
	// parks on every unfinished task, as Task.Wait does.
	b.Run("plain go+chan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var done [batch]chan error
			for i := range done {
				done[i] = make(chan error, 1)
				go func() { done[i] <- noop(disabled) }()
			}
			for _, d := range done {
				<-d
			}
		}
	})
	b.Run("Go no client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			spawnBatch(disabled)
		}
	})

	client, _, err := sentrytasktest.NewClient(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	sampled := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "bench")
	// Spans past MaxSpans are not recorded, so the transaction does not grow
	// with b.N; it is never finished, so nothing is sent.
	ctx := sampled.Context()

	b.Run("hand-written clone+bind", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			handWritten(ctx, false)
		}
	})
	b.Run("Go client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			spawnBatch(ctx)
		}
	})
	b.Run("hand-written clone+span", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			handWritten(ctx, true)
		}
	})
	b.Run("Go WithSpan sampled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			spawnBatch(ctx, sentrytask.WithSpan("task"))
		}
	})

	unsampledHub := sentry.NewHub(client, sentry.NewScope())
	unsampled := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), unsampledHub), "bench",
		sentry.WithSpanSampled(sentry.SampledFalse))
	b.Run("hand-written clone+span unsampled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			handWritten(unsampled.Context(), true)
		}
	})
	b.Run("Go WithSpan unsampled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			spawnBatch(unsampled.Context(), sentrytask.WithSpan("task"))
		}
	})
}

func spawnBatch(ctx context.Context, opts ...sentrytask.Option) {
	var tasks [batch]*sentrytask.Task
	for i := range tasks {
		tasks[i] = sentrytask.Go(ctx, noop, opts...)
	}
	for _, t := range tasks {
		_ = t.Wait()
	}
}

// handWritten is what careful sentry-go code does without this package:
// clone the hub before spawning, bind it and the span, recover panics, and
// optionally start and finish a child span.
func handWritten(ctx context.Context, span bool) {
	var wg sync.WaitGroup
	for range batch {
		tctx, hub := handClone(ctx)
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					hub.RecoverWithContext(tctx, r)
					panic(r)
				}
			}()
			if span {
				s := sentry.StartSpan(tctx, "task")
				err := noop(s.Context())
				s.Status = sentry.SpanStatusOK
				if err != nil {
					s.Status = sentry.SpanStatusInternalError
				}
				s.Finish()
				return
			}
			_ = noop(tctx)
		})
	}
	wg.Wait()
}

// handClone is the capture careful sentry-go code does before spawning:
// clone the hub, point the clone at the span on ctx, bind it.
func handClone(ctx context.Context) (context.Context, *sentry.Hub) {
	hub := sentry.GetHubFromContext(ctx).Clone()
	hub.Scope().SetSpan(sentry.SpanFromContext(ctx))
	return sentry.SetHubOnContext(ctx, hub), hub
}

// BenchmarkInstrument compares Instrument with a raw StartSpan/Finish pair.
func BenchmarkInstrument(b *testing.B) {
	client, _, err := sentrytasktest.NewClient(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "bench").Context()
	b.Run("raw StartSpan+Finish", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := sentry.StartSpan(ctx, "step")
			_ = noop(s.Context())
			s.Finish()
		}
	})
	b.Run("Instrument", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = sentrytask.Instrument(ctx, "step", noop)
		}
	})
}

// BenchmarkOrphanDetector measures what the OrphanDetector adds to tasks
// spawned under a transaction, per batch of 64 tasks.
func BenchmarkOrphanDetector(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []func(*sentry.ClientOptions)
	}{{"Go client", []func(*sentry.ClientOptions){benchOptions}}, {"Go client with OrphanDetector", nil}} {
		client, _, err := sentrytasktest.NewClient(tc.opts...)
		if err != nil {
			b.Fatal(err)
		}
		hub := sentry.NewHub(client, sentry.NewScope())
		tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "bench")
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				spawnBatch(tx.Context())
			}
		})
		discard(tx)
		client.Close()
	}
}

// benchOptions builds the benchmarks' clients without the OrphanDetector
// that sentrytasktest installs: it is opt-in for users, and its cost is
// measured on its own (BenchmarkOrphanDetector).
func benchOptions(o *sentry.ClientOptions) { o.Integrations = nil }
