package sentrytaskgrpc_test

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"

	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// The caller of a gateway: another service, another SDK, the head of the
// trace, with its own sampling context and a vendor's baggage members that
// this package would not write itself (a space, a quote) beside one it
// would, and a W3C
// traceparent naming its own span.
const (
	headTrace     = "4bf92f3577b34da6a3ce929d0e0e4736"
	headSpan      = "00f067aa0ba902b7"
	headBaggage   = "sentry-trace_id=" + headTrace + ",sentry-public_key=headkey,sentry-sample_rate=0.5,sentry-sampled=true,sentry-release=head%401"
	vendorMembers = `note=two words , quoted="x",vendor=1`
)

// gateway serves RPCs that forward their caller's metadata, as it came, on
// a call to backend, as gateways do.
func gateway(t *testing.T, backend string, opts ...sentrytaskgrpc.ClientOption) *server {
	t.Helper()
	next := dial(t, backend, opts...)
	return newServer(t, &service{check: func(ctx context.Context, req *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		in, _ := metadata.FromIncomingContext(ctx)
		return next.Check(metadata.NewOutgoingContext(ctx, in), req)
	}})
}

func callGateway(t *testing.T, gw *server) {
	t.Helper()
	client := dialWith(t, gw.addr) // another SDK: no handler of ours
	md := metadata.Pairs("sentry-trace", headTrace+"-"+headSpan+"-1", "baggage", headBaggage+","+vendorMembers,
		"traceparent", "00-"+headTrace+"-"+headSpan+"-01")
	if _, err := client.Check(metadata.NewOutgoingContext(context.Background(), md), &healthgrpc.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	gw.stop()
}

// TestAGatewayForwardingItsCallersMetadataSendsOneTrace: the backend sees
// the trace headers of the gateway's own call, not the caller's: its
// sentry-trace and its traceparent name the gateway's grpc.client span,
// and its baggage carries the head's sampling context and the vendor's
// well-formed member (within the targets, what the gateway sends keeps to
// the W3C grammar). The gateway's transaction is sent with the head's sampling
// context in its envelope.
func TestAGatewayForwardingItsCallersMetadataSendsOneTrace(t *testing.T) {
	t.Parallel()
	var got []metadata.MD
	backend := newServer(t, recordMetadata(&got))
	gw := gateway(t, backend.addr)
	callGateway(t, gw)
	backend.stop()

	md := got[0]
	call := sentrytasktest.SpansByOp(gw.rec.Events(), "grpc.client")[0]
	ids := call.TraceID.String() + "-" + call.SpanID.String()
	if st, tp := md.Get("sentry-trace"), md.Get("traceparent"); len(st) != 1 || st[0] != ids+"-1" || len(tp) != 1 || tp[0] != "00-"+ids+"-01" {
		t.Errorf("the backend got sentry-trace %v and traceparent %v; want both naming the gateway's call %s", st, tp, ids)
	}
	baggage := strings.Join(md.Get("baggage"), ",")
	members := sentryMembers(t, baggage)
	rand, err := strconv.ParseFloat(members["sentry-sample_rand"], 64)
	delete(members, "sentry-sample_rand")
	if !maps.Equal(members, sentryMembers(t, headBaggage)) || err != nil || rand >= 0.5 || !strings.HasSuffix(baggage, ",vendor=1") {
		t.Errorf("the backend's baggage %q; want the head's context, a sample_rand below its rate and the vendor's members", baggage)
	}
	sentrytasktest.AssertTrace(t, sentrytasktest.Merge(gw.rec, backend.rec), sentrytasktest.RemoteParent(headSpan),
		sentrytasktest.ExpectSpans("grpc.client", 1), sentrytasktest.ExpectSpans("grpc.server", 2))
	for _, tx := range sentrytasktest.Merge(gw.rec, backend.rec) {
		if tx.Type != "transaction" {
			continue
		}
		dsc := tx.GetDynamicSamplingContext()
		if dsc["public_key"] != "headkey" || dsc["release"] != "head@1" || dsc["sample_rand"] != strconv.FormatFloat(rand, 'f', 6, 64) {
			t.Errorf("%s transaction's envelope context %v; want the head's, with the sample_rand the gateway fixed", tx.Transaction, dsc)
		}
	}
}

// TestAGatewayCallingOutsideTheTargetsPassesNoTrace: forwarded to a host
// outside the targets, the caller's metadata loses every trace header the
// gateway would own — sentry-trace, traceparent and baggage's sentry-*
// members — and keeps the vendor's members byte for byte.
func TestAGatewayCallingOutsideTheTargetsPassesNoTrace(t *testing.T) {
	t.Parallel()
	var got []metadata.MD
	backend := newServer(t, recordMetadata(&got))
	gw := gateway(t, backend.addr, sentrytaskgrpc.WithPropagationTargets("catalog.internal"))
	callGateway(t, gw)
	backend.stop()

	md := got[0]
	if len(md.Get("sentry-trace")) != 0 || len(md.Get("traceparent")) != 0 || strings.Join(md.Get("baggage"), ",") != vendorMembers {
		t.Errorf("outside the targets the backend got sentry-trace %v, traceparent %v, baggage %q; want none, none, %q",
			md.Get("sentry-trace"), md.Get("traceparent"), md.Get("baggage"), vendorMembers)
	}
	if traceID, _, _ := sentrytasktest.IDs(backend.rec.Transactions()[0]); traceID == headTrace {
		t.Error("the backend continued the caller's trace from outside the targets")
	}
}
