package benchmarks

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"golang.org/x/sync/errgroup"
)

// The shapes users write: a batch of 1,000 tasks spawned in a loop, whose
// handles are dropped, joined by a WaitGroup the tasks themselves mark
// done (or by the group's Wait).
const fanOut = 1000

// poolWorkers and poolQueue are the pool every batch benchmark uses: eight
// goroutines reading a channel of 64.
const poolWorkers, poolQueue = 8, 64

// A floor is the least that any API handing back a handle per task pays on
// top of its baseline: a small struct per task, a goroutine (or a pool's
// worker) running a method of it that recovers, a completion word, and
// sentry-go's check for a bound client. Nothing cheaper can offer Wait and
// a recovered panic per task and still be off when Sentry is.
type floorTask struct {
	ctx  context.Context
	fn   func(context.Context) error
	done atomic.Uint32
	err  error
}

func (t *floorTask) run() {
	defer func() {
		if r := recover(); r != nil {
			t.err = fmt.Errorf("panic: %v", r)
		}
		t.done.Store(1)
	}()
	t.err = t.fn(t.ctx)
}

// newFloorTask is a floor's spawn-side work: sentry-go's check for a
// client, and the handle.
func newFloorTask(ctx context.Context, fn func(context.Context) error) *floorTask {
	if sentry.GetHubFromContext(ctx).Client().IsEnabled() {
		panic("the floor is measured with Sentry off")
	}
	return &floorTask{ctx: ctx, fn: fn}
}

// BenchmarkBatch runs the batch shapes: Go, Pool and Group against their
// baselines and floors with Sentry off, and Go with a span under an
// unsampled transaction against the hand-written clone.
func BenchmarkBatch(b *testing.B) {
	off := noClient()
	var wg sync.WaitGroup
	task := func(context.Context) error { wg.Done(); return nil }

	b.Run("Go/no client/go+WaitGroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				go func() { _ = task(off) }()
			}
			wg.Wait()
		}
	})
	b.Run("Go/no client/floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				go newFloorTask(off, task).run()
			}
			wg.Wait()
		}
	})
	b.Run("Go/no client/Go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				sentrytask.Go(off, task)
			}
			wg.Wait()
		}
	})

	b.Run("Pool/no client/channel pool", func(b *testing.B) {
		work := make(chan func(), poolQueue)
		stop := startWorkers(func() {
			for f := range work {
				f()
			}
		})
		defer stop(func() { close(work) })
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				work <- func() { _ = task(off) }
			}
			wg.Wait()
		}
	})
	b.Run("Pool/no client/floor", func(b *testing.B) {
		work := make(chan *floorTask, poolQueue)
		stop := startWorkers(func() {
			for t := range work {
				t.run()
			}
		})
		defer stop(func() { close(work) })
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				work <- newFloorTask(off, task)
			}
			wg.Wait()
		}
	})
	b.Run("Pool/no client/Pool", func(b *testing.B) {
		p := sentrytask.NewPool(poolWorkers, sentrytask.WithQueueSize(poolQueue))
		defer p.Shutdown(context.Background())
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				if _, err := p.Submit(off, task); err != nil {
					b.Fatal(err)
				}
			}
			wg.Wait()
		}
	})

	b.Run("Group/no client/errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, gctx := errgroup.WithContext(off)
			for range fanOut {
				g.Go(func() error { return noop(gctx) })
			}
			_ = g.Wait()
		}
	})
	b.Run("Group/no client/Group", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, _ := sentrytask.NewGroup(off)
			for range fanOut {
				g.Go(noop)
			}
			_ = g.Wait()
		}
	})

	// Under an unsampled transaction a task with WithSpan gets no span: its
	// baseline is the clone and bind that careful sentry-go code does.
	ctx, done := traced(b, scopes[0].fill, false)
	defer done()
	b.Run("WithSpan unsampled/hand clone+bind", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				tctx, hub := handClone(ctx)
				go func() { _ = handTask(tctx, hub, false); wg.Done() }()
			}
			wg.Wait()
		}
	})
	b.Run("WithSpan unsampled/Go WithSpan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			wg.Add(fanOut)
			for range fanOut {
				sentrytask.Go(ctx, task, sentrytask.WithSpan("task"))
			}
			wg.Wait()
		}
	})
}

// startWorkers starts poolWorkers goroutines running work; stop closes what
// feeds them, with close, and waits for them to end.
func startWorkers(work func()) (stop func(close func())) {
	var running sync.WaitGroup
	for range poolWorkers {
		running.Go(work)
	}
	return func(close func()) {
		close()
		running.Wait()
	}
}
