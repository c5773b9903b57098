package sentrytaskgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// sentryGoInterceptor is a hand-written equivalent of what sentry-go's
// gRPC integration (github.com/getsentry/sentry-go/grpc) does on a server:
// it takes the hub it finds on the RPC's context, cloning the global hub
// only when there is none, and starts the RPC's transaction on it.
func sentryGoInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	hub := sentry.GetHubFromContext(ctx)
	if hub == nil {
		hub = sentry.CurrentHub().Clone()
	}
	md, _ := metadata.FromIncomingContext(ctx)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(ctx, hub), info.FullMethod,
		sentry.ContinueTrace(hub, first(md, sentry.SentryTraceHeader), first(md, sentry.SentryBaggageHeader)),
		sentry.WithOpName("rpc.server"))
	defer tx.Finish()
	return handler(tx.Context(), req)
}

// withHub puts the server's hub on every RPC's context, as a server does
// for sentry-go's integration to find it.
func withHub(hub *sentry.Hub) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return handler(sentry.SetHubOnContext(ctx, hub), req)
	}
}

// TestConcurrentRPCsNeverShareAScope runs two RPCs at once on a server
// whose RPC contexts carry its hub: each tags its scope with its service
// and captures an error once both have tagged. With sentry-go's
// behaviour the two share one scope, so the first RPC's error carries the
// second's tag and is linked to the second's transaction; with
// sentrytaskgrpc each RPC has its own.
func TestConcurrentRPCsNeverShareAScope(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		server func(t *testing.T, svc *service) *server
		shared bool // the RPCs are expected to share a scope
	}{
		{"sentry-go's behaviour", func(t *testing.T, svc *service) *server {
			hub, rec := sentrytasktest.NewHub(t)
			return serveWith(t, svc, hub, rec, grpc.ChainUnaryInterceptor(withHub(hub), sentryGoInterceptor))
		}, true},
		{"sentrytaskgrpc", func(t *testing.T, svc *service) *server { return newServer(t, svc) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			aTagged, bTagged := make(chan struct{}), make(chan struct{})
			srv := tc.server(t, &service{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
				hub := sentry.GetHubFromContext(ctx)
				if req.Service == "a" {
					hub.Scope().SetTag("service", "a")
					close(aTagged)
					<-bTagged
				} else {
					<-aTagged
					hub.Scope().SetTag("service", "b")
					close(bTagged)
				}
				hub.CaptureException(errors.New(req.Service))
				return serving, nil
			}})
			client := dial(t, srv.addr)
			ctx, tx, _ := caller(t, "check")
			g, _ := sentrytask.NewGroup(ctx)
			for _, name := range []string{"a", "b"} {
				g.Go(func(ctx context.Context) error {
					_, err := client.Check(ctx, &healthgrpc.HealthCheckRequest{Service: name})
					return err
				})
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			tx.Finish()
			srv.stop()

			// The transactions the errors are linked to: one each, when
			// the RPCs do not share a scope.
			linked := map[string]bool{}
			for _, e := range srv.rec.Errors() {
				linked[fmt.Sprint(e.Contexts["trace"]["span_id"])] = true
			}
			for _, e := range srv.rec.Transactions() {
				_, spanID, _ := sentrytasktest.IDs(e)
				if !linked[spanID] && !tc.shared {
					t.Errorf("no error is linked to transaction %s", spanID)
				}
			}
			mixed := false
			for _, e := range srv.rec.Errors() {
				service := e.Exception[len(e.Exception)-1].Value
				if e.Tags["service"] != service {
					mixed = true
					if !tc.shared {
						t.Errorf("%s's error carries tag service=%s", service, e.Tags["service"])
					}
				}
			}
			if len(linked) != 2 {
				mixed = true
				if !tc.shared {
					t.Errorf("the errors are linked to %d distinct spans; want one transaction each", len(linked))
				}
			}
			if tc.shared && !mixed {
				t.Error("the RPCs did not share a scope: the baseline no longer shows the problem")
			}
		})
	}
}
