package sentrytask_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sentrytask/sentrytask"
)

// TestStatsNeverCountATaskTwice takes snapshots while tasks pour through a
// pool: a task moving from the queue to a worker while a snapshot is taken
// may be missed by it, but never counted in two places, so no snapshot may
// show more submitted tasks than Submit had been called for.
func TestStatsNeverCountATaskTwice(t *testing.T) {
	t.Parallel()
	const submitters, perSubmitter = 2, 50_000
	p := sentrytask.NewPool(4, sentrytask.WithQueueSize(256))
	ctx := noClient()
	var calls atomic.Int64
	var wg sync.WaitGroup
	for range submitters {
		wg.Go(func() {
			for range perSubmitter {
				calls.Add(1)
				if _, err := p.Submit(ctx, noop); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	snapshots, worst := 0, int64(0)
	for finished := false; !finished; snapshots++ {
		select {
		case <-done:
			finished = true
		default:
		}
		s := p.Stats()
		n := calls.Load()
		ended := s.Completed + s.Failed + s.Panicked + s.NotRun
		if s.Submitted > n || s.Running < 0 || ended+s.Running+s.Queued > s.Submitted {
			worst = max(worst, s.Submitted-n)
			if worst == s.Submitted-n {
				t.Errorf("snapshot %d = %+v with %d Submit calls so far: a task counted twice", snapshots, s, n)
			}
		}
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Submitted != submitters*perSubmitter || s.Completed != s.Submitted {
		t.Errorf("after Shutdown Stats() = %+v; want %d submitted and completed", s, submitters*perSubmitter)
	}
	t.Logf("%d snapshots", snapshots)
}
