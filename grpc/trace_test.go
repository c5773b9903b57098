package sentrytaskgrpc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
)

// TestOneTraceFromClientTasksThroughAServerThatFansOut: a CLI's Group
// tasks call a frontend, whose handler fans out with a Group to a backend,
// whose handler queries in a span. Three processes, one whole trace.
func TestOneTraceFromClientTasksThroughAServerThatFansOut(t *testing.T) {
	t.Parallel()
	backend := newServer(t, &service{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		return serving, sentrytask.Instrument(ctx, "db.query", func(context.Context) error { return nil },
			sentrytask.WithDescription("SELECT status FROM services"))
	}})
	backendClient := dial(t, backend.addr)
	frontend := newServer(t, &service{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("dependency.check"))
		for _, dep := range []string{"stock", "prices"} {
			g.Go(func(ctx context.Context) error {
				_, err := backendClient.Check(ctx, &healthgrpc.HealthCheckRequest{Service: dep})
				return err
			}, sentrytask.WithDescription(dep))
		}
		return serving, g.Wait()
	}})
	frontendClient := dial(t, frontend.addr)

	ctx, tx, cli := caller(t, "status")
	g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("service.check"))
	for i := range 3 {
		g.Go(func(ctx context.Context) error {
			_, err := frontendClient.Check(ctx, &healthgrpc.HealthCheckRequest{Service: fmt.Sprint("svc", i)})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	frontend.stop()
	backend.stop()

	events := sentrytasktest.Merge(cli, frontend.rec, backend.rec)
	sentrytasktest.AssertTrace(t, events,
		sentrytasktest.ExpectSpans("service.check", 3),
		sentrytasktest.ExpectSpans("grpc.client", 3+6),
		sentrytasktest.ExpectSpans("grpc.server", 3+6),
		sentrytasktest.ExpectSpans("dependency.check", 6),
		sentrytasktest.ExpectSpans("db.query", 6))

	// Every server transaction is the child of the client span of its call.
	clientSpans := map[string]*sentry.Span{}
	for _, s := range sentrytasktest.SpansByOp(events, "grpc.client") {
		clientSpans[s.SpanID.String()] = s
	}
	for _, e := range sentrytasktest.TransactionsByOp(events, "grpc.server") {
		_, _, parent := sentrytasktest.IDs(e)
		call, ok := clientSpans[parent]
		if !ok {
			t.Errorf("server transaction %q's parent %s is no client span", e.Transaction, parent)
			continue
		}
		if e.Transaction != "/grpc.health.v1.Health/Check" || e.TransactionInfo.Source != sentry.SourceRoute {
			t.Errorf("server transaction %q (%s); want /grpc.health.v1.Health/Check (route)", e.Transaction, e.TransactionInfo.Source)
		}
		for key, want := range map[string]any{"rpc.system": "grpc", "rpc.service": "grpc.health.v1.Health", "rpc.method": "Check", "rpc.grpc.status_code": 0} {
			if got := data(e)[key]; got != want {
				t.Errorf("server transaction %s = %v; want %v", key, got, want)
			}
			if got := call.Data[key]; got != want {
				t.Errorf("client span %s = %v; want %v", key, got, want)
			}
		}
		if e.Contexts["trace"]["status"] != sentry.SpanStatusOK || call.Status != sentry.SpanStatusOK {
			t.Errorf("statuses: server %v, client %v; want ok", e.Contexts["trace"]["status"], call.Status)
		}
		if call.Description != "/grpc.health.v1.Health/Check" || call.Data["server.address"] != "127.0.0.1" || call.Data["server.port"] == nil {
			t.Errorf("client span %q, server %v:%v; want the method and 127.0.0.1 with its port", call.Description, call.Data["server.address"], call.Data["server.port"])
		}
	}
}
