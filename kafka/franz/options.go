package sentrytaskfranz

import (
	"github.com/sentrytask/sentrytask"
)

// A FetchOption configures ProcessFetches. WithPool is one: it has no
// meaning for a single record, so Process does not take it.
type FetchOption interface {
	applyFetch(*config)
}

// An Option configures Process and ProcessFetches.
type Option interface {
	FetchOption
	apply(*config)
}

type config struct {
	pool        *sentrytask.Pool
	process     []sentrytask.ProcessOption
	retryHeader string
}

type option func(*config)

func (o option) apply(c *config)      { o(c) }
func (o option) applyFetch(c *config) { o(c) }

type fetchOption func(*config)

func (o fetchOption) applyFetch(c *config) { o(c) }

func newConfig[O FetchOption](opts []O) *config {
	c := &config{}
	for _, o := range opts {
		if any(o) != nil {
			o.applyFetch(c)
		}
	}
	return c
}

// WithPool processes the records of a poll concurrently, each as a task of
// p (sentrytask.Pool.Process), at most p's workers at a time; the caller
// waits while p's queue is full, and ProcessFetches returns once every
// record has run or been given up on. p's options apply to every record's
// task: a span sentrytask.WithSpan gives them sits below the record's
// transaction. Records of one partition may then finish out of order.
func WithPool(p *sentrytask.Pool) FetchOption {
	return fetchOption(func(c *config) { c.pool = p })
}

// WithProcessOptions applies opts to the processing of every record, as
// to sentrytask.Process: sentrytask.NewTraceAfter starts a new trace for a
// record produced long before it is processed, WithCaptureErrors sends a
// failed record's error as an event.
func WithProcessOptions(opts ...sentrytask.ProcessOption) Option {
	return option(func(c *config) { c.process = append(c.process, opts...) })
}

// WithRetryHeader names the header in which the caller's retry topics
// carry how many times a record was tried before: a decimal count, which
// becomes the transaction's retry count. A missing or malformed value
// counts as zero. Kafka itself redelivers nothing, so without it every
// record's retry count is zero.
func WithRetryHeader(key string) Option {
	return option(func(c *config) { c.retryHeader = key })
}
