package sentrytaskgrpc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
)

// notHealthChecks leaves gRPC's health service out, as the README says.
var notHealthChecks = sentrytaskgrpc.WithFilter(func(in sentrytask.FilterInput) bool {
	return !strings.HasPrefix(in.Name, "/grpc.health.v1.Health/")
})

// TestAFilteredRPCStartsNoTransactionAndKeepsItsCallersTrace: on a real
// server, a health check left out sends no transaction; the error its
// handler captures stays in the caller's trace, below the caller's span.
func TestAFilteredRPCStartsNoTransactionAndKeepsItsCallersTrace(t *testing.T) {
	t.Parallel()
	var asked string
	srv := newServer(t, &service{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		sentry.GetHubFromContext(ctx).CaptureException(errors.New("replica lagging"))
		return serving, nil
	}}, sentrytaskgrpc.WithFilter(func(in sentrytask.FilterInput) bool {
		asked = in.Op + " " + in.Name
		return !strings.HasPrefix(in.Name, "/grpc.health.v1.Health/")
	}))
	ctx, tx, cli := caller(t, "probe")
	if _, err := dial(t, srv.addr).Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	srv.stop()

	if n := len(srv.rec.Transactions()); n != 0 {
		t.Errorf("a filtered RPC sent %d transactions", n)
	}
	if asked != "grpc.server /grpc.health.v1.Health/Check" {
		t.Errorf("the filter was asked %q", asked)
	}
	call := only1(t, sentrytasktest.SpansByOp(cli.Transactions(), "grpc.client"))
	e := only1(t, srv.rec.Errors())
	if traceID, spanID, _ := sentrytasktest.IDs(e); traceID != call.TraceID.String() || spanID != call.SpanID.String() {
		t.Errorf("the filtered RPC's error is on %s/%s; want the caller's call span %s/%s", traceID, spanID, call.TraceID, call.SpanID)
	}
}

// TestAFilteredCallStartsNoSpanAndCarriesItsContextsTrace: on the client,
// a call left out starts no span; the server continues the trace below
// the caller's transaction.
func TestAFilteredCallStartsNoSpanAndCarriesItsContextsTrace(t *testing.T) {
	t.Parallel()
	srv := newServer(t, &service{})
	ctx, tx, cli := caller(t, "probe")
	if _, err := dial(t, srv.addr, notHealthChecks).Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	srv.stop()

	if spans := sentrytasktest.SpansByOp(cli.Transactions(), "grpc.client"); len(spans) != 0 {
		t.Errorf("a filtered call started %d spans", len(spans))
	}
	server := only1(t, srv.rec.Transactions())
	if traceID, _, parent := sentrytasktest.IDs(server); traceID != tx.TraceID.String() || parent != tx.SpanID.String() {
		t.Errorf("the server's transaction is on %s below %s; want the caller's transaction %s/%s", traceID, parent, tx.TraceID, tx.SpanID)
	}
}

func only1[T any](t *testing.T, xs []T) T {
	t.Helper()
	if len(xs) != 1 {
		t.Fatalf("%d recorded; want 1", len(xs))
	}
	return xs[0]
}

// TestRPCsSayTheyAreTheModules: the server's transactions and the
// client's spans carry the module's origin, as sentry-go's own gRPC
// integration's carry "auto.rpc.grpc".
func TestRPCsSayTheyAreTheModules(t *testing.T) {
	t.Parallel()
	srv := newServer(t, &service{})
	ctx, tx, cli := caller(t, "probe")
	if _, err := dial(t, srv.addr).Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	srv.stop()
	call := only1(t, sentrytasktest.SpansByOp(cli.Transactions(), "grpc.client"))
	server := only1(t, srv.rec.Transactions())
	if call.Origin != "auto.rpc.sentrytask.grpc" || server.Contexts["trace"]["origin"] != "auto.rpc.sentrytask.grpc" {
		t.Errorf("origins: call %q, server %v; want auto.rpc.sentrytask.grpc", call.Origin, server.Contexts["trace"]["origin"])
	}
}
