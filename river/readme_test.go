package sentrytaskriver_test

import (
	"context"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/sentrytask/sentrytask"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
)

// The README's River code, compiled here (the root package's
// TestREADMECodeCompiles finds it); it would need a database to run.
var _, _ = readmeQuickStart, readmePeriodic

type hourlyReport struct{}

func (hourlyReport) Kind() string { return "report.hourly" }

func readmePeriodic() *river.PeriodicJob {
	periodic := sentrytaskriver.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return hourlyReport{}, nil },
		&river.PeriodicJobOpts{ID: "hourly-report"},
		sentrytask.Monitor{Slug: "hourly-report", Config: &sentry.MonitorConfig{MaxRuntime: 15}},
	)
	return periodic
}

func readmeQuickStart(ctx context.Context, pool *pgxpool.Pool, workers *river.Workers) error {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Middleware: []rivertype.Middleware{sentrytaskriver.NewMiddleware()},
		Queues:     map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 100}},
		Workers:    workers,
	})
	if err != nil {
		return err
	}
	err = client.Start(sentry.SetHubOnContext(ctx, sentry.CurrentHub())) // each job forks this hub
	// in a request: client.Insert(r.Context(), args, nil) — a queue.publish span, the trace in the job's metadata
	return err
}
