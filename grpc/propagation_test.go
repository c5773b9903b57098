package sentrytaskgrpc_test

import (
	"context"
	"maps"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// recordMetadata is a Check that keeps the metadata each call arrived
// with.
func recordMetadata(got *[]metadata.MD) *service {
	return &service{check: func(ctx context.Context, _ *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		*got = append(*got, md.Copy())
		return serving, nil
	}}
}

const staleTrace = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"

func TestCallsCarryTheTraceOnlyWithinTheTargetsAndNeverWriteTheCallersMetadata(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		opts      []sentrytaskgrpc.ClientOption
		propagate bool
	}{
		{"the client's targets (every host)", nil, true},
		{"within WithPropagationTargets", []sentrytaskgrpc.ClientOption{sentrytaskgrpc.WithPropagationTargets("127.0.0.1")}, true},
		{"outside WithPropagationTargets", []sentrytaskgrpc.ClientOption{sentrytaskgrpc.WithPropagationTargets("catalog.internal")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []metadata.MD
			srv := newServer(t, recordMetadata(&got))
			client := dial(t, srv.addr, tc.opts...)
			ctx, tx, cli := caller(t, "check")
			mine := metadata.Pairs("sentry-trace", staleTrace, "baggage", "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,vendor=1", "x-user", "7")
			before := mine.Copy()
			ctx = metadata.NewOutgoingContext(ctx, mine)
			if _, err := client.Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
				t.Fatal(err)
			}
			tx.Finish()
			srv.stop()

			if !maps.EqualFunc(mine, before, func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }) {
				t.Errorf("the caller's metadata was written: %v; was %v", mine, before)
			}
			md := got[0]
			if md.Get("x-user")[0] != "7" || !strings.Contains(strings.Join(md.Get("baggage"), ","), "vendor=1") {
				t.Errorf("the call lost the caller's own metadata: %v", md)
			}
			call := sentrytasktest.SpansByOp(cli.Events(), "grpc.client")
			if len(call) != 1 {
				t.Fatalf("%d client spans; want 1 (a span whatever the targets)", len(call))
			}
			trace := md.Get("sentry-trace")
			if tc.propagate {
				if want := call[0].TraceID.String() + "-" + call[0].SpanID.String() + "-1"; len(trace) != 1 || trace[0] != want {
					t.Errorf("sentry-trace %v; want %s, the call's span", trace, want)
				}
				return
			}
			if len(trace) != 0 || strings.Contains(strings.Join(md.Get("baggage"), ","), "sentry-") {
				t.Errorf("a call outside the targets carried %v, baggage %v; want no trace", trace, md.Get("baggage"))
			}
			if srvTrace, _, _ := sentrytasktest.IDs(srv.rec.Transactions()[0]); srvTrace == call[0].TraceID.String() {
				t.Error("the server continued the caller's trace from outside the targets")
			}
		})
	}
}

// TestAConnectionMadeBeforeSentryIsSetUpIsTraced: the handler is built,
// and the connection made, before the caller's client exists.
func TestAConnectionMadeBeforeSentryIsSetUpIsTraced(t *testing.T) {
	t.Parallel()
	var got []metadata.MD
	srv := newServer(t, recordMetadata(&got))
	client := dial(t, srv.addr) // no client yet
	ctx, tx, cli := caller(t, "check")
	if _, err := client.Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	srv.stop()
	sentrytasktest.AssertTrace(t, sentrytasktest.Merge(cli, srv.rec), sentrytasktest.ExpectSpans("grpc.client", 1))
}

// TestTheHeadsSamplingContextIsForwardedUnchanged: a caller that continued
// someone else's trace passes on the head's baggage as it came; when the
// head sent no sample_rand, the caller fixes one its decision agrees with.
func TestTheHeadsSamplingContextIsForwardedUnchanged(t *testing.T) {
	t.Parallel()
	head := "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-public_key=headkey,sentry-sample_rate=0.5,sentry-sampled=true,sentry-release=head%401"
	for _, baggage := range []string{head + ",sentry-sample_rand=0.25", head} {
		var got []metadata.MD
		srv := newServer(t, recordMetadata(&got))
		client := dial(t, srv.addr)
		hub, _ := sentrytasktest.NewHub(t)
		tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "job",
			sentry.ContinueFromHeaders(staleTrace, baggage))
		if _, err := client.Check(tx.Context(), &healthgrpc.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
		tx.Finish()
		srv.stop()
		got0 := sentryMembers(t, strings.Join(got[0].Get("baggage"), ","))
		want := sentryMembers(t, baggage)
		if _, ok := want["sentry-sample_rand"]; !ok {
			rand, err := strconv.ParseFloat(got0["sentry-sample_rand"], 64)
			if err != nil || rand >= 0.5 {
				t.Errorf("sample_rand %q; want one below the head's rate, as it sampled", got0["sentry-sample_rand"])
			}
			delete(got0, "sentry-sample_rand")
		}
		if !maps.Equal(got0, want) {
			t.Errorf("the call's sentry baggage %v; want the head's, unchanged: %v", got0, want)
		}
	}
}

