package wire

import (
	"strings"
	"testing"
)

// The parsers read headers from anyone. The fuzz Targets check that no input
// panics, that what is accepted is well-formed, and that the work and
// output are bounded. Seed corpora are in testdata/fuzz; .ci/run runs each
// target for a short while.

func FuzzParseSentryTrace(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		h, ok := ParseSentryTrace(in)
		if !ok {
			return
		}
		if !h.valid() {
			t.Fatalf("ParseSentryTrace(%q) accepted zero ids", in)
		}
		again, ok := ParseSentryTrace(FormatSentryTrace(h.TraceID, h.SpanID, h.Sampled))
		if !ok || again != h {
			t.Fatalf("ParseSentryTrace(%q) = %v; its formatting parses as %v, %v", in, h, again, ok)
		}
	})
}

func FuzzParseTraceparent(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		h, ok := ParseTraceparent(in)
		if !ok {
			return
		}
		if !h.valid() {
			t.Fatalf("ParseTraceparent(%q) accepted zero ids", in)
		}
		again, ok := ParseTraceparent(FormatTraceparent(h.TraceID, h.SpanID, h.Sampled))
		if !ok || again != h {
			t.Fatalf("ParseTraceparent(%q) = %v; its formatting parses as %v, %v", in, h, again, ok)
		}
	})
}

func FuzzParseBaggage(f *testing.F) {
	f.Fuzz(func(t *testing.T, first, second string) {
		values := []string{first, second}
		dsc := ParseDSC(values)
		if len(dsc.Entries) > MaxBaggageMembers {
			t.Fatalf("ParseDSC kept %d entries", len(dsc.Entries))
		}
		ours, n := EncodeDSC(dsc.Entries)
		if len(ours) > MaxBaggageBytes || n > MaxBaggageMembers {
			t.Fatalf("EncodeDSC gave %d bytes, %d members", len(ours), n)
		}
		// What we send parses back to what we read, when it all fits.
		if n == len(dsc.Entries) {
			back := ParseDSC([]string{ours})
			for k, v := range dsc.Entries {
				if back.Entries[k] != v {
					t.Fatalf("entry %q = %q after a round trip; was %q", k, back.Entries[k], v)
				}
			}
		}
		merged := MergeBaggage(ours, n, values)
		if len(merged) > MaxBaggageBytes {
			t.Fatalf("merged baggage is %d bytes", len(merged))
		}
		if merged != "" && len(strings.Split(merged, ",")) > MaxBaggageMembers {
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
