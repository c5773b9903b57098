package sentrytask

import (
	"strings"
	"testing"
)

// The parsers read headers from anyone. The fuzz targets check that no input
// panics, that what is accepted is well-formed, and that the work and
// output are bounded. Seed corpora are in testdata/fuzz; .ci/run runs each
// target for a short while.

func FuzzParseSentryTrace(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		h, ok := parseSentryTrace(in)
		if !ok {
			return
		}
		if !h.valid() {
			t.Fatalf("parseSentryTrace(%q) accepted zero ids", in)
		}
		again, ok := parseSentryTrace(formatSentryTrace(h.traceID, h.spanID, h.sampled))
		if !ok || again != h {
			t.Fatalf("parseSentryTrace(%q) = %v; its formatting parses as %v, %v", in, h, again, ok)
		}
	})
}

func FuzzParseTraceparent(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		h, ok := parseTraceparent(in)
		if !ok {
			return
		}
		if !h.valid() {
			t.Fatalf("parseTraceparent(%q) accepted zero ids", in)
		}
		again, ok := parseTraceparent(formatTraceparent(h.traceID, h.spanID, h.sampled))
		if !ok || again != h {
			t.Fatalf("parseTraceparent(%q) = %v; its formatting parses as %v, %v", in, h, again, ok)
		}
	})
}

func FuzzParseBaggage(f *testing.F) {
	f.Fuzz(func(t *testing.T, first, second string) {
		values := []string{first, second}
		dsc := parseDSC(values)
		if len(dsc.Entries) > maxBaggageMembers {
			t.Fatalf("parseDSC kept %d entries", len(dsc.Entries))
		}
		ours, n := encodeDSC(dsc.Entries)
		if len(ours) > maxBaggageBytes || n > maxBaggageMembers {
			t.Fatalf("encodeDSC gave %d bytes, %d members", len(ours), n)
		}
		// What we send parses back to what we read, when it all fits.
		if n == len(dsc.Entries) {
			back := parseDSC([]string{ours})
			for k, v := range dsc.Entries {
				if back.Entries[k] != v {
					t.Fatalf("entry %q = %q after a round trip; was %q", k, back.Entries[k], v)
				}
			}
		}
		merged := mergeBaggage(ours, n, values)
		if len(merged) > maxBaggageBytes {
			t.Fatalf("merged baggage is %d bytes", len(merged))
		}
		if merged != "" && len(strings.Split(merged, ",")) > maxBaggageMembers {
			t.Fatalf("merged baggage has %d members", len(strings.Split(merged, ",")))
		}
		if !strings.HasPrefix(merged, ours) {
			t.Fatalf("merged baggage %q does not start with the sentry members %q", merged, ours)
		}
		scanBaggage([]string{merged}, func(key, value, member string) {
			if key == "" || member == "" {
				t.Fatalf("merged baggage %q has an empty member", merged)
			}
		})
	})
}
