package sentrytaskgrpc_test

import (
	"context"
	"net"
	"regexp"
	"strconv"
	"testing"

	"github.com/getsentry/sentry-go"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/test/bufconn"
)

// TestTheAuthorityIsWhatGRPCGoSendsForEveryTargetForm: for every form of
// target grpc.NewClient takes (gRPC's naming document), the client handler
// matches the propagation targets against, and records as server.address
// and server.port, the :authority grpc-go sends, which a real server reads
// here: a call to a target within the targets carries the trace.
func TestTheAuthorityIsWhatGRPCGoSendsForEveryTargetForm(t *testing.T) {
	t.Parallel()
	lis := bufconn.Listen(1 << 20)
	type seen struct{ authority, sentryTrace string }
	calls := make(chan seen, 1)
	srv := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		calls <- seen{first(md, ":authority"), first(md, "sentry-trace")}
		return h(ctx, req)
	}))
	healthgrpc.RegisterHealthServer(srv, &service{})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	for target, want := range map[string]string{
		"catalog.internal:443":               "catalog.internal:443",
		"catalog.internal":                   "catalog.internal",
		"127.0.0.1:50051":                    "127.0.0.1:50051",
		"[::1]:50051":                        "[::1]:50051",
		":50051":                             "localhost:50051",
		"localhost:50051":                    "localhost:50051",
		"dns:catalog.internal:443":           "catalog.internal:443",
		"dns:///catalog.internal:443":        "catalog.internal:443",
		"dns://8.8.8.8/catalog.internal:443": "catalog.internal:443",
		"passthrough:///10.0.0.7:9000":       "10.0.0.7:9000",
		"passthrough:10.0.0.7:9000":          "10.0.0.7:9000",
		"unix:///run/catalog.sock":           "localhost",
		"unix:catalog.sock":                  "localhost",
		"unix-abstract:catalog":              "localhost",
		"dns:///a b:1":                       "a%20b:1",
	} {
		t.Run(target, func(t *testing.T) {
			// Every name resolves to the in-memory listener, whatever it is.
			dns := manual.NewBuilderWithScheme("dns")
			dns.InitialState(resolver.State{Addresses: []resolver.Address{{Addr: "bufnet"}}})
			hub, rec := sentrytasktest.NewHub(t)
			handler := sentrytaskgrpc.NewClientHandler(target,
				sentrytaskgrpc.WithPropagationTargets("^grpc://"+regexp.QuoteMeta(want)+"/"))
			conn, err := grpc.NewClient(target,
				grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
				grpc.WithResolvers(dns), grpc.WithStatsHandler(handler))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "check")
			if _, err := healthgrpc.NewHealthClient(conn).Check(tx.Context(), &healthgrpc.HealthCheckRequest{}); err != nil {
				t.Fatal(err)
			}
			tx.Finish()
			got := <-calls
			if got.authority != want {
				t.Fatalf("grpc-go sent :authority %q; the table says %q", got.authority, want)
			}
			if got.sentryTrace == "" {
				t.Errorf("a call to %s, within the targets, carried no trace", want)
			}
			span := sentrytasktest.SpansByOp(rec.Events(), "grpc.client")[0]
			host, port := want, 0
			if h, p, err := net.SplitHostPort(want); err == nil {
				host, port = h, atoi(p)
			}
			if span.Data["server.address"] != host || port != 0 && span.Data["server.port"] != port {
				t.Errorf("span's server.address %v, server.port %v; want %s, %d", span.Data["server.address"], span.Data["server.port"], host, port)
			}
		})
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
