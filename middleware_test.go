package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
	// The head of the trace is another service, with its own key, rate
	// and transaction.
	headBaggage = "sentry-trace_id=" + callerTrace + ",sentry-public_key=headkey,sentry-sample_rate=0.01," +
		"sentry-release=head%401.0,sentry-environment=prod,sentry-transaction=checkout,sentry-sampled=true,vendor=kept"
)

// accepted answers 202. (sentry-go drops 404 transactions by default.)
var accepted = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })

// serve runs one request through Middleware(h) with the server's hub bound
// to the request's context, as a server's BaseContext would bind it.
func serve(hub *sentry.Hub, h http.Handler, req *http.Request, opts ...sentrytask.MiddlewareOption) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	req = req.WithContext(sentry.SetHubOnContext(req.Context(), hub))
	sentrytask.Middleware(h, opts...).ServeHTTP(w, req)
	return w
}

func request(header map[string]string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

func TestMiddlewareContinuesTheCallersTraceAndForwardsTheHeadsContext(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	base := &capture{}
	ours := sentrytask.NewTransport(base)
	theirs := sentryhttpclient.NewSentryRoundTripper(base)
	var outOurs, outTheirs http.Header
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get(t, r.Context(), ours, "https://next.test/", nil)
		outOurs = base.last(t).Header
		get(t, r.Context(), theirs, "https://next.test/", nil)
		outTheirs = base.last(t).Header
	})
	serve(hub, h, request(map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1", "baggage": headBaggage}))

	tx := only(t, "transactions", rec.Transactions())
	traceID, _, parent := sentrytasktest.IDs(tx)
	if traceID != callerTrace || parent != callerSpan || tx.Contexts["trace"]["op"] != "http.server" {
		t.Errorf("server transaction trace %s parent %s op %v; want %s, %s, http.server", traceID, parent, tx.Contexts["trace"]["op"], callerTrace, callerSpan)
	}
	want := sentry.DynamicSamplingContext{Entries: map[string]string{"trace_id": callerTrace, "public_key": "headkey", "sample_rate": "0.01",
		"release": "head@1.0", "environment": "prod", "transaction": "checkout", "sampled": "true"}}
	got, err := sentry.DynamicSamplingContextFromHeader([]byte(outOurs.Get("baggage")))
	// The head sent no sample_rand: this service fixes one the head's
	// decision agrees with (below its rate, as it was sampled).
	rand, _ := strconv.ParseFloat(got.Entries["sample_rand"], 64)
	delete(got.Entries, "sample_rand")
	if err != nil || fmt.Sprint(got.Entries) != fmt.Sprint(want.Entries) || rand >= 0.01 {
		t.Errorf("ours: outgoing baggage %q; want the head's context %v, and a sample_rand below its rate", outOurs.Get("baggage"), want.Entries)
	}
	// sentryhttpclient's child-span ToBaggage rebuilds the context from
	// this service's own options.
	theirsDSC, _ := sentry.DynamicSamplingContextFromHeader([]byte(outTheirs.Get("baggage")))
	if theirsDSC.Entries["public_key"] == "headkey" {
		t.Errorf("sentryhttpclient forwarded the head's public key (%q); the side-by-side premise is wrong", outTheirs.Get("baggage"))
	}
}

func TestMiddlewareContinuesFromTraceparentWithoutSentryTrace(t *testing.T) {
	t.Parallel()
	for _, header := range []map[string]string{
		{"traceparent": "00-" + callerTrace + "-" + callerSpan + "-01"},
		{"traceparent": "00-" + callerTrace + "-" + callerSpan + "-01", "sentry-trace": "malformed"},
	} {
		hub, rec := sentrytasktest.NewHub(t)
		serve(hub, accepted, request(header))
		tx := only(t, "transactions", rec.Transactions())
		if traceID, _, parent := sentrytasktest.IDs(tx); traceID != callerTrace || parent != callerSpan {
			t.Errorf("headers %v: server transaction trace %s parent %s; want %s, %s", header, traceID, parent, callerTrace, callerSpan)
		}
		if status := fmt.Sprint(tx.Contexts["trace"]["status"]); status != "ok" {
			t.Errorf("status = %v; want ok from the 202", status)
		}
	}
}

// TestMiddlewareFollowsSentryGosOrgRules checks each combination of org
// ids and strictness against what sentry-go's own ContinueTrace decides.
func TestMiddlewareFollowsSentryGosOrgRules(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		for _, dsn := range []string{"https://key@o1.ingest.sentry.io/1", "https://key@sentrytask.invalid/1"} {
			for _, orgInBaggage := range []string{"", "1", "2"} {
				opts := func(o *sentry.ClientOptions) { o.Dsn, o.StrictTraceContinuation = dsn, strict }
				baggage := "sentry-trace_id=" + callerTrace
				if orgInBaggage != "" {
					baggage += ",sentry-org_id=" + orgInBaggage
				}
				header := map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1", "baggage": baggage}

				theirHub, _ := sentrytasktest.NewHub(t, opts)
				theirs := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), theirHub), "x",
					sentry.ContinueTrace(theirHub, header["sentry-trace"], header["baggage"]))
				wantContinued := theirs.TraceID.String() == callerTrace

				hub, rec := sentrytasktest.NewHub(t, opts)
				serve(hub, accepted, request(header))
				traceID, _, _ := sentrytasktest.IDs(only(t, "transactions", rec.Transactions()))
				if got := traceID == callerTrace; got != wantContinued {
					t.Errorf("strict=%v dsn=%s baggage org_id=%q: continued = %v; sentry-go says %v", strict, dsn, orgInBaggage, got, wantContinued)
				}
			}
		}
	}
}