// sentryMembers decodes the sentry-* members of a baggage header: the
// values, not their encoding, must stay as the head wrote them.
func sentryMembers(t *testing.T, baggage string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, member := range strings.Split(baggage, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(member), "=")
		if !strings.HasPrefix(k, "sentry-") {
			continue
		}
		value, err := url.PathUnescape(v)
		if err != nil {
			t.Fatalf("baggage member %q: %v", member, err)
		}
		m[k] = value
	}
	return m
}

// TestHostileMetadataStartsANewTrace sends metadata no client handler
// would: the server starts a new trace and answers.
func TestHostileMetadataStartsANewTrace(t *testing.T) {
	t.Parallel()
	srv := newServer(t, &service{})
	client := dialWith(t, srv.addr) // raw: the test writes the metadata
	for _, tc := range []struct {
		name      string
		md        metadata.MD
		continues bool
	}{
		{"valid sentry-trace", metadata.Pairs("sentry-trace", staleTrace), true},
		{"valid traceparent alone", metadata.Pairs("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), true},
		{"malformed sentry-trace", metadata.Pairs("sentry-trace", "zzzz-not-a-trace"), false},
		{"two different sentry-traces", metadata.Pairs("sentry-trace", staleTrace, "sentry-trace", "5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"), false},
		{"all-zero trace id", metadata.Pairs("sentry-trace", "00000000000000000000000000000000-00f067aa0ba902b7-1"), false},
		{"future traceparent version", metadata.Pairs("traceparent", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), false},
		{"oversized baggage", metadata.Pairs("sentry-trace", staleTrace, "baggage", strings.Repeat("sentry-x=", 100_000)), true},
	} {
		ctx := metadata.NewOutgoingContext(context.Background(), tc.md)
		if _, err := client.Check(ctx, &healthgrpc.HealthCheckRequest{}); err != nil {
			t.Errorf("%s: Check = %v; want an answer", tc.name, err)
		}
	}
	srv.stop()
	txs := srv.rec.Transactions()
	if len(txs) != 7 {
		t.Fatalf("%d transactions; want 7", len(txs))
	}
	continued := 0
	for _, e := range txs {
		if traceID, _, _ := sentrytasktest.IDs(e); traceID == "4bf92f3577b34da6a3ce929d0e0e4736" {
			continued++
		}
	}
	if continued != 3 {
		t.Errorf("%d RPCs continued the given trace; want the 3 with a valid one", continued)
	}
}

// TestOptionsForTheOtherSideDoNotCompile: the server's constructors take
// ServerOptions and the client's ClientOptions, which no option of the
// other side is; WithFilter's is both.
func TestOptionsForTheOtherSideDoNotCompile(t *testing.T) {
	t.Parallel()
	server := reflect.TypeFor[sentrytaskgrpc.ServerOption]()
	client := reflect.TypeFor[sentrytaskgrpc.ClientOption]()
	for name, f := range map[string]any{"ServerOptions": sentrytaskgrpc.ServerOptions, "NewServerHandler": sentrytaskgrpc.NewServerHandler,
		"UnaryServerInterceptor": sentrytaskgrpc.UnaryServerInterceptor, "StreamServerInterceptor": sentrytaskgrpc.StreamServerInterceptor} {
		if in := reflect.TypeOf(f); in.In(in.NumIn()-1).Elem() != server {
			t.Errorf("%s's options are not ServerOptions", name)
		}
	}
	if in := reflect.TypeOf(sentrytaskgrpc.NewClientHandler); in.In(in.NumIn()-1).Elem() != client {
		t.Error("NewClientHandler's options are not ClientOptions")
	}
	for name, o := range map[string]any{"WithHub": sentrytaskgrpc.WithHub(nil), "WithRecoverPanics": sentrytaskgrpc.WithRecoverPanics()} {
		if ty := reflect.TypeOf(o); !ty.Implements(server) || ty.Implements(client) {
			t.Errorf("%s is not for the server only", name)
		}
	}
	for name, o := range map[string]any{"WithPropagationTargets": sentrytaskgrpc.WithPropagationTargets(), "WithTraceparent": sentrytaskgrpc.WithTraceparent()} {
		if ty := reflect.TypeOf(o); !ty.Implements(client) || ty.Implements(server) {
			t.Errorf("%s is not for the client only", name)
		}
	}
	if ty := reflect.TypeOf(sentrytaskgrpc.WithFilter(nil)); !ty.Implements(server) || !ty.Implements(client) {
		t.Error("WithFilter is not for both sides")
	}
}
