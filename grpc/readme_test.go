package sentrytaskgrpc_test

import (
	"github.com/getsentry/sentry-go"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"google.golang.org/grpc"
)

// The README's gRPC code, compiled here (the root package's
// TestREADMECodeCompiles finds it).
var _ = readmeQuickStart

func readmeQuickStart(hub *sentry.Hub, target string) (*grpc.Server, *grpc.ClientConn, error) {
	srv := grpc.NewServer(sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(hub))...)
	conn, err := grpc.NewClient(target, grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(target)))
	return srv, conn, err
}
