package sentrytaskgrpc

import (
	"net"
	"net/url"
	"strconv"
	"strings"
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

// authority returns the authority grpc-go gives calls on a connection to
// target: the endpoint of a dns, passthrough or xds target
// ("dns:///catalog.internal:443" is "catalog.internal:443"), "localhost"
// for a Unix socket, and the target itself when it names no resolver, as
// grpc.NewClient takes it ("catalog.internal:443").
func authority(target string) string {
	u, err := url.Parse(target)
	if err != nil || !strings.Contains(target, ":/") && !strings.HasPrefix(target, "unix:") {
		return target
	}
	switch u.Scheme {
	case "unix", "unix-abstract", "vsock":
		return "localhost"
	case "dns", "passthrough", "xds", "google-c2p":
		endpoint := u.Path
		if endpoint == "" {
			endpoint = u.Opaque
		}
		return strings.TrimPrefix(endpoint, "/")
	}
	return target
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
