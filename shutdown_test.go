package sentrytask_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/sentrytask/sentrytask"
)

// TestAnExpiredShutdownLetsEachWorkerStartAtMostTheTaskItHolds pins down
// what Shutdown's giving up means for a task a worker has already taken off
// the queue: it is committed and runs, possibly after Shutdown has returned,
// but each worker holds at most one, and nothing left in the queue ever
// runs. When Shutdown returns, the queue is empty.
func TestAnExpiredShutdownLetsEachWorkerStartAtMostTheTaskItHolds(t *testing.T) {
	t.Parallel()
	const workers, queue, rounds = 4, 256, 200
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := noClient()
	worst, gaveUp := 0, 0
	for range rounds {
		p := sentrytask.NewPool(workers, sentrytask.WithQueueSize(queue))
		var returned atomic.Bool
		var ran, late atomic.Int64
		task := func(context.Context) error {
			if returned.Load() {
				late.Add(1)
			}
			ran.Add(1)
			// Keep the workers busy while Shutdown gives up.
			runtime.Gosched()
			return nil
		}
		var accepted []*sentrytask.Task
		for range queue + workers {
			if tk, err := p.TrySubmit(ctx, task); err == nil {
				accepted = append(accepted, tk)
			}
		}
		err := p.Shutdown(expired)
		returned.Store(true)
		queued := p.Stats().Queued
		if err == nil {
			// Every task had run already: nothing to give up on.
			continue
		}
		gaveUp++
		if queued != 0 {
			t.Fatalf("Stats().Queued = %d when an expired Shutdown returned; want 0", queued)
		}
		notRun := int64(0)
		for _, tk := range accepted {
			switch err := tk.Wait(); err {
			case nil:
			case sentrytask.ErrClosed:
				notRun++
			default:
				t.Fatalf("accepted task: Wait() = %v; want nil or ErrClosed", err)
			}
		}
		if err := p.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := late.Load(); n > workers {
			t.Fatalf("%d tasks began after an expired Shutdown returned; want at most one per worker (%d)", n, workers)
		}
		worst = max(worst, int(late.Load()))
		if got := ran.Load() + notRun; got != int64(len(accepted)) {
			t.Fatalf("%d tasks ran and %d did not, of %d accepted; want each accounted for once", ran.Load(), notRun, len(accepted))
		}
	}
	if gaveUp == 0 {
		t.Fatalf("Shutdown never gave up with tasks queued in %d rounds: the test shows nothing", rounds)
	}
	t.Logf("Shutdown gave up in %d of %d rounds; at most %d tasks began after it returned", gaveUp, rounds, worst)
}
