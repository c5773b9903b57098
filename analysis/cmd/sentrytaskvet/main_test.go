package main_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// vettool is the sentrytaskvet binary the tests run, built once.
var vettool string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sentrytaskvet")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	vettool = filepath.Join(dir, "sentrytaskvet")
	if out, err := exec.Command("go", "build", "-o", vettool, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// modules are the testdata modules, relative to the testdata directory:
// example.com/vettest, and myapp (an application's module, named without
// a dot) nested in it.
var modules = []string{".", "app"}

// workspace copies the analyzer's testdata modules into a temporary
// directory, pointing their replaces at this repository, so the tests can
// run the tool on them and apply fixes without touching the originals.
func workspace(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("../../tracecheck/testdata")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = os.CopyFS(dst, os.DirFS(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range modules {
		mod := filepath.Join(dst, m, "go.mod")
		b, err := os.ReadFile(mod)
		if err != nil {
			t.Fatal(err)
		}
		b = relativeRoot.ReplaceAll(b, []byte("=> "+root))
		if err := os.WriteFile(mod, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func run(t *testing.T, dir string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// relativeRoot is a replace directive's path to this repository.
var relativeRoot = regexp.MustCompile(`=> (\.\./)+\.\.`)

var finding = regexp.MustCompile(`(?m)^(\S+\.go):\d+:\d+: (.+)$`)

var wantDiagnostic = regexp.MustCompile("// want [\"`]")

// wants counts the diagnostics each package's sources expect.
func wants(t *testing.T, dir string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".go" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(path))
		// A diagnostic's expectation is quoted; a fact's is named
		// (// want process:"…").
		counts[rel] += len(wantDiagnostic.FindAll(b, -1))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// TestGoVet runs the tool as go vet's -vettool over the whole testdata
// module: it finds what analysistest expects, in the packages that have
// it, links every finding to the README, and fails the vet run.
func TestGoVet(t *testing.T) {
	t.Parallel()
	dir := workspace(t)
	got := map[string]int{}
	var outs []string
	for _, mod := range modules {
		out, err := run(t, filepath.Join(dir, mod), "go", "vet", "-vettool="+vettool, "./...")
		if err == nil {
			t.Fatalf("go vet passed on code that breaks traces in module %s:\n%s", mod, out)
		}
		outs = append(outs, out)
		for _, m := range finding.FindAllStringSubmatch(out, -1) {
			got[filepath.Join(mod, filepath.Dir(m[1]))]++
			if !strings.Contains(m[2], "(see https://github.com/sentrytask/sentrytask/blob/main/analysis/README.md#") {
				t.Errorf("finding without a README link: %s", m[0])
			}
		}
	}
	out := strings.Join(outs, "\n")
	want := wants(t, dir)
	for pkg, n := range want {
		if got[pkg] != n {
			t.Errorf("%s: %d findings, want %d", pkg, got[pkg], n)
		}
	}
	for pkg := range got {
		if _, ok := want[pkg]; !ok {
			t.Errorf("%s: findings in a package that expects none", pkg)
		}
	}
	// The README shows a finding as users see it: it must be one.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile("(?s)```text\n(.*?)```").FindSubmatch(readme)
	if shown == nil {
		t.Error("the README shows no finding")
	} else if line := strings.TrimSpace(string(shown[1])); !strings.Contains(out, line) {
		t.Errorf("the README shows a finding the tool does not make:\n%s", line)
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestFixesBuild applies every suggested fix with -fix: the result is the
// golden files analysistest checks, and it builds and passes go vet.
func TestFixesBuild(t *testing.T) {
	t.Parallel()
	dir := workspace(t)
	for _, mod := range modules {
		if out, err := run(t, filepath.Join(dir, mod), vettool, "-fix", "./..."); err != nil {
			t.Fatalf("sentrytaskvet -fix in module %s: %v\n%s", mod, err, out)
		}
	}
	goldens, err := filepath.Glob(filepath.Join(dir, "*", "*.go.golden"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden files (%v)", err)
	}
	for _, golden := range goldens {
		want, _ := os.ReadFile(golden)
		got, _ := os.ReadFile(strings.TrimSuffix(golden, ".golden"))
		if !bytes.Equal(got, want) {
			t.Errorf("%s after -fix differs from its golden file:\n%s", filepath.Base(strings.TrimSuffix(golden, ".golden")), got)
		}
	}
	for _, mod := range modules {
		if out, err := run(t, filepath.Join(dir, mod), "go", "build", "./..."); err != nil {
			t.Fatalf("fixed code of module %s does not build: %v\n%s", mod, err, out)
		}
		if out, err := run(t, filepath.Join(dir, mod), "go", "vet", "./..."); err != nil {
			t.Fatalf("fixed code of module %s fails go vet: %v\n%s", mod, err, out)
		}
	}
}
