package sentrytask

import "slices"

// An Option configures a task started by Go, a Group or a Pool, or, given
// to NewPool, every task of the pool: WithSpan, or any RunOption. Options
// are interfaces of one method per place they apply, so that one given
// where it cannot apply does not compile: WithSpan is not a RunOption,
// which Instrument and Process take; WithQueueSize is a PoolOption only.
type Option interface {
	applyTask(*config)
	PoolOption
}

// A RunOption configures how a function runs and what is reported of it,
// wherever it runs: in a task (it is an Option), in Instrument, or as the
// processing of a message (it is a ProcessOption). WithDescription,
// WithData, WithCaptureErrors and WithRecoverPanics are RunOptions.
type RunOption interface {
	Option
	ProcessOption
}

// spawnOption is an Option that applies to tasks only.
type spawnOption func(*config)

func (o spawnOption) applyTask(c *config)     { o(c) }
func (o spawnOption) applyPool(p *poolConfig) { o(&p.task) }

// runOption is a RunOption.
type runOption func(*config)

func (o runOption) applyTask(c *config)           { o(c) }
func (o runOption) applyPool(p *poolConfig)       { o(&p.task) }
func (o runOption) applyProcess(p *processConfig) { o(&p.task) }

// config is the resolved form of a list of options.
type config struct {
	span          bool // start a span for the task
	op            string
	description   string
	data          []datum
	captureErrors bool
	recoverPanics bool
	// notRun is called when a Pool completes the task without running it
	// (OnNotRun, for a message of Pool.Process).
	notRun func(error)
}

type datum struct {
	key   string
	value any
}

// noOptions is the configuration of a task started without options. It is
// shared and never modified.
var noOptions config

// with returns c with opts applied on top, without modifying c: c itself
// when there are no options, so that the tasks of a Group or Pool share
// their owner's configuration instead of each carrying a copy. Later
// options win, except WithData, whose entries accumulate. A nil option
// does nothing.
func with[O Option](c *config, opts []O) *config {
	if len(opts) == 0 {
		return c
	}
	d := *c
	// WithData appends; clipping makes it copy instead of writing into c's
	// backing array, which other tasks share.
	d.data = slices.Clip(d.data)
	for _, opt := range opts {
		if Option(opt) != nil {
			opt.applyTask(&d)
		}
	}
	return &d
}

// WithSpan gives each task its own child span with operation op, started
// when the task starts running and finished when it returns, with a status
// derived from its error. Without WithSpan a task starts no span: it runs
// inside the spawner's span, so spans it starts itself are that span's
// children. It does not apply to Instrument, which always starts a span.
//
// When the spawner's span is not sampled, no span is started at all: it
// would never be sent, and sentry-go spends about half a microsecond on
// each unsampled span for nothing. The task then runs inside the unsampled
// parent, which keeps the trace id and the sampling decision for anything
// it propagates downstream.
//
// sentry-go keeps at most ClientOptions.MaxSpans spans per transaction
// (1000 by default, read from the global hub's client only) and drops the
// rest with one debug line: a fan-out of thousands of tasks, each with a
// span, under one transaction loses most of them. Raise MaxSpans on the
// global hub's client, or give such tasks no span of their own; an
// OrphanDetector reports the transactions that hit the limit.
func WithSpan(op string) Option {
	return spawnOption(func(c *config) { c.span, c.op = true, op })
}

// WithDescription sets the description of the task's span. For a span that
// starts a transaction it is also the transaction name.
func WithDescription(d string) RunOption {
	return runOption(func(c *config) { c.description = d })
}

// WithData adds key and value to the task's span data.
func WithData(key string, value any) RunOption {
	return runOption(func(c *config) { c.data = append(c.data, datum{key, value}) })
}

// WithCaptureErrors also sends the error a task returns as a Sentry event,
// through the task's own hub, so that it is linked to the task's span (or
// to the spawner's span when the task has none). Errors that are
// context.Canceled are not sent: cancellation is caused elsewhere, and in a
// group every task but the first failing one would report it. Nor is a
// *PanicError: its panic was reported when it was recovered.
func WithCaptureErrors() RunOption {
	return runOption(func(c *config) { c.captureErrors = true })
}

// WithRecoverPanics turns a panic in a task into a *PanicError returned by
// Task.Wait, after it has been reported to Sentry. Without it a panic is
// reported, its span finished, events flushed (for up to 2 s: the program
// is about to end), and then the panic continues where it happened, as it
// would in a plain goroutine. For Instrument it returns the panic as a
// *PanicError instead of raising it again in the caller.
//
// A panic is reported once, by the innermost task, Instrument or
// Middleware it passes through; the layers further out end their spans
// with an error status and send nothing more, and a *PanicError further
// out carries the first report's EventID.
func WithRecoverPanics() RunOption {
	return runOption(func(c *config) { c.recoverPanics = true })
}

// A PoolOption configures NewPool: WithQueueSize, or any Option, which then
// applies to every task of the pool.
type PoolOption interface {
	applyPool(*poolConfig)
}

type poolConfig struct {
	task      config
	queueSize int // 0: the number of workers
}

type poolOption func(*poolConfig)

func (o poolOption) applyPool(p *poolConfig) { o(p) }

// WithQueueSize sets how many accepted tasks a Pool holds while all its
// workers are busy; Submit blocks, and TrySubmit fails with ErrFull, when
// the queue is full. The default is the number of workers.
func WithQueueSize(n int) PoolOption {
	return poolOption(func(p *poolConfig) { p.queueSize = n })
}
