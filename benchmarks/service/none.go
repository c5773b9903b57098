package service

import (
	"context"
	"net/http"

	"golang.org/x/sync/errgroup"
)

// newNone is the service with no Sentry: errgroup, a channel pool, the
// default transport, a plain publish.
func newNone(downstream string, q Queue) *Service {
	jobs := make(chan func(), 64)
	for range poolSize {
		go func() {
			for job := range jobs {
				job()
			}
		}()
	}
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		g, gctx := errgroup.WithContext(ctx)
		for i := range FanOut {
			g.Go(func() error { return checkCtx(gctx, i) })
		}
		rendered := make(chan error, 1)
		jobs <- func() { rendered <- render() }
		err := g.Wait()
		if rerr := <-rendered; err == nil {
			err = rerr
		}
		if err == nil {
			err = call(ctx, client, downstream)
		}
		if err == nil {
			q <- map[string]string{}
		}
		answer(w, err)
	})
	return &Service{Handler: h, close: func() { close(jobs); client.CloseIdleConnections() }}
}

func checkCtx(_ context.Context, i int) error { return check(i) }
