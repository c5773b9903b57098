package sentrytaskgrpc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestARecoveredPanicIsReportedOnceAndAnswersInternal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// handler panics, directly or inside a span of its own.
		handler   func(ctx context.Context) error
		innerSpan bool
	}{
		{"in the handler", func(context.Context) error { panic("boom") }, false},
		{"in a span an inner layer reported", func(ctx context.Context) error {
			return sentrytask.Instrument(ctx, "db.query", func(context.Context) error { panic(errors.New("boom")) })
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, &service{check: func(ctx context.Context, _ *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
				return serving, tc.handler(ctx)
			}}, sentrytaskgrpc.WithRecoverPanics())
			client := dial(t, srv.addr)
			ctx, tx, _ := caller(t, "check")
			_, err := client.Check(ctx, &healthgrpc.HealthCheckRequest{})
			tx.Finish()
			srv.stop()
			if s, _ := status.FromError(err); s.Code() != codes.Internal || s.Message() != "internal error" {
				t.Errorf("Check = %v; want Internal, internal error (the panic's value is not the caller's)", err)
			}
			events := srv.rec.Errors()
			if len(events) != 1 {
				t.Fatalf("%d panic events; want 1", len(events))
			}
			e := events[0]
			server := srv.rec.Transactions()
			if len(server) != 1 || server[0].Contexts["trace"]["status"] != sentry.SpanStatusInternalError {
				t.Fatalf("server transactions %v; want one, internal_error", server)
			}
			want := server[0].Contexts["trace"]["span_id"]
			if tc.innerSpan {
				want = sentrytasktest.SpansByOp(server, "db.query")[0].SpanID
			}
			if fmt.Sprint(e.Contexts["trace"]["span_id"]) != fmt.Sprint(want) || e.Level != sentry.LevelFatal {
				t.Errorf("the panic is linked to %v at %s; want %v, fatal", e.Contexts["trace"]["span_id"], e.Level, want)
			}
		})
	}
}

// crashEnv makes the test binary play a server whose handler panics with
// the default options, writing each event as it is sent, as a JSON line.
const crashEnv = "SENTRYTASKGRPC_CRASH"

// lines is a transport that writes each event to stdout at once: the
// process is about to end.
type lines struct{ mu sync.Mutex }

func (l *lines) SendEvent(e *sentry.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = sentrytasktest.WriteJSON(os.Stdout, []*sentry.Event{e})
}
func (*lines) Configure(sentry.ClientOptions)        {}
func (*lines) Flush(time.Duration) bool              { return true }
func (*lines) FlushWithContext(context.Context) bool { return true }
func (*lines) Close()                                {}

// crash runs in the child: a server with the default options, whose
// Check panics, called once; the panic ends the process.
func crash() {
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: sentrytasktest.DSN, EnableTracing: true, TracesSampleRate: 1, Transport: &lines{}})
	if err != nil {
		panic(err)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer(sentrytaskgrpc.ServerOptions(sentrytaskgrpc.WithHub(hub))...)
	healthgrpc.RegisterHealthServer(srv, &service{check: func(context.Context, *healthgrpc.HealthCheckRequest) (*healthgrpc.HealthCheckResponse, error) {
		panic("boom")
	}})
	go func() { _ = srv.Serve(ln) }()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	_, err = healthgrpc.NewHealthClient(conn).Check(context.Background(), &healthgrpc.HealthCheckRequest{})
	fmt.Fprintln(os.Stderr, "the call returned, the server did not crash:", err)
	os.Exit(0)
}

func TestAPanicThatGoesOnIsDeliveredBeforeItEndsTheProgram(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "panic: boom") {
		t.Fatalf("the child ended with %v; want the panic, exit status 2:\n%s", err, stderr.String())
	}
	var events []*sentry.Event
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		got, err := sentrytasktest.ReadJSON(strings.NewReader(sc.Text()))
		if err != nil {
			t.Fatalf("reading the child's events: %v", err)
		}
		events = append(events, got...)
	}
	var panics, txs []*sentry.Event
	for _, e := range events {
		if e.Type == "transaction" {
			txs = append(txs, e)
		} else {
			panics = append(panics, e)
		}
	}
	if len(panics) != 1 || len(txs) != 1 {
		t.Fatalf("the child sent %d panic events and %d transactions; want 1 of each", len(panics), len(txs))
	}
	if txs[0].Contexts["trace"]["status"] != "internal_error" || txs[0].Transaction != "/grpc.health.v1.Health/Check" {
		t.Errorf("transaction %q, status %v; want Check, internal_error", txs[0].Transaction, txs[0].Contexts["trace"]["status"])
	}
	if fmt.Sprint(panics[0].Contexts["trace"]["span_id"]) != fmt.Sprint(txs[0].Contexts["trace"]["span_id"]) {
		t.Errorf("the panic is linked to %v; want the RPC's transaction %v", panics[0].Contexts["trace"]["span_id"], txs[0].Contexts["trace"]["span_id"])
	}
}
