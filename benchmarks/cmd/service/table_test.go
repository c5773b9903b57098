package main

import (
	"strings"
	"testing"
)

func TestTheSectionReplacesItsOldSelfOrComesLast(t *testing.T) {
	section := beginMarker + "\nnew\n" + endMarker + "\n"
	for _, tc := range []struct{ doc, want string }{
		{"", section},
		{"# Results\n\ntable\n", "# Results\n\ntable\n\n" + section},
		{"# Results\n\n" + beginMarker + "\nold\n" + endMarker + "\n\n## After\n", "# Results\n\n" + section + "\n## After\n"},
	} {
		if got := string(withSection([]byte(tc.doc), []byte(section))); got != tc.want {
			t.Errorf("withSection(%q) = %q; want %q", tc.doc, got, tc.want)
		}
	}
}

func TestNumbersReadPlainly(t *testing.T) {
	for x, want := range map[float64]string{127300: "127300", 215.34: "215.3", 41.8: "41.8", 0.2404: "0.24"} {
		if got := number(x); got != want {
			t.Errorf("number(%v) = %q; want %q", x, got, want)
		}
	}
	if !strings.Contains(unit("µs"), "µs") || unit("") != "" {
		t.Error("units")
	}
}
