package sentrytask_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// envelope is what a Sentry server receives: the envelope header's trace
// (the sampling context dynamic sampling reads) and the transaction or
// check-in (its Type is the item's).
type envelope struct {
	Trace map[string]string
	Event struct {
		Type        string                    `json:"type"`
		Transaction string                    `json:"transaction"`
		Contexts    map[string]map[string]any `json:"contexts"`
		CheckInID   string                    `json:"check_in_id"`
		Status      string                    `json:"status"`
	}
}

// ingest is a Sentry server on loopback that keeps the transaction and
// check-in envelopes sent to it, and a hub whose client sends there with
// sentry-go's own HTTP transport and the given release and environment.
func ingest(t *testing.T, opts ...func(*sentry.ClientOptions)) (*sentry.Hub, func() []envelope) {
	t.Helper()
	var mu sync.Mutex
	var got []envelope
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		lines := bufio.NewScanner(strings.NewReader(string(body)))
		lines.Buffer(nil, 1<<20)
		var header struct{ Trace map[string]string }
		var item struct{ Type string }
		var e envelope
		for i := 0; lines.Scan(); i++ {
			switch i {
			case 0:
				_ = json.Unmarshal(lines.Bytes(), &header)
			case 1:
				_ = json.Unmarshal(lines.Bytes(), &item)
			case 2:
				_ = json.Unmarshal(lines.Bytes(), &e.Event)
			}
		}
		if item.Type == "transaction" || item.Type == "check_in" {
			e.Event.Type = item.Type
			e.Trace = header.Trace
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	o := sentry.ClientOptions{
		Dsn:              strings.Replace(srv.URL, "http://", "http://ourkey@", 1) + "/1",
		EnableTracing:    true,
		TracesSampleRate: 1,
		Release:          "ours@2.0",
		Environment:      "staging",
		Transport:        sentry.NewHTTPSyncTransport(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	client, err := sentry.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return sentry.NewHub(client, sentry.NewScope()), func() []envelope {
		client.Flush(5 * time.Second)
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}

// headContext is the sampling context the head of the trace (another
// service, another SDK) sent in headBaggage.
var headContext = map[string]string{"trace_id": callerTrace, "public_key": "headkey", "sample_rate": "0.01",
	"release": "head@1.0", "environment": "prod", "transaction": "checkout", "sampled": "true"}

// TestEnvelopesCarryTheHeadsSamplingContext: every transaction this
// package starts by continuing another service's trace is sent with the
// head's sampling context in its envelope — not one rebuilt from this
// service's release, environment, key and transaction name, which is what
// sentry-go sends — with a sample_rand the head's decision agrees with,
// since the head sent none.
func TestEnvelopesCarryTheHeadsSamplingContext(t *testing.T) {
	t.Parallel()
	incoming := func() sentrytask.HeaderCarrier {
		return sentrytask.HeaderCarrier{"Sentry-Trace": {callerTrace + "-" + callerSpan + "-1"}, "Baggage": {headBaggage}}
	}
	for _, entry := range []struct {
		name string
		run  func(ctx context.Context)
	}{
		{"Middleware", func(ctx context.Context) {
			req := request(nil).WithContext(ctx)
			req.Header = http.Header(incoming())
			sentrytask.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sentry.GetHubFromContext(r.Context()).Scope().SetTag("handler", "tagged")
				w.WriteHeader(http.StatusAccepted)
			})).ServeHTTP(httptest.NewRecorder(), req)
		}},
		{"Continue and FinishTransaction", func(ctx context.Context) {
			_, tx := sentrytask.Continue(ctx, incoming(), "rpc.server")
			sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)
		}},
		{"Process", func(ctx context.Context) {
			_ = sentrytask.Process(ctx, incoming(), sentrytask.Message{Destination: "orders"}, noop)
		}},
		{"a task below Detach", func(ctx context.Context) {
			ctx, tx := sentrytask.Continue(ctx, incoming(), "rpc.server")
			sentrytask.Go(sentrytask.Detach(ctx), noop, sentrytask.WithSpan("email.send")).Wait()
			sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)
		}},
	} {
		t.Run(entry.name, func(t *testing.T) {
			t.Parallel()
			hub, envelopes := ingest(t)
			entry.run(sentry.SetHubOnContext(context.Background(), hub))
			got := envelopes()
			if len(got) == 0 {
				t.Fatal("no transaction envelope received")
			}
			for _, e := range got {
				trace := maps.Clone(e.Trace)
				rand, err := strconv.ParseFloat(trace["sample_rand"], 64)
				delete(trace, "sample_rand")
				if !maps.Equal(trace, headContext) || err != nil || rand >= 0.01 {
					t.Errorf("%s envelope's trace = %v; want the head's %v and a sample_rand below its rate", e.Event.Transaction, e.Trace, headContext)
				}
				if tc := e.Event.Contexts["trace"]; tc["trace_id"] != callerTrace || tc["op"] == nil || tc["status"] == nil {
					t.Errorf("%s transaction's trace context = %v; want its own, in the caller's trace, with an op and a status", e.Event.Transaction, tc)
				}
			}
		})
	}
}

