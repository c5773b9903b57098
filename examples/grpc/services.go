package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
)

// The services speak gRPC's health protocol, which grpc-go ships: no code
// generation is needed to run the example.

// pricesPerWatch is how many price updates the price service streams.
const pricesPerWatch = 2

var serving = &healthgrpc.HealthCheckResponse{Status: healthgrpc.HealthCheckResponse_SERVING}

// health is a health service with the handlers a part gives.
type health struct {
	healthgrpc.UnimplementedHealthServer
	check func(context.Context, *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error)
	watch func(*healthgrpc.HealthCheckRequest, grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error
}

func (h *health) Check(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
	if h.check == nil {
		return h.UnimplementedHealthServer.Check(ctx, req)
	}
	return h.check(ctx, req)
}

func (h *health) Watch(req *healthgrpc.HealthCheckRequest, stream grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error {
	if h.watch == nil {
		return h.UnimplementedHealthServer.Watch(req, stream)
	}
	return h.watch(req, stream)
}

// stockService answers a service's stock status from its database.
func stockService() *health {
	return &health{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		err := sentrytask.Instrument(ctx, "db.query", func(context.Context) error { return nil },
			sentrytask.WithDescription("SELECT status FROM stock WHERE service = $1"))
		return serving, err
	}}
}

// priceService streams a service's price updates, each read in a span.
func priceService() *health {
	return &health{watch: func(req *healthgrpc.HealthCheckRequest, stream grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error {
		for i := range pricesPerWatch {
			err := sentrytask.Instrument(stream.Context(), "price.read", func(context.Context) error {
				return stream.Send(serving)
			}, sentrytask.WithDescription(fmt.Sprintf("update %d", i+1)))
			if err != nil {
				return err
			}
		}
		return nil
	}}
}

// dependencies are the gateway's connections to the stock and price
// services.
type dependencies struct {
	stock, prices healthgrpc.HealthClient
	conns         []*grpc.ClientConn
}

func dialAll(stockAddr, pricesAddr string) (*dependencies, error) {
	d := &dependencies{}
	for _, addr := range []string{stockAddr, pricesAddr} {
		// Made before anything is traced: the handler resolves the trace
		// from each call's context.
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(addr)))
		if err != nil {
			d.close()
			return nil, err
		}
		d.conns = append(d.conns, conn)
	}
	d.stock, d.prices = healthgrpc.NewHealthClient(d.conns[0]), healthgrpc.NewHealthClient(d.conns[1])
	return d, nil
}

func (d *dependencies) close() {
	for _, c := range d.conns {
		c.Close()
	}
}

// gatewayService checks a service's stock and watches its prices,
// concurrently, each in a task with a span of its own.
func gatewayService(deps *dependencies) *health {
	return &health{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("dependency.check"))
		g.Go(func(ctx context.Context) error {
			_, err := deps.stock.Check(ctx, req)
			return err
		}, sentrytask.WithDescription("stock"))
		g.Go(func(ctx context.Context) error {
			stream, err := deps.prices.Watch(ctx, req)
			if err != nil {
				return err
			}
			for {
				if _, err := stream.Recv(); errors.Is(err, io.EOF) {
					return nil
				} else if err != nil {
					return err
				}
			}
		}, sentrytask.WithDescription("prices"))
		return serving, g.Wait()
	}}
}

// checkAll is the CLI's command, "status check": one transaction, the
// services checked concurrently through the gateway.
func checkAll(ctx context.Context, gatewayAddr string, services int) error {
	conn, err := grpc.NewClient(gatewayAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(gatewayAddr)))
	if err != nil {
		return err
	}
	defer conn.Close()
	gateway := healthgrpc.NewHealthClient(conn)
	tx := sentry.StartTransaction(ctx, "status check", sentry.WithOpName("cli.command"), sentry.WithTransactionSource(sentry.SourceTask))
	defer tx.Finish()
	g, _ := sentrytask.NewGroup(tx.Context(), sentrytask.WithSpan("service.check"))
	for i := range services {
		name := fmt.Sprintf("service-%d", i+1)
		g.Go(func(ctx context.Context) error {
			_, err := gateway.Check(ctx, &healthgrpc.HealthCheckRequest{Service: name})
			return err
		}, sentrytask.WithDescription(name))
	}
	return g.Wait()
}

// server is one part: a grpc-go server on loopback with a Sentry client and
// hub of its own.
type server struct {
	addr string
	stop func()
}

func serve(release, dsn string, rec *sentrytasktest.Recorder, svc *health) (*server, error) {
	client, err := sentry.NewClient(options(release, dsn, rec))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	srv := grpc.NewServer(append(sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(hub)), grpc.WaitForHandlers(true))...)
	healthgrpc.RegisterHealthServer(srv, svc)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var once sync.Once
	return &server{addr: ln.Addr().String(), stop: func() {
		once.Do(func() {
			srv.Stop()
			<-served
			client.Flush(5 * time.Second)
			client.Close()
		})
	}}, nil
}