func TestMiddlewareStartsANewTraceOnBadHeaders(t *testing.T) {
	t.Parallel()
	valid := callerTrace + "-" + callerSpan + "-1"
	for _, header := range []http.Header{
		{"Sentry-Trace": {"not-a-trace"}},
		{"Sentry-Trace": {valid + "-1"}},
		{"Sentry-Trace": {strings.Repeat("f", 1<<20)}},
		{"Sentry-Trace": {valid, "1bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"}},
		{"Sentry-Trace": {"00000000000000000000000000000000-" + callerSpan + "-1"}},
		{"Traceparent": {"ff-" + callerTrace + "-" + callerSpan + "-01"}},
		{"Traceparent": {"00-" + strings.ToUpper(callerTrace) + "-" + callerSpan + "-01"}},
		{"Baggage": {headBaggage}},
	} {
		hub, rec := sentrytasktest.NewHub(t)
		req := request(nil)
		req.Header = header
		serve(hub, accepted, req)
		traceID, _, parent := sentrytasktest.IDs(only(t, "transactions", rec.Transactions()))
		if traceID == callerTrace || parent != "" || len(traceID) != 32 {
			t.Errorf("headers %.120v: trace %s parent %q; want a new trace with no parent", header, traceID, parent)
		}
	}

	// Repeats of one value are one value; baggage with junk keeps what is
	// valid.
	hub, rec := sentrytasktest.NewHub(t)
	base := &capture{}
	req := request(nil)
	req.Header = http.Header{"Sentry-Trace": {valid, valid}, "Baggage": {`sentry-public_key=headkey,sentry-x="bad",junk`, strings.Repeat("x", 10000)}}
	serve(hub, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get(t, r.Context(), sentrytask.NewTransport(base), "https://next.test/", nil)
	}), req)
	if traceID, _, _ := sentrytasktest.IDs(only(t, "transactions", rec.Transactions())); traceID != callerTrace {
		t.Errorf("a repeated sentry-trace did not continue the trace (got %s)", traceID)
	}
	if got := base.last(t).Header.Get("baggage"); !regexp.MustCompile(`^sentry-public_key=headkey,sentry-sample_rand=0\.\d{6}$`).MatchString(got) {
		t.Errorf("forwarded baggage = %q; want the one valid sentry member, and a sample_rand", got)
	}
}

func TestMiddlewareNamesTheTransactionAfterTheRoute(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	hub, rec := sentrytasktest.NewHub(t)
	serve(hub, mux, request(nil))
	tx := only(t, "transactions", rec.Transactions())
	if tx.Transaction != "GET /items/{id}" || tx.TransactionInfo.Source != sentry.SourceRoute {
		t.Errorf("transaction %q source %q; want GET /items/{id} from the route", tx.Transaction, tx.TransactionInfo.Source)
	}
	if status := fmt.Sprint(tx.Contexts["trace"]["status"]); status != "unavailable" {
		t.Errorf("status %s; want unavailable from the 503", status)
	}

	hub, rec = sentrytasktest.NewHub(t)
	serve(hub, accepted, request(nil))
	if tx := only(t, "transactions", rec.Transactions()); tx.Transaction != "GET /items/42" || tx.TransactionInfo.Source != sentry.SourceURL {
		t.Errorf("without a route: transaction %q source %q; want GET /items/42 from the URL", tx.Transaction, tx.TransactionInfo.Source)
	}
}

func TestMiddlewareReportsPanicsOnTheRequestsTransaction(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	panicking := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(boom) })

	hub, rec := sentrytasktest.NewHub(t)
	func() {
		defer func() {
			if r := recover(); r != boom {
				t.Errorf("recovered %v; want the handler's panic to go on", r)
			}
		}()
		serve(hub, panicking, request(map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1"}))
	}()
	tx := only(t, "transactions", rec.Transactions())
	ev := only(t, "errors", rec.Errors())
	txTrace, txSpan, _ := sentrytasktest.IDs(tx)
	evTrace, evSpan, _ := sentrytasktest.IDs(ev)
	if evTrace != callerTrace || evTrace != txTrace || evSpan != txSpan || ev.Level != sentry.LevelFatal {
		t.Errorf("panic event trace %s span %s level %s; want the transaction's %s %s, fatal", evTrace, evSpan, ev.Level, txTrace, txSpan)
	}
	if status := fmt.Sprint(tx.Contexts["trace"]["status"]); status != "internal_error" {
		t.Errorf("transaction status %s; want internal_error", status)
	}

	hub, rec = sentrytasktest.NewHub(t)
	w := serve(hub, panicking, request(nil), sentrytask.WithRecover500())
	if w.Code != http.StatusInternalServerError || len(rec.Errors()) != 1 {
		t.Errorf("WithRecover500: answered %d with %d events; want 500 and the panic reported", w.Code, len(rec.Errors()))
	}

	hub, rec = sentrytasktest.NewHub(t)
	func() {
		defer func() { _ = recover() }()
		serve(hub, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }), request(nil))
	}()
	if n := len(rec.Errors()); n != 0 || len(rec.Transactions()) != 1 {
		t.Errorf("http.ErrAbortHandler: %d error events, %d transactions; want 0 and 1", n, len(rec.Transactions()))
	}
}

