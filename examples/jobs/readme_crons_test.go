package main

import (
	"context"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/riverqueue/river"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
)

// readmeCrons is the README's Crons section, compiled.
func readmeCrons(ctx context.Context, js jetstream.JetStream, msg *nats.Msg, newReport river.PeriodicJobConstructor) (*river.PeriodicJob, error) {
	// In the scheduler (a robfig/cron job, a ticker), for each run:
	mon := sentrytask.Monitor{Slug: "nightly-report", Config: &sentry.MonitorConfig{
		Schedule: sentry.CrontabSchedule("0 3 * * *"), MaxRuntime: 30,
	}}
	_, err := sentrytasknats.Publish(sentrytask.WithMonitor(ctx, mon), js, msg) // "in_progress" now

	// A River periodic job is a monitor whose schedule River's is:
	job := sentrytaskriver.NewPeriodicJob(river.PeriodicInterval(time.Hour), newReport, nil, sentrytask.Monitor{})
	return job, err
}

func TestReadmeCronsCompiles(t *testing.T) {
	t.Parallel()
	if job := sentrytaskriver.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return reportArgs{}, nil
	}, nil, sentrytask.Monitor{}); job == nil {
		t.Fatal("no periodic job")
	}
	_ = readmeCrons
}
