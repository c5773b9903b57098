package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// A panic is reported once, where it happened: the layers it passes through
// on its way out end their spans with an error status and send nothing.

func TestAPanicThroughNestedLayersIsReportedOnceOnTheInnermostSpan(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	var innermost sentry.SpanID
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		return sentrytask.Instrument(ctx, "outer", func(ctx context.Context) error {
			return sentrytask.Instrument(ctx, "inner", func(ctx context.Context) error {
				innermost = sentry.SpanFromContext(ctx).SpanID
				panickingFunction("boom")
				return nil
			})
		})
	}, sentrytask.WithSpan("task"), sentrytask.WithRecoverPanics()).Wait()
	tx.Finish()

	e := only(t, "panic events", rec.Errors())
	assertPanicEvent(t, e, innermost)
	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" {
		t.Fatalf("Wait() = %v; want a *PanicError with value boom", err)
	}
	if pe.EventID != e.EventID {
		t.Errorf("PanicError.EventID = %q; want the id of the one event, %q", pe.EventID, e.EventID)
	}
	events := only(t, "transactions", rec.Transactions())
	for _, op := range []string{"task", "outer", "inner"} {
		if s := sentrytasktest.SpansByOp([]*sentry.Event{events}, op); len(s) != 1 || s[0].Status != sentry.SpanStatusInternalError {
			t.Errorf("%s spans = %v; want one, ended internal_error", op, s)
		}
	}
}

func TestAPanicThroughTheMiddlewareIsReportedOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []sentrytask.MiddlewareOption
	}{
		{"WithRecover500", []sentrytask.MiddlewareOption{sentrytask.WithRecover500()}},
		{"re-panic", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub, rec := sentrytasktest.NewHub(t)
			var step sentry.SpanID
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = sentrytask.Instrument(r.Context(), "step", func(ctx context.Context) error {
					step = sentry.SpanFromContext(ctx).SpanID
					panickingFunction("boom")
					return nil
				})
			})
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				serve(hub, h, request(nil), tc.opts...)
			}()
			if (recovered != nil) != (tc.opts == nil) {
				t.Errorf("recovered %v from the middleware; want a re-panic only without WithRecover500", recovered)
			}
			assertPanicEvent(t, only(t, "panic events", rec.Errors()), step)
			tx := only(t, "transactions", rec.Transactions())
			if status := fmt.Sprint(tx.Contexts["trace"]["status"]); status != "internal_error" {
				t.Errorf("request transaction status %v; want internal_error", status)
			}
		})
	}
}

// TestAPanicRecoveredAndRaisedAgainByTheUserIsReportedEachTime: a panic the
// user recovers is over; a later panic with the same value, elsewhere, is
// a new one and is reported too.
func TestAPanicRecoveredByTheUserEndsThere(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	var spans []sentry.SpanID
	step := func(ctx context.Context) error {
		spans = append(spans, sentry.SpanFromContext(ctx).SpanID)
		panickingFunction("boom")
		return nil
	}
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		func() {
			defer func() { _ = recover() }()
			_ = sentrytask.Instrument(ctx, "first", step)
		}()
		return sentrytask.Instrument(ctx, "second", step)
	}, sentrytask.WithRecoverPanics()).Wait()
	tx.Finish()

	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Wait() = %v; want the second panic as a *PanicError", err)
	}
	errs := rec.Errors()
	if len(errs) != 2 {
		t.Fatalf("recorded %d panic events; want 2, one per panic", len(errs))
	}
	for i, e := range errs {
		assertPanicEvent(t, e, spans[i])
	}
	if pe.EventID != errs[1].EventID {
		t.Errorf("PanicError.EventID = %q; want the second event's %q", pe.EventID, errs[1].EventID)
	}
}

