package service

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
)

// A Variant is one way of building the service.
type Variant string

// The variants: the same work, traced three ways.
const (
	None       Variant = "no Sentry"
	Hand       Variant = "hand-written sentry-go"
	SentryTask Variant = "sentrytask"
)

// Variants lists them, the baseline first.
var Variants = []Variant{None, Hand, SentryTask}

// Fan-out and work sizes: each task hashes a few kilobytes, as a check of
// an item or a render does some work of its own.
const (
	FanOut     = 8
	itemBytes  = 4 << 10
	renderSize = 16 << 10
	poolSize   = 4
)

var (
	itemData   = make([]byte, itemBytes)
	renderData = make([]byte, renderSize)
)

// check is one task of the fan-out.
func check(int) error {
	sum := sha256.Sum256(itemData)
	if sum[0] == 0 && sum[1] == 0 && sum[2] == 0 && sum[3] == 0 {
		return fmt.Errorf("unlucky item")
	}
	return nil
}

// render is the pool's job.
func render() error {
	sum := sha256.Sum256(renderData)
	if sum[0] == 0 && sum[1] == 0 && sum[2] == 0 && sum[3] == 0 {
		return fmt.Errorf("unlucky render")
	}
	return nil
}

// A Service is the endpoint and what it holds for the life of the
// process: its pool, its client, its queue.
type Service struct {
	http.Handler
	close func()
}

// Close stops the service's pool and queue.
func (s *Service) Close() { s.close() }

// Queue is where the service publishes a message per request: a channel a
// consumer drains, each message's headers with it.
type Queue chan map[string]string

// NewQueue returns a queue whose messages are drained until Close.
func NewQueue() Queue {
	q := make(Queue, 1024)
	go func() {
		for range q {
		}
	}()
	return q
}

// New builds the service in variant v, calling downstream (a URL) once per
// request and publishing to q.
func New(v Variant, downstream string, q Queue) *Service {
	switch v {
	case Hand:
		return newHand(downstream, q)
	case SentryTask:
		return newSentryTask(downstream, q)
	}
	return newNone(downstream, q)
}

// drain reads a response's body to the end and closes it.
func drain(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// call is the downstream request.
func call(ctx context.Context, client *http.Client, downstream string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, downstream, nil)
	if err != nil {
		return err
	}
	return drain(client.Do(req))
}

// answer writes the response of a request whose work ended with err.
func answer(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = io.WriteString(w, "ok")
}
