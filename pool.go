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
	cfg     config
	queue   chan *Task
	closing chan struct{} // closed first, to wake blocked submitters
	aborted atomic.Bool   // set when Shutdown's ctx ends: start nothing more
	idle    chan struct{} // closed when every worker has exited
	workers sync.WaitGroup

	// mu makes closing the queue safe: senders hold it shared while they
	// may send, Shutdown holds it exclusively to close the queue.
	mu     sync.RWMutex
	closed bool

	stats    poolStats
	stopOnce sync.Once
}

// NewPool starts a pool of workers goroutines. Options apply to every task
// (WithSpan gives each its own span, WithRecoverPanics keeps a panicking
// task from ending the program); WithQueueSize sets the queue's capacity.
// NewPool panics if workers < 1 or the queue size is negative.
func NewPool(workers int, opts ...PoolOption) *Pool {
	if workers < 1 {
		panic(fmt.Sprintf("sentrytask: NewPool(%d): a pool needs at least one worker", workers))
	}
	var pc poolConfig
	for _, opt := range opts {
		if opt != nil {
			opt.applyPool(&pc)
		}
	}
	size := pc.queueSize
	if size == 0 {
		size = workers
	}
	if size < 0 {
		panic(fmt.Sprintf("sentrytask: NewPool: negative queue size %d", size))
	}
	p := &Pool{cfg: pc.task, queue: make(chan *Task, size), closing: make(chan struct{}), idle: make(chan struct{})}
	p.stats.shards = make([]workerStats, workers)
	p.workers.Add(workers)
	for i := range workers {
		go p.work(&p.stats.shards[i])
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
	mustContext(ctx, "Pool.Submit")
	mustFunc(fn == nil, "Pool.Submit")
	return p.submit(ctx, fn, with(&p.cfg, opts), true)
}

// TrySubmit is Submit without blocking: it returns ErrFull when the queue is
// full.
func (p *Pool) TrySubmit(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) (*Task, error) {
	mustContext(ctx, "Pool.TrySubmit")
	mustFunc(fn == nil, "Pool.TrySubmit")
	return p.submit(ctx, fn, with(&p.cfg, opts), false)
}

// Process is Submit for a message: it queues handle to run on a worker as
// the processing of message m, which arrived with the headers c carries,
// as Process runs it in the caller (its "queue.process" transaction
// continuing the producer's trace, the message's data, its status, its
// panics), and returns its Task. The transaction starts when a worker takes
// the message, so that its receive latency counts the time it waited in
// the pool's queue, and c is read then: it must not change meanwhile. The
// pool's options apply to the handler as to its other tasks: the span
// WithSpan gives them starts below the transaction, in the producer's
// trace.
//
// Like Submit, Process blocks while the queue is full, and returns ctx's
// cause if ctx ends first, or ErrClosed once the pool is shut down: the
// message is refused. A message the pool accepts and then gives up on
// (its context ended while it was queued, or Shutdown gave up) is not run
// either: OnNotRun says so, so that its engine can deliver it again.
func (p *Pool) Process(ctx context.Context, c Carrier, m Message, handle func(ctx context.Context) error, opts ...ProcessOption) (*Task, error) {
	mustContext(ctx, "Pool.Process")
	mustCarrier(c, "Pool.Process")
	mustFunc(handle == nil, "Pool.Process")
	pc := newProcessConfig(opts)
	run := p.cfg
	run.captureErrors = run.captureErrors || pc.task.captureErrors
	run.recoverPanics = run.recoverPanics || pc.task.recoverPanics
	// The task starts no span of its own: the processing starts the
	// pool's, below its transaction.
	task := &config{recoverPanics: run.recoverPanics, notRun: pc.notRun}
	return p.submit(ctx, func(ctx context.Context) error {
		return process(ctx, c, m, handle, &pc, &run, onWorker)
	}, task, true)
}

func (p *Pool) submit(ctx context.Context, fn func(context.Context) error, cfg *config, block bool) (*Task, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return nil, p.stats.reject(ErrClosed)
	}
	if ctx.Err() != nil {
		return nil, p.stats.reject(context.Cause(ctx))
	}
	t := &Task{job: job{where: onWorker}}
	t.job.capture(ctx, HubFromContext(ctx), fn, cfg)
	// The non-blocking send is the common case and much cheaper than a
	// three-way select.
	select {
	case p.queue <- t:
		return t, nil
	default:
	}
	if !block {
		t.job.release()
		return nil, p.stats.reject(ErrFull)
	}
	select {
	case p.queue <- t:
		return t, nil
	case <-ctx.Done():
		t.job.release()
		return nil, p.stats.reject(context.Cause(ctx))
	case <-p.closing:
		t.job.release()
		return nil, p.stats.reject(ErrClosed)
	}
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
	mustContext(ctx, "Pool.Shutdown")
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
		p.stats.drained.Add(1)
		t.skip(ErrClosed)
	}
	return ctx.Err()
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() PoolStats {
	return p.stats.snapshot(func() int { return len(p.queue) })
}

// work is a worker: it runs tasks from the queue until it is closed.
func (p *Pool) work(w *workerStats) {
	var current *Task
	defer func() {
		if current == nil {
			p.workers.Done()
			return
		}
		// The task took this goroutine with it.
		switch current.job.ending {
		case exited:
			// runtime.Goexit (t.FailNow in a test, say): complete the
			// task, and keep the pool at its size with a new worker in
			// this one's place.
			w.count(errGoexit)
			current.complete(errGoexit)
			go p.work(w)
		case running:
			// A panic that goes on is ending the program: leave
			// everything as it is.
		}
	}()
	for t := range p.queue {
		if !p.start(t, w) {
			continue
		}
		current = t
		err := t.job.run(t.job.cfg.span, t.job.cfg.op)
		current = nil
		// Counted before the task completes, so that whoever waits on it
		// sees it in Stats.
		w.count(err)
		t.complete(err)
	}
}

// start reports whether a worker may run t, which it has taken off the
// queue, and completes t as not run if not: Shutdown has given up, or t's
// context ended while it was queued.
func (p *Pool) start(t *Task, w *workerStats) bool {
	var err error
	switch {
	case p.aborted.Load():
		err = ErrClosed
	case t.job.ctx.Err() != nil:
		err = context.Cause(t.job.ctx)
	default:
		w.started.Add(1)
		return true
	}
	w.notRun.Add(1)
	t.skip(err)
	return false
}
