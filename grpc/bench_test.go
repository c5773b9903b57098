package sentrytaskgrpc_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// BenchmarkRPC compares the cost per unary RPC, over an in-memory
// connection to a real grpc-go server, of no instrumentation, of the
// hand-written sentry-go interceptors that do the same as sentrytaskgrpc
// (a span and trace metadata on the client; a fork of the server's hub, a
// transaction continuing the trace, its status and a recovered panic on
// the server), and of sentrytaskgrpc. Both sides have a sampling client
// whose transport drops what it is sent; the calls are made in a sampled
// transaction. The report is the cost each adds to the uninstrumented call.
func BenchmarkRPC(b *testing.B) {
	serverHub, clientHub := benchHub(b), benchHub(b)
	svc := &service{}
	for _, tc := range []struct {
		name   string
		server []grpc.ServerOption
		dial   []grpc.DialOption
	}{
		{"no instrumentation", nil, nil},
		{"hand-written sentry-go", []grpc.ServerOption{grpc.UnaryInterceptor(handServer(serverHub))},
			[]grpc.DialOption{grpc.WithUnaryInterceptor(handClient)}},
		{"sentrytaskgrpc", sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(serverHub)),
			[]grpc.DialOption{grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler("passthrough:///catalog.internal:443"))}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			client, _ := benchConn(b, svc, tc.server, tc.dial)
			tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), clientHub), "bench")
			ctx := tx.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			tx.Sampled = sentry.SampledFalse // not sent: it would hold MaxSpans spans
			tx.Finish()
		})
	}
}

// benchHub is a hub whose client samples everything and drops it.
func benchHub(b *testing.B) *sentry.Hub {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1, Transport: dropTransport{},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	return sentry.NewHub(client, sentry.NewScope())
}

// benchConn serves svc on an in-memory listener and connects to it. The
// server's Stop returns once every handler has.
func benchConn(b testing.TB, svc *service, server []grpc.ServerOption, dial []grpc.DialOption) (healthgrpc.HealthClient, func()) {
	ln := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(append(server, grpc.WaitForHandlers(true))...)
	healthgrpc.RegisterHealthServer(srv, svc)
	go srv.Serve(ln)
	b.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///catalog.internal:443", append([]grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	}, dial...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return healthgrpc.NewHealthClient(conn), srv.Stop
}

// TestTheBenchmarksBaselineRecordsWhatSentrytaskgrpcDoes keeps the
// comparison fair: the hand-written interceptors record the same spans,
// with the same data, in one trace, as sentrytaskgrpc.
func TestTheBenchmarksBaselineRecordsWhatSentrytaskgrpcDoes(t *testing.T) {
	t.Parallel()
	type recorded struct {
		clientData, serverData map[string]bool
		names                  [2]string
		whole                  bool
	}
	record := func(server func(*sentry.Hub) []grpc.ServerOption, dial []grpc.DialOption) recorded {
		serverHub, serverRec := sentrytasktest.NewHub(t)
		clientHub, clientRec := sentrytasktest.NewHub(t)
		client, stop := benchConn(t, &service{}, server(serverHub), dial)
		tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), clientHub), "bench")
		if _, err := client.Check(tx.Context(), &healthgrpc.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		stop() // every handler has returned: the server has recorded everything
		events := sentrytasktest.Merge(clientRec, serverRec)
		call := sentrytasktest.SpansByOp(events, "grpc.client")
		srv := sentrytasktest.TransactionsByOp(events, "grpc.server")
		if len(call) != 1 || len(srv) != 1 {
			t.Fatalf("%d client spans and %d server transactions; want 1 of each", len(call), len(srv))
		}
		keys := func(d map[string]any) map[string]bool {
			k := map[string]bool{}
			for key := range d {
				k[key] = true
			}
			return k
		}
		return recorded{
			clientData: keys(call[0].Data), serverData: keys(data(srv[0])),
			names: [2]string{call[0].Description, srv[0].Transaction},
			whole: sentrytasktest.Check(events) == nil,
		}
	}
	hand := record(func(h *sentry.Hub) []grpc.ServerOption {
		return []grpc.ServerOption{grpc.UnaryInterceptor(handServer(h))}
	}, []grpc.DialOption{grpc.WithUnaryInterceptor(handClient)})
	ours := record(func(h *sentry.Hub) []grpc.ServerOption {
		return sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(h))
	}, []grpc.DialOption{grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler("passthrough:///catalog.internal:443"))})
	if !hand.whole || !ours.whole || hand.names != ours.names {
		t.Errorf("hand-written: whole %v, names %v; sentrytaskgrpc: whole %v, names %v", hand.whole, hand.names, ours.whole, ours.names)
	}
	for _, k := range []string{"rpc.system", "rpc.service", "rpc.method", "rpc.grpc.status_code"} {
		if !hand.clientData[k] || !ours.clientData[k] || !hand.serverData[k] || !ours.serverData[k] {
			t.Errorf("%s: hand-written client %v server %v, sentrytaskgrpc client %v server %v; want all",
				k, hand.clientData[k], hand.serverData[k], ours.clientData[k], ours.serverData[k])
		}
	}
}

