package benchmarks

import (
	"context"
	"net/http"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// noIO answers every request at once, so that a benchmark measures only
// what the instrumentation around it costs.
type noIO struct{}

func (noIO) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

// BenchmarkOutgoing compares the per-request cost of NewTransport with
// sentryhttpclient's round tripper, over a round tripper that does no I/O,
// for a request made inside a sampled transaction: the head of a trace, and
// a service that continued one. Each request gets a span and trace headers.
func BenchmarkOutgoing(b *testing.B) {
	client, _, err := sentrytasktest.NewClient(withoutDetector)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	root := sentry.SetHubOnContext(context.Background(), hub)
	head := sentry.StartTransaction(root, "head")
	continued := sentry.StartTransaction(root, "continued", sentry.ContinueFromHeaders(
		"4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
		"sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-public_key=headkey,sentry-sample_rate=0.5,sentry-sampled=true"))

	for _, tc := range []struct {
		name string
		tx   *sentry.Span
	}{{"head", head}, {"continued", continued}} {
		ctx := tc.tx.Context()
		for _, rt := range outgoingCases() {
			b.Run(tc.name+"/"+rt.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					roundTrip(b, ctx, rt.rt)
				}
			})
		}
		discard(tc.tx)
	}

	// The first request of a transaction is the one that fixes its dynamic
	// sampling context: one transaction per request, as a task or a
	// handler that makes a single call has.
	for _, rt := range outgoingCases() {
		b.Run("first request/"+rt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tx := sentry.StartTransaction(root, "head")
				roundTrip(b, tx.Context(), rt.rt)
				discard(tx)
			}
		})
	}
}

// outgoingCases are the round trippers compared: the baseline first.
func outgoingCases() []struct {
	name string
	rt   http.RoundTripper
} {
	return []struct {
		name string
		rt   http.RoundTripper
	}{
		{"no instrumentation", noIO{}},
		{"sentryhttpclient", sentryhttpclient.NewSentryRoundTripper(noIO{})},
		{"NewTransport", sentrytask.NewTransport(noIO{})},
	}
}

func roundTrip(b *testing.B, ctx context.Context, rt http.RoundTripper) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/items/1?q=x", nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	_ = resp.Body.Close()
}
