package sentrytask

import "sync/atomic"

// PoolStats is a snapshot of a Pool's counters, each read on its own while
// the pool works, so a task moving between them may be missed by a snapshot
// taken at that moment; none is counted twice. Every accepted task is
// counted in Submitted and ends up in exactly one of Completed, Failed,
// Panicked and NotRun: once the pool is idle, Submitted = Completed +
// Failed + Panicked + NotRun.
type PoolStats struct {
	Running   int64 // tasks running now
	Queued    int64 // accepted tasks waiting for a worker
	Submitted int64 // tasks accepted since the pool was created
	Completed int64 // tasks that ran and returned nil
	Failed    int64 // tasks that ran and returned an error
	Panicked  int64 // tasks that ran and panicked (recovered into a *PanicError)
	Rejected  int64 // Submit and TrySubmit calls that accepted nothing
	NotRun    int64 // accepted tasks completed without running: context done first, or Shutdown gave up
}

// poolStats are a pool's counters. Each worker counts into a shard of its
// own, so that workers never contend for a counter, and Stats adds them up.
// Queued is the queue's length, and Submitted and Running are derived, so
// that a task costs no submitter-side and two worker-side counter updates.
type poolStats struct {
	shards   []workerStats
	rejected atomic.Int64 // by submitters
	drained  atomic.Int64 // tasks Shutdown completes itself
}

type workerStats struct {
	started, notRun, completed, failed, panicked atomic.Int64
}

// count records how a task that ran ended.
func (w *workerStats) count(err error) {
	switch err.(type) {
	case nil:
		w.completed.Add(1)
	case *PanicError:
		w.panicked.Add(1)
	default:
		w.failed.Add(1)
	}
}

// reject counts a submission that accepted nothing, and returns err.
func (s *poolStats) reject(err error) error {
	s.rejected.Add(1)
	return err
}

// snapshot reads the counters, and last the queue's length, from queued.
func (s *poolStats) snapshot(queued func() int) PoolStats {
	// Read against the direction tasks move (finished, then started or not
	// run, then queued): a task that moves on while they are read has
	// already been looked for where it goes, and is missed instead of
	// counted twice. Every counter only grows, so Running, the difference
	// of two of them, is never negative.
	var out PoolStats
	for i := range s.shards {
		w := &s.shards[i]
		out.Completed += w.completed.Load()
		out.Failed += w.failed.Load()
		out.Panicked += w.panicked.Load()
	}
	var started int64
	for i := range s.shards {
		started += s.shards[i].started.Load()
		out.NotRun += s.shards[i].notRun.Load()
	}
	out.NotRun += s.drained.Load()
	out.Queued = int64(queued())
	out.Running = started - out.Completed - out.Failed - out.Panicked
	out.Submitted = out.Queued + started + out.NotRun
	out.Rejected = s.rejected.Load()
	return out
}
