package sentrytask

import (
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"
)

// A MiddlewareOption configures Middleware.
type MiddlewareOption func(*middleware)

// WithRecover500 makes Middleware answer a panicking request with 500
// Internal Server Error (if nothing was written yet) instead of panicking
// again after reporting it. The default re-panic lets net/http (or another
// middleware further out) do what it does with panics.
func WithRecover500() MiddlewareOption {
	return func(m *middleware) { m.recover = true }
}

type middleware struct {
	next    http.Handler
	recover bool
}

// Middleware returns a handler that runs next inside an "http.server"
// transaction continuing the caller's trace. For each request it:
//
//   - forks the hub on the request's context (or the global hub), so that
//     concurrent requests never share a scope, and sets the request on it;
//   - continues the trace from sentry-trace and baggage, or from W3C
//     traceparent when there is no valid sentry-trace, following sentry-go's
//     StrictTraceContinuation and org id rules; a missing or malformed
//     header starts a new trace (see Continue);
//   - names the transaction after the route pattern when the ServeMux gives
//     one ("GET /items/{id}"), else after the method and path;
//   - ends it after next returns, with the status of the response code;
//   - reports a panic in next on the request's transaction (unless a
//     layer inside, such as Instrument, reported it on its own span), ends
//     the transaction as internal_error and panics again without flushing,
//     for net/http to recover (see WithRecover500). A panic with
//     http.ErrAbortHandler, net/http's way to abort a response, is not
//     reported.
//
// When no enabled client is bound, next runs with the request untouched.
func Middleware(next http.Handler, opts ...MiddlewareOption) http.Handler {
	m := &middleware{next: next}
	for _, opt := range opts {
		if opt != nil {
			opt(m)
		}
	}
	return m
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	hub, st := enabledState(ctx)
	if st == nil {
		m.next.ServeHTTP(w, r)
		return
	}
	h := r.Header
	p := readIncoming(st, h.Values(headerSentryTrace), h.Values(headerBaggage), h.Values(headerTraceparent))
	// A span on the server's base context is not this request's parent.
	ctx = detachedContext{ctx, nil}
	ctx, hub = fork(ctx, hub)
	hub.Scope().SetRequest(r)
	name, source := routeName(r)
	tx := startTransaction(ctx, "http.server", p,
		sentry.WithTransactionName(name),
		sentry.WithTransactionSource(source),
		sentry.WithSpanOrigin(spanOrigin))
	propagate(hub, tx, p)
	tx.SetData("http.request.method", r.Method)
	rw := &statusWriter{ResponseWriter: w}
	r = r.WithContext(tx.Context())
	defer func() {
		if v := recover(); v != nil {
			m.panicked(hub, tx, rw, r, v)
		}
	}()
	m.next.ServeHTTP(rw, r)
	// A ServeMux below sets the pattern on the request it was given.
	if r.Pattern != "" {
		tx.Name, tx.Source = routeName(r)
	}
	end(tx, rw.code())
}

// routeName names a request's transaction, as sentryhttp does.
func routeName(r *http.Request) (string, sentry.TransactionSource) {
	if r.Pattern == "" {
		return r.Method + " " + r.URL.Path, sentry.SourceURL
	}
	if strings.Contains(r.Pattern, " ") { // the pattern names the method
		return r.Pattern, sentry.SourceRoute
	}
	return r.Method + " " + r.Pattern, sentry.SourceRoute
}

// end ends a request's transaction with the response code's status, unless
// the handler set one.
func end(tx *sentry.Span, code int) {
	tx.SetData("http.response.status_code", code)
	if tx.Status == sentry.SpanStatusUndefined {
		tx.Status = sentry.HTTPtoSpanStatus(code)
	}
	tx.Finish()
}

// panicked reports v on the request's transaction, which is still current
// on the request's scope, ends it, and re-panics or answers 500.
func (m *middleware) panicked(hub *sentry.Hub, tx *sentry.Span, rw *statusWriter, r *http.Request, v any) {
	if v == http.ErrAbortHandler {
		tx.Status = sentry.SpanStatusAborted
		end(tx, rw.code())
		panic(v)
	}
	reportPanic(r.Context(), hub, v, r)
	tx.Status = sentry.SpanStatusInternalError
	if !m.recover {
		end(tx, http.StatusInternalServerError)
		// Re-panicking inside the deferred call that recovered keeps the
		// original frames on the stack net/http logs. net/http recovers
		// it, so nothing is flushed here: the program goes on.
		repanic(v)
	}
	if !rw.wroteHeader {
		http.Error(rw, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	end(tx, rw.code())
}