func TestMiddlewareGivesEachRequestItsOwnScope(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	const n = 16
	var ready sync.WaitGroup
	ready.Add(n)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		rhub := sentry.GetHubFromContext(r.Context())
		rhub.Scope().SetTag("request", id)
		ready.Done()
		ready.Wait() // every request is inside its handler at once
		rhub.CaptureMessage(id)
	})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			serve(hub, h, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/?id=%d", i), nil))
		})
	}
	wg.Wait()
	spanOfTx := map[string]string{}
	for _, tx := range rec.Transactions() {
		_, span, _ := sentrytasktest.IDs(tx)
		spanOfTx[span] = tx.Request.QueryString
	}
	for _, ev := range rec.Errors() {
		_, span, _ := sentrytasktest.IDs(ev)
		if ev.Tags["request"] != ev.Message || spanOfTx[span] != "id="+ev.Message {
			t.Errorf("message %q: tag %q, on the transaction of %q; want its own", ev.Message, ev.Tags["request"], spanOfTx[span])
		}
	}
	if len(rec.Errors()) != n || len(spanOfTx) != n {
		t.Errorf("%d events, %d transactions; want %d each", len(rec.Errors()), len(spanOfTx), n)
	}
}

func TestMiddlewareWithoutAClientLeavesTheRequestAlone(t *testing.T) {
	t.Parallel()
	var got *http.Request
	req := request(map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1"})
	sentrytask.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r })).ServeHTTP(httptest.NewRecorder(), req)
	if got != req || sentry.SpanFromContext(got.Context()) != nil {
		t.Errorf("without a client the handler got %p with span %v; want the request itself", got, sentry.SpanFromContext(got.Context()))
	}
}

// TestServiceWithTracingOffPassesTheTraceOn: with tracing off a service's
// transactions are never sent and never sampled. It must still pass the
// caller's trace on — without claiming a "not sampled" decision the head
// did not make — and the head's sampling context with it.
func TestServiceWithTracingOffPassesTheTraceOn(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) { o.EnableTracing = false })
	base := &capture{}
	serve(hub, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get(t, r.Context(), sentrytask.NewTransport(base), "https://next.test/", nil)
		sentry.GetHubFromContext(r.Context()).CaptureMessage("seen")
	}), request(map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1", "baggage": headBaggage}))

	h := base.last(t).Header
	st := h.Get("sentry-trace")
	if !strings.HasPrefix(st, callerTrace+"-") || len(st) != 49 {
		t.Errorf("sentry-trace = %q; want the caller's trace with no sampling decision", st)
	}
	if !strings.Contains(h.Get("baggage"), "sentry-public_key=headkey") {
		t.Errorf("baggage = %q; want the head's", h.Get("baggage"))
	}
	ev := only(t, "errors", rec.Errors())
	if traceID, spanID, _ := sentrytasktest.IDs(ev); traceID != callerTrace || spanID != st[33:49] {
		t.Errorf("error event on %s/%s; want the trace and span the next service is told about, %s", traceID, spanID, st)
	}
}

// TestMiddlewareForksTheHubItIsGivenElseTheRequests: WithHub's hub, else
// the one the server's BaseContext put on the request's context, else the
// global hub; each request gets a fork of it.
func TestMiddlewareForksTheHubItIsGivenElseTheRequests(t *testing.T) {
	t.Parallel()
	given, givenRec := sentrytasktest.NewHub(t)
	onContext, contextRec := sentrytasktest.NewHub(t)
	var seen *sentry.Hub
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = sentry.GetHubFromContext(r.Context())
		w.WriteHeader(http.StatusAccepted)
	})
	serve(onContext, h, request(nil), sentrytask.WithHub(given))
	if len(givenRec.Transactions()) != 1 || len(contextRec.Transactions()) != 0 || seen == given {
		t.Errorf("with WithHub: %d transactions on its hub, %d on the request's, handler's hub the given one itself: %t; want 1, 0, a fork",
			len(givenRec.Transactions()), len(contextRec.Transactions()), seen == given)
	}
	serve(onContext, h, request(nil))
	if len(contextRec.Transactions()) != 1 || seen == onContext || seen.Client() != onContext.Client() {
		t.Errorf("without WithHub: %d transactions on the request's hub; want 1, through a fork of it", len(contextRec.Transactions()))
	}
}
