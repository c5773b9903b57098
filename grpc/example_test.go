package sentrytaskgrpc_test

import (
	"context"
	"fmt"
	"net"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/test/bufconn"
)

// A call made in a CLI's transaction is handled in a transaction that
// continues its trace, with a hub of its own, on a real grpc-go server
// (over an in-memory listener here).
func ExampleServerOptions() {
	serverClient, serverRec, _ := sentrytasktest.NewClient()
	defer serverClient.Close()
	ln := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(sentrytaskgrpc.ServerOptions(
		sentrytaskgrpc.WithHub(sentry.NewHub(serverClient, sentry.NewScope())))...)
	healthgrpc.RegisterHealthServer(srv, &service{check: func(ctx context.Context, _ *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		return serving, sentrytask.Instrument(ctx, "db.query", func(context.Context) error { return nil })
	}})
	go srv.Serve(ln)

	const target = "passthrough:///catalog.internal:443"
	conn, _ := grpc.NewClient(target,
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(target)))

	cliClient, cliRec, _ := sentrytasktest.NewClient()
	defer cliClient.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(cliClient, sentry.NewScope()))
	tx := sentry.StartTransaction(ctx, "catalog status", sentry.WithOpName("cli.command"))
	_, err := healthgrpc.NewHealthClient(conn).Check(tx.Context(), &healthgrpc.HealthCheckRequest{})
	tx.Finish()
	conn.Close()
	srv.GracefulStop() // every handler has returned: the server has recorded everything

	events := sentrytasktest.Merge(cliRec, serverRec)
	fmt.Print(sentrytasktest.Tree(events, sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	fmt.Println(err == nil, sentrytasktest.Check(events) == nil)
	// Output:
	// trace
	// └─ transaction cli.command "catalog status" -
	//    └─ grpc.client "/grpc.health.v1.Health/Check" ok
	//       └─ transaction grpc.server "/grpc.health.v1.Health/Check" ok
	//          └─ db.query ok
	// true true
}
