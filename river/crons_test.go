package sentrytaskriver_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/sentrytask/sentrytask"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

type reportArgs struct{}

func (reportArgs) Kind() string { return "report.build" }

type reportWorker struct {
	river.WorkerDefaults[reportArgs]
}

func (reportWorker) Work(context.Context, *river.Job[reportArgs]) error { return nil }

// TestAPeriodicJobIsAMonitorWhoseRunsCloseOnTheWorker runs River's leader,
// which schedules a job every second, and a worker, each a process with a
// hub of its own; then stops the leader, as a scheduler that dies.
func TestAPeriodicJobIsAMonitorWhoseRunsCloseOnTheWorker(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			mw := sentrytaskriver.NewMiddleware()
			leaderHub, leaderRec := sentrytasktest.NewHub(t)
			workerHub, workerRec := sentrytasktest.NewHub(t)
			queue := "crons_" + randomName()

			leaderWorkers := river.NewWorkers()
			river.AddWorker(leaderWorkers, reportWorker{})
			leader := db.newClient(t, &river.Config{
				Middleware: []rivertype.Middleware{mw},
				// The leader works another queue: every run is worked on
				// the worker.
				Queues:  map[string]river.QueueConfig{"leader_" + randomName(): {MaxWorkers: 1}},
				Workers: leaderWorkers,
				PeriodicJobs: []*river.PeriodicJob{sentrytaskriver.NewPeriodicJob(river.PeriodicInterval(time.Second),
					func() (river.JobArgs, *river.InsertOpts) { return reportArgs{}, &river.InsertOpts{Queue: queue} },
					&river.PeriodicJobOpts{RunOnStart: true}, sentrytask.Monitor{})},
			})
			workers := river.NewWorkers()
			river.AddWorker(workers, reportWorker{})
			worker := db.newClient(t, &river.Config{
				Middleware:             []rivertype.Middleware{mw},
				Queues:                 map[string]river.QueueConfig{queue: {MaxWorkers: 2}},
				Workers:                workers,
				LeaderElectionDisabled: true,
			})
			completed, cancel := worker.Subscribe(river.EventKindJobCompleted)
			defer cancel()
			if err := leader.Start(withHub(leaderHub)); err != nil {
				t.Fatal(err)
			}
			if err := worker.Start(withHub(workerHub)); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := worker.Stop(context.Background()); err != nil {
					t.Error(err)
				}
			}()
			const runs = 3
			for range runs {
				select {
				case <-completed:
				case <-time.After(time.Minute):
					t.Fatal("after a minute, the periodic job had not run three times")
				}
			}
			if err := leader.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			opened := leaderRec.CheckIns()
			// A scheduler that stopped opens no more runs: Sentry, which
			// has the monitor's schedule, marks the next one missed. Two
			// intervals of the schedule show it.
			time.Sleep(2500 * time.Millisecond)
			if after := leaderRec.CheckIns(); len(after) != len(opened) {
				t.Errorf("the stopped leader sent %d more check-ins", len(after)-len(opened))
			}
			if len(opened) < runs {
				t.Fatalf("the leader opened %d runs; want at least %d", len(opened), runs)
			}
			want := sentry.IntervalSchedule(1, sentry.MonitorScheduleUnitMinute)
			for _, ci := range opened {
				if ci.Slug != "report.build" || ci.Status != sentry.CheckInStatusInProgress || ci.Config == nil || ci.Config.Schedule != want {
					t.Errorf("the leader sent %+v; want report.build in_progress upserting a schedule of every minute", ci)
				}
			}

			events := sentrytasktest.Merge(leaderRec, workerRec)
			closed := workerRec.CheckIns()
			if len(closed) < runs {
				t.Fatalf("the worker closed %d runs; want at least %d", len(closed), runs)
			}
			for _, ci := range closed {
				if ci.Status != sentry.CheckInStatusOK {
					t.Errorf("run %s closed %s; want ok", ci.ID, ci.Status)
				}
				trace := sentrytasktest.ByTrace(events)[ci.TraceID]
				sentrytasktest.AssertTrace(t, trace, sentrytasktest.ExpectRuns("report.build", 1),
					sentrytasktest.ExpectSpans("queue.schedule", 1), sentrytasktest.ExpectSpans("queue.publish", 1),
					sentrytasktest.ExpectSpans("queue.process", 1))
				tx := sentrytasktest.TransactionsByOp(trace, "queue.process")
				pub := sentrytasktest.SpansByOp(trace, "queue.publish")
				head := sentrytasktest.TransactionsByOp(trace, "queue.schedule")
				if len(tx) != 1 || len(pub) != 1 || len(head) != 1 {
					continue
				}
				for what, o := range map[string]any{"schedule": head[0].Contexts["trace"]["origin"], "publish": string(pub[0].Origin), "process": tx[0].Contexts["trace"]["origin"]} {
					if o != "auto.queue.sentrytask.river" {
						t.Errorf("the run's %s has origin %v; want auto.queue.sentrytask.river", what, o)
					}
				}
				// The run was enqueued before its publish span ended, and
				// closed after its transaction started: the check-in's
				// duration holds the wait between.
				if queued := tx[0].StartTime.Sub(pub[0].EndTime); ci.Duration < queued {
					t.Errorf("run %s waited %s in the queue; its check-in says %s", ci.ID, queued, ci.Duration)
				}
			}
		})
	}
}

