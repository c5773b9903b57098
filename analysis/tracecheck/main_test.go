package tracecheck_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"
)

// TestMain downloads the testdata module's dependencies first:
// analysistest loads it with GOPROXY=off, and nothing else in this module
// needs sentry-go, so on a fresh machine the module cache lacks it.
func TestMain(m *testing.M) {
	cmd := exec.Command("go", "mod", "download")
	cmd.Dir = "testdata"
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go mod download in testdata: %v\n%s", err, out)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m)
}
