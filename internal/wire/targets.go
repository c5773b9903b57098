package wire

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/getsentry/sentry-go"
)

// Targets decides which outgoing requests carry trace headers. It is
// compiled once per client (from ClientOptions.TracePropagationTargets) or
// per transport (from WithPropagationTargets), never per request. The zero
// Targets matches nothing.
type Targets struct {
	all  bool // no targets configured: propagate everywhere
	list []target
}

// A target is one propagation target in compiled form. Each form matches a
// part of the URL that the request's destination controls — its host, or
// its scheme, host and path — never the query or fragment, which anyone can
// make contain anything.
type target struct {
	re     *regexp.Regexp // "^…": matched against scheme://host/path
	scheme string         // "" matches any
	host   string         // normalised (normalizeHost); "" matches any; else the host or a parent domain of it
	ip     bool           // host is an IP address: no parent domains
	port   string         // "" matches any
	path   string         // normalised (normalizePath); "" or "/" matches any; else a path prefix ending at a segment boundary
}

// CompileTargets compiles the target specifications of a client's
// options: nil or empty means every request, as in sentry-go. A
// specification is one of:
//
//   - a host, optionally with a port: "api.example.com", "localhost:8080".
//     It matches that host and its subdomains (a.api.example.com), not
//     hosts that merely contain it (api.example.com.evil.test).
//   - a host with a path: "api.example.com/v1" — the host as above and a path
//     that is /v1 or below it (/v1/items, not /v10).
//   - a URL with a scheme: "https://api.example.com/v1" — the same scheme, the
//     same host (not subdomains) and port (the scheme's default if none is
//     given), and a path as above.
//   - a regular expression, marked by a leading "^": matched against the
//     request's URL without user info, query or fragment
//     ("https://api.example.com:8443/v1/items").
//
// A specification that cannot be compiled never matches; sentry-go's debug
// logger says why.
func CompileTargets(specs []string) Targets {
	if len(specs) == 0 {
		return Targets{all: true}
	}
	t := Targets{list: make([]target, 0, len(specs))}
	for _, spec := range specs {
		tg, err := compileTarget(spec)
		if err != nil {
			sentry.DebugLogger.Printf("sentrytask: propagation target %q ignored: %v", spec, err)
			continue
		}
		t.list = append(t.list, tg)
	}
	return t
}

// CompileOnly compiles target specifications given explicitly for one
// transport: only requests they match carry trace headers, and none given
// means none does.
func CompileOnly(specs []string) Targets {
	t := CompileTargets(specs)
	t.all = false
	return t
}

func compileTarget(spec string) (target, error) {
	if strings.HasPrefix(spec, "^") {
		re, err := regexp.Compile(spec)
		return target{re: re}, err
	}
	var t target
	rest := spec
	if scheme, after, ok := strings.Cut(spec, "://"); ok {
		t.scheme, rest = strings.ToLower(scheme), after
	}
	hostport, path, hasPath := strings.Cut(rest, "/")
	if hasPath {
		t.path = normalizePath("/" + path)
	}
	t.host, t.port = splitHostPort(hostport)
	_, err := netip.ParseAddr(t.host)
	t.ip = err == nil
	if t.scheme != "" && t.port == "" {
		t.port = defaultPort(t.scheme)
	}
	if t.host == "" && t.path == "" {
		return t, errEmptyTarget
	}
	return t, nil
}

var errEmptyTarget = errors.New("names neither a host nor a path")

// Match reports whether a request to u carries trace headers.
func (t *Targets) Match(u *url.URL) bool {
	if t.all {
		return true
	}
	if len(t.list) == 0 || u == nil {
		return false
	}
	host, port := splitHostPort(u.Host)
	scheme := strings.ToLower(u.Scheme)
	if port == "" {
		port = defaultPort(scheme)
	}
	path := normalizePath(u.EscapedPath())
	for i := range t.list {
		if t.list[i].match(scheme, host, port, path) {
			return true
		}
	}
	return false
}

func (t *target) match(scheme, host, port, path string) bool {
	if t.re != nil {
		hostport := host
		if port != defaultPort(scheme) {
			hostport = net.JoinHostPort(host, port)
		} else if strings.Contains(host, ":") {
			hostport = "[" + host + "]"
		}
		return t.re.MatchString(scheme + "://" + hostport + path)
	}
	if t.scheme != "" && t.scheme != scheme {
		return false
	}
	if t.port != "" && t.port != port {
		return false
	}
	switch {
	case t.host == "":
	case t.scheme != "" || t.ip:
		if host != t.host {
			return false
		}
	default:
		if host != t.host && !strings.HasSuffix(host, "."+t.host) {
			return false
		}
	}
	return pathUnder(path, t.path)
}

// pathUnder reports whether path is prefix or below it, segment-wise.
func pathUnder(path, prefix string) bool {
	if prefix == "" || prefix == "/" {
		return true
	}
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || prefix[len(prefix)-1] == '/' || path[len(prefix)] == '/'
}

// splitHostPort splits "host:port", "[v6]:port", "host" or "[v6]" into a
// normalised host (see normalizeHost) and a port.
func splitHostPort(hostport string) (host, port string) {
	host = hostport
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	return normalizeHost(host), port
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}
