package sentrytasktest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestTreeNestsSpansUnderParentsWithErrorsWhereTheyHappened(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "checkout",
		sentry.WithOpName("cli"))
	b := sentry.StartSpan(tx.Context(), "step", sentry.WithDescription("b"))
	inner := sentry.StartSpan(b.Context(), "db")
	hub.CaptureException(errors.New("no rows"))
	inner.Status = sentry.SpanStatusNotFound
	inner.Finish()
	b.Finish()
	a := sentry.StartSpan(tx.Context(), "step", sentry.WithDescription("a"))
	a.Finish()
	tx.Finish()
	other := sentry.NewHub(hub.Client(), sentry.NewScope())
	other.CaptureMessage("elsewhere")

	got := sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs())
	want := `trace
└─ transaction cli "checkout" -
   ├─ step "a" -
   └─ step "b" -
      └─ db not_found
         ! error: *errors.errorString: no rows

trace
! info: elsewhere (linked to a span not recorded)
`
	if got != want {
		t.Errorf("Tree() =\n%s\nwant\n%s", got, want)
	}
}
