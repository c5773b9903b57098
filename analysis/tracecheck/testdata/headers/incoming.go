package headers

import (
	"context"
	"net/http"
	"net/http/httptest"
)

// An incoming request built for a handler under test carries its caller's
// headers, from wherever the test takes them.
func ServeCaller(h http.Handler, callers []struct{ trace string }) {
	for _, caller := range callers {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("sentry-trace", caller.trace)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// A request built for a client is not one, even when it began as one.
func SendAgain(client *http.Client, callers []struct{ trace string }) {
	for _, caller := range callers {
		req := httptest.NewRequest(http.MethodGet, "http://api.test/", nil)
		req = req.Clone(context.Background())
		req.Header.Set("sentry-trace", caller.trace) // want "sentry-trace is set from a value read before the request"
		_, _ = client.Do(req)
	}
}
