package sentrytask

import (
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
)

const (
	someTrace = "0123456789abcdef0123456789abcdef"
	someSpan  = "0123456789abcdef"
)

func TestParseSentryTrace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		ok      bool
		sampled sentry.Sampled
	}{
		{someTrace + "-" + someSpan, true, sentry.SampledUndefined},
		{someTrace + "-" + someSpan + "-1", true, sentry.SampledTrue},
		{someTrace + "-" + someSpan + "-0", true, sentry.SampledFalse},
		{" \t" + someTrace + "-" + someSpan + "-1 ", true, sentry.SampledTrue},
		{strings.ToUpper(someTrace) + "-" + someSpan, true, sentry.SampledUndefined},
		{someTrace + "-" + someSpan + "-2", false, 0},
		{someTrace + "-" + someSpan + "-", false, 0},
		{someTrace + "-" + someSpan + "+1", false, 0},
		{someTrace + "_" + someSpan, false, 0},
		{someTrace[1:] + "-" + someSpan + "0", false, 0},
		{strings.Repeat("0", 32) + "-" + someSpan, false, 0},
		{someTrace + "-" + strings.Repeat("0", 16), false, 0},
		{"g" + someTrace[1:] + "-" + someSpan, false, 0},
		{someTrace + "-" + someSpan + "-1," + someTrace + "-" + someSpan + "-1", false, 0},
		{"", false, 0},
		{strings.Repeat("a", 1<<20), false, 0},
	} {
		h, ok := parseSentryTrace(tc.in)
		if ok != tc.ok || ok && (h.sampled != tc.sampled || h.traceID.String() != someTrace || h.spanID.String() != someSpan) {
			t.Errorf("parseSentryTrace(%.60q) = %v, %v; want ok=%v sampled=%v", tc.in, h, ok, tc.ok, tc.sampled)
		}
	}
}

func TestParseTraceparent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		ok      bool
		sampled sentry.Sampled
	}{
		{"00-" + someTrace + "-" + someSpan + "-01", true, sentry.SampledTrue},
		{"00-" + someTrace + "-" + someSpan + "-00", true, sentry.SampledFalse},
		{"00-" + someTrace + "-" + someSpan + "-03", true, sentry.SampledTrue},
		{"01-" + someTrace + "-" + someSpan + "-01-future", true, sentry.SampledTrue},
		{"01-" + someTrace + "-" + someSpan + "-01", true, sentry.SampledTrue},
		{"00-" + someTrace + "-" + someSpan + "-01-extra", false, 0},
		{"01-" + someTrace + "-" + someSpan + "-01extra", false, 0},
		{"ff-" + someTrace + "-" + someSpan + "-01", false, 0},
		{"00-" + strings.ToUpper(someTrace) + "-" + someSpan + "-01", false, 0},
		{"00-" + strings.Repeat("0", 32) + "-" + someSpan + "-01", false, 0},
		{"00-" + someTrace + "-" + strings.Repeat("0", 16) + "-01", false, 0},
		{"00-" + someTrace + "-" + someSpan + "-0x", false, 0},
		{"0-" + someTrace + "-" + someSpan + "-01", false, 0},
		{"", false, 0},
		{"01-" + someTrace + "-" + someSpan + "-01-" + strings.Repeat("x", 1<<20), false, 0},
	} {
		h, ok := parseTraceparent(tc.in)
		if ok != tc.ok || ok && (h.sampled != tc.sampled || h.traceID.String() != someTrace || h.spanID.String() != someSpan) {
			t.Errorf("parseTraceparent(%.70q) = %v, %v; want ok=%v sampled=%v", tc.in, h, ok, tc.ok, tc.sampled)
		}
	}
}

func TestFormatsRoundTrip(t *testing.T) {
	t.Parallel()
	want, _ := parseSentryTrace(someTrace + "-" + someSpan + "-1")
	for _, sampled := range []sentry.Sampled{sentry.SampledTrue, sentry.SampledFalse, sentry.SampledUndefined} {
		want.sampled = sampled
		got, ok := parseSentryTrace(formatSentryTrace(want.traceID, want.spanID, sampled))
		if !ok || got != want {
			t.Errorf("sentry-trace round trip of %v = %v, %v", want, got, ok)
		}
		w3c := want
		if sampled != sentry.SampledTrue {
			w3c.sampled = sentry.SampledFalse // W3C cannot say "undecided"
		}
		got, ok = parseTraceparent(formatTraceparent(want.traceID, want.spanID, sampled))
		if !ok || got != w3c {
			t.Errorf("traceparent round trip of %v = %v, %v", w3c, got, ok)
		}
	}
	// The formats agree with sentry-go's own.
	span := sentry.Span{TraceID: want.traceID, SpanID: want.spanID, Sampled: sentry.SampledTrue}
	if got := formatSentryTrace(span.TraceID, span.SpanID, span.Sampled); got != span.ToSentryTrace() {
		t.Errorf("formatSentryTrace = %q; sentry-go says %q", got, span.ToSentryTrace())
	}
	if got := formatTraceparent(span.TraceID, span.SpanID, span.Sampled); got != span.ToTraceparent() {
		t.Errorf("formatTraceparent = %q; sentry-go says %q", got, span.ToTraceparent())
	}
}
