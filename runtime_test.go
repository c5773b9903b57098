package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestGoRunsFnAndWaitReturnsItsError(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	defer tx.Finish()
	want := errors.New("boom")
	task := sentrytask.Go(ctx, func(context.Context) error { return want })
	<-task.Done()
	if err := task.Wait(); err != want {
		t.Errorf("after Go(fn returning %v).Wait() = %v; want %v", want, err, want)
	}
	if err := task.Wait(); err != want {
		t.Errorf("second Wait() = %v; want %v again", err, want)
	}
}

func TestGoWithoutSpanRunsInsideTheSpawnersSpan(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		if got := sentry.SpanFromContext(ctx); got != tx {
			return fmt.Errorf("task's span = %v; want the spawner's transaction", got)
		}
		child := sentry.StartSpan(ctx, "child")
		child.Finish()
		return nil
	}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	got := only(t, "transactions", rec.Transactions())
	if len(got.Spans) != 1 || got.Spans[0].Op != "child" || got.Spans[0].ParentSpanID != tx.SpanID {
		t.Errorf("transaction spans = %v; want one child of the transaction", got.Spans)
	}
}

func TestWithSpanGivesTheTaskAChildSpanWithStatusFromItsError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want sentry.SpanStatus
	}{
		{nil, sentry.SpanStatusOK},
		{context.Canceled, sentry.SpanStatusCanceled},
		{fmt.Errorf("wrapped: %w", context.Canceled), sentry.SpanStatusCanceled},
		{context.DeadlineExceeded, sentry.SpanStatusDeadlineExceeded},
		{errors.New("other"), sentry.SpanStatusInternalError},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			t.Parallel()
			ctx, tx, rec := newTrace(t, "parent")
			_ = sentrytask.Go(ctx, func(context.Context) error { return tt.err },
				sentrytask.WithSpan("task"), sentrytask.WithDescription("d"), sentrytask.WithData("k", 7)).Wait()
			tx.Finish()
			spans := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "task")
			if len(spans) != 1 {
				t.Fatalf("recorded %d task spans; want 1", len(spans))
			}
			s := spans[0]
			if s.Status != tt.want || s.ParentSpanID != tx.SpanID || s.Description != "d" || s.Data["k"] != 7 {
				t.Errorf("task span = {status %v, parent %v, description %q, data %v}; want {%v, %v, %q, map[k:7]}",
					s.Status, s.ParentSpanID, s.Description, s.Data, tt.want, tx.SpanID, "d")
			}
		})
	}
}

func TestWithSpanKeepsAStatusTheTaskSetItself(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	_ = sentrytask.Go(ctx, func(ctx context.Context) error {
		sentry.SpanFromContext(ctx).Status = sentry.SpanStatusNotFound
		return errors.New("not found")
	}, sentrytask.WithSpan("task")).Wait()
	tx.Finish()
	if s := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "task")[0]; s.Status != sentry.SpanStatusNotFound {
		t.Errorf("task span status = %v; want the task's own not_found", s.Status)
	}
}

func TestWithCaptureErrorsLinksTheErrorToTheTasksSpan(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	var taskSpan sentry.SpanID
	_ = sentrytask.Go(ctx, func(ctx context.Context) error {
		taskSpan = sentry.SpanFromContext(ctx).SpanID
		return errors.New("lookup failed")
	}, sentrytask.WithSpan("task"), sentrytask.WithCaptureErrors()).Wait()
	_ = sentrytask.Go(ctx, func(context.Context) error { return context.Canceled },
		sentrytask.WithSpan("cancelled"), sentrytask.WithCaptureErrors()).Wait()
	tx.Finish()

	e := only(t, "error events (a cancelled task sends none)", rec.Errors())
	traceID, spanID, _ := sentrytasktest.IDs(e)
	if traceID != tx.TraceID.String() || spanID != taskSpan.String() {
		t.Errorf("error linked to trace %s span %s; want trace %s span %s (the task's)", traceID, spanID, tx.TraceID, taskSpan)
	}
	if e.Exception[len(e.Exception)-1].Value != "lookup failed" || e.Level != sentry.LevelError {
		t.Errorf("error event = %+v; want level error, value %q", e.Exception, "lookup failed")
	}
}

func TestWithCaptureErrorsWithoutSpanLinksToTheSpawnersSpan(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	_ = sentrytask.Go(ctx, func(context.Context) error { return errors.New("x") }, sentrytask.WithCaptureErrors()).Wait()
	tx.Finish()
	if _, spanID, _ := sentrytasktest.IDs(only(t, "error events", rec.Errors())); spanID != tx.SpanID.String() {
		t.Errorf("error linked to span %s; want the spawner's %s", spanID, tx.SpanID)
	}
}

