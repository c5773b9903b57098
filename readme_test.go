package sentrytask_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsCodeCompiles keeps the documentation honest: every Go block in
// the repository's markdown (README.md, docs/, each module's README) must
// appear, line for line (indentation aside), in one of its test files,
// which the compiler checks — the integrations' in their own modules'
// tests. A block that drifts from the API fails here instead of misleading
// a reader. A block of imports is checked against the packages instead:
// each of this repository's paths it imports must be a package, by the
// name it is given.
func TestDocsCodeCompiles(t *testing.T) {
	t.Parallel()
	var docs, tests []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "."):
			return filepath.SkipDir
		case strings.HasSuffix(path, ".md"):
			docs = append(docs, path)
		case strings.HasSuffix(path, "_test.go"):
			tests = append(tests, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sources [][]string
	for _, f := range tests {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, codeLines(string(b)))
	}
	blocks := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
			blocks++
			block := codeLines(m[1])
			if strings.HasPrefix(block[0], "import ") {
				checkImports(t, doc, block)
				continue
			}
			found := false
			for _, src := range sources {
				if containsRun(src, block) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: a Go block is in no test file, so nothing compiles it:\n%s", doc, m[1])
			}
		}
	}
	if blocks < 20 {
		t.Fatalf("found %d Go blocks in %d markdown files; the walk missed them", blocks, len(docs))
	}
}

// checkImports checks that each of this repository's import paths in an
// import block names a package of it, by the name the block gives it.
func checkImports(t *testing.T, doc string, block []string) {
	t.Helper()
	spec := regexp.MustCompile(`^(?:import )?\(?\s*(\w+ )?"(github\.com/sentrytask/sentrytask[^"]*)"\)?$`)
	for _, line := range block {
		m := spec.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		dir := strings.TrimPrefix(strings.TrimPrefix(m[2], "github.com/sentrytask/sentrytask"), "/")
		if dir == "" {
			dir = "."
		}
		name := strings.TrimSpace(m[1])
		if name == "" {
			name = filepath.Base(m[2])
		}
		b, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil || !regexp.MustCompile(`(?m)^package `+name+`$`).Match(b) {
			t.Errorf("%s imports %s as %s, which is no package of this repository by that name", doc, m[2], name)
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

// TestDocsLinksResolve: every relative link in the repository's markdown
// names a file that exists, and, with an anchor, a heading of it.
func TestDocsLinksResolve(t *testing.T) {
	t.Parallel()
	link := regexp.MustCompile(`\]\(([^)#\s]*)(#[^)\s]*)?\)`)
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target, anchor := m[1], strings.TrimPrefix(m[2], "#")
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			file := path
			if target != "" {
				file = filepath.Join(filepath.Dir(path), target)
			}
			content, err := os.ReadFile(file)
			if err != nil {
				if info, statErr := os.Stat(file); statErr == nil && info.IsDir() {
					continue
				}
				t.Errorf("%s links %s, which does not exist", path, m[0])
				continue
			}
			if anchor != "" && !hasAnchor(string(content), anchor) {
				t.Errorf("%s links %s, which has no heading #%s", path, file, anchor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked %d links; the walk missed them", checked)
	}
}

// hasAnchor reports whether markdown has a heading whose GitHub anchor is
// anchor: lower case, punctuation dropped, spaces as hyphens.
func hasAnchor(markdown, anchor string) bool {
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(markdown, -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		if b.String() == anchor {
			return true
		}
	}
	return false
}
