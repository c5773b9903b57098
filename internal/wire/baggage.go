package wire

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/getsentry/sentry-go"
)

// W3C Baggage limits: a sender keeps a header within them, and a receiver
// looks no further, so a hostile header costs bounded work and memory.
const (
	MaxBaggageBytes   = 8192
	MaxBaggageMembers = 64
)

// SentryPrefix starts the keys of the baggage members that carry the
// dynamic sampling context.
const SentryPrefix = "sentry-"

// scanBaggage calls fn for each well-formed list-member of the baggage
// header values, in order, with the member's key, its value (still
// percent-encoded) and its whole text without surrounding white space.
// Malformed members are skipped; the others are kept. Scanning stops after
// MaxBaggageMembers members or MaxBaggageBytes bytes, whichever comes first.
func scanBaggage(values []string, fn func(key, value, member string)) {
	used, members := 0, 0
	for _, v := range values {
		for v != "" {
			if members == MaxBaggageMembers {
				return
			}
			if used > 0 {
				used++ // the comma that joins this member to the last
			}
			// Look for the end of the member only as far as the limit
			// reaches: a member that crosses it is not taken in part, and
			// a huge header costs no more than a full one.
			room := MaxBaggageBytes - used
			if room < 0 {
				return
			}
			end := strings.IndexByte(v[:min(len(v), room+1)], ',')
			var m string
			switch {
			case end >= 0:
				m, v = v[:end], v[end+1:]
			case len(v) <= room:
				m, v = v, ""
			default:
				return
			}
			used += len(m)
			m = trimOWS(m)
			key, value, ok := parseMember(m)
			if !ok {
				continue
			}
			members++
			fn(key, value, m)
		}
	}
}

// parseMember splits "key=value;properties" and checks its grammar.
func parseMember(m string) (key, value string, ok bool) {
	kv, props, _ := strings.Cut(m, ";")
	key, value, ok = strings.Cut(kv, "=")
	if !ok {
		return "", "", false
	}
	key, value = trimOWS(key), trimOWS(value)
	if !isToken(key) || !isBaggageValue(value) {
		return "", "", false
	}
	for props != "" {
		var p string
		p, props, _ = strings.Cut(props, ";")
		pk, pv, hasValue := strings.Cut(p, "=")
		if !isToken(trimOWS(pk)) || hasValue && !isBaggageValue(trimOWS(pv)) {
			return "", "", false
		}
	}
	return key, value, true
}

// ParseDSC returns the dynamic sampling context carried by the sentry-*
// members of baggage headers. The first of duplicate keys wins; a value that
// is not valid percent-encoding is left out.
func ParseDSC(values []string) sentry.DynamicSamplingContext {
	var entries map[string]string
	scanBaggage(values, func(key, value, _ string) {
		name, ok := strings.CutPrefix(key, SentryPrefix)
		if !ok || name == "" {
			return
		}
		if _, dup := entries[name]; dup {
			return
		}
		decoded, err := url.PathUnescape(value)
		if err != nil {
			return
		}
		if entries == nil {
			entries = make(map[string]string, 8)
		}
		entries[name] = decoded
	})
	return sentry.DynamicSamplingContext{Entries: entries, Frozen: len(entries) > 0}
}

// dscKeys are the keys Sentry defines for the dynamic sampling context, in
// the order EncodeDSC writes them.
var dscKeys = []string{"trace_id", "public_key", "org_id", "release", "environment",
	"transaction", "sample_rate", "sample_rand", "sampled"}

// EncodeDSC encodes a dynamic sampling context as sentry-* baggage members:
// Sentry's keys in a fixed order, then any others sorted, so that equal
// contexts give equal headers. Members that would break the W3C limits are
// left out.
func EncodeDSC(entries map[string]string) (string, int) {
	var b strings.Builder
	b.Grow(256)
	n, known := 0, 0
	add := func(k, v string) {
		if n == MaxBaggageMembers || !isToken(k) {
			return
		}
		v = url.PathEscape(v)
		size := len(SentryPrefix) + len(k) + 1 + len(v)
		if n > 0 {
			size++
		}
		if b.Len()+size > MaxBaggageBytes {
			return
		}
		if n > 0 {
			b.WriteByte(',')
		}
		b.WriteString(SentryPrefix)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
		n++
	}
	for _, k := range dscKeys {
		if v, ok := entries[k]; ok {
			add(k, v)
			known++
		}
	}
	if known < len(entries) {
		for _, k := range slices.Sorted(maps.Keys(entries)) {
			if !slices.Contains(dscKeys, k) {
				add(k, entries[k])
			}
		}
	}
	return b.String(), n
}

// MergeBaggage returns the baggage header for an outgoing request: the
// sentry members given, then the members of the request's own baggage
// headers that are not sentry-*, in their order, as long as the W3C limits
// allow. The sentry members come first because they are the ones the next
// service needs to keep the trace.
func MergeBaggage(sentryPart string, sentryMembers int, existing []string) string {
	if len(existing) == 0 {
		return sentryPart
	}
	var b strings.Builder
	b.WriteString(sentryPart)
	n := sentryMembers
	scanBaggage(existing, func(key, _, member string) {
		if strings.HasPrefix(key, SentryPrefix) || n == MaxBaggageMembers {
			return
		}
		if b.Len()+1+len(member) > MaxBaggageBytes {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(member)
		n++
	})
	return b.String()
}

// isToken reports whether s is an RFC 7230 token, the grammar of baggage keys.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isBaggageValue reports whether s is made of W3C baggage-octets.
func isBaggageValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// HasSentryMembers reports whether baggage header values may hold sentry-*
// members: a quick test, true also for a value that merely contains the
// prefix.
func HasSentryMembers(values []string) bool {
	for _, v := range values {
		if strings.Contains(v, SentryPrefix) {
			return true
		}
	}
	return false
}

// WithoutSentryMembers returns baggage header values without their sentry-*
// members, leaving every other byte as it was written: members this
// package would not write itself (with spaces or quotes, past the W3C
// limits) are the caller's, and go on as they came. It is for a request
// outside the propagation targets, which must carry no trace. A value left
// empty is dropped; changed reports whether anything was removed.
func WithoutSentryMembers(values []string) (kept []string, changed bool) {
	kept = make([]string, 0, len(values))
	for _, v := range values {
		if !strings.Contains(v, SentryPrefix) {
			kept = append(kept, v)
			continue
		}
		var b strings.Builder
		for m := range strings.SplitSeq(v, ",") {
			if strings.HasPrefix(trimOWS(m), SentryPrefix) {
				changed = true
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(m)
		}
		// A field value's surrounding white space means nothing.
		if v := trimOWS(b.String()); v != "" {
			kept = append(kept, v)
		}
	}
	return kept, changed
}
