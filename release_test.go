package sentrytask_test

import (
	"context"
	"runtime"
	"testing"
	"weak"

	"github.com/sentrytask/sentrytask"
)

// collected reports whether every buffer has been garbage collected, after
// a few collections.
func collected(bufs []weak.Pointer[[]byte]) bool {
	for range 5 {
		runtime.GC()
		all := true
		for _, b := range bufs {
			all = all && b.Value() == nil
		}
		if all {
			return true
		}
	}
	return false
}

// TestAFinishedTaskReleasesItsClosure keeps the handles of finished tasks,
// spawned under a transaction on a client with an OrphanDetector, whose
// closures hold large buffers: neither a kept handle nor its neighbours in
// the detector's list may keep a closure alive.
func TestAFinishedTaskReleasesItsClosure(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	defer tx.Finish()
	pool := sentrytask.NewPool(2)
	defer pool.Shutdown(context.Background())

	var bufs []weak.Pointer[[]byte]
	var kept []*sentrytask.Task
	task := func() func(context.Context) error {
		buf := make([]byte, 1<<20)
		bufs = append(bufs, weak.Make(&buf))
		return func(context.Context) error { buf[0]++; return nil }
	}
	// Three running at once, so that each has neighbours in the
	// transaction's list while it runs; only the middle one's handle is
	// kept, as a caller keeping some handles would.
	for range 3 {
		release := make(chan struct{})
		started := make(chan struct{}, 3)
		spawn := func(fn func(context.Context) error) func(context.Context) error {
			return func(ctx context.Context) error {
				started <- struct{}{}
				<-release
				return fn(ctx)
			}
		}
		a := sentrytask.Go(ctx, spawn(task()))
		b, err := pool.Submit(ctx, spawn(task()))
		if err != nil {
			t.Fatal(err)
		}
		g, gctx := sentrytask.NewGroup(ctx)
		g.Go(spawn(task()))
		_ = gctx
		for range 3 {
			<-started
		}
		close(release)
		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}
		for _, tk := range []*sentrytask.Task{a, b} {
			if err := tk.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		kept = append(kept, b)
	}
	if !collected(bufs) {
		t.Errorf("closures of finished tasks are still reachable while %d Task handles are kept", len(kept))
	}
	runtime.KeepAlive(kept)
}
