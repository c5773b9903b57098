package service

import (
	"context"
	"net/http"

	"github.com/sentrytask/sentrytask"
)

// newSentryTask is the service with sentrytask: Middleware, a Group, a
// Pool, NewTransport and Publish.
func newSentryTask(downstream string, q Queue) *Service {
	pool := sentrytask.NewPool(poolSize, sentrytask.WithSpan("render"), sentrytask.WithQueueSize(64))
	base := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Transport: sentrytask.NewTransport(base)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("item.check"))
		for i := range FanOut {
			g.Go(func(context.Context) error { return check(i) })
		}
		task, err := pool.Submit(ctx, func(context.Context) error { return render() })
		if err == nil {
			err = g.Wait()
			if rerr := task.Wait(); err == nil {
				err = rerr
			}
		}
		if err == nil {
			err = call(ctx, client, downstream)
		}
		if err == nil {
			headers := sentrytask.MapCarrier{}
			pub := sentrytask.Publish(ctx, headers, sentrytask.Message{System: "channel", Destination: "orders"})
			q <- headers
			pub.End(nil)
		}
		answer(w, err)
	})
	return &Service{Handler: sentrytask.Middleware(h), close: func() {
		_ = pool.Shutdown(context.Background())
		base.CloseIdleConnections()
	}}
}
