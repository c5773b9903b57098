package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask/benchmarks/service"
)

// consumed is what the consumer process measured.
type consumed struct {
	Elapsed time.Duration
	CPU     time.Duration
	Mallocs uint64
}

// consume is the consumer process: it consumes n messages of stream at
// url with the handler of variant v and prints what it took.
func consume(v service.Variant, url, stream string, n int) error {
	if v != service.None {
		if err := sentry.Init(sentry.ClientOptions{
			Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1, Transport: encodingTransport{},
		}); err != nil {
			return err
		}
	}
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx := context.Background()
	cons, err := js.Consumer(ctx, stream, "worker")
	if err != nil {
		return err
	}
	all := make(chan struct{})
	var seen atomic.Int64
	h := service.ConsumerHandler(sentry.SetHubOnContext(ctx, sentry.CurrentHub()), v, func() {
		if seen.Add(1) == int64(n) {
			close(all)
		}
	})
	cpu0, m0, t0 := cpuTime(), mallocs(), time.Now()
	cc, err := cons.Consume(h)
	if err != nil {
		return err
	}
	select {
	case <-all:
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("%d of %d messages consumed in 2 minutes", seen.Load(), n)
	}
	c := consumed{Elapsed: time.Since(t0), CPU: cpuTime() - cpu0, Mallocs: mallocs() - m0}
	cc.Stop()
	sentry.Flush(time.Second)
	return json.NewEncoder(os.Stdout).Encode(c)
}

// natsRun is one run of the consumer benchmark: a stream of n messages,
// published with their producer's trace, consumed by variant v in a
// process of its own with GOMAXPROCS cpus.
func natsRun(js jetstream.JetStream, url string, v service.Variant, cpus string, n int, producer context.Context) (consumed, error) {
	ctx := context.Background()
	name := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.MemoryStorage})
	if err != nil {
		return consumed{}, err
	}
	defer func() { _ = js.DeleteStream(ctx, name) }()
	if _, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 1000}); err != nil {
		return consumed{}, err
	}
	if err := service.Publish(producer, js, name+".orders", n); err != nil {
		return consumed{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return consumed{}, err
	}
	cmd := exec.Command(self, "-consume", string(v), "-nats", url, "-stream", name, "-messages", fmt.Sprint(n))
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+cpus)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return consumed{}, fmt.Errorf("the %s consumer: %w", v, err)
	}
	var c consumed
	return c, json.Unmarshal(out, &c)
}

// embeddedNATS starts a nats-server with JetStream in this process.
func embeddedNATS(dir string) (*server.Server, error) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		return nil, fmt.Errorf("the embedded nats-server was not ready in 10 seconds")
	}
	return s, nil
}
