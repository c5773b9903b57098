package sentrytask

import (
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"
)

// A server transaction is named after the route that serves the request
// ("GET /items/{id}"), which a router finds only when the request reaches
// it. The transaction's Name and Source are fields that sentry-go reads
// without a lock (for every event captured below the transaction, and for
// the baggage of every outgoing request), so once the handler runs, and
// with it any task it spawns, they must not be written again.
//
// A ServeMux handed to Middleware directly is asked for the route before
// the handler runs, and the transaction starts with its final name (a
// TracesSampler sees it too). When the route is known only afterwards (a
// mux behind other handlers, or another router that sets
// http.Request.Pattern), the name is written into the transaction's event
// as it is sent, by its sender (sending.go), not into the span; so is the
// status.

// startName returns the name a request's transaction starts with: its
// route when next is a ServeMux, else its method and path.
func startName(next http.Handler, r *http.Request) (name string, source sentry.TransactionSource, pattern string) {
	if mux, ok := next.(*http.ServeMux); ok {
		if _, pattern = mux.Handler(r); pattern != "" {
			name, source = patternName(r.Method, pattern)
			return name, source, pattern
		}
	}
	return r.Method + " " + r.URL.Path, sentry.SourceURL, ""
}

// patternName names a transaction after a ServeMux pattern, as sentryhttp
// does.
func patternName(method, pattern string) (string, sentry.TransactionSource) {
	if strings.Contains(pattern, " ") { // the pattern names the method
		return pattern, sentry.SourceRoute
	}
	return method + " " + pattern, sentry.SourceRoute
}
