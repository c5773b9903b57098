package sentrytask

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

type middleware struct {
	next    http.Handler
	recover bool
	hub     *sentry.Hub // WithHub's, or nil
	filter  Filter      // WithFilter's, or nil
}

// Middleware returns a handler that runs next inside an "http.server"
// transaction continuing the caller's trace. For each request it:
//
//   - forks a hub, so that concurrent requests never share a scope, and
//     sets the request on it: the hub WithHub gives, else the one on the
//     request's context, which an http.Server's BaseContext puts on every
//     request's (BaseContext: func(net.Listener) context.Context { return
//     sentry.SetHubOnContext(ctx, hub) }), else the global hub, the one
//     sentry.Init sets up;
//   - continues the trace from sentry-trace and baggage, or from W3C
//     traceparent when there is no valid sentry-trace, following sentry-go's
//     StrictTraceContinuation and org id rules; a missing or malformed
//     header starts a new trace (see Continue);
//   - names the transaction after the route pattern ("GET /items/{id}"),
//     else after the method and path: a ServeMux given as next is asked
//     for the route before the handler runs, so that the transaction (and
//     a TracesSampler) has its name from the start; a route that a mux
//     further in finds is given to the transaction's event when it is
//     sent;
//   - ends it after next returns, with the status the handler set or else
//     that of the response code. Once the handler runs, the middleware
//     writes none of the transaction's fields that sentry-go reads without
//     a lock (Name, Source, Status): a task the handler spawned and did not
//     wait for may be reading them, and an OrphanDetector reports it
//     instead of a data race;
//   - reports a panic in next on the request's transaction (unless a
//     layer inside, such as Instrument, reported it on its own span), ends
//     the transaction as internal_error and panics again without flushing,
//     for net/http to recover (see WithRecover500). A panic with
//     http.ErrAbortHandler, net/http's way to abort a response, is not
//     reported.
//
// When no enabled client is bound, next runs with the request untouched.
// A request WithFilter leaves out runs next with a fork of the hub that
// continues the caller's trace, and no transaction. Middleware panics
// given a nil next.
func Middleware(next http.Handler, opts ...MiddlewareOption) http.Handler {
	if next == nil {
		panic("sentrytask: Middleware called with a nil handler")
	}
	c := newMiddlewareConfig(opts)
	return &middleware{next: next, recover: c.recover500, hub: c.hub, filter: c.filter}
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	hub := m.hub
	if hub == nil {
		hub = HubFromContext(ctx)
	}
	st := enabledStateOf(hub)
	if st == nil {
		m.next.ServeHTTP(w, r)
		return
	}
	h := r.Header
	p := readIncoming(st, h.Values(headerSentryTrace), h.Values(headerBaggage), h.Values(headerTraceparent))
	if m.filter != nil && !m.filter(FilterInput{Op: "http.server", Name: r.URL.Path, Headers: HeaderCarrier(h)}) {
		ctx, _ = continueUntraced(ctx, hub, p)
		m.next.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	name, source, pattern := startName(m.next, r)
	ctx, hub, tx := continueRemote(ctx, hub, p, "http.server", name, source, originHTTP)
	hub.Scope().SetRequest(r)
	tx.SetData("http.request.method", r.Method)
	req := &serverRequest{hub: hub, tx: tx, pattern: pattern, recover: m.recover,
		rw: &statusWriter{ResponseWriter: w}, r: r.WithContext(ctx)}
	defer func() {
		if v := recover(); v != nil {
			req.panicked(v)
		}
	}()
	m.next.ServeHTTP(req.rw, req.r)
	req.end(sentry.SpanStatusUndefined, req.rw.code())
}

// serverRequest is one request's transaction on its way through next.
type serverRequest struct {
	hub     *sentry.Hub // the request's fork
	tx      *sentry.Span
	r       *http.Request // as next got it
	rw      *statusWriter
	pattern string // the route tx started with, if known then
	recover bool
}

// end ends the request's transaction with status, or else with the status
// the handler set, or else with the response code's. Nothing is written to
// the transaction's fields: tasks of the handler may be reading them (see
// sending.go).
func (s *serverRequest) end(status sentry.SpanStatus, code int) {
	s.tx.SetData("http.response.status_code", code) // under the span's lock
	var f txFinal
	// A ServeMux further in sets the pattern on the request it was given.
	if s.r.Pattern != "" && s.r.Pattern != s.pattern {
		f.name, f.source = patternName(s.r.Method, s.r.Pattern)
	}
	f.status = status
	if f.status == sentry.SpanStatusUndefined {
		// Only the handler's goroutine writes it.
		f.status = s.tx.Status
	}
	if f.status == sentry.SpanStatusUndefined {
		f.status = sentry.HTTPtoSpanStatus(code)
	}
	finishTransaction(s.tx, f)
}

// panicked reports v on the request's transaction, which is still current
// on the request's scope (unless a layer further in has reported it), ends
// the transaction, and re-panics or answers 500.
func (s *serverRequest) panicked(v any) {
	if v == http.ErrAbortHandler {
		s.end(sentry.SpanStatusAborted, s.rw.code())
		panic(v)
	}
	reportPanic(s.r.Context(), s.hub, v, s.r)
	if !s.recover {
		s.end(sentry.SpanStatusInternalError, http.StatusInternalServerError)
		// Re-panicking inside the deferred call that recovered keeps the
		// original frames on the stack net/http logs. net/http recovers
		// it, so nothing is flushed here: the program goes on.
		repanic(v)
	}
	if !s.rw.wroteHeader {
		http.Error(s.rw, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	s.end(sentry.SpanStatusInternalError, s.rw.code())
}
