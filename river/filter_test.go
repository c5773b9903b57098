package sentrytaskriver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/sentrytask/sentrytask"
)

// TestAFilteredJobIsWorkedWithoutATransaction: a kind the filter leaves
// out is worked, and completes, in its inserter's trace, and sends nothing.
func TestAFilteredJobIsWorkedWithoutATransaction(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			var propagated string
			s := start(t, db, func(ctx context.Context, job *river.Job[emailArgs]) error {
				propagated = sentry.GetHubFromContext(ctx).GetTraceparent()
				return nil
			}, sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
				return !(in.Op == "queue.process" && in.Name == "email.send")
			}))
			_, tx := s.insert(t, nil)
			if e := s.await(t, 1)[0]; e.Kind != river.EventKindJobCompleted {
				t.Fatalf("the filtered job ended %s; want completed", e.Kind)
			}
			if n := len(s.workerRec.Events()); n != 0 {
				t.Errorf("a filtered job sent %d events", n)
			}
			if !strings.HasPrefix(propagated, tx.TraceID.String()) {
				t.Errorf("the filtered job ran propagating %q; want its inserter's trace %s", propagated, tx.TraceID)
			}
		})
	}
}
