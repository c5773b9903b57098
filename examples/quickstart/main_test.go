package main

import (
	"net"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestQuickstartRecordsOneContinuousTrace(t *testing.T) {
	var out strings.Builder
	if err := run(&out, ""); err != nil {
		t.Fatalf("run() = %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"1 trace, 2 transactions, 8 spans, 1 error, 0 orphans",
		`file.import "broken.csv" internal_error`,
		"! error: *errors.errorString: broken.csv: line 3: unterminated quote",
		`transaction summary.upload "upload the import's summary" ok`,
		"the trace is whole",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestSendingToADSNNobodyServesFails: a DSN that points at a port nobody
// listens on flushes as well as a real one; the run must say it delivered
// nothing, and fail.
func TestSendingToADSNNobodyServesFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out strings.Builder
	err = run(&out, "http://key@"+addr+"/1")
	if err == nil || !strings.Contains(err.Error(), "not delivered to Sentry") || strings.Contains(out.String(), "Sentry took") {
		t.Errorf("run() = %v, printing %q; want it to fail, saying nothing was delivered", err, out.String())
	}
}
