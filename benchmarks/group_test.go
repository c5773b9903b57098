package benchmarks

import (
	"context"
	"testing"

	"github.com/sentrytask/sentrytask"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// BenchmarkGroup runs batches of 64 tasks in a Group, an errgroup and a conc
// context pool when Sentry is off, and in a Group and an errgroup written by
// hand with sentry-go, a sampled span per task, when it is on.
func BenchmarkGroup(b *testing.B) {
	off := noClient()
	b.Run("no client/errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, ctx := errgroup.WithContext(off)
			for range batch {
				g.Go(func() error { return noop(ctx) })
			}
			_ = g.Wait()
		}
	})
	b.Run("no client/conc ContextPool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := pool.New().WithContext(off).WithCancelOnError()
			for range batch {
				p.Go(noop)
			}
			_ = p.Wait()
		}
	})
	b.Run("no client/Group", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			groupBatch(off)
		}
	})

	for _, sc := range scopes {
		ctx, done := traced(b, sc.fill, true)
		b.Run(sc.name+"/errgroup hand clone+span", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g, gctx := errgroup.WithContext(ctx)
				for range batch {
					tctx, hub := handClone(gctx)
					g.Go(func() error { return handTask(tctx, hub, true) })
				}
				_ = g.Wait()
			}
		})
		b.Run(sc.name+"/Group WithSpan", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				groupBatch(ctx, sentrytask.WithSpan("task"))
			}
		})
		done()
	}
}

func groupBatch(ctx context.Context, opts ...sentrytask.Option) {
	g, _ := sentrytask.NewGroup(ctx, opts...)
	for range batch {
		g.Go(noop)
	}
	_ = g.Wait()
}