// TestMiddlewareKeepsTheHandlersScopeOnItsTransaction: the transaction is
// sent through a hub of its own, but carries what the handler put on the
// request's scope, as sentry-go's would.
func TestMiddlewareKeepsTheHandlersScopeOnItsTransaction(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	serve(hub, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope := sentry.GetHubFromContext(r.Context()).Scope()
		scope.SetTag("tenant", "acme")
		scope.SetUser(sentry.User{ID: "u1"})
		w.WriteHeader(http.StatusAccepted)
	}), request(map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1", "baggage": headBaggage}))
	tx := only(t, "transactions", rec.Transactions())
	if tx.Tags["tenant"] != "acme" || tx.User.ID != "u1" || tx.Request == nil || tx.Request.URL == "" {
		t.Errorf("transaction tags %v, user %+v, request %+v; want the handler's tag and user, and the request", tx.Tags, tx.User, tx.Request)
	}
	if got := tx.GetDynamicSamplingContext(); got["public_key"] != "headkey" || got["release"] != "head@1.0" {
		t.Errorf("transaction's sampling context %v; want the head's", got)
	}
}

// TestTheHeadOfATraceFixesSampleRand: when this service starts the trace,
// the sampling context it propagates and the one its envelope carries hold
// the same sample_rand, consistent with its decision, which sentry-go
// never writes.
func TestTheHeadOfATraceFixesSampleRand(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{1, 0.5} {
		hub, envelopes := ingest(t, func(o *sentry.ClientOptions) { o.TracesSampleRate = rate })
		var sent []string
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = append(sent, r.Header.Get("baggage"))
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
		})
		client := &http.Client{Transport: sentrytask.NewTransport(base)}
		var decisions []bool
		for range 20 {
			ctx := sentry.SetHubOnContext(context.Background(), hub)
			sentrytask.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				decisions = append(decisions, sentry.TransactionFromContext(r.Context()).Sampled.Bool())
				req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://next.test/", nil)
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
				}
			})).ServeHTTP(httptest.NewRecorder(), request(nil).WithContext(ctx))
		}
		envs := envelopes()
		e := 0
		for i, baggage := range sent {
			dsc, _ := sentry.DynamicSamplingContextFromHeader([]byte(baggage))
			rand, err := strconv.ParseFloat(dsc.Entries["sample_rand"], 64)
			if err != nil || rand < 0 || rand >= 1 || (rand < rate) != decisions[i] {
				t.Errorf("rate %v, sampled %v: propagated sample_rand %q does not agree", rate, decisions[i], dsc.Entries["sample_rand"])
			}
			if !decisions[i] {
				continue
			}
			if e >= len(envs) || envs[e].Trace["sample_rand"] != dsc.Entries["sample_rand"] || envs[e].Trace["trace_id"] != dsc.Entries["trace_id"] {
				t.Errorf("rate %v: envelope %d's sampling context differs from the propagated %v", rate, e, dsc.Entries)
			}
			e++
		}
		if e != len(envs) {
			t.Errorf("rate %v: %d envelopes for %d sampled transactions", rate, len(envs), e)
		}
	}
}

