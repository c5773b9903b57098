package sentrytask_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// brokenErr's Error dereferences its receiver: a typed nil *brokenErr in an
// error panics when asked what it says, and so does its Unwrap.
type brokenErr struct{ msg string }

func (e *brokenErr) Error() string { return e.msg }
func (e *brokenErr) Unwrap() error { return errors.New(e.msg) }

func typedNil() error {
	var e *brokenErr
	return e
}

// assertBrokenErrorEvent checks that e reports an error whose Error method
// panicked, saying so, instead of crashing.
func assertBrokenErrorEvent(t *testing.T, e *sentry.Event) {
	t.Helper()
	if len(e.Exception) == 0 {
		t.Fatalf("event has no exception: %+v", e)
	}
	ex := e.Exception[len(e.Exception)-1]
	if ex.Type != "*sentrytask_test.brokenErr" || !strings.Contains(ex.Value, "Error method panicked") {
		t.Errorf("exception = %s: %q; want type *sentrytask_test.brokenErr saying its Error method panicked", ex.Type, ex.Value)
	}
}

func TestAPanicWithABrokenErrorIsReportedAndReturned(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	err := sentrytask.Go(ctx, func(context.Context) error { panic(typedNil()) },
		sentrytask.WithSpan("task"), sentrytask.WithRecoverPanics()).Wait()
	tx.Finish()

	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) || pe.Value != typedNil() {
		t.Fatalf("Wait() = %#v; want a *PanicError holding the typed nil", err)
	}
	if !strings.Contains(pe.Error(), "sentrytask: panic: ") {
		t.Errorf("PanicError.Error() = %q; want it to describe the panic", pe.Error())
	}
	e := only(t, "panic events", rec.Errors())
	assertBrokenErrorEvent(t, e)
	if e.EventID != pe.EventID {
		t.Errorf("PanicError.EventID = %q; want %q", pe.EventID, e.EventID)
	}
	if s := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "task"); len(s) != 1 || s[0].Status != sentry.SpanStatusInternalError {
		t.Errorf("task spans = %v; want one ended internal_error", s)
	}
}

func TestAReturnedBrokenErrorIsCapturedWithoutCrashing(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	err := sentrytask.Go(ctx, func(context.Context) error { return typedNil() },
		sentrytask.WithSpan("task"), sentrytask.WithCaptureErrors()).Wait()
	tx.Finish()
	if err != typedNil() {
		t.Errorf("Wait() = %#v; want the typed nil the task returned", err)
	}
	assertBrokenErrorEvent(t, only(t, "error events", rec.Errors()))
	if s := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "task"); len(s) != 1 || s[0].Status != sentry.SpanStatusInternalError {
		t.Errorf("task spans = %v; want one ended internal_error", s)
	}
}

func TestInstrumentAndMiddlewareSurviveABrokenError(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	if err := sentrytask.Instrument(ctx, "step", func(context.Context) error { return typedNil() },
		sentrytask.WithCaptureErrors()); err != typedNil() {
		t.Errorf("Instrument = %#v; want the typed nil", err)
	}
	w := serve(hub, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(typedNil()) }),
		httptest.NewRequest(http.MethodGet, "/", nil), sentrytask.WithRecover500())
	if w.Code != http.StatusInternalServerError {
		t.Errorf("middleware answered %d; want 500", w.Code)
	}
	errs := rec.Errors()
	if len(errs) != 2 {
		t.Fatalf("recorded %d error events; want 2", len(errs))
	}
	for _, e := range errs {
		assertBrokenErrorEvent(t, e)
	}
}
