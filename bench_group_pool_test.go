package sentrytask_test

import (
	"context"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"golang.org/x/sync/errgroup"
)

// BenchmarkGroup compares a Group of 64 tasks with errgroup, without a client
// and with a client and a sampled span per task written by hand.
func BenchmarkGroup(b *testing.B) {
	disabled := sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
	b.Run("errgroup no client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, ctx := errgroup.WithContext(disabled)
			for range batch {
				g.Go(func() error { return noop(ctx) })
			}
			_ = g.Wait()
		}
	})
	b.Run("Group no client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, _ := sentrytask.NewGroup(disabled)
			for range batch {
				g.Go(noop)
			}
			_ = g.Wait()
		}
	})

	ctx, done := sampledContext(b)
	defer done()
	b.Run("errgroup hand-written clone+span", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, gctx := errgroup.WithContext(ctx)
			for range batch {
				tctx, hub := handClone(gctx)
				g.Go(func() error { return handWrittenSpan(tctx, hub) })
			}
			_ = g.Wait()
		}
	})
	b.Run("Group WithSpan sampled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("task"))
			for range batch {
				g.Go(noop)
			}
			_ = g.Wait()
		}
	})
}

// BenchmarkPool compares a Pool with a bare channel-fed worker pool, both
// long-lived with 2 workers, submitting 64 tasks and waiting for them.
func BenchmarkPool(b *testing.B) {
	disabled := sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
	b.Run("bare channel pool no client", func(b *testing.B) {
		work, stop := barePool()
		defer stop()
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(batch)
			for range batch {
				work <- func() { _ = noop(disabled); wg.Done() }
			}
			wg.Wait()
		}
	})
	// The same pool handing back a per-task done channel, as Submit hands
	// back a Task: the submitter then reads every task's completion, which a
	// worker on another core wrote.
	b.Run("bare channel pool+chan no client", func(b *testing.B) {
		work, stop := barePool()
		defer stop()
		b.ReportAllocs()
		for b.Loop() {
			var done [batch]chan struct{}
			for i := range done {
				d := make(chan struct{})
				done[i] = d
				work <- func() { _ = noop(disabled); close(d) }
			}
			for _, d := range done {
				<-d
			}
		}
	})
	b.Run("Pool no client", func(b *testing.B) {
		p := sentrytask.NewPool(2, sentrytask.WithQueueSize(batch))
		defer p.Shutdown(context.Background())
		b.ReportAllocs()
		for b.Loop() {
			submitBatch(b, p, disabled)
		}
	})

	ctx, done := sampledContext(b)
	defer done()
	b.Run("bare channel pool hand-written clone+span", func(b *testing.B) {
		work, stop := barePool()
		defer stop()
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(batch)
			for range batch {
				tctx, hub := handClone(ctx)
				work <- func() { _ = handWrittenSpan(tctx, hub); wg.Done() }
			}
			wg.Wait()
		}
	})
	b.Run("Pool WithSpan sampled", func(b *testing.B) {
		p := sentrytask.NewPool(2, sentrytask.WithQueueSize(batch), sentrytask.WithSpan("task"))
		defer p.Shutdown(context.Background())
		b.ReportAllocs()
		for b.Loop() {
			submitBatch(b, p, ctx)
		}
	})
}

// barePool starts two workers running whatever is sent on work, the
// simplest pool there is; stop ends them.
func barePool() (work chan func(), stop func()) {
	work = make(chan func(), batch)
	var workers sync.WaitGroup
	for range 2 {
		workers.Go(func() {
			for f := range work {
				f()
			}
		})
	}
	return work, func() {
		close(work)
		workers.Wait()
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

// sampledContext returns a context with a client and a sampled transaction
// that is never finished, so nothing is sent.
func sampledContext(b *testing.B) (context.Context, func()) {
	client, _, err := sentrytasktest.NewClient(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	return sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "bench").Context(), client.Close
}

// handWrittenSpan is a task's body as careful sentry-go code writes it: a
// span with a status, and panics reported through the task's hub.
func handWrittenSpan(ctx context.Context, hub *sentry.Hub) error {
	defer func() {
		if r := recover(); r != nil {
			hub.RecoverWithContext(ctx, r)
			panic(r)
		}
	}()
	s := sentry.StartSpan(ctx, "task")
	err := noop(s.Context())
	s.Status = sentry.SpanStatusOK
	if err != nil {
		s.Status = sentry.SpanStatusInternalError
	}
	s.Finish()
	return err
}
