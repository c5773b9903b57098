package tracecheck_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sentrytask/sentrytask/analysis/tracecheck"
)

// testdata is a module of its own that requires the real sentry-go,
// errgroup and sentrytask (through a replace), so the checks run on the
// same types users' code has.
func testdata(t *testing.T) string {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGoroutines(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), tracecheck.Analyzer, "./goroutines")
}

func TestErrgroups(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), tracecheck.Analyzer, "./errgroups")
}

func TestHubs(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./hubs")
}

func TestHeaders(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./headers")
}

// TestNoFalsePositives runs on code that keeps traces whole or never
// touches them, and on a package without sentry-go among its
// dependencies; any report fails it.
func TestNoFalsePositives(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./clean", "./nosentry")
}

// TestApplicationModule checks code in a module whose path has no dot
// (module myapp), as applications' modules usually are: its packages are
// the application's, not the standard library's.
func TestApplicationModule(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, filepath.Join(testdata(t), "app"), tracecheck.Analyzer, "./...")
}

// TestSpawners checks the other ways Go starts concurrent work, and hubs
// changed in goroutines.
func TestSpawners(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./spawners")
}

// TestCallees checks that a goroutine is judged by what it runs: reported
// when its code, or code it calls, reads the hub or span it shares, and
// not when that code only waits on ctx or hands it elsewhere.
func TestCallees(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./callees")
}

// TestSpans checks goroutines that share a span rather than a context.
func TestSpans(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./spans")
}

// TestGlobalScope checks changes to the global hub's scope made in
// goroutines and tasks, directly or through what they call.
func TestGlobalScope(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./globalscope")
}

// TestErrorsOnly runs on code that reaches sentry-go only to report
// errors: its goroutines share contexts no hub is ever read from, and
// nothing is reported, in its tests either.
func TestErrorsOnly(t *testing.T) {
	analysistest.Run(t, testdata(t), tracecheck.Analyzer, "./errorsonly/...")
}
