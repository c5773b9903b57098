// Command first is a newcomer's first program: .ci/install-check builds it
// in a module of its own, outside this repository, set up by nothing but
// the README's Install recipe. It uses the core and every integration, and
// prints what it did.
package main

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kgo"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	client, rec, err := sentrytasktest.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	// gRPC: a real server on loopback and a call to it, from a task.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer(sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(hub))...)
	healthgrpc.RegisterHealthServer(srv, healthServer{})
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(ln.Addr().String())))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	tx := sentry.StartTransaction(ctx, "first program")
	err = sentrytask.Go(tx.Context(), func(ctx context.Context) error {
		_, err := healthgrpc.NewHealthClient(conn).Check(ctx, &healthgrpc.HealthCheckRequest{})
		return err
	}, sentrytask.WithSpan("health.check")).Wait()
	tx.Finish()
	if err != nil {
		log.Fatal(err)
	}

	// River, NATS and Kafka: what a worker installs.
	_ = river.Config{Middleware: []rivertype.Middleware{sentrytaskriver.NewMiddleware()}}
	_ = sentrytasknats.NewHandler(ctx, func(context.Context, jetstream.Msg) error { return nil })
	_ = []kgo.Opt{sentrytaskfranz.Tracing()}
	_ = sentrytaskkafkago.NewWriter(&kafka.Writer{})

	fmt.Println("core, River, NATS, Kafka and gRPC integrations built;", sentrytasktest.Summary(rec.Events()))
}

type healthServer struct {
	healthgrpc.UnimplementedHealthServer
}

func (healthServer) Check(context.Context, *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
	return &healthgrpc.HealthCheckResponse{Status: healthgrpc.HealthCheckResponse_SERVING}, nil
}
