package sentrytaskfranz

import (
	"context"
	"errors"
	"strconv"

	"github.com/sentrytask/sentrytask"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Process runs handle as the processing of record r and returns handle's
// error: in a "queue.process" transaction named after r's topic,
// continuing the trace r's headers carry (sentrytask.Process), with a fork
// of the hub on ctx. The transaction records the topic, the value's size,
// the record's partition and offset as its id (MessageID), the retry
// count (see WithRetryHeader), and the receive latency, from the
// sentry-task-enqueued-time header, else from the record's timestamp. A
// record with no trace headers, or with malformed ones, starts a trace of
// its own. A panic in handle is reported once, on the transaction, and
// raised again unless sentrytask.WithRecoverPanics is among the process
// options.
func Process(ctx context.Context, r *kgo.Record, handle func(ctx context.Context, r *kgo.Record) error, opts ...Option) error {
	if r == nil || handle == nil {
		panic("sentrytaskfranz: Process called with a nil record or handler")
	}
	c := newConfig(opts)
	return sentrytask.Process(ctx, &headers{r: r}, c.message(r), func(ctx context.Context) error {
		return handle(ctx, r)
	}, c.process...)
}

// message describes r for sentrytask.Process.
func (c *config) message(r *kgo.Record) sentrytask.Message {
	m := sentrytask.Message{
		System: system, Destination: r.Topic, ID: MessageID(r), BodySize: len(r.Value), EnqueuedAt: r.Timestamp,
	}
	if c.retryHeader != "" {
		h := &headers{r: r}
		if n, err := strconv.Atoi(h.Get(c.retryHeader)); err == nil && n > 0 {
			m.RetryCount = n
		}
	}
	return m
}

// A RecordError is a record of a poll that did not succeed: the error its
// handler returned, or, with NotRun set, why it was never run (its poll's
// context ended first, or the pool refused it or gave up on it). A record
// that was not run has not been processed: commit it neither as done nor
// as failed.
type RecordError struct {
	Record *kgo.Record
	Err    error
	NotRun bool
}

func (e *RecordError) Error() string {
	what := "failed"
	if e.NotRun {
		what = "was not run"
	}
	return "sentrytaskfranz: record " + e.Record.Topic + " " + MessageID(e.Record) + " " + what + ": " + e.Err.Error()
}

func (e *RecordError) Unwrap() error { return e.Err }

// ProcessFetches processes every record of fetches, as Process does, each
// in its own transaction continuing its own producer's trace: one after
// the other, in the order the poll returned them, or concurrently on
// WithPool's pool. It returns once every record has been processed or
// given up on: nil when all succeeded, else every RecordError, in the
// order of the records, joined (errors.As and errors.Join's Unwrap find
// them). Once ctx ends, records not yet started are not run. The fetches'
// own errors (fetches.Errors) are the caller's to handle.
func ProcessFetches(ctx context.Context, fetches kgo.Fetches, handle func(ctx context.Context, r *kgo.Record) error, opts ...FetchOption) error {
	if handle == nil {
		panic("sentrytaskfranz: ProcessFetches called with a nil handler")
	}
	c := newConfig(opts)
	var records []*kgo.Record
	fetches.EachRecord(func(r *kgo.Record) { records = append(records, r) })
	errs := make([]error, len(records))
	if c.pool == nil {
		for i, r := range records {
			if err := context.Cause(ctx); err != nil {
				errs[i] = &RecordError{Record: r, Err: err, NotRun: true}
				continue
			}
			if err := sentrytask.Process(ctx, &headers{r: r}, c.message(r), func(ctx context.Context) error {
				return handle(ctx, r)
			}, c.process...); err != nil {
				errs[i] = &RecordError{Record: r, Err: err}
			}
		}
		return errors.Join(errs...)
	}
	tasks := make([]*sentrytask.Task, len(records))
	notRun := make([]error, len(records))
	for i, r := range records {
		// Each record's OnNotRun writes only its own slot, before its
		// task is done.
		opts := append(c.process[:len(c.process):len(c.process)], sentrytask.OnNotRun(func(reason error) { notRun[i] = reason }))
		t, err := c.pool.Process(ctx, &headers{r: r}, c.message(r), func(ctx context.Context) error {
			return handle(ctx, r)
		}, opts...)
		if err != nil {
			errs[i] = &RecordError{Record: r, Err: err, NotRun: true}
			continue
		}
		tasks[i] = t
	}
	for i, t := range tasks {
		if t == nil {
			continue
		}
		err := t.Wait()
		switch {
		case notRun[i] != nil:
			errs[i] = &RecordError{Record: records[i], Err: notRun[i], NotRun: true}
		case err != nil:
			errs[i] = &RecordError{Record: records[i], Err: err}
		}
	}
	return errors.Join(errs...)
}
