package sentrytasktest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// run schedules one run of the monitor "sync" and, if work is set, works
// it in a process of its own; it returns both processes' events.
func run(t *testing.T, work func(context.Context) error) []*sentry.Event {
	t.Helper()
	hub, sched := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "tick")
	headers := sentrytask.MapCarrier{}
	ctx := sentrytask.WithMonitor(tx.Context(), sentrytask.Monitor{Slug: "sync"})
	sentrytask.Publish(ctx, headers, sentrytask.Message{Destination: "q"}).End(nil)
	tx.Finish()
	if work == nil {
		return sched.Events()
	}
	whub, worker := sentrytasktest.NewHub(t)
	_ = sentrytask.Process(sentry.SetHubOnContext(context.Background(), whub), headers, sentrytask.Message{Destination: "q"}, work)
	return sentrytasktest.Merge(sched, worker)
}

func TestCheckPassesARunOpenedAndClosedOnItsTrace(t *testing.T) {
	t.Parallel()
	events := run(t, func(context.Context) error { return nil })
	if err := sentrytasktest.Check(events, sentrytasktest.ExpectRuns("sync", 1)); err != nil {
		t.Fatal(err)
	}
	if got := sentrytasktest.Summary(events); !strings.HasSuffix(got, ", 2 check-ins") {
		t.Errorf("Summary = %q; want the check-ins counted", got)
	}
	tree := sentrytasktest.Tree(events, sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs())
	if !strings.Contains(tree, `~ check-in "sync" in_progress`) || !strings.Contains(tree, `~ check-in "sync" ok`) {
		t.Errorf("the tree does not show the run's check-ins under their spans:\n%s", tree)
	}
}

func TestCheckFindsARunNeverClosedAndCountsRuns(t *testing.T) {
	t.Parallel()
	err := sentrytasktest.Check(run(t, nil), sentrytasktest.ExpectRuns("sync", 1))
	if err == nil {
		t.Fatal("Check passed a run that was never closed")
	}
	for _, want := range []string{`of monitor "sync" was opened and never closed`, `0 complete runs of monitor "sync"; want 1`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check's error does not say %q:\n%v", want, err)
		}
	}
}

func TestCheckFindsACheckInOffTheRunsTrace(t *testing.T) {
	t.Parallel()
	events := run(t, func(context.Context) error { return nil })
	var closing []*sentry.Event
	for _, e := range events {
		if e.Type == "check_in" && e.CheckIn.Status != sentry.CheckInStatusInProgress {
			closing = append(closing, e)
		}
	}
	// The worker's events alone: the closing check-in's run was never
	// opened there.
	err := sentrytasktest.Check(closing)
	if err == nil || !strings.Contains(err.Error(), "never opened") || !strings.Contains(err.Error(), "not recorded") {
		t.Errorf("Check of a lone closing check-in: %v; want it closed but never opened, on a span not recorded", err)
	}
}

// A worker process writes its events, check-ins among them, for the
// process that checks the trace: they read back as they were.
func TestCheckInsCrossProcessesInJSON(t *testing.T) {
	t.Parallel()
	events := run(t, func(context.Context) error { return nil })
	var b strings.Builder
	if err := sentrytasktest.WriteJSON(&b, events); err != nil {
		t.Fatal(err)
	}
	back, err := sentrytasktest.ReadJSON(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sentrytasktest.Check(back, sentrytasktest.ExpectRuns("sync", 1)); err != nil {
		t.Error(err)
	}
	before, after := sentrytasktest.CheckIns(events), sentrytasktest.CheckIns(back)
	if len(after) != len(before) {
		t.Fatalf("read back %d check-ins of %d", len(after), len(before))
	}
	for i := range before {
		a, b := before[i], after[i]
		if a.ID != b.ID || a.Slug != b.Slug || a.Status != b.Status || a.TraceID != b.TraceID || a.SpanID != b.SpanID ||
			(a.Duration-b.Duration).Abs() > time.Microsecond {
			t.Errorf("check-in %d read back as %+v; was %+v", i, b, a)
		}
	}
}
