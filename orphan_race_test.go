package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestAnOrphanedTaskIsReportedAndNeverRaces: a handler spawns a task and
// returns without waiting for it. The task reads the request's transaction
// (sentry-go does, to capture an error and to build an outgoing request's
// baggage) while the middleware names and finishes that transaction. The
// detector reports the orphan, and the transaction is named after its
// route; but the middleware must not write the transaction's name once the
// handler runs, since any task may be reading it. (That race shows under
// -race only when the task reads within some 100 ns of the write, so the
// test checks the cause: the span is never renamed after the handler
// starts.)
func TestAnOrphanedTaskIsReportedAndNeverRaces(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"ServeMux", func(h http.Handler) http.Handler { return h }},
		// Another handler in front of the mux: the route is known only
		// once the mux has run.
		{"behind another handler", func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub, rec := sentrytasktest.NewHub(t)
			client := &http.Client{Transport: sentrytask.NewTransport(&capture{})}
			returning, release := make(chan struct{}), make(chan struct{})
			var task *sentrytask.Task
			var span *sentry.Span
			var nameInHandler string
			var sourceInHandler sentry.TransactionSource
			var statusInHandler sentry.SpanStatus
			mux := http.NewServeMux()
			mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
				defer close(returning)
				span = sentry.TransactionFromContext(r.Context())
				nameInHandler, sourceInHandler, statusInHandler = span.Name, span.Source, span.Status
				task = sentrytask.Go(r.Context(), func(ctx context.Context) error {
					<-returning
					sentrytask.HubFromContext(ctx).CaptureException(errors.New("late"))
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://next.test/", nil)
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
					}
					<-release
					return nil
				}, sentrytask.WithDescription("late work"))
				w.WriteHeader(http.StatusAccepted)
			})
			serve(hub, tc.wrap(mux), httptest.NewRequest(http.MethodGet, "/items/7", nil))
			close(release)
			if err := task.Wait(); err != nil {
				t.Fatal(err)
			}

			if got := sentrytasktest.Orphans(rec.Events()); len(got) != 1 || got[0] != "late work" {
				t.Errorf("orphans = %q; want [late work]", got)
			}
			tx := only(t, "transactions", rec.Transactions())
			if tx.Transaction != "GET /items/{id}" || tx.TransactionInfo.Source != sentry.SourceRoute {
				t.Errorf("transaction %q (source %q); want GET /items/{id} (route)", tx.Transaction, tx.TransactionInfo.Source)
			}
			if span.Name != nameInHandler || span.Source != sourceInHandler || span.Status != statusInHandler {
				t.Errorf("the transaction span went from %q (%s, status %s) to %q (%s, status %s) after the handler started, while tasks may read it",
					nameInHandler, sourceInHandler, statusInHandler, span.Name, span.Source, span.Status)
			}
			if status := fmt.Sprint(tx.Contexts["trace"]["status"]); status != "ok" {
				t.Errorf("transaction event status %s; want ok (202)", status)
			}
		})
	}
}
