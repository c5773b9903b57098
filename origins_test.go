package sentrytask_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func origin(e *sentry.Event) string {
	return fmt.Sprint(e.Contexts["trace"]["origin"])
}

// TestEachSpanSaysWhichIntegrationMadeIt: Sentry's convention,
// auto.<category>.<integration>[.<part>].
func TestEachSpanSaysWhichIntegrationMadeIt(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	next := httptest.NewServer(http.NotFoundHandler())
	defer next.Close()
	client := &http.Client{Transport: sentrytask.NewTransport(nil)}
	var headers sentrytask.MapCarrier
	sentrytask.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		_ = sentrytask.Go(ctx, func(ctx context.Context) error {
			return sentrytask.Instrument(ctx, "db.query", noop)
		}, sentrytask.WithSpan("task")).Wait()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, next.URL, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
		sentrytask.StartCall(ctx, sentrytask.MapCarrier{}, "rpc.client", "Svc/Get", nil).End(sentry.SpanStatusOK)
		sentrytask.StartCall(ctx, sentrytask.MapCarrier{}, "grpc.client", "/pkg.Svc/Get", nil, sentrytask.WithOrigin("auto.rpc.sentrytask.grpc")).End(sentry.SpanStatusOK)
		headers = sentrytask.MapCarrier{}
		sentrytask.Publish(ctx, headers, sentrytask.Message{System: "nats", Destination: "orders"}).End(nil)
		sentrytask.Publish(ctx, sentrytask.MapCarrier{}, sentrytask.Message{System: "Amazon SQS", Destination: "orders"}).End(nil)
	}), sentrytask.WithHub(hub)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/orders", nil))
	_ = sentrytask.Process(sentry.SetHubOnContext(context.Background(), hub), headers, sentrytask.Message{System: "nats", Destination: "orders"}, noop)
	_ = sentrytask.Instrument(sentry.SetHubOnContext(context.Background(), hub), "cron.tick", noop)
	ctx, tx := sentrytask.Continue(sentry.SetHubOnContext(context.Background(), hub), sentrytask.MapCarrier{}, "rpc.server")
	_ = ctx
	sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)

	got := map[string]string{}
	for _, e := range rec.Transactions() {
		got["transaction "+e.Contexts["trace"]["op"].(string)] = origin(e)
		for _, s := range e.Spans {
			got[s.Op+" "+s.Description] = string(s.Origin)
		}
	}
	for what, want := range map[string]string{
		"transaction http.server":     "auto.http.sentrytask",
		"task ":                       "auto.function.sentrytask",
		"db.query ":                   "auto.function.sentrytask",
		"http.client GET " + next.URL: "auto.http.sentrytask",
		"rpc.client Svc/Get":          "auto.rpc.sentrytask",
		"grpc.client /pkg.Svc/Get":    "auto.rpc.sentrytask.grpc",
		"queue.publish orders":        "", // two: checked below
		"transaction queue.process":   "auto.queue.sentrytask.nats",
		"transaction cron.tick":       "auto.function.sentrytask",
		"transaction rpc.server":      "auto.rpc.sentrytask",
	} {
		if want != "" && got[what] != want {
			t.Errorf("%s: origin %q; want %q", what, got[what], want)
		}
	}
	var publishes []string
	for _, s := range sentrytasktest.SpansByOp(rec.Transactions(), "queue.publish") {
		publishes = append(publishes, string(s.Origin))
	}
	if len(publishes) != 2 || publishes[0] != "auto.queue.sentrytask.nats" || publishes[1] != "auto.queue.sentrytask" {
		t.Errorf("publish origins %q; want the system's, and without a name Sentry takes, the queue's", publishes)
	}
}

// TestATransactionsOriginReachesSentry: sentry-go's own trace context has
// no origin; the sender puts it where Sentry reads it.
func TestATransactionsOriginReachesSentry(t *testing.T) {
	t.Parallel()
	hub, envelopes := ingest(t)
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	sentrytask.Middleware(ok, sentrytask.WithHub(hub)).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	envs := envelopes()
	if len(envs) != 1 || envs[0].Event.Contexts["trace"]["origin"] != "auto.http.sentrytask" {
		t.Errorf("the transaction's envelope has trace context %v; want origin auto.http.sentrytask", envs)
	}
}
