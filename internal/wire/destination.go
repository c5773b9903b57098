package wire

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Propagation Targets are matched against where a request goes, not against
// how its URL happens to spell it: "/v1/%2e%2e/admin" is /admin to the
// server, "[0:0:0:0:0:0:0:1]" is [::1], and bücher.example is dialled as
// xn--bcher-kva.example. Both the Targets and each request's URL are put
// in one normal form before they are compared.

// normalizeHost returns a host (without brackets or port) in the form it is
// dialled: lower case, without a trailing dot, an IP address in its
// canonical text (an IPv4-mapped IPv6 address as IPv4), and every label
// that is not ASCII in punycode ("xn--…"). Internationalised names that
// need IDNA's other mappings (width, compatibility) are left as lower-case
// Unicode and so match no ASCII target: a missed match sends no trace
// headers, the safe side.
func normalizeHost(host string) string {
	// Brackets come off as a pair, and dots after them: "]." is no
	// bracketed address (a host the fuzzer found normalised to "]" and
	// then to "").
	for {
		h := strings.TrimRight(host, ".")
		if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
			h = h[1 : len(h)-1]
		}
		if h == host {
			break
		}
		host = h
	}
	if strings.ContainsAny(host, ":") || host != "" && host[len(host)-1] >= '0' && host[len(host)-1] <= '9' {
		if ip, err := netip.ParseAddr(host); err == nil {
			return ip.Unmap().String()
		}
	}
	if isLowerASCII(host) {
		return host
	}
	host = strings.ToLower(host)
	if isLowerASCII(host) {
		return host
	}
	labels := strings.Split(host, ".")
	for i, l := range labels {
		if isLowerASCII(l) || !utf8.ValidString(l) {
			continue
		}
		if enc, ok := punycode(l); ok {
			labels[i] = "xn--" + enc
		}
	}
	return strings.Join(labels, ".")
}

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// normalizePath returns an escaped URL path as RFC 3986 (section 6.2.2)
// normalises it: percent-encoded unreserved characters decoded (%2e is
// "."), other escapes in upper case (an escaped "/" stays escaped, and part
// of its segment), and "." and ".." segments removed. An empty path is "/".
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.Contains(p, "%") && !strings.Contains(p, "/.") && p[0] == '/' {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			d := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(p[i+1 : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	return removeDotSegments(b.String())
}

// removeDotSegments resolves "." and ".." segments of an absolute path.
func removeDotSegments(p string) string {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
