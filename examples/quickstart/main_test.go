package main

import (
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
		`transaction summary.upload "summary.upload" ok`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
