package wire

import (
	"strconv"
	"testing"

	"github.com/getsentry/sentry-go"
)

func traceID(last byte, fill byte) sentry.TraceID {
	var id sentry.TraceID
	for i := range id {
		id[i] = fill
	}
	id[15] = last
	return id
}

// TestSampleRandAgreesWithTheDecision: a sample_rand derived for a
// sampled trace is below its rate, one for a trace not sampled is at or
// above it, whatever the trace id, as a receiver comparing the two would
// decide the same way.
func TestSampleRandAgreesWithTheDecision(t *testing.T) {
	t.Parallel()
	ids := []sentry.TraceID{traceID(0, 0), traceID(0xff, 0xff), traceID(0x80, 0x7f), traceID(1, 0)}
	for _, rate := range []string{"0", "0.0000001", "0.1234567", "0.25", "0.5", "0.999999", "0.9999999", "1"} {
		r, _ := strconv.ParseFloat(rate, 64)
		for _, id := range ids {
			for _, sampled := range []sentry.Sampled{sentry.SampledTrue, sentry.SampledFalse, sentry.SampledUndefined} {
				s := SampleRand(id, sampled, rate)
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || len(s) != len("0.123456") || v < 0 || v >= 1 {
					t.Fatalf("SampleRand(%x, %v, %s) = %q; want six decimals in [0, 1)", id, sampled, rate, s)
				}
				// Six decimals can say "at or above" only up to 0.999999.
				possible := sampled == sentry.SampledTrue && r > 0 || sampled == sentry.SampledFalse && r <= 0.999999
				if !possible {
					continue
				}
				if sampled == sentry.SampledTrue && v >= r || sampled == sentry.SampledFalse && v < r {
					t.Errorf("SampleRand(%x, %v, %s) = %s, which decides otherwise", id, sampled, rate, s)
				}
			}
		}
	}
}

func TestSampleRandIsTheTraceIDsAndSpreadsOverTheRange(t *testing.T) {
	t.Parallel()
	id := traceID(0x42, 0x17)
	if a, b := SampleRand(id, sentry.SampledTrue, "0.5"), SampleRand(id, sentry.SampledTrue, "0.5"); a != b {
		t.Errorf("the same trace got %s and %s", a, b)
	}
	if got := SampleRand(traceID(0, 0), sentry.SampledUndefined, ""); got != "0.000000" {
		t.Errorf("lowest id: %s; want 0.000000", got)
	}
	if got := SampleRand(traceID(0xff, 0xff), sentry.SampledUndefined, ""); got != "0.999999" {
		t.Errorf("highest id: %s; want 0.999999", got)
	}
	// Without a usable rate the decision says nothing: the whole range.
	for _, rate := range []string{"", "x", "-0.5", "1.5", "NaN"} {
		if got := SampleRand(traceID(0xff, 0xff), sentry.SampledTrue, rate); got != "0.999999" {
			t.Errorf("rate %q: %s; want the whole range", rate, got)
		}
	}
}
