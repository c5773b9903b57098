package sentrytaskgrpc_test

import (
	"context"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashEnv) == "1" {
		crash()
	}
	goleak.VerifyTestMain(m)
}

// service is gRPC's health service, which grpc-go ships, with handlers the
// test gives: no code generation needed.
type service struct {
	healthgrpc.UnimplementedHealthServer
	check func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error)
	watch func(req *healthgrpc.HealthCheckRequest, stream grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error
}

func (s *service) Check(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
	if s.check == nil {
		return serving, nil
	}
	return s.check(ctx, req)
}

func (s *service) Watch(req *healthgrpc.HealthCheckRequest, stream grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error {
	if s.watch == nil {
		return s.UnimplementedHealthServer.Watch(req, stream)
	}
	return s.watch(req, stream)
}

var serving = &healthgrpc.HealthCheckResponse{Status: healthgrpc.HealthCheckResponse_SERVING}

// server is a real grpc-go server on loopback, with a hub of its own, and
// what that hub sends.
type server struct {
	addr string
	hub  *sentry.Hub
	rec  *sentrytasktest.Recorder
	// stop stops the server, cancelling the RPCs it is handling, and
	// returns once every handler has returned and every RPC's end has
	// been handled: only then has the server recorded everything.
	stop func()
}

// newServer serves svc on 127.0.0.1 with the server's options and opts,
// until the test ends.
func newServer(t *testing.T, svc *service, opts ...sentrytaskgrpc.ServerOption) *server {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	opts = append([]sentrytaskgrpc.ServerOption{sentrytaskgrpc.WithHub(hub)}, opts...)
	return serveWith(t, svc, hub, rec, sentrytaskgrpc.ServerOptions(opts...)...)
}

// serveWith serves svc with exactly the given server options.
func serveWith(t *testing.T, svc *service, hub *sentry.Hub, rec *sentrytasktest.Recorder, opts ...grpc.ServerOption) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(append(opts, grpc.WaitForHandlers(true))...)
	healthgrpc.RegisterHealthServer(srv, svc)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Stop()
			if err := <-served; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &server{addr: ln.Addr().String(), hub: hub, rec: rec, stop: stop}
}

// dial connects to addr with the client handler and opts, until the test
// ends.
func dial(t *testing.T, addr string, opts ...sentrytaskgrpc.ClientOption) healthgrpc.HealthClient {
	t.Helper()
	return dialWith(t, addr, grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(addr, opts...)))
}

// dialWith connects to addr with exactly the given dial options (and
// insecure credentials).
func dialWith(t *testing.T, addr string, opts ...grpc.DialOption) healthgrpc.HealthClient {
	t.Helper()
	return healthgrpc.NewHealthClient(connect(t, addr, opts...))
}

// connect is dialWith's connection.
func connect(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// caller returns a context with a hub of its own and a transaction, as a
// calling process has, and what it records.
func caller(t *testing.T, name string) (context.Context, *sentry.Span, *sentrytasktest.Recorder) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), name, sentry.WithOpName("cli.command"))
	return tx.Context(), tx, rec
}

// data returns a transaction event's data.
func data(e *sentry.Event) map[string]any {
	d, _ := e.Contexts["trace"]["data"].(map[string]any)
	return d
}

// first returns the first value of key in md, as sentry-go's gRPC
// integration reads trace metadata.
func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}
