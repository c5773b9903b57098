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
	for _, dir := range []string{"testdata", "testdata/app"} {
		cmd := exec.Command("go", "mod", "download")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go mod download in %s: %v\n%s", dir, err, out)
			os.Exit(1)
		}
	}
	goleak.VerifyTestMain(m)
}