// Each scripted attempt of a monitored job, and the check-ins its run
// sends: one closing check-in per run, from the first attempt that ends.
func TestAMonitoredJobClosesItsRunOnceWhateverItsAttempts(t *testing.T) {
	t.Parallel()
	snooze := func(context.Context, *river.Job[emailArgs]) error { return river.JobSnooze(10 * time.Millisecond) }
	fail := func(context.Context, *river.Job[emailArgs]) error { return errors.New("smtp down") }
	succeed := func(context.Context, *river.Job[emailArgs]) error { return nil }
	for _, tc := range []struct {
		name     string
		attempts []func(context.Context, *river.Job[emailArgs]) error
		want     sentry.CheckInStatus
	}{
		{"ok", nil, sentry.CheckInStatusOK},
		{"retried after a failure", []func(context.Context, *river.Job[emailArgs]) error{fail}, sentry.CheckInStatusError},
		{"discarded", []func(context.Context, *river.Job[emailArgs]) error{fail, fail, fail}, sentry.CheckInStatusError},
		{"panicked", []func(context.Context, *river.Job[emailArgs]) error{func(context.Context, *river.Job[emailArgs]) error { panic("boom") }}, sentry.CheckInStatusError},
		{"cancelled", []func(context.Context, *river.Job[emailArgs]) error{func(context.Context, *river.Job[emailArgs]) error {
			return river.JobCancel(errors.New("not today"))
		}}, sentry.CheckInStatusError},
		{"snoozed, then ok", []func(context.Context, *river.Job[emailArgs]) error{snooze}, sentry.CheckInStatusOK},
	} {
		for _, db := range databases(t) {
			t.Run(fmt.Sprintf("%s/%s", tc.name, db.name), func(t *testing.T) {
				t.Parallel()
				// Attempts are counted here: a snooze is not one of River's.
				var calls atomic.Int32
				s := start(t, db, func(ctx context.Context, job *river.Job[emailArgs]) error {
					if i := int(calls.Add(1)) - 1; i < len(tc.attempts) {
						return tc.attempts[i](ctx, job)
					}
					return succeed(ctx, job)
				})
				tx := sentry.StartTransaction(withHub(s.producerHub), "nightly")
				ctx := sentrytask.WithMonitor(tx.Context(), sentrytask.Monitor{Slug: "nightly-email"})
				if _, err := s.producer.Insert(ctx, emailArgs{To: "ada@example.com"}, &river.InsertOpts{MaxAttempts: 3}); err != nil {
					t.Fatal(err)
				}
				tx.Finish()
				s.await(t, 1)
				closed := s.workerRec.CheckIns()
				if len(closed) != 1 || closed[0].Status != tc.want {
					t.Fatalf("the run's attempts closed check-ins %+v; want one, %s", closed, tc.want)
				}
				events := sentrytasktest.Merge(s.producerRec, s.workerRec)
				if err := sentrytasktest.Check(events, sentrytasktest.ExpectRuns("nightly-email", 1)); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// TestARunsDurationCountsItsTimeInTheQueue: a run scheduled to be worked
// later waits in the queue first; its check-in's duration counts from
// when it was inserted, the wait included.
func TestARunsDurationCountsItsTimeInTheQueue(t *testing.T) {
	t.Parallel()
	const wait = 300 * time.Millisecond
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { return nil })
			tx := sentry.StartTransaction(withHub(s.producerHub), "nightly")
			ctx := sentrytask.WithMonitor(tx.Context(), sentrytask.Monitor{Slug: "nightly-email"})
			if _, err := s.producer.Insert(ctx, emailArgs{To: "ada@example.com"}, &river.InsertOpts{ScheduledAt: time.Now().Add(wait)}); err != nil {
				t.Fatal(err)
			}
			tx.Finish()
			s.await(t, 1)
			closed := s.workerRec.CheckIns()
			process := sentrytasktest.TransactionsByOp(s.workerRec.Transactions(), "queue.process")
			if len(closed) != 1 || len(process) != 1 {
				t.Fatalf("%d check-ins and %d transactions closed the run; want 1 and 1", len(closed), len(process))
			}
			if took := process[0].Timestamp.Sub(process[0].StartTime); closed[0].Duration < wait || closed[0].Duration < took {
				t.Errorf("the run waited %s and took %s; its check-in says %s", wait, took, closed[0].Duration)
			}
		})
	}
}
