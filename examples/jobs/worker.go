package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// runWorker is the worker process: it fulfils the shop's orders from the
// queue until every one is done, then writes what it recorded to out for
// the shop to check.
func runWorker(out io.Writer, s settings) error {
	rec := recorder(s.dsn)
	if err := sentry.Init(options("shop-worker", s.dsn, rec)); err != nil {
		return err
	}
	q, err := connectQueue(s.engine, s.queueAddr)
	if err != nil {
		return err
	}
	defer q.close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The worker's hub is the global one, which sentry.Init set up: each
	// job runs with a fork of it.
	err = q.work(ctx, s.orders, func(ctx context.Context, o order) error {
		return fulfil(ctx, s.inventoryURL, o)
	})
	if err != nil {
		return err
	}
	return handOver(out, rec)
}

// handOver ends a worker process: it sends what the process recorded to
// Sentry, or, with no DSN, writes it to out for the process that started
// it to check.
func handOver(out io.Writer, rec *sentrytasktest.Recorder) error {
	if !sentry.Flush(5 * time.Second) {
		return errors.New("timed out sending events to Sentry")
	}
	if rec == nil {
		return sent.Err()
	}
	return sentrytasktest.WriteJSON(out, rec.Events())
}
