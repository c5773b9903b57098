package benchmarks

import (
	"context"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/sourcegraph/conc"
)

// BenchmarkSpawn spawns and joins batches of 64 tiny tasks: with plain
// goroutines and conc when Sentry is off, and against the same work written
// by hand with sentry-go when it is on, with an empty and a heavy scope.
func BenchmarkSpawn(b *testing.B) {
	off := noClient()
	b.Run("no client/go+WaitGroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for range batch {
				wg.Go(func() { _ = noop(off) })
			}
			wg.Wait()
		}
	})
	b.Run("no client/conc.WaitGroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var wg conc.WaitGroup
			for range batch {
				wg.Go(func() { _ = noop(off) })
			}
			wg.Wait()
		}
	})
	b.Run("no client/Go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			spawnBatch(off)
		}
	})

	for _, sc := range scopes {
		ctx, done := traced(b, sc.fill, true)
		b.Run(sc.name+"/hand clone+bind", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				handSpawn(ctx, false)
			}
		})
		b.Run(sc.name+"/Go", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				spawnBatch(ctx)
			}
		})
		b.Run(sc.name+"/hand clone+span", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				handSpawn(ctx, true)
			}
		})
		b.Run(sc.name+"/Go WithSpan", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				spawnBatch(ctx, sentrytask.WithSpan("task"))
			}
		})
		done()

		// Under an unsampled parent a task gets no span of its own: its
		// baseline is the clone alone.
		ctx, done = traced(b, sc.fill, false)
		b.Run(sc.name+"/hand clone unsampled", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				handSpawn(ctx, false)
			}
		})
		b.Run(sc.name+"/Go WithSpan unsampled", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				spawnBatch(ctx, sentrytask.WithSpan("task"))
			}
		})
		done()
	}
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

// BenchmarkInstrument compares Instrument with a raw StartSpan/Finish pair,
// per call.
func BenchmarkInstrument(b *testing.B) {
	ctx, done := traced(b, scopes[0].fill, true)
	defer done()
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

// BenchmarkOrphanDetector measures what the opt-in OrphanDetector adds to
// tasks spawned under a transaction, per batch of 64 tasks.
func BenchmarkOrphanDetector(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []func(*sentry.ClientOptions)
	}{{"Go", []func(*sentry.ClientOptions){withoutDetector}}, {"Go with OrphanDetector", nil}} {
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
