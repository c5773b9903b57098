package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
)

// natsQueue is a JetStream stream of its own, on the NATS server named by
// NATS_URL or on nats-server embedded in the shop's process; the shop
// deletes the stream when it is done.
type natsQueue struct {
	url, stream string
	nc          *nats.Conn
	js          jetstream.JetStream
	cleanup     []func()
}

// openNATS makes the shop's queue: a server, unless NATS_URL names one,
// and a stream with a name of its own.
func openNATS() (queue, error) {
	q := &natsQueue{url: os.Getenv("NATS_URL"), stream: "ORDERS_" + randomName()}
	if q.url == "" {
		dir, err := os.MkdirTemp("", "jobs")
		if err != nil {
			return nil, err
		}
		q.cleanup = append(q.cleanup, func() { os.RemoveAll(dir) })
		srv, err := server.NewServer(&server.Options{
			Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true,
		})
		if err != nil {
			q.close()
			return nil, err
		}
		go srv.Start()
		q.cleanup = append(q.cleanup, func() { srv.Shutdown(); srv.WaitForShutdown() })
		if !srv.ReadyForConnections(10 * time.Second) {
			q.close()
			return nil, errors.New("the embedded nats-server was not ready within 10 seconds")
		}
		q.url = srv.ClientURL()
	}
	if err := q.connect(); err != nil {
		q.close()
		return nil, err
	}
	ctx := context.Background()
	if _, err := q.js.CreateStream(ctx, jetstream.StreamConfig{Name: q.stream, Subjects: []string{q.subject()}}); err != nil {
		q.close()
		return nil, fmt.Errorf("creating stream %s: %w", q.stream, err)
	}
	q.cleanup = append(q.cleanup, func() { _ = q.js.DeleteStream(context.Background(), q.stream) })
	return q, nil
}

// connectNATS connects the worker to the shop's stream at addr, the
// server's URL and "#stream".
func connectNATS(addr string) (queue, error) {
	url, stream, ok := strings.Cut(addr, "#")
	if !ok {
		return nil, fmt.Errorf("queue address %q is not a NATS URL and #stream", addr)
	}
	q := &natsQueue{url: url, stream: stream}
	if err := q.connect(); err != nil {
		q.close()
		return nil, err
	}
	return q, nil
}

func (q *natsQueue) connect() error {
	nc, err := nats.Connect(q.url)
	if err != nil {
		return fmt.Errorf("connecting to NATS at %s: %w", q.url, err)
	}
	q.cleanup = append(q.cleanup, nc.Close)
	q.nc = nc
	q.js, err = jetstream.New(nc)
	return err
}

// subject is the stream's one subject; the job's transaction is named
// after it.
func (q *natsQueue) subject() string { return strings.ToLower(q.stream) + ".fulfil" }

func (q *natsQueue) address() string { return q.url + "#" + q.stream }

func (q *natsQueue) enqueue(ctx context.Context, o order) error {
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = sentrytasknats.Publish(ctx, q.js, &nats.Msg{Subject: q.subject(), Data: body})
	return err
}

// work consumes the stream with the global hub, which each message's
// transaction forks, until n orders are fulfilled; an order that fails is
// delivered again.
func (q *natsQueue) work(ctx context.Context, n int, fulfil func(context.Context, order) error) error {
	consumer, err := q.js.CreateOrUpdateConsumer(ctx, q.stream, jetstream.ConsumerConfig{
		Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy,
	})
	if err != nil {
		return err
	}
	fulfilled := make(chan struct{}, n)
	handle := func(ctx context.Context, msg jetstream.Msg) error {
		var o order
		if err := json.Unmarshal(msg.Data(), &o); err != nil {
			return sentrytasknats.Term(err) // it would fail every time
		}
		if err := fulfil(ctx, o); err != nil {
			return err
		}
		fulfilled <- struct{}{}
		return nil
	}
	cc, err := consumer.Consume(sentrytasknats.NewHandler(sentry.SetHubOnContext(context.Background(), sentry.CurrentHub()), handle))
	if err != nil {
		return err
	}
	for done := 0; done < n && err == nil; {
		select {
		case <-fulfilled:
			done++
		case <-ctx.Done():
			err = fmt.Errorf("%d of %d orders fulfilled: %w", done, n, ctx.Err())
		}
	}
	// Drain waits for the handler in progress to return, and its
	// transaction to be sent, before Closed.
	cc.Drain()
	<-cc.Closed()
	return err
}

func (q *natsQueue) close() {
	for i := len(q.cleanup) - 1; i >= 0; i-- {
		q.cleanup[i]()
	}
}