// TestAnIncomingSampleRandIsForwardedUnchanged: the head fixed the trace's
// sample_rand; every service after it forwards it as it came and sends it
// in its envelopes, whatever its own decision would have drawn.
func TestAnIncomingSampleRandIsForwardedUnchanged(t *testing.T) {
	t.Parallel()
	hub, envelopes := ingest(t)
	var forwarded string
	client := &http.Client{Transport: sentrytask.NewTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		forwarded = r.Header.Get("baggage")
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	}))}
	req := request(map[string]string{"sentry-trace": callerTrace + "-" + callerSpan + "-1", "baggage": headBaggage + ",sentry-sample_rand=0.004321"})
	sentrytask.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://next.test/", nil)
		if resp, err := client.Do(out); err == nil {
			resp.Body.Close()
		}
	})).ServeHTTP(httptest.NewRecorder(), req.WithContext(sentry.SetHubOnContext(context.Background(), hub)))
	dsc, _ := sentry.DynamicSamplingContextFromHeader([]byte(forwarded))
	got := envelopes()
	if dsc.Entries["sample_rand"] != "0.004321" || len(got) != 1 || got[0].Trace["sample_rand"] != "0.004321" {
		t.Errorf("forwarded %q, envelopes %v; want the head's sample_rand 0.004321 in both", forwarded, got)
	}
}

// TestCheckInEnvelopesCarryTheRunsTrace: both check-ins of a scheduled
// run go out with the run's trace in their envelope's header, the head's
// sampling context, as Sentry's other SDKs send a check-in.
func TestCheckInEnvelopesCarryTheRunsTrace(t *testing.T) {
	t.Parallel()
	schedHub, schedEnvs := ingest(t)
	ctx, tx := sentrytask.Continue(sentry.SetHubOnContext(context.Background(), schedHub), sentrytask.MapCarrier{}, "tick")
	headers := sentrytask.MapCarrier{}
	sentrytask.Publish(sentrytask.WithMonitor(ctx, everyMinute), headers, sentrytask.Message{Destination: "reports"}).End(nil)
	sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)

	workerHub, workerEnvs := ingest(t, func(o *sentry.ClientOptions) { o.Release = "worker@1.0" })
	_ = sentrytask.Process(sentry.SetHubOnContext(context.Background(), workerHub), headers, sentrytask.Message{Destination: "reports"}, noop)

	head, _ := sentry.DynamicSamplingContextFromHeader([]byte(headers["baggage"]))
	var checkIns []envelope
	for _, e := range append(schedEnvs(), workerEnvs()...) {
		if e.Event.Type == "check_in" {
			checkIns = append(checkIns, e)
		}
	}
	if len(checkIns) != 2 || checkIns[0].Event.Status != "in_progress" || checkIns[1].Event.Status != "ok" ||
		checkIns[0].Event.CheckInID != headers["sentry-monitor-check-in-id"] || checkIns[1].Event.CheckInID != checkIns[0].Event.CheckInID {
		t.Fatalf("check-in envelopes %+v; want the run's in_progress and ok", checkIns)
	}
	for _, e := range checkIns {
		if e.Trace["trace_id"] != tx.TraceID.String() || e.Trace["sample_rand"] != head.Entries["sample_rand"] || e.Trace["release"] != "ours@2.0" {
			t.Errorf("%s check-in's envelope carries %v; want the head's sampling context %v", e.Event.Status, e.Trace, head.Entries)
		}
	}
}
