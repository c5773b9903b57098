package wire

import (
	"encoding/hex"

	"github.com/getsentry/sentry-go"
)

// The trace headers' names, in lower case as HTTP/2, gRPC metadata and
// most message brokers carry them.
const (
	SentryTraceKey = "sentry-trace"
	BaggageKey     = "baggage"
	TraceparentKey = "traceparent"
)

// maxTraceHeader bounds what the trace header parsers look at: both formats
// are shorter than this, so a longer value is rejected before any work.
const maxTraceHeader = 256

// Parent is the parent of an incoming trace: a span in another process.
type Parent struct {
	TraceID sentry.TraceID
	SpanID  sentry.SpanID
	Sampled sentry.Sampled // undefined: the caller left the decision to us
}

// ParseSentryTrace parses a sentry-trace value, "<trace id>-<span id>" with
// an optional "-1" or "-0" sampling decision. Surrounding spaces and tabs are
// ignored; anything else that does not fit, and all-zero ids, which no SDK
// generates, are rejected.
func ParseSentryTrace(v string) (Parent, bool) {
	v = trimOWS(v)
	var h Parent
	if len(v) != 49 && len(v) != 51 {
		return h, false
	}
	if v[32] != '-' || !decodeHex(h.TraceID[:], v[:32], false) || !decodeHex(h.SpanID[:], v[33:49], false) {
		return h, false
	}
	if len(v) == 51 {
		if v[49] != '-' {
			return h, false
		}
		switch v[50] {
		case '1':
			h.Sampled = sentry.SampledTrue
		case '0':
			h.Sampled = sentry.SampledFalse
		default:
			return h, false
		}
	}
	return h, h.valid()
}

// ParseTraceparent parses a W3C traceparent value
// ("<version>-<trace id>-<parent id>-<flags>") as the Trace Context
// specification asks: lower-case hex only, version ff rejected, and for a
// version other than 00 more fields allowed after the four it knows.
func ParseTraceparent(v string) (Parent, bool) {
	v = trimOWS(v)
	var h Parent
	if len(v) < 55 || len(v) > maxTraceHeader {
		return h, false
	}
	var version, flags [1]byte
	if !decodeHex(version[:], v[:2], true) || version[0] == 0xff {
		return h, false
	}
	if version[0] == 0 && len(v) != 55 || len(v) > 55 && v[55] != '-' {
		return h, false
	}
	if v[2] != '-' || v[35] != '-' || v[52] != '-' ||
		!decodeHex(h.TraceID[:], v[3:35], true) ||
		!decodeHex(h.SpanID[:], v[36:52], true) ||
		!decodeHex(flags[:], v[53:55], true) {
		return h, false
	}
	// Without the sampled flag the caller recorded nothing; W3C has no way
	// to say "not decided", so this is a decision not to sample.
	h.Sampled = sentry.SampledFalse
	if flags[0]&1 == 1 {
		h.Sampled = sentry.SampledTrue
	}
	return h, h.valid()
}

func (h Parent) valid() bool {
	return h.TraceID != (sentry.TraceID{}) && h.SpanID != (sentry.SpanID{})
}

// decodeHex decodes exactly 2*len(dst) hex digits, lower case only if lower.
func decodeHex(dst []byte, s string, lower bool) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := nibble(s[2*i], lower)
		lo, ok2 := nibble(s[2*i+1], lower)
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func nibble(c byte, lower bool) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case !lower && 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// FormatSentryTrace formats a sentry-trace value. An undecided sampling
// decision is left out, so that the receiver makes its own.
func FormatSentryTrace(traceID sentry.TraceID, spanID sentry.SpanID, sampled sentry.Sampled) string {
	var b [51]byte
	hex.Encode(b[:32], traceID[:])
	b[32] = '-'
	hex.Encode(b[33:49], spanID[:])
	switch sampled {
	case sentry.SampledTrue:
		b[49], b[50] = '-', '1'
	case sentry.SampledFalse:
		b[49], b[50] = '-', '0'
	default:
		return string(b[:49])
	}
	return string(b[:])
}

// FormatTraceparent formats a W3C traceparent value, version 00.
func FormatTraceparent(traceID sentry.TraceID, spanID sentry.SpanID, sampled sentry.Sampled) string {
	var b [55]byte
	b[0], b[1], b[2] = '0', '0', '-'
	hex.Encode(b[3:35], traceID[:])
	b[35] = '-'
	hex.Encode(b[36:52], spanID[:])
	b[52], b[53], b[54] = '-', '0', '0'
	if sampled == sentry.SampledTrue {
		b[54] = '1'
	}
	return string(b[:])
}

// trimOWS trims the optional white space HTTP allows around a field value.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// ParseParent reads the parent of incoming work from the values of its
// sentry-trace header, or, when that is missing or malformed, of its W3C
// traceparent header. Every value is untrusted: a header sent several
// times with different values counts as malformed, as does anything the
// parsers reject. ok is false when neither gives a parent.
func ParseParent(sentryTrace, traceparent []string) (p Parent, ok bool) {
	if p, ok = parseOnce(sentryTrace, ParseSentryTrace); ok {
		return p, true
	}
	return parseOnce(traceparent, ParseTraceparent)
}

// parseOnce parses the values of a header that must appear once; repeats
// of the same value are tolerated.
func parseOnce(values []string, parse func(string) (Parent, bool)) (Parent, bool) {
	if len(values) == 0 {
		return Parent{}, false
	}
	h, ok := parse(values[0])
	for _, v := range values[1:] {
		if !ok {
			break
		}
		var g Parent
		g, ok = parse(v)
		ok = ok && g == h
	}
	return h, ok
}
