package wire

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
		h, ok := ParseSentryTrace(tc.in)
		if ok != tc.ok || ok && (h.Sampled != tc.sampled || h.TraceID.String() != someTrace || h.SpanID.String() != someSpan) {
			t.Errorf("ParseSentryTrace(%.60q) = %v, %v; want ok=%v sampled=%v", tc.in, h, ok, tc.ok, tc.sampled)
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
		h, ok := ParseTraceparent(tc.in)
		if ok != tc.ok || ok && (h.Sampled != tc.sampled || h.TraceID.String() != someTrace || h.SpanID.String() != someSpan) {
			t.Errorf("ParseTraceparent(%.70q) = %v, %v; want ok=%v sampled=%v", tc.in, h, ok, tc.ok, tc.sampled)
		}
	}
}

func TestFormatsRoundTrip(t *testing.T) {
	t.Parallel()
	want, _ := ParseSentryTrace(someTrace + "-" + someSpan + "-1")
	for _, sampled := range []sentry.Sampled{sentry.SampledTrue, sentry.SampledFalse, sentry.SampledUndefined} {
		want.Sampled = sampled
		got, ok := ParseSentryTrace(FormatSentryTrace(want.TraceID, want.SpanID, sampled))
		if !ok || got != want {
			t.Errorf("sentry-trace round trip of %v = %v, %v", want, got, ok)
		}
		w3c := want
		if sampled != sentry.SampledTrue {
			w3c.Sampled = sentry.SampledFalse // W3C cannot say "undecided"
		}
		got, ok = ParseTraceparent(FormatTraceparent(want.TraceID, want.SpanID, sampled))
		if !ok || got != w3c {
			t.Errorf("traceparent round trip of %v = %v, %v", w3c, got, ok)
		}
	}
	// The formats agree with sentry-go's own.
	span := sentry.Span{TraceID: want.TraceID, SpanID: want.SpanID, Sampled: sentry.SampledTrue}
	if got := FormatSentryTrace(span.TraceID, span.SpanID, span.Sampled); got != span.ToSentryTrace() {
		t.Errorf("FormatSentryTrace = %q; sentry-go says %q", got, span.ToSentryTrace())
	}
	if got := FormatTraceparent(span.TraceID, span.SpanID, span.Sampled); got != span.ToTraceparent() {
		t.Errorf("FormatTraceparent = %q; sentry-go says %q", got, span.ToTraceparent())
	}
}

func TestParseParent(t *testing.T) {
	t.Parallel()
	sentryTrace := someTrace + "-" + someSpan + "-1"
	other := "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"
	traceparent := "00-" + someTrace + "-" + someSpan + "-00"
	for _, tc := range []struct {
		name                     string
		sentryTrace, traceparent []string
		ok                       bool
		sampled                  sentry.Sampled
	}{
		{"sentry-trace", []string{sentryTrace}, nil, true, sentry.SampledTrue},
		{"the same value twice", []string{sentryTrace, " " + sentryTrace}, nil, true, sentry.SampledTrue},
		{"traceparent when sentry-trace is missing", nil, []string{traceparent}, true, sentry.SampledFalse},
		{"traceparent when sentry-trace is malformed", []string{"junk"}, []string{traceparent}, true, sentry.SampledFalse},
		{"traceparent when sentry-trace contradicts itself", []string{sentryTrace, other}, []string{traceparent}, true, sentry.SampledFalse},
		{"contradictory, nothing else", []string{sentryTrace, other}, nil, false, 0},
		{"nothing", nil, nil, false, 0},
	} {
		p, ok := ParseParent(tc.sentryTrace, tc.traceparent)
		if ok != tc.ok || ok && (p.Sampled != tc.sampled || p.TraceID.String() != someTrace || p.SpanID.String() != someSpan) {
			t.Errorf("%s: ParseParent = %v, %v; want ok=%v sampled=%v", tc.name, p, ok, tc.ok, tc.sampled)
		}
	}
}
