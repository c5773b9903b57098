package service

import (
	"context"
	"net/http"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"golang.org/x/sync/errgroup"
)

// newHand is the service as careful hand-written sentry-go code builds it:
// sentry-go's own HTTP handler and round tripper, and for every goroutine
// a clone of the hub bound to the task's span, each task in a span of its
// own with a status, a panic reported through the task's hub; a publish
// span with the trace in the message's headers.
func newHand(downstream string, q Queue) *Service {
	type job struct {
		ctx  context.Context
		hub  *sentry.Hub
		done chan error
	}
	jobs := make(chan job, 64)
	for range poolSize {
		go func() {
			for j := range jobs {
				j.done <- handSpan(j.ctx, j.hub, "render", func() error { return render() })
			}
		}()
	}
	client := &http.Client{Transport: sentryhttpclient.NewSentryRoundTripper(http.DefaultTransport.(*http.Transport).Clone())}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		g, gctx := errgroup.WithContext(ctx)
		for i := range FanOut {
			tctx, hub := clone(gctx)
			g.Go(func() error { return handSpan(tctx, hub, "item.check", func() error { return check(i) }) })
		}
		jctx, jhub := clone(ctx)
		done := make(chan error, 1)
		jobs <- job{jctx, jhub, done}
		err := g.Wait()
		if rerr := <-done; err == nil {
			err = rerr
		}
		if err == nil {
			err = call(ctx, client, downstream)
		}
		if err == nil {
			span := sentry.StartSpan(ctx, "queue.publish", sentry.WithDescription("orders"))
			span.SetData("messaging.system", "channel")
			span.SetData("messaging.destination.name", "orders")
			q <- map[string]string{"sentry-trace": span.ToSentryTrace(), "baggage": span.ToBaggage()}
			span.Status = sentry.SpanStatusOK
			span.Finish()
		}
		answer(w, err)
	})
	return &Service{Handler: sentryhttp.New(sentryhttp.Options{Repanic: true}).Handle(h), close: func() {
		close(jobs)
		client.CloseIdleConnections()
	}}
}

// clone is a goroutine's hub: a clone of the one on ctx, bound to the span
// on ctx, as sentry-go's documentation says to do for every goroutine.
func clone(ctx context.Context) (context.Context, *sentry.Hub) {
	hub := hubOf(ctx).Clone()
	hub.Scope().SetSpan(sentry.SpanFromContext(ctx))
	return sentry.SetHubOnContext(ctx, hub), hub
}

// hubOf is the hub on ctx, else the global one.
func hubOf(ctx context.Context) *sentry.Hub {
	if hub := sentry.GetHubFromContext(ctx); hub != nil {
		return hub
	}
	return sentry.CurrentHub()
}

// handSpan runs f in a span op, below the span on ctx, with a status, a
// panic reported through hub.
func handSpan(ctx context.Context, hub *sentry.Hub, op string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			hub.RecoverWithContext(ctx, r)
			panic(r)
		}
	}()
	span := sentry.StartSpan(ctx, op)
	err = f()
	span.Status = sentry.SpanStatusOK
	if err != nil {
		span.Status = sentry.SpanStatusInternalError
	}
	span.Finish()
	return err
}
