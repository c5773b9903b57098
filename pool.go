package sentrytask

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// A Pool runs submitted functions on a fixed set of long-lived worker
// goroutines, for servers that bound their background work. Each submission
// carries the submitter's trace, captured in Submit: a worker never carries
// one task's hub, span, tags or breadcrumbs into the next, and a pool built
// before any trace existed serves every trace that submits to it.
//
// A task's context keeps the submitter's values and cancellation: a task
// whose context is done by the time a worker picks it up does not run, and
// its Task reports the context's cause. Submit with Detach(ctx) for work
// that must run even if the submitter gives up.
//
// Every accepted task either runs exactly once or completes without running
// with an error saying why (its context's cause, or ErrClosed).
type Pool struct {
	// Read by everyone, written once.
	cfg     config
	queue   chan *Task
	closing chan struct{} // closed first, to wake blocked submitters
	aborted atomic.Bool   // set when Shutdown's ctx ends: start nothing more
	idle    chan struct{} // closed when every worker has exited
	workers sync.WaitGroup
	_       [64]byte

	// Written by submitters. The padding around it keeps every Submit from
	// invalidating the cache line workers read on every task.
	//
	// mu makes closing the queue safe: senders hold it shared while they
	// may send, Shutdown holds it exclusively to close the queue.
	mu       sync.RWMutex
	closed   bool
	rejected atomic.Int64
	_        [64]byte

	// Each worker counts into its own shard, on its own cache lines, so that
	// workers never contend for a counter; Stats adds them up. Queued is the
	// queue's length, and Submitted and Running are derived, so that a task
	// costs no submitter-side and two worker-side counter updates. drained
	// counts what Shutdown completes itself.
	shards  []workerStats
	drained atomic.Int64

	stopOnce sync.Once
}

type workerStats struct {
	started, notRun, completed, failed, panicked atomic.Int64
	_                                            [88]byte // to 128 bytes: no two shards share a cache line
}

// PoolStats is a snapshot of a Pool's counters, each read on its own while
// the pool works, so a task moving between them may be missed by a snapshot
// taken at that moment. Every accepted task is counted in Submitted and ends
// up in exactly one of Completed, Failed, Panicked and NotRun: once the pool
// is idle, Submitted = Completed + Failed + Panicked + NotRun.
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

// NewPool starts a pool of workers goroutines. Options apply to every task
// (WithSpan gives each its own span, WithRecoverPanics keeps a panicking
// task from ending the program); WithQueueSize sets the queue's capacity.
// NewPool panics if workers < 1 or the queue size is negative.
func NewPool(workers int, opts ...Option) *Pool {
	if workers < 1 {
		panic(fmt.Sprintf("sentrytask: NewPool(%d): a pool needs at least one worker", workers))
	}
	p := &Pool{closing: make(chan struct{}), idle: make(chan struct{})}
	p.cfg.apply(opts)
	size := p.cfg.queueSize
	if size == 0 {
		size = workers
	}
	if size < 0 {
		panic(fmt.Sprintf("sentrytask: NewPool: negative queue size %d", size))
	}
	p.queue = make(chan *Task, size)
	p.shards = make([]workerStats, workers)
	p.workers.Add(workers)
	for i := range workers {
		go p.work(&p.shards[i])
	}
	go func() {
		p.workers.Wait()
		close(p.idle)
	}()
	return p
}

// Submit queues fn to run on a worker with the trace on ctx, captured now,
// and returns its Task. It blocks while the queue is full, until there is
// room, ctx is done (it returns ctx's cause) or the pool is shut down
// (ErrClosed). Per-task options add to the pool's.
func (p *Pool) Submit(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) (*Task, error) {
	return p.submit(ctx, fn, opts, true)
}

// TrySubmit is Submit without blocking: it returns ErrFull when the queue is
// full.
func (p *Pool) TrySubmit(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) (*Task, error) {
	return p.submit(ctx, fn, opts, false)
}

