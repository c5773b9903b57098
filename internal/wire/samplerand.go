package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/getsentry/sentry-go"
)

// SampleRandKey is the dynamic sampling context's entry for the random
// number a trace is sampled with ("sentry-sample_rand" in baggage).
const SampleRandKey = "sample_rand"

// SampleRand returns the sample_rand of a trace: a number in [0, 1) with
// six decimals, consistent with the trace's sampling decision when the
// decision and the rate it was taken at (the sample_rate entry) are known,
// as Sentry's spec asks of the head of a trace and of a service that
// continues a trace whose head sent none: below the rate when sampled, at
// or above it when not. Otherwise any number in [0, 1).
//
// It is drawn from the trace id, as the spec recommends: every service
// that derives it for the same trace, decision and rate derives the same
// number, and nothing random is read.
func SampleRand(traceID sentry.TraceID, sampled sentry.Sampled, sampleRate string) string {
	const scale = 1_000_000
	lo, hi := 0, scale // in millionths, hi excluded
	if rate, err := strconv.ParseFloat(sampleRate, 64); err == nil && rate >= 0 && rate <= 1 {
		// A number v/scale is below rate when v < rate*scale.
		cut := int(math.Ceil(rate * scale))
		switch sampled {
		case sentry.SampledTrue:
			lo, hi = 0, cut
		case sentry.SampledFalse:
			lo, hi = cut, scale
		}
		if lo >= hi {
			// A decision its rate cannot give (sampled at rate 0, say,
			// which a TracesSampler or an explicit decision can force).
			lo, hi = 0, scale
		}
	}
	// The rightmost 7 bytes of a trace id are random: W3C Trace Context's
	// random flag promises them, and every Sentry SDK's ids (UUID v4 among
	// them, whose fixed bits are further left) have them.
	// 53 of their bits, which a float64 holds exactly: u < 1.
	u := float64(binary.BigEndian.Uint64(traceID[8:])&(1<<56-1)>>3) / (1 << 53)
	v := lo + int(u*float64(hi-lo))
	return fmt.Sprintf("0.%06d", v)
}
