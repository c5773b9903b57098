package wire

import (
	"strings"
	"testing"
	"time"
)

func TestEnqueuedTime(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 12, 0, 0, 123456000, time.UTC)
	if got, ok := ParseEnqueuedTime([]string{FormatEnqueuedTime(at)}); !ok || !got.Equal(at) {
		t.Errorf("a formatted time parses back as %v, %v; want %v", got, ok, at)
	}
	for _, tc := range []struct {
		in []string
		ok bool
	}{
		{[]string{"1764504000.5"}, true},
		{[]string{"1.7645040005E9"}, true}, // as Java's Double.toString writes it
		{[]string{" 1764504000 "}, true},
		{[]string{"1764504000", "1764504000.0"}, true},
		{[]string{"1764504000", "1764504001"}, false},
		{[]string{"1764504000000"}, false}, // milliseconds
		{[]string{"-1764504000"}, false},
		{[]string{"NaN"}, false},
		{[]string{"+Inf"}, false},
		{[]string{"yesterday"}, false},
		{[]string{"0x1p30"}, false},
		{[]string{strings.Repeat("1", 1<<16)}, false},
		{[]string{"\xff\xfe"}, false},
		{nil, false},
	} {
		if _, ok := ParseEnqueuedTime(tc.in); ok != tc.ok {
			t.Errorf("ParseEnqueuedTime(%.40q) ok = %v; want %v", tc.in, ok, tc.ok)
		}
	}
}

func FuzzParseEnqueuedTime(f *testing.F) {
	for _, s := range []string{"1764504000.123456", "1.7645040005E9", "", "NaN", "1e400"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, first, second string) {
		at, ok := ParseEnqueuedTime([]string{first, second})
		if !ok {
			return
		}
		if at.Unix() < minEnqueuedSeconds || at.Unix() > maxEnqueuedSeconds {
			t.Fatalf("ParseEnqueuedTime(%q, %q) = %v, outside the accepted years", first, second, at)
		}
		again, ok := ParseEnqueuedTime([]string{FormatEnqueuedTime(at)})
		if !ok || again.Sub(at).Abs() > time.Microsecond {
			t.Fatalf("%v formats and parses back as %v, %v", at, again, ok)
		}
	})
}
