package wire

import "strings"

// punycode encodes a label as RFC 3492 specifies, without the "xn--"
// prefix: internationalised host names travel, and are dialled, in this
// ASCII form. (golang.org/x/net/idna does this and more; the core module
// depends on sentry-go and x/sync only.) ok is false when the label is too
// long to encode.
func punycode(label string) (string, bool) {
	const (
		base        = 36
		tmin, tmax  = 1, 26
		initialN    = 128
		initialBias = 72
		// A DNS label has at most 63 bytes; anything much longer is not a
		// host name, and bounding it keeps delta far from overflowing.
		maxRunes = 256
	)
	runes := []rune(label)
	if len(runes) > maxRunes {
		return "", false
	}
	var b strings.Builder
	for _, r := range runes {
		if r < 0x80 {
			b.WriteByte(byte(r))
		}
	}
	basic := b.Len()
	handled := basic
	if basic > 0 {
		b.WriteByte('-')
	}
	n, delta, bias := rune(initialN), 0, initialBias
	for handled < len(runes) {
		// The smallest code point not yet handled.
		m := rune(0x7fffffff)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (handled + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := min(max(k-bias, tmin), tmax)
				if q < t {
					break
				}
				b.WriteByte(punyDigit(t + (q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			b.WriteByte(punyDigit(q))
			bias = punyAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return b.String(), true
}

func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// punyAdapt is RFC 3492's bias adaptation.
func punyAdapt(delta, points int, first bool) int {
	const base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
	if first {
		delta /= damp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((base-tmin)*tmax)/2 {
		delta /= base - tmin
		k += base
	}
	return k + (base-tmin+1)*delta/(delta+skew)
}
