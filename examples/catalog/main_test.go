package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"go.uber.org/goleak"
)

// childEnv makes the test binary run the program's main instead of the
// tests: the program sets up the global hub with sentry.Init, which no test
// may do in the test process.
const childEnv = "CATALOG_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func TestCatalogRecordsOneWholeTrace(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-items", "7", "-concurrency", "3", "-workers", "2")
	cmd.Env = append(os.Environ(), childEnv+"=1", "SENTRY_DSN=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("catalog: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"fetched 7 items",
		// 1 command, 7 requests, 7 detached view counts; per request an
		// item.fetch and an http.client span on the CLI's side, and 4 on
		// the server's; the review lookup of item 7 fails.
		"1 trace, 15 transactions, 44 spans, 1 error, 0 orphans",
		"the trace is whole",
		`transaction http.server "GET /items/{id}" ok`,
		`transaction analytics.view "item 7" ok`,
		`thumbnail.render "item 3" ok`,
		"! error: *errors.errorString: reviews for item 7: upstream timed out",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestCatalogStaysWholePastMaxSpans fetches more items than sentry-go's
// default MaxSpans lets one transaction hold (two spans each), and prints
// the tree once.
func TestCatalogStaysWholePastMaxSpans(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-items", "600", "-concurrency", "16")
	cmd.Env = append(os.Environ(), childEnv+"=1", "SENTRY_DSN=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("catalog: %v\n%.2000s", err, out)
	}
	got := string(out)
	if !strings.Contains(got, "the trace is whole") || !strings.Contains(got, "1 trace, 1201 transactions") {
		t.Errorf("output does not end with a whole trace of 1201 transactions:\n%s", got[max(0, len(got)-2000):])
	}
	if n := strings.Count(got, `transaction cli.command "catalog fetch"`); n != 1 {
		t.Errorf("the tree was printed %d times; want once", n)
	}
}

func TestCatalogRejectsBadFlags(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-items", "0")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 {
		t.Fatalf("exit code %d, want 2:\n%s", code, out)
	}
}

// TestReportFailsOnABrokenTrace feeds report a server's events without the
// CLI's: the requests' parents are missing, and the program must fail.
func TestReportFailsOnABrokenTrace(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	tx := sentry.StartTransaction(ctx, "GET /items/{id}", sentry.WithOpName("http.server"),
		sentry.ContinueFromHeaders("4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", ""))
	tx.Finish()

	var out strings.Builder
	err := report(&out, rec.Events(), 1)
	if err == nil {
		t.Fatalf("report accepted a trace whose root is missing:\n%s", out.String())
	}
	if !strings.Contains(err.Error(), "00f067aa0ba902b7") || !strings.Contains(err.Error(), "http.client") {
		t.Errorf("report's error does not name the missing parent and span:\n%v", err)
	}
	if strings.Contains(err.Error(), "└─") {
		t.Errorf("report's error repeats the tree it printed:\n%v", err)
	}
}

// TestADSNNobodyServesIsReportedAsNotDelivered: sentry-go flushes a DSN
// that points at a port nobody listens on as well as a real one; the
// catalog must say that Sentry took nothing, and fail, not claim it sent.
func TestADSNNobodyServesIsReportedAsNotDelivered(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-items", "2")
	cmd.Env = append(os.Environ(), childEnv+"=1", "SENTRY_DSN=http://key@"+addr+"/1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not delivered to Sentry") || strings.Contains(string(out), "Sentry took") {
		t.Errorf("catalog with a DSN nobody serves: %v\n%s\nwant a failure saying nothing was delivered", err, out)
	}
}
