package sentrytask_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// A client and a server in one program, each with its own Sentry client: the
// server's transaction continues the client's trace, below the span of the
// request that called it. The HTTP client is built before the client side's
// Sentry client exists; its transport resolves everything when each request
// is sent.
func ExampleNewTransport() {
	serverClient, serverRec, _ := sentrytasktest.NewClient()
	defer serverClient.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.PathValue("id"))
	})
	srv := httptest.NewUnstartedServer(sentrytask.Middleware(mux))
	srv.Config.BaseContext = func(net.Listener) context.Context {
		return sentry.SetHubOnContext(context.Background(), sentry.NewHub(serverClient, sentry.NewScope()))
	}
	srv.Start()
	defer srv.Close()

	// catalog.internal is the test server.
	base := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return new(net.Dialer).DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	defer base.CloseIdleConnections()
	httpClient := &http.Client{Transport: sentrytask.NewTransport(base)}

	cliClient, cliRec, _ := sentrytasktest.NewClient()
	defer cliClient.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(cliClient, sentry.NewScope()))
	tx := sentry.StartTransaction(ctx, "show item", sentry.WithOpName("cli"))
	req, _ := http.NewRequestWithContext(tx.Context(), http.MethodGet, "http://catalog.internal/items/7", nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	tx.Finish()

	fmt.Println("item", string(body))
	events := append(cliRec.Events(), serverRec.Events()...)
	fmt.Print(sentrytasktest.Tree(events, sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// item 7
	// trace
	// └─ transaction cli "show item" -
	//    └─ http.client "GET http://catalog.internal/items/7" ok
	//       └─ transaction http.server "GET /items/{id}" ok
}

// A message carries the trace from the producer to the consumer.
func ExampleContinue() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	tx := sentry.StartTransaction(ctx, "signup", sentry.WithOpName("http.server"))
	msg := sentrytask.MapCarrier{}
	_ = sentrytask.Instrument(tx.Context(), "queue.publish", func(ctx context.Context) error {
		sentrytask.Inject(ctx, msg)
		return nil
	}, sentrytask.WithDescription("welcome-email"))
	tx.Finish()

	// Elsewhere, later, maybe in another process:
	_, process := sentrytask.Continue(ctx, msg, "queue.process")
	process.Finish()

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// trace
	// └─ transaction http.server "signup" -
	//    └─ queue.publish "welcome-email" ok
	//       └─ transaction queue.process "queue.process" -
}

// An RPC framework's client and server, with what an integration uses:
// StartCall on the client, Continue and FinishTransaction on the server.
func ExampleStartCall() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	tx := sentry.StartTransaction(ctx, "checkout", sentry.WithOpName("cli.command"))
	headers := sentrytask.MapCarrier{}
	to := &url.URL{Scheme: "grpc", Host: "catalog.internal:443", Path: "/acme.Catalog/Get"}
	call := sentrytask.StartCall(tx.Context(), headers, "rpc.client", "/acme.Catalog/Get", to)

	// The server, in another process, with the headers the call carried:
	_, served := sentrytask.Continue(ctx, headers, "rpc.server",
		sentry.WithTransactionName("/acme.Catalog/Get"), sentry.WithTransactionSource(sentry.SourceRoute))
	sentrytask.FinishTransaction(served, sentry.SpanStatusNotFound)

	call.End(sentry.SpanStatusNotFound)
	tx.Finish()
	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// trace
	// └─ transaction cli.command "checkout" -
	//    └─ rpc.client "/acme.Catalog/Get" not_found
	//       └─ transaction rpc.server "/acme.Catalog/Get" not_found
}