// handClient is the client side as careful sentry-go code writes it: a
// span below the caller's, its trace in a copy of the call's metadata,
// the span ended with the call's status.
func handClient(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	span := sentry.StartSpan(ctx, "grpc.client", sentry.WithDescription(method))
	span.SetData("rpc.system", "grpc")
	span.SetData("rpc.service", "grpc.health.v1.Health")
	span.SetData("rpc.method", "Check")
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Set(sentry.SentryTraceHeader, span.ToSentryTrace())
	md.Set(sentry.SentryBaggageHeader, span.ToBaggage())
	err := invoker(metadata.NewOutgoingContext(span.Context(), md), method, req, reply, cc, opts...)
	c := status.Code(err)
	span.SetData("rpc.grpc.status_code", int(c))
	span.Status = handStatus(c)
	span.Finish()
	return err
}

// handServer is the server side as careful sentry-go code writes it: a
// clone of the server's hub per RPC, a transaction continuing the caller's
// trace, a recovered panic reported on it, its status from the handler.
func handServer(serverHub *sentry.Hub) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		hub := serverHub.Clone()
		md, _ := metadata.FromIncomingContext(ctx)
		tx := sentry.StartTransaction(sentry.SetHubOnContext(ctx, hub), info.FullMethod,
			sentry.ContinueFromHeaders(first(md, sentry.SentryTraceHeader), first(md, sentry.SentryBaggageHeader)),
			sentry.WithOpName("grpc.server"), sentry.WithTransactionSource(sentry.SourceRoute))
		tx.SetData("rpc.system", "grpc")
		tx.SetData("rpc.service", "grpc.health.v1.Health")
		tx.SetData("rpc.method", "Check")
		defer func() {
			if r := recover(); r != nil {
				hub.RecoverWithContext(tx.Context(), r)
				tx.Status = sentry.SpanStatusInternalError
				tx.Finish()
				hub.Flush(2 * time.Second)
				panic(r)
			}
		}()
		resp, err = handler(tx.Context(), req)
		c := status.Code(err)
		tx.SetData("rpc.grpc.status_code", int(c))
		tx.Status = handStatus(c)
		tx.Finish()
		return resp, err
	}
}

func handStatus(c codes.Code) sentry.SpanStatus {
	if c == codes.OK {
		return sentry.SpanStatusOK
	}
	return sentry.SpanStatusInternalError
}

// dropTransport drops every event.
type dropTransport struct{}

func (dropTransport) Configure(sentry.ClientOptions)        {}
func (dropTransport) SendEvent(*sentry.Event)               {}
func (dropTransport) Flush(time.Duration) bool              { return true }
func (dropTransport) FlushWithContext(context.Context) bool { return true }
func (dropTransport) Close()                                {}