// TestWithCaptureErrorsDoesNotReportARecoveredPanicAgain: a *PanicError
// returned by an inner task was reported when it was recovered.
func TestWithCaptureErrorsDoesNotReportARecoveredPanicAgain(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		inner := sentrytask.Go(ctx, func(context.Context) error { panic("boom") }, sentrytask.WithRecoverPanics())
		return inner.Wait()
	}, sentrytask.WithCaptureErrors()).Wait()
	tx.Finish()
	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Wait() = %v; want the inner *PanicError", err)
	}
	only(t, "panic events", rec.Errors())
}

// slowFlush is a transport whose Flush takes as long as it is allowed to,
// as with a Sentry endpoint that does not answer: it counts the flushes.
type slowFlush struct {
	sentrytasktest.Recorder
	flushes atomic.Int32
}

func (s *slowFlush) Flush(timeout time.Duration) bool {
	s.flushes.Add(1)
	time.Sleep(timeout)
	return false
}

func (s *slowFlush) FlushWithContext(ctx context.Context) bool {
	s.flushes.Add(1)
	<-ctx.Done()
	return false
}

// TestLayersThatCannotKnowWhetherTheCallerRecoversDoNotFlush: Instrument and
// Middleware hand the panic to a caller that may recover it (net/http
// does), and a recovered task's goroutine goes on: none of them may hold
// the panic for a flush.
func TestLayersThatCannotKnowWhetherTheCallerRecoversDoNotFlush(t *testing.T) {
	t.Parallel()
	tr := &slowFlush{}
	hub, _ := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) { o.Transport = tr })
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	func() {
		defer func() { _ = recover() }()
		_ = sentrytask.Instrument(ctx, "step", func(context.Context) error { panic("boom") })
	}()
	_ = sentrytask.Go(ctx, func(context.Context) error { panic("boom") }, sentrytask.WithRecoverPanics()).Wait()
	g, gctx := sentrytask.NewGroup(ctx, sentrytask.WithRecoverPanics())
	g.Go(func(context.Context) error { panic("boom") })
	_ = g.Wait()
	_ = gctx
	for _, opts := range [][]sentrytask.MiddlewareOption{nil, {sentrytask.WithRecover500()}} {
		func() {
			defer func() { _ = recover() }()
			serve(hub, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }),
				httptest.NewRequest(http.MethodGet, "/", nil), opts...)
		}()
	}

	if n := tr.flushes.Load(); n != 0 {
		t.Errorf("%d flushes; want none: every one of these panics was recovered", n)
	}
	if n := len(tr.Errors()); n != 5 {
		t.Errorf("recorded %d panic events; want 5", n)
	}
}

// TestANewPanicInAMessageHandledWhileAnotherPanicUnwindsIsReported: a
// deferred call that runs while a reported panic unwinds processes a
// message whose handler panics anew. The first panic's repanic frame is
// still on the stack below; the second panic must be told from it by the
// layer that runs the handler, and reported too.
func TestANewPanicInAMessageHandledWhileAnotherPanicUnwindsIsReported(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	var second error
	func() {
		defer func() {
			second = sentrytask.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "cleanup"},
				func(context.Context) error { panic("second") }, sentrytask.WithRecoverPanics())
			_ = recover() // the first panic ends here
		}()
		_ = sentrytask.Instrument(ctx, "work", func(context.Context) error { panic("first") })
	}()
	tx.Finish()

	var pe *sentrytask.PanicError
	if !errors.As(second, &pe) || pe.Value != "second" {
		t.Fatalf("Process = %v; want a *PanicError with value second", second)
	}
	values := map[string]bool{}
	for _, e := range rec.Errors() {
		if n := len(e.Exception); n > 0 {
			values[e.Exception[n-1].Value] = true
		}
	}
	if len(rec.Errors()) != 2 || !values["first"] || !values["second"] {
		t.Errorf("panic events %v; want one for each panic, first and second", values)
	}
	if pe.EventID == "" {
		t.Error("the second panic's PanicError has no event id: it was not reported")
	}
}
