package sentrytaskgrpc_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// watchService streams n statuses, each read in a span of its own.
func watchService(n int) *service {
	return &service{watch: func(req *healthgrpc.HealthCheckRequest, stream grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error {
		for range n {
			err := sentrytask.Instrument(stream.Context(), "status.read", func(context.Context) error {
				return stream.Send(serving)
			})
			if err != nil {
				return err
			}
		}
		return nil
	}}
}

func TestAStreamIsOneSpanAndOneTransactionCoveringIt(t *testing.T) {
	t.Parallel()
	srv := newServer(t, watchService(3))
	client := dial(t, srv.addr)
	ctx, tx, cli := caller(t, "watch")
	stream, err := client.Watch(ctx, &healthgrpc.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	received := 0
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		received++
	}
	tx.Finish()
	srv.stop()

	events := sentrytasktest.Merge(cli, srv.rec)
	sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("grpc.client", 1),
		sentrytasktest.ExpectSpans("grpc.server", 1), sentrytasktest.ExpectSpans("status.read", 3))
	call := sentrytasktest.SpansByOp(events, "grpc.client")[0]
	server := sentrytasktest.TransactionsByOp(events, "grpc.server")[0]
	if received != 3 || call.Description != "/grpc.health.v1.Health/Watch" || call.Status != sentry.SpanStatusOK {
		t.Errorf("received %d; client span %q %v; want 3, Watch, ok", received, call.Description, call.Status)
	}
	// The client's span ends with the stream: after the server's
	// transaction, which it covers.
	if call.EndTime.Before(server.Timestamp) {
		t.Errorf("the client span ended at %v, before the server's transaction at %v", call.EndTime, server.Timestamp)
	}
}

// blocked is a Check that waits for its RPC to end, and says when it has
// started.
func blocked(started chan<- struct{}) *service {
	return &service{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
}

func TestCancellationAndDeadlinesEndBothSidesWithTheirStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		end  func(ctx context.Context, started <-chan struct{}) (context.Context, func())
		code codes.Code
		want sentry.SpanStatus
		// server is what the server may end with: past a deadline, the
		// caller's cancellation can reach the server before its own
		// timer fires.
		server []sentry.SpanStatus
	}{
		{"cancelled", func(ctx context.Context, started <-chan struct{}) (context.Context, func()) {
			ctx, cancel := context.WithCancel(ctx)
			go func() { <-started; cancel() }()
			return ctx, cancel
		}, codes.Canceled, sentry.SpanStatusCanceled, []sentry.SpanStatus{sentry.SpanStatusCanceled}},
		{"deadline", func(ctx context.Context, _ <-chan struct{}) (context.Context, func()) {
			return context.WithTimeout(ctx, 50*time.Millisecond)
		}, codes.DeadlineExceeded, sentry.SpanStatusDeadlineExceeded,
			[]sentry.SpanStatus{sentry.SpanStatusDeadlineExceeded, sentry.SpanStatusCanceled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			started := make(chan struct{})
			srv := newServer(t, blocked(started))
			client := dial(t, srv.addr)
			ctx, tx, cli := caller(t, "check")
			callCtx, cancel := tc.end(ctx, started)
			_, err := client.Check(callCtx, &healthgrpc.HealthCheckRequest{})
			cancel()
			if status.Code(err) != tc.code {
				t.Fatalf("Check = %v; want %v", err, tc.code)
			}
			tx.Finish()
			srv.stop()

			call := sentrytasktest.SpansByOp(cli.Events(), "grpc.client")
			server := srv.rec.Transactions()
			if len(call) != 1 || call[0].Status != tc.want || call[0].Data["rpc.grpc.status_code"] != int(tc.code) {
				t.Errorf("client spans %v; want one, %v, code %d", call, tc.want, tc.code)
			}
			if len(server) != 1 || !slices.Contains(tc.server, server[0].Contexts["trace"]["status"].(sentry.SpanStatus)) {
				t.Errorf("server transactions %v; want one, %v", server, tc.server)
			}
		})
	}
}

// TestAnAbandonedStreamIsAnOrphan: a caller that stops reading a stream
// without cancelling it leaves its span open when its transaction is sent;
// the detector reports it, as it reports an unclosed HTTP body.
func TestAnAbandonedStreamIsAnOrphan(t *testing.T) {
	t.Parallel()
	srv := newServer(t, &service{watch: func(req *healthgrpc.HealthCheckRequest, stream grpc.ServerStreamingServer[healthgrpc.HealthCheckResponse]) error {
		if err := stream.Send(serving); err != nil {
			return err
		}
		<-stream.Context().Done()
		return stream.Context().Err()
	}})
	client := dial(t, srv.addr)
	ctx, tx, cli := caller(t, "watch")
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := client.Watch(streamCtx, &healthgrpc.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	tx.Finish() // the stream is still open
	if got := sentrytasktest.Orphans(cli.Events()); len(got) != 1 || got[0] != "/grpc.health.v1.Health/Watch" {
		t.Errorf("orphans %q; want the abandoned stream", got)
	}
	cancel()
	srv.stop()
}

func TestACallToAnUnknownMethodRecordsOnlyTheClientsSpan(t *testing.T) {
	t.Parallel()
	srv := newServer(t, &service{})
	conn := connect(t, srv.addr, grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(srv.addr)))
	ctx, tx, cli := caller(t, "call")
	err := conn.Invoke(ctx, "/acme.Catalog/Get", &healthgrpc.HealthCheckRequest{}, &healthgrpc.HealthCheckResponse{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("Invoke = %v; want Unimplemented", err)
	}
	tx.Finish()
	srv.stop()
	call := sentrytasktest.SpansByOp(cli.Events(), "grpc.client")
	if len(call) != 1 || call[0].Status != sentry.SpanStatusUnimplemented || call[0].Data["rpc.service"] != "acme.Catalog" {
		t.Errorf("client spans %v; want one, unimplemented, for acme.Catalog", call)
	}
	// grpc-go answers before any handler runs: nothing to record.
	if n := len(srv.rec.Events()); n != 0 {
		t.Errorf("the server recorded %d events; want none", n)
	}
}
