package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestScheduledRunsCheckInWhereScheduledAndWhereRun(t *testing.T) {
	t.Parallel()
	envs := map[string]string{"sqlite": ""}
	if url := os.Getenv(postgresEnv); url != "" {
		envs["postgres"] = "DATABASE_URL=" + url
	}
	for name, env := range envs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var before map[string]bool
			if name == "postgres" {
				before = schemas(t, os.Getenv(postgresEnv))
			}
			out, err := run(t, []string{env}, "-crons", "3")
			if err != nil {
				t.Fatalf("jobs -crons 3: %v\n%s", err, out)
			}
			for _, want := range []string{
				// Per run: the leader's queue.schedule transaction and the
				// worker's queue.process (two for the retried run).
				"3 traces, 7 transactions, 7 spans, 0 errors, 0 orphans, 6 check-ins",
				"3 runs of nightly-report, each opened where it was scheduled and closed once where it ran, on its own trace",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for status, n := range map[string]int{"in_progress": 3, "ok after": 2, "error after": 1} {
				if got := strings.Count(out, `~ check-in "nightly-report" `+status); got != n {
					t.Errorf("%d check-ins %s; want %d:\n%s", got, status, n, out)
				}
			}
			if name == "postgres" {
				noneLeftBehind(t, before, schemas(t, os.Getenv(postgresEnv)))
			}
		})
	}
}

// TestReportRunsSaysWhenARunIsNotClosed: a run the worker never closed
// fails the verdict.
func TestReportRunsSaysWhenARunIsNotClosed(t *testing.T) {
	t.Parallel()
	client, rec, err := sentrytasktest.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "report.build")
	hub.Scope().SetSpan(tx)
	hub.CaptureCheckIn(&sentry.CheckIn{MonitorSlug: reportMonitor, Status: sentry.CheckInStatusInProgress}, nil)
	tx.Finish()
	var out strings.Builder
	err = reportRuns(&out, rec.Events(), 1)
	if err == nil || !strings.Contains(err.Error(), "opened and never closed") {
		t.Fatalf("reportRuns = %v; want a run never closed\n%s", err, out.String())
	}
}
