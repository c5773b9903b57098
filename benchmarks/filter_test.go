package benchmarks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// BenchmarkFilter measures what a request a Filter leaves out costs behind
// Middleware, against the same handler bare and traced: a health check
// from a load balancer (no trace headers) and one from a traced caller.
func BenchmarkFilter(b *testing.B) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: "https://key@sentry.invalid/1", EnableTracing: true, TracesSampleRate: 1, Transport: dropTransport{},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	notHealth := sentrytask.WithFilter(func(in sentrytask.FilterInput) bool { return in.Name != "/healthz" })
	for _, caller := range []struct{ name, sentryTrace string }{
		{"probe", ""}, {"traced caller", "771a43a4192642f0b136d5159a501700-1234567890abcdef-1"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil).WithContext(sentry.SetHubOnContext(context.Background(), hub))
		if caller.sentryTrace != "" {
			req.Header.Set("sentry-trace", caller.sentryTrace)
		}
		for _, h := range []struct {
			name string
			h    http.Handler
		}{
			{"bare", ok},
			{"filtered", sentrytask.Middleware(ok, notHealth)},
			{"traced", sentrytask.Middleware(ok)},
		} {
			b.Run(caller.name+"/"+h.name, func(b *testing.B) {
				b.ReportAllocs()
				w := httptest.NewRecorder()
				for b.Loop() {
					h.h.ServeHTTP(w, req)
				}
			})
		}
	}
}
