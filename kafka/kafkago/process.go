package sentrytaskkafkago

import (
	"context"
	"strconv"

	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
)

// An Option configures Process and PoolProcess.
type Option func(*config)

type config struct {
	process     []sentrytask.ProcessOption
	retryHeader string
}

func newConfig(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithProcessOptions applies opts to the processing of the message, as to
// sentrytask.Process: sentrytask.NewTraceAfter starts a new trace for a
// message written long before it is processed, WithCaptureErrors sends a
// failed message's error as an event, OnNotRun (with PoolProcess) says
// when the pool gave up on it.
func WithProcessOptions(opts ...sentrytask.ProcessOption) Option {
	return func(c *config) { c.process = append(c.process, opts...) }
}

// WithRetryHeader names the header in which the caller's retry topics
// carry how many times a message was tried before: a decimal count, which
// becomes the transaction's retry count. A missing or malformed value
// counts as zero. Kafka itself redelivers nothing, so without it every
// message's retry count is zero.
func WithRetryHeader(key string) Option {
	return func(c *config) { c.retryHeader = key }
}

// Process runs handle as the processing of message m, read from a Reader,
// and returns handle's error: in a "queue.process" transaction named after
// m's topic, continuing the trace m's headers carry (sentrytask.Process),
// with a fork of the hub on ctx. The transaction records the topic, the
// value's size, the message's partition and offset as its id (MessageID),
// the retry count (see WithRetryHeader), and the receive latency, from
// the sentry-task-enqueued-time header, else from the message's time. A
// message with no trace headers, or with malformed ones, starts a trace
// of its own. A panic in handle is reported once, on the transaction, and
// raised again unless sentrytask.WithRecoverPanics is among the process
// options.
func Process(ctx context.Context, m kafka.Message, handle func(ctx context.Context, m kafka.Message) error, opts ...Option) error {
	if handle == nil {
		panic("sentrytaskkafkago: Process called with a nil handler")
	}
	c := newConfig(opts)
	return sentrytask.Process(ctx, &headers{hs: m.Headers}, c.message(m), func(ctx context.Context) error {
		return handle(ctx, m)
	}, c.process...)
}

// PoolProcess queues m's processing, as Process does it, on pool
// (sentrytask.Pool.Process) and returns its task: it blocks while the
// pool's queue is full, and returns the pool's refusal (ctx's cause, or
// sentrytask.ErrClosed) if it does not take m. A message the pool takes
// and then gives up on is not run: sentrytask.OnNotRun, among the process
// options, says so. Commit m once its task succeeded.
func PoolProcess(ctx context.Context, pool *sentrytask.Pool, m kafka.Message, handle func(ctx context.Context, m kafka.Message) error, opts ...Option) (*sentrytask.Task, error) {
	if pool == nil || handle == nil {
		panic("sentrytaskkafkago: PoolProcess called with a nil pool or handler")
	}
	c := newConfig(opts)
	return pool.Process(ctx, &headers{hs: m.Headers}, c.message(m), func(ctx context.Context) error {
		return handle(ctx, m)
	}, c.process...)
}

// message describes m for sentrytask.Process.
func (c *config) message(m kafka.Message) sentrytask.Message {
	msg := sentrytask.Message{
		System: system, Destination: m.Topic, ID: MessageID(m), BodySize: len(m.Value), EnqueuedAt: m.Time,
	}
	if c.retryHeader != "" {
		h := &headers{hs: m.Headers}
		if n, err := strconv.Atoi(h.Get(c.retryHeader)); err == nil && n > 0 {
			msg.RetryCount = n
		}
	}
	return msg
}
