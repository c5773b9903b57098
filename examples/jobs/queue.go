package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// queue is the job queue between the shop and the worker.
type queue interface {
	// address says where the queue is, for connectQueue in the worker.
	address() string
	// enqueue queues an order, from the trace on ctx.
	enqueue(ctx context.Context, o order) error
	// work fulfils orders with fulfil until n are done or ctx ends.
	work(ctx context.Context, n int, fulfil func(context.Context, order) error) error
	close()
}

// openQueue makes the shop's queue: River, NATS JetStream or Kafka, on the
// embedded defaults or on the servers the environment names.
func openQueue(engine string) (queue, error) {
	switch engine {
	case "nats":
		return openNATS()
	case "kafka":
		return openKafka()
	default:
		return openRiver()
	}
}

// connectQueue connects the worker to the shop's queue at addr.
func connectQueue(engine, addr string) (queue, error) {
	switch engine {
	case "nats":
		return connectNATS(addr)
	case "river":
		return connectRiver(addr)
	case "kafka":
		return connectKafka(addr)
	}
	return nil, fmt.Errorf("unknown engine %q", engine)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