func TestChangesTheSpawnerMakesAfterSpawningAreNotSeenByTheTask(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	hub := sentry.GetHubFromContext(ctx)
	hub.Scope().SetTag("before", "yes")
	proceed := make(chan struct{})
	task := sentrytask.Go(ctx, func(ctx context.Context) error {
		<-proceed
		own := sentry.GetHubFromContext(ctx)
		own.Scope().SetTag("task", "yes")
		own.CaptureMessage("from task")
		return nil
	})
	hub.Scope().SetTag("after", "yes")
	hub.Scope().SetSpan(nil)
	close(proceed)
	if err := task.Wait(); err != nil {
		t.Fatal(err)
	}
	hub.CaptureMessage("from spawner")
	tx.Finish()

	events := rec.Errors()
	if len(events) != 2 {
		t.Fatalf("recorded %d messages; want 2", len(events))
	}
	fromTask, fromSpawner := events[0].Tags, events[1].Tags
	if fromTask["before"] != "yes" || fromTask["after"] != "" || fromTask["task"] != "yes" {
		t.Errorf("task's event tags = %v; want before and task, not after", fromTask)
	}
	if fromSpawner["task"] != "" {
		t.Errorf("spawner's event tags = %v; want no tag set by the task", fromSpawner)
	}
	if _, spanID, _ := sentrytasktest.IDs(events[0]); spanID != tx.SpanID.String() {
		t.Errorf("task's event linked to span %s; want %s, the span current when it was spawned", spanID, tx.SpanID)
	}
}

func TestGoKeepsTheSpawnersCancellation(t *testing.T) {
	t.Parallel()
	ctx, tx, _ := newTrace(t, "parent")
	defer tx.Finish()
	ctx, cancel := context.WithCancelCause(ctx)
	cause := errors.New("spawner gave up")
	started := make(chan struct{})
	task := sentrytask.Go(ctx, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return context.Cause(ctx)
	})
	<-started
	cancel(cause)
	if err := task.Wait(); err != cause {
		t.Errorf("Wait() after the spawner cancelled = %v; want the spawner's cause %v", err, cause)
	}
}

func TestWithSpanUnderAnUnsampledParentStartsNoSpan(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent", func(o *sentry.ClientOptions) { o.TracesSampleRate = 0 })
	if tx.Sampled != sentry.SampledFalse {
		t.Fatalf("transaction sampled = %v; want SampledFalse", tx.Sampled)
	}
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		if got := sentry.SpanFromContext(ctx); got != tx {
			return fmt.Errorf("task's span = %v; want the unsampled parent", got)
		}
		sentry.GetHubFromContext(ctx).CaptureMessage("still reported")
		return nil
	}, sentrytask.WithSpan("task")).Wait()
	if err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	if n := len(rec.Transactions()); n != 0 {
		t.Errorf("recorded %d transactions; want 0 (unsampled)", n)
	}
	traceID, spanID, _ := sentrytasktest.IDs(only(t, "error events", rec.Errors()))
	if traceID != tx.TraceID.String() || spanID != tx.SpanID.String() {
		t.Errorf("error linked to %s/%s; want the unsampled parent %s/%s", traceID, spanID, tx.TraceID, tx.SpanID)
	}
}

func TestGoWithoutClientClonesNothingAndStartsNoSpan(t *testing.T) {
	t.Parallel()
	hub := sentry.NewHub(nil, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		if got := sentry.GetHubFromContext(ctx); got != hub {
			return fmt.Errorf("task's hub = %p; want the spawner's %p, not a clone", got, hub)
		}
		if got := sentry.SpanFromContext(ctx); got != nil {
			return fmt.Errorf("task's span = %v; want none", got)
		}
		return errors.New("still returned")
	}, sentrytask.WithSpan("task"), sentrytask.WithCaptureErrors()).Wait()
	if err == nil || err.Error() != "still returned" {
		t.Errorf("Wait() = %v; want the task's error", err)
	}
}

func TestATaskThatCallsGoexitEndsItsSpanAndReportsAnError(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	err := sentrytask.Go(ctx, func(context.Context) error {
		runtime.Goexit()
		return nil
	}, sentrytask.WithSpan("task")).Wait()
	if err == nil {
		t.Error("Wait() after runtime.Goexit = nil; want an error")
	}
	tx.Finish()
	spans := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "task")
	if len(spans) != 1 || spans[0].Status != sentry.SpanStatusAborted {
		t.Errorf("task spans = %v; want one, aborted", spans)
	}
}

func TestATaskWithoutClientThatCallsGoexitReportsAnError(t *testing.T) {
	t.Parallel()
	ctx := noClient()
	err := sentrytask.Go(ctx, func(context.Context) error {
		runtime.Goexit()
		return nil
	}).Wait()
	if err == nil || !strings.Contains(err.Error(), "Goexit") {
		t.Errorf("Wait() after runtime.Goexit = %v; want an error naming Goexit", err)
	}
}

func TestTaskDoneIsClosedWhetherAskedForBeforeOrAfterTheTaskEnds(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	early := sentrytask.Go(context.Background(), func(context.Context) error { <-release; return nil })
	done := early.Done()
	if done != early.Done() {
		t.Error("Done() returned two different channels")
	}
	select {
	case <-done:
		t.Fatal("Done() closed before the task finished")
	default:
	}
	close(release)
	<-done

	late := sentrytask.Go(context.Background(), func(context.Context) error { return nil })
	_ = late.Wait()
	select {
	case <-late.Done():
	default:
		t.Error("Done() asked for after the task finished is not closed")
	}
}
