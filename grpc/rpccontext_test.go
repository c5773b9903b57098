package sentrytaskgrpc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// TestTheRPCIsOnItsEventsUnderTheClientsDataCollection: an error captured
// in a handler carries the RPC, as sentry-go's gRPC integration puts it:
// the method, the metadata as the settings let request headers be
// collected, the peer only with user data.
func TestTheRPCIsOnItsEventsUnderTheClientsDataCollection(t *testing.T) {
	t.Parallel()
	off := &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff}
	for _, tc := range []struct {
		name     string
		set      func(*sentry.ClientOptions)
		metadata bool
		peer     bool
	}{
		{"default", func(*sentry.ClientOptions) {}, true, false},
		{"everything on", func(o *sentry.ClientOptions) { o.DataCollection = &sentry.DataCollection{} }, true, true},
		{"everything off", func(o *sentry.ClientOptions) {
			o.DataCollection = &sentry.DataCollection{UserInfo: sentry.Set(false), HTTPHeaders: &sentry.HeaderCollectionConfig{Request: off, Response: off}}
		}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub, rec := sentrytasktest.NewHub(t, tc.set)
			srv := serveWith(t, &service{check: func(ctx context.Context, _ *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
				sentry.GetHubFromContext(ctx).CaptureException(errors.New("replica lagging"))
				return serving, nil
			}}, hub, rec, sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(hub))...)
			ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer s3cret", "x-request-id", "r-7")
			if _, err := dial(t, srv.addr).Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
				t.Fatal(err)
			}
			srv.stop()
			c := only1(t, rec.Errors()).Contexts["grpc"]
			if c["method"] != "/grpc.health.v1.Health/Check" {
				t.Errorf("grpc context %v; want the method", c)
			}
			md, _ := c["metadata"].(map[string]string)
			if tc.metadata != (md != nil) || md != nil && (md["x-request-id"] != "r-7" || md["authorization"] != "[Filtered]") {
				t.Errorf("metadata %v; want it %v, the credential filtered", md, tc.metadata)
			}
			peer, _ := c["peer"].(string)
			if tc.peer != strings.HasPrefix(peer, "127.0.0.1:") {
				t.Errorf("peer %q; want it %v", peer, tc.peer)
			}
			if tx := only1(t, rec.Transactions()); tx.Contexts["grpc"]["method"] != "/grpc.health.v1.Health/Check" {
				t.Errorf("the RPC's transaction has grpc context %v", tx.Contexts["grpc"])
			}
		})
	}
}
