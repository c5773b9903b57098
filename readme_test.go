package sentrytask_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECodeCompiles keeps the README honest: every Go block in it must
// appear, line for line (indentation aside), in one of this package's test
// files or the integrations' (river, nats, grpc), which the compiler
// checks. A block that drifts from the API fails here instead of
// misleading a reader.
func TestREADMECodeCompiles(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The integrations' blocks are compiled in their own modules' tests.
	var files []string
	for _, pattern := range []string{"*_test.go", "river/*_test.go", "nats/*_test.go", "grpc/*_test.go"} {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	var sources [][]string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, codeLines(string(b)))
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("no Go blocks found in README.md")
	}
	for _, b := range blocks {
		block := codeLines(b[1])
		found := false
		for _, src := range sources {
			if containsRun(src, block) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("README block is in no test file of this package, so nothing compiles it:\n%s", b[1])
		}
	}
}

// codeLines returns the non-blank lines of s without their indentation.
func codeLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether run occurs in lines as consecutive lines.
func containsRun(lines, run []string) bool {
	for i := 0; i+len(run) <= len(lines); i++ {
		match := true
		for j := range run {
			if lines[i+j] != run[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
