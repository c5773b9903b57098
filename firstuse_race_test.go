package sentrytask_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestMeetingAClientNeverRacesWithItsEvents: a service's first requests
// meet its client while other goroutines already send events through it
// (a worker pool started at boot, a consumer draining a backlog). Nothing
// the package does on meeting a client may write to it: under -race, a
// write racing with sentry-go's reads of the client's event processors
// fails this test. Each round meets fresh clients from every entry point
// at once.
func TestMeetingAClientNeverRacesWithItsEvents(t *testing.T) {
	t.Parallel()
	client := &http.Client{Transport: sentrytask.NewTransport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
	}))}
	for range 20 {
		hub, rec := sentrytasktest.NewHub(t)
		ctx := sentry.SetHubOnContext(context.Background(), hub)
		start := make(chan struct{})
		var wg sync.WaitGroup
		capture := func() {
			defer wg.Done()
			<-start
			for range 20 {
				hub.Clone().CaptureMessage("busy")
			}
		}
		meet := []func(){
			func() { sentrytask.Inject(ctx, sentrytask.MapCarrier{}) },
			func() { _ = sentrytask.Go(ctx, noop).Wait() },
			func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/", nil)
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
				}
			},
			func() {
				sentrytask.Middleware(accepted).ServeHTTP(httptest.NewRecorder(), request(nil).WithContext(ctx))
			},
			func() {
				_ = sentrytask.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "jobs"}, noop)
			},
			func() {
				tctx, tx := sentrytask.Continue(ctx, sentrytask.MapCarrier{}, "rpc")
				_ = sentrytask.Instrument(tctx, "db", noop)
				sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)
			},
		}
		for range 4 {
			wg.Add(1)
			go capture()
		}
		for _, f := range meet {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				f()
			}()
		}
		close(start)
		wg.Wait()
		// The server transactions still get what they end with.
		for _, op := range []string{"http.server", "queue.process", "rpc"} {
			for _, tx := range sentrytasktest.TransactionsByOp(rec.Events(), op) {
				if tx.Contexts["trace"]["status"] == nil {
					t.Fatalf("%s transaction sent without its status: %v", op, tx.Contexts["trace"])
				}
			}
		}
		if n := len(rec.Transactions()); n != 3 {
			t.Fatalf("%d transactions sent; want 3", n)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
