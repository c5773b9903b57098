package sentrytask_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// The README's code, compiled here (TestREADMECodeCompiles checks that
// every block of it is in a test file). Functions that would touch the
// global hub or listen on a port are compiled and never run.
var _ = []any{brokenFanOut, builtBeforeInit, goQuickStart, groupQuickStart,
	poolQuickStart, instrumentQuickStart, detachQuickStart, outgoingQuickStart,
	incomingQuickStart, queueQuickStart, rpcQuickStart, orphanDetectorQuickStart}

// brokenFanOut is the shared-hub bug the README opens with.
//
//sentrytask:ignore the bug, on purpose
func brokenFanOut(ctx context.Context, files []string) {
	for _, f := range files {
		go func() {
			span := sentry.StartSpan(ctx, "parse") // sets the shared scope's span
			defer span.Finish()
			sentry.GetHubFromContext(ctx).CaptureException(parse(f)) // linked to whichever task started last
		}()
	}
}

func builtBeforeInit() *http.Client {
	var api = &http.Client{Transport: sentryhttpclient.NewSentryRoundTripper(nil)} // built before Init: no targets, ever
	return api
}

func goQuickStart(ctx context.Context, file string) error {
	task := sentrytask.Go(ctx, func(ctx context.Context) error {
		return parseFile(ctx, file)
	}, sentrytask.WithSpan("file.parse"), sentrytask.WithDescription(file), sentrytask.WithCaptureErrors())
	err := task.Wait()
	return err
}

func groupQuickStart(ctx context.Context, ids []string) error {
	g, ctx := sentrytask.NewGroup(ctx, sentrytask.WithSpan("lookup"))
	g.SetLimit(8)
	for _, id := range ids {
		g.Go(func(ctx context.Context) error { return lookup(ctx, id) }, sentrytask.WithDescription(id))
	}
	err := g.Wait()
	_ = ctx // the group's context, cancelled by the first error
	return err
}

func poolQuickStart(ctx context.Context) error {
	pool := sentrytask.NewPool(8, sentrytask.WithSpan("thumbnail"), sentrytask.WithQueueSize(100))
	defer pool.Shutdown(ctx)
	task, err := pool.Submit(ctx, resize) // blocks while the queue is full; TrySubmit returns ErrFull
	if err != nil {
		return err
	}
	return task.Wait()
}

func instrumentQuickStart(ctx context.Context, batch []string) (int, error) {
	rows, err := sentrytask.InstrumentValue(ctx, "db.query", func(ctx context.Context) (int, error) {
		return insert(ctx, batch)
	}, sentrytask.WithData("rows", len(batch)))
	return rows, err
}

func detachQuickStart(ctx context.Context) {
	sentrytask.Go(sentrytask.Detach(ctx), sendConfirmation, sentrytask.WithSpan("email.send"))
}

func outgoingQuickStart(ctx context.Context) error {
	var api = &http.Client{Transport: sentrytask.NewTransport(nil)} // nil: http.DefaultTransport

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://catalog.internal/items/7", nil)
	resp, err := api.Do(req) // the span ends when the body is closed or read to the end
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func incomingQuickStart() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", getItem)
	log.Fatal(http.ListenAndServe(":8080", sentrytask.Middleware(mux)))
}

func queueQuickStart(ctx context.Context, producer *producer, topic string, body []byte, redeliveries int) error {
	headers := map[string]string{}
	pub := sentrytask.Publish(ctx, sentrytask.MapCarrier(headers), sentrytask.Message{
		System: "kafka", Destination: topic, BodySize: len(body),
	})
	id, err := producer.Send(topic, headers, body)
	pub.SetMessageID(id)
	pub.End(err)

	// in the consumer, for each message:
	err = sentrytask.Process(ctx, sentrytask.MapCarrier(headers), sentrytask.Message{
		System: "kafka", Destination: topic, ID: id, BodySize: len(body), RetryCount: redeliveries,
	}, func(ctx context.Context) error {
		return handle(ctx, body)
	})
	return err
}

func rpcQuickStart(ctx context.Context, headers map[string]string) {
	sentrytask.Inject(ctx, sentrytask.MapCarrier(headers))
	// in the receiver:
	ctx, tx := sentrytask.Continue(ctx, sentrytask.MapCarrier(headers), "rpc.server")
	// FinishTransaction sends it with the head's sampling context in its envelope.
	defer func() { sentrytask.FinishTransaction(tx, sentry.SpanStatusOK) }()
	_ = ctx // the receiver's work runs with this context
}

func orphanDetectorQuickStart() *sentrytask.OrphanDetector {
	det := sentrytask.NewOrphanDetector()
	sentry.Init(sentry.ClientOptions{
		Integrations: func(in []sentry.Integration) []sentry.Integration { return append(in, det) },
	})
	// det.Count(); orphaned transactions carry the task names in their "sentrytask" context
	return det
}

// TestREADMETestingSnippet runs the README's test-helper example.
func TestREADMETestingSnippet(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	runImport(ctx)
	sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.ExpectSpans("file.parse", 3))
}

// runImport is the code under test in the README's test example: a
// transaction and three files parsed concurrently.
func runImport(ctx context.Context) {
	tx := sentry.StartTransaction(ctx, "import")
	defer tx.Finish()
	g, _ := sentrytask.NewGroup(tx.Context(), sentrytask.WithSpan("file.parse"))
	for _, f := range []string{"a.csv", "b.csv", "c.csv"} {
		g.Go(func(ctx context.Context) error { return parseFile(ctx, f) })
	}
	_ = g.Wait()
}

// Stand-ins for the README's application code.

// producer stands in for a message broker's client.
type producer struct{}

func (*producer) Send(topic string, headers map[string]string, body []byte) (id string, err error) {
	return "1", nil
}

func handle(context.Context, []byte) error { return nil }

func parse(f string) error {
	if f == "" {
		return errors.New("empty file name")
	}
	return nil
}

func parseFile(_ context.Context, f string) error           { return parse(f) }
func lookup(context.Context, string) error                  { return nil }
func resize(context.Context) error                          { return nil }
func insert(_ context.Context, batch []string) (int, error) { return len(batch), nil }
func sendConfirmation(context.Context) error                { return nil }
func getItem(w http.ResponseWriter, _ *http.Request)        { w.WriteHeader(http.StatusOK) }

// getItemHandler and fetchItem are the two sides of the README's test of a
// trace that crosses processes.
var getItemHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_ = sentrytask.Instrument(r.Context(), "db.query", func(context.Context) error { return nil })
	w.WriteHeader(http.StatusOK)
})

func fetchItem(ctx context.Context, client *http.Client, baseURL string) {
	tx := sentry.StartTransaction(ctx, "item fetch")
	defer tx.Finish()
	req, err := http.NewRequestWithContext(tx.Context(), http.MethodGet, baseURL+"/items/7", nil)
	if err != nil {
		panic(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// The README's test of a trace that crosses processes, run as it is.
func TestTheServerContinuesTheClientsTrace(t *testing.T) {
	serverHub, serverRec := sentrytasktest.NewHub(t)
	srv := httptest.NewServer(sentrytask.Middleware(getItemHandler, sentrytask.WithHub(serverHub)))

	clientHub, clientRec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), clientHub)
	fetchItem(ctx, &http.Client{Transport: sentrytask.NewTransport(nil)}, srv.URL)
	srv.Close() // waits for the server's handlers: what they sent is recorded

	sentrytasktest.AssertTrace(t, sentrytasktest.Merge(clientRec, serverRec),
		sentrytasktest.ExpectSpans("http.client", 1), sentrytasktest.ExpectSpans("http.server", 1))
}
