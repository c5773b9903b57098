package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"go.uber.org/goleak"
)

// runMainEnv makes the test binary run the program's main: the program
// sets up the global hub with sentry.Init, which no test may do in the
// test process.
const runMainEnv = "GRPC_EXAMPLE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func run1(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "SENTRY_DSN=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestTheTraceCrossesGRPCWhole(t *testing.T) {
	t.Parallel()
	out, err := run1(t, "-services", "4")
	if err != nil {
		t.Fatalf("grpc: %v\n%s", err, out)
	}
	for _, want := range []string{
		// 1 command, 4 gateway RPCs, 4 stock checks, 4 price watches; per
		// service a service.check and a grpc.client span in the CLI, two
		// dependency.check and two grpc.client spans in the gateway, a
		// db.query and two price.read spans behind it.
		"1 trace, 13 transactions, 36 spans, 0 errors, 0 orphans",
		"the trace is whole",
		`transaction grpc.server "/grpc.health.v1.Health/Watch" ok`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestReportSaysWhenTheTraceIsBroken is the check the program ends with: a
// server transaction in a trace of its own, as without the integration,
// fails it.
func TestReportSaysWhenTheTraceIsBroken(t *testing.T) {
	t.Parallel()
	client, rec, err := sentrytasktest.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	cli := sentry.StartTransaction(ctx, "status check", sentry.WithOpName("cli.command"))
	cli.StartChild("grpc.client").Finish()
	cli.Finish()
	srv := sentry.StartTransaction(ctx, "/grpc.health.v1.Health/Check", sentry.WithOpName("grpc.server"))
	srv.Finish()

	var out strings.Builder
	err = report(&out, rec.Events(), 1)
	if err == nil || !strings.Contains(err.Error(), "the trace is not whole") {
		t.Fatalf("report = %v; want the trace is not whole\n%s", err, out.String())
	}
}

func TestRejectsBadFlags(t *testing.T) {
	t.Parallel()
	out, err := run1(t, "-services", "0")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(out, "-services must be at least 1") {
		t.Errorf("grpc -services 0: %v, %q; want exit status 2 and why", err, out)
	}
}