func (p *Pool) submit(ctx context.Context, fn func(context.Context) error, opts []Option, block bool) (*Task, error) {
	if fn == nil {
		return nil, p.reject(ErrNilFunc)
	}
	if ctx == nil {
		panic("sentrytask: Pool.Submit called with a nil context")
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return nil, p.reject(ErrClosed)
	}
	if ctx.Err() != nil {
		return nil, p.reject(context.Cause(ctx))
	}
	t := &Task{job: job{cfg: p.cfg.with(opts)}}
	t.job.capture(ctx, fn)
	// The non-blocking send is the common case and much cheaper than a
	// three-way select.
	select {
	case p.queue <- t:
	default:
		if !block {
			return nil, p.rejectCaptured(t, ErrFull)
		}
		select {
		case p.queue <- t:
		case <-ctx.Done():
			return nil, p.rejectCaptured(t, context.Cause(ctx))
		case <-p.closing:
			return nil, p.rejectCaptured(t, ErrClosed)
		}
	}
	return t, nil
}

func (p *Pool) reject(err error) error {
	p.rejected.Add(1)
	return err
}

// rejectCaptured rejects a task that was captured but not accepted.
func (p *Pool) rejectCaptured(t *Task, err error) error {
	t.job.watch.leave()
	return p.reject(err)
}

// Shutdown stops the pool accepting tasks (Submit and TrySubmit return
// ErrClosed from now on), runs every task already accepted, and waits for
// the workers to finish. Shutdown may be called more than once.
//
// If ctx ends first, Shutdown gives up: it returns ctx's error without
// waiting for the tasks running, and every task still in the queue
// completes with ErrClosed without running; when Shutdown returns, the
// queue is empty. A task that a worker had already taken off the queue when
// Shutdown gave up is committed, as one running is: it runs, and it may
// begin after Shutdown has returned. A worker holds at most one such task,
// so at most one per worker begins late. (Making Shutdown wait for them to
// begin would cost every task a lock, for a window of nanoseconds.)
func (p *Pool) Shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() {
		close(p.closing)
		p.mu.Lock()
		p.closed = true
		close(p.queue)
		p.mu.Unlock()
	})
	select {
	case <-p.idle:
		return nil
	case <-ctx.Done():
		select {
		case <-p.idle: // both were ready: the work is done
			return nil
		default:
		}
	}
	p.aborted.Store(true)
	// Workers finish their current task and then, like this loop, complete
	// whatever they take from the queue without running it.
	for t := range p.queue {
		p.drained.Add(1)
		skip(t, ErrClosed)
	}
	return ctx.Err()
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() PoolStats {
	// Read against the direction tasks move (finished, then started or not
	// run, then queued): a task that moves on while they are read has
	// already been looked for where it goes, and is missed instead of
	// counted twice. Every counter only grows, so Running, the difference
	// of two of them, is never negative.
	var s PoolStats
	for i := range p.shards {
		w := &p.shards[i]
		s.Completed += w.completed.Load()
		s.Failed += w.failed.Load()
		s.Panicked += w.panicked.Load()
	}
	var started int64
	for i := range p.shards {
		started += p.shards[i].started.Load()
		s.NotRun += p.shards[i].notRun.Load()
	}
	s.NotRun += p.drained.Load()
	s.Queued = int64(len(p.queue))
	s.Running = started - s.Completed - s.Failed - s.Panicked
	s.Submitted = s.Queued + started + s.NotRun
	s.Rejected = p.rejected.Load()
	return s
}

func (p *Pool) work(w *workerStats) {
	defer p.workers.Done()
	exited := true
	var current *Task
	defer func() {
		if exited && !current.job.repanicking {
			// A task called runtime.Goexit and took this goroutine with it;
			// keep the pool at its size.
			p.workers.Add(1)
			go p.work(w)
		}
	}()
	for t := range p.queue {
		current = t
		p.runTask(t, w)
	}
	exited = false
}

func (p *Pool) runTask(t *Task, w *workerStats) {
	if p.aborted.Load() {
		w.notRun.Add(1)
		skip(t, ErrClosed)
		return
	}
	if err := t.job.ctx.Err(); err != nil {
		w.notRun.Add(1)
		skip(t, context.Cause(t.job.ctx))
		return
	}
	w.started.Add(1)
	t.run(w)
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

// skip completes an accepted task that will not run.
func skip(t *Task, err error) {
	t.job.watch.leave()
	t.setErr(err)
	t.complete()
}
