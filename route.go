package sentrytask

import (
	"net/http"
	"strings"
	"sync"

	"github.com/getsentry/sentry-go"
)

// A server transaction is named after the route that serves the request
// ("GET /items/{id}"), which a router finds only when the request reaches
// it. The transaction's Name and Source are fields that sentry-go reads
// without a lock (for every event captured below the transaction, and for
// the baggage of every outgoing request), so once the handler runs, and
// with it any task it spawns, they must not be written again.
//
// A ServeMux handed to Middleware directly is asked for the route before
// the handler runs, and the transaction starts with its final name (a
// TracesSampler sees it too). When the route is known only afterwards (a
// mux behind other handlers, or another router that sets
// http.Request.Pattern), the name is written into the transaction's event
// as it is sent, by the client's event processor, not into the span; so is
// the status (txFinals).

// startName returns the name a request's transaction starts with: its
// route when next is a ServeMux, else its method and path.
func startName(next http.Handler, r *http.Request) (name string, source sentry.TransactionSource, pattern string) {
	if mux, ok := next.(*http.ServeMux); ok {
		if _, pattern = mux.Handler(r); pattern != "" {
			name, source = patternName(r.Method, pattern)
			return name, source, pattern
		}
	}
	return r.Method + " " + r.URL.Path, sentry.SourceURL, ""
}

// patternName names a transaction after a ServeMux pattern, as sentryhttp
// does.
func patternName(method, pattern string) (string, sentry.TransactionSource) {
	if strings.Contains(pattern, " ") { // the pattern names the method
		return pattern, sentry.SourceRoute
	}
	return method + " " + pattern, sentry.SourceRoute
}

// txFinals holds, until its event is sent, what a server transaction ends
// with: its status, and its route when that was found after the handler
// started. They go into the event, not the span: sentry-go reads the span's
// Name, Source and Status without a lock that this package could take, in
// any goroutine that captures an event below the transaction, and a task
// the handler did not wait for may be doing so as the request ends.
type txFinals struct {
	m sync.Map // txKey → txFinal
}

type txFinal struct {
	name   string // "" keeps the name the transaction started with
	source sentry.TransactionSource
	status sentry.SpanStatus
}

// finish finishes tx, giving its event f.
func (l *txFinals) finish(tx *sentry.Span, f txFinal) {
	key := txKey{tx.TraceID, tx.SpanID}
	l.m.Store(key, f)
	tx.Finish()
	// Also when no event was sent (an unsampled transaction's is not).
	l.m.Delete(key)
}

// apply is an event processor: it gives a transaction event what its
// transaction ended with. It runs in the goroutine that finishes the
// transaction, before BeforeSendTransaction.
func (l *txFinals) apply(event *sentry.Event) *sentry.Event {
	if event == nil || event.Type != "transaction" {
		return event
	}
	key, ok := eventTxKey(event)
	if !ok {
		return event
	}
	v, ok := l.m.Load(key)
	if !ok {
		return event
	}
	f := v.(txFinal)
	if f.name != "" {
		event.Transaction = f.name
		if event.TransactionInfo == nil {
			event.TransactionInfo = &sentry.TransactionInfo{}
		}
		event.TransactionInfo.Source = f.source
	}
	// toEvent built this map for this event alone.
	event.Contexts["trace"]["status"] = f.status
	return event
}
