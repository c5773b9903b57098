package sentrytaskgrpc

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/grpc/resolver"
)

// splitMethod splits a full method name, /package.Service/Method, into its
// service and method; both are empty for a name of another shape.
func splitMethod(full string) (service, method string) {
	name, ok := strings.CutPrefix(full, "/")
	if !ok {
		return "", ""
	}
	i := strings.LastIndex(name, "/")
	if i < 0 {
		return "", ""
	}
	return name[:i], name[i+1:]
}

// authority returns the :authority grpc-go sends on a connection made by
// grpc.NewClient(target), when neither grpc.WithAuthority nor the
// transport credentials' server name overrides it, derived as grpc-go
// derives it: target is a URL whose scheme names a registered resolver
// ("dns:///catalog.internal:443", "dns:catalog.internal:443",
// "passthrough:///10.0.0.7:9000", "unix:catalog.sock"), else a dns target
// ("catalog.internal:443", "[::1]:50051"); a resolver that decides the
// authority decides it (unix's is "localhost"); otherwise it is the
// target's endpoint, "localhost" before a bare ":port", escaped as
// RFC 3986 asks of an authority.
func authority(target string) string {
	u, err := url.Parse(target)
	if err != nil || resolver.Get(u.Scheme) == nil {
		// grpc.NewClient's default scheme.
		if u, err = url.Parse("dns:///" + target); err != nil {
			return target
		}
	}
	t := resolver.Target{URL: *u}
	if o, ok := resolver.Get(u.Scheme).(resolver.AuthorityOverrider); ok {
		return o.OverrideAuthority(t)
	}
	endpoint := t.Endpoint()
	if strings.HasPrefix(endpoint, ":") {
		endpoint = "localhost" + endpoint
	}
	return escapeAuthority(endpoint)
}

// escapeAuthority percent-encodes the bytes RFC 3986 does not allow in an
// authority: unreserved characters, sub-delimiters and the authority's own
// delimiters (":", "[", "]", "@") stay.
func escapeAuthority(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!$&'()*+,;=:[]@", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// destination is where a call goes, in the form propagation targets are
// matched against: grpc://authority/package.Service/Method.
func destination(authority, fullMethod string) *url.URL {
	return &url.URL{Scheme: "grpc", Host: authority, Path: fullMethod}
}

// hostPort splits an authority into the server.address and server.port of
// a call's span; port is 0 when it names none.
func hostPort(authority string) (host string, port int) {
	h, p, err := net.SplitHostPort(authority)
	if err != nil {
		return authority, 0
	}
	port, _ = strconv.Atoi(p)
	return h, port
}
