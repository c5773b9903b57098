package benchmarks

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	"github.com/sentrytask/sentrytask"
	"github.com/sourcegraph/conc/pool"
)

// BenchmarkPool submits batches of 64 tiny tasks to long-lived pools of 2
// workers and waits for them: a bare channel-fed pool, ants, pond, conc
// (whose pools live for one batch) and Pool when Sentry is off; a bare pool
// with hand-written sentry-go code and Pool, a sampled span per task, when
// it is on.
func BenchmarkPool(b *testing.B) {
	off := noClient()
	b.Run("no client/channel pool", func(b *testing.B) {
		work, stop := channelPool()
		defer stop()
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(batch)
			for range batch {
				work <- func() { _ = noop(off); wg.Done() }
			}
			wg.Wait()
		}
	})
	b.Run("no client/ants", func(b *testing.B) {
		p, err := ants.NewPool(workers)
		if err != nil {
			b.Fatal(err)
		}
		defer p.ReleaseTimeout(time.Minute)
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(batch)
			for range batch {
				if err := p.Submit(func() { _ = noop(off); wg.Done() }); err != nil {
					b.Fatal(err)
				}
			}
			wg.Wait()
		}
	})
	b.Run("no client/pond", func(b *testing.B) {
		p := pond.NewPool(workers)
		defer p.StopAndWait()
		b.ReportAllocs()
		for b.Loop() {
			var tasks [batch]pond.Task
			for i := range tasks {
				tasks[i] = p.Submit(func() { _ = noop(off) })
			}
			for _, t := range tasks {
				_ = t.Wait()
			}
		}
	})
	b.Run("no client/conc pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := pool.New().WithMaxGoroutines(workers)
			for range batch {
				p.Go(func() { _ = noop(off) })
			}
			p.Wait()
		}
	})
	b.Run("no client/Pool", func(b *testing.B) {
		p := sentrytask.NewPool(workers, sentrytask.WithQueueSize(batch))
		defer p.Shutdown(context.Background())
		b.ReportAllocs()
		for b.Loop() {
			submitBatch(b, p, off)
		}
	})

	for _, sc := range scopes {
		ctx, done := traced(b, sc.fill, true)
		b.Run(sc.name+"/channel pool hand clone+span", func(b *testing.B) {
			work, stop := channelPool()
			defer stop()
			b.ReportAllocs()
			for b.Loop() {
				var wg sync.WaitGroup
				wg.Add(batch)
				for range batch {
					tctx, hub := handClone(ctx)
					work <- func() { _ = handTask(tctx, hub, true); wg.Done() }
				}
				wg.Wait()
			}
		})
		b.Run(sc.name+"/Pool WithSpan", func(b *testing.B) {
			p := sentrytask.NewPool(workers, sentrytask.WithQueueSize(batch), sentrytask.WithSpan("task"))
			defer p.Shutdown(context.Background())
			b.ReportAllocs()
			for b.Loop() {
				submitBatch(b, p, ctx)
			}
		})
		done()
	}
}

// channelPool starts workers running whatever is sent on work, the simplest
// pool there is; stop ends them.
func channelPool() (work chan func(), stop func()) {
	work = make(chan func(), batch)
	var running sync.WaitGroup
	for range workers {
		running.Go(func() {
			for f := range work {
				f()
			}
		})
	}
	return work, func() {
		close(work)
		running.Wait()
	}
}

func submitBatch(b *testing.B, p *sentrytask.Pool, ctx context.Context) {
	var tasks [batch]*sentrytask.Task
	for i := range tasks {
		t, err := p.Submit(ctx, noop)
		if err != nil {
			b.Fatal(err)
		}
		tasks[i] = t
	}
	for _, t := range tasks {
		_ = t.Wait()
	}
}
