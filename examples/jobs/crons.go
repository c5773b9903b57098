package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/sentrytask/sentrytask"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// With -crons N, the program is a scheduler and a worker of a periodic
// River job that Sentry Crons monitors: River's leader, in this process,
// schedules a report every second, N times; a worker, in a process of its
// own, builds each. Each run's check-in opens where it is scheduled and
// closes where it runs, on the run's own trace. The second run fails its
// first attempt, and River retries it: its check-in says "error".

// reportMonitor is the monitor's slug.
const reportMonitor = "nightly-report"

// reportQueue is the queue the runs go to: only the worker works it.
const reportQueue = "reports"

// reportArgs is a run of the periodic job.
type reportArgs struct {
	Run int `json:"run"`
}

// Kind names the job, and its transaction in the worker.
func (reportArgs) Kind() string { return "report.build" }

// runScheduler is the scheduling process: River's leader inserts n runs,
// one a second, then the worker's output is reported.
func runScheduler(out io.Writer, s settings) error {
	rec := recorder(s.dsn)
	if err := sentry.Init(options("report-scheduler", s.dsn, rec)); err != nil {
		return err
	}
	var runs atomic.Int32
	q, err := openRiver(func(cfg *river.Config) {
		// A leader works nothing of the reports' queue: its own is idle.
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[reportArgs]) error { return nil }))
		cfg.Workers, cfg.Queues = workers, map[string]river.QueueConfig{"scheduler": {MaxWorkers: 1}}
		cfg.PeriodicJobs = []*river.PeriodicJob{sentrytaskriver.NewPeriodicJob(river.PeriodicInterval(time.Second),
			func() (river.JobArgs, *river.InsertOpts) {
				run := int(runs.Add(1))
				if run > s.crons {
					return nil, nil // the example is over: no more runs
				}
				return reportArgs{Run: run}, &river.InsertOpts{Queue: reportQueue, MaxAttempts: 2}
			}, &river.PeriodicJobOpts{RunOnStart: true}, sentrytask.Monitor{Slug: reportMonitor})}
	})
	if err != nil {
		return err
	}
	defer q.close()

	self, err := os.Executable()
	if err != nil {
		return err
	}
	worker := exec.Command(self, "-worker", "-crons", strconv.Itoa(s.crons), "-queue", q.address())
	worker.Env = append(os.Environ(), jobsRunMain+"=1")
	var workerOut strings.Builder
	worker.Stdout, worker.Stderr = &workerOut, os.Stderr
	if err := worker.Start(); err != nil {
		return err
	}
	// The leader inserts periodic runs with the context it was started
	// with: the hub there sends their check-ins.
	startErr := q.client.Start(sentry.SetHubOnContext(context.Background(), sentry.CurrentHub()))
	waitErr := worker.Wait()
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(startErr, waitErr, q.client.Stop(stopCtx)); err != nil {
		return err
	}
	if !sentry.Flush(5 * time.Second) {
		return errors.New("timed out sending events to Sentry")
	}
	if rec == nil {
		return sent.Report(out)
	}
	workerEvents, err := sentrytasktest.ReadJSON(strings.NewReader(workerOut.String()))
	if err != nil {
		return err
	}
	return reportRuns(out, append(rec.Events(), workerEvents...), s.crons)
}

// runReportWorker is the worker process: it builds reports until n runs
// have completed, then writes what it recorded to out.
func runReportWorker(out io.Writer, s settings) error {
	rec := recorder(s.dsn)
	if err := sentry.Init(options("report-worker", s.dsn, rec)); err != nil {
		return err
	}
	q, err := connectRiver(s.queueAddr, func(cfg *river.Config) {
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(buildReport))
		cfg.Workers, cfg.Queues = workers, map[string]river.QueueConfig{reportQueue: {MaxWorkers: 2}}
		cfg.LeaderElectionDisabled = true // the scheduler leads
		cfg.RetryPolicy = retryAtOnce{}
	})
	if err != nil {
		return err
	}
	defer q.close()
	completed, unsubscribe := q.client.Subscribe(river.EventKindJobCompleted)
	defer unsubscribe()
	if err := q.client.Start(sentry.SetHubOnContext(context.Background(), sentry.CurrentHub())); err != nil {
		return err
	}
	timeout := time.After(time.Minute)
	var waitErr error
	for done := 0; done < s.crons && waitErr == nil; {
		select {
		case <-completed:
			done++
		case <-timeout:
			waitErr = fmt.Errorf("%d of %d reports built within a minute", done, s.crons)
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(waitErr, q.client.Stop(stopCtx)); err != nil {
		return err
	}
	return handOver(out, rec)
}

// buildReport builds a report; the second run fails its first attempt.
func buildReport(ctx context.Context, job *river.Job[reportArgs]) error {
	return sentrytask.Instrument(ctx, "report.render", func(context.Context) error {
		if job.Args.Run == 2 && job.Attempt == 1 {
			return errors.New("the ledger was locked")
		}
		return nil
	})
}

// retryAtOnce retries a failed run within River's scheduler's interval.
type retryAtOnce struct{}

func (retryAtOnce) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

// reportRuns prints each run's trace, its check-ins under the spans that
// sent them, and a verdict: every run opened where it was scheduled,
// closed once where it ran, on its own whole trace.
func reportRuns(out io.Writer, events []*sentry.Event, n int) error {
	traces := sentrytasktest.ByTrace(events)
	ids := slices.SortedFunc(maps.Keys(traces), func(a, b string) int {
		return traces[a][0].Timestamp.Compare(traces[b][0].Timestamp)
	})
	var problems []string
	closed := map[sentry.CheckInStatus]int{}
	for _, id := range ids {
		trace := traces[id]
		fmt.Fprint(out, sentrytasktest.Tree(trace))
		err := sentrytasktest.Check(trace, sentrytasktest.ExpectRuns(reportMonitor, 1),
			sentrytasktest.ExpectSpans("queue.publish", 1), sentrytasktest.ExpectSpans("report.render", len(sentrytasktest.TransactionsByOp(trace, "queue.process"))))
		var broken *sentrytasktest.TraceError
		if errors.As(err, &broken) {
			problems = append(problems, broken.Problems...)
		}
		for _, ci := range sentrytasktest.CheckIns(trace) {
			if ci.Status != sentry.CheckInStatusInProgress {
				closed[ci.Status]++
			}
		}
	}
	fmt.Fprintln(out, sentrytasktest.Summary(events))
	if len(ids) != n {
		problems = append(problems, fmt.Sprintf("%d traces; want one for each of the %d runs", len(ids), n))
	}
	want := map[sentry.CheckInStatus]int{sentry.CheckInStatusOK: n}
	if n >= 2 {
		want = map[sentry.CheckInStatus]int{sentry.CheckInStatusOK: n - 1, sentry.CheckInStatusError: 1}
	}
	if !maps.Equal(closed, want) {
		problems = append(problems, fmt.Sprintf("runs closed %v; want %v", closed, want))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the runs are not whole:\n  - %s", strings.Join(problems, "\n  - "))
	}
	fmt.Fprintf(out, "%d runs of %s, each opened where it was scheduled and closed once where it ran, on its own trace\n", n, reportMonitor)
	return nil
}
