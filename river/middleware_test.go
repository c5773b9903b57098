package sentrytaskriver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

type emailArgs struct {
	To string `json:"to"`
}

func (emailArgs) Kind() string { return "email.send" }

// worker works each job with work.
type worker struct {
	river.WorkerDefaults[emailArgs]
	work func(ctx context.Context, job *river.Job[emailArgs]) error
}

func (w *worker) Work(ctx context.Context, job *river.Job[emailArgs]) error { return w.work(ctx, job) }

// sides are a producer and a worker on one River database, each with a
// hub of its own, as two processes would have.
type sides struct {
	producer     riverClient
	producerHub  *sentry.Hub
	producerRec  *sentrytasktest.Recorder
	workerRec    *sentrytasktest.Recorder
	events       <-chan *river.Event
	insertClient riverClient // without the middleware
}

// start starts a worker working jobs with work, through the middleware
// with opts, and returns both sides; the worker is stopped when the test
// ends.
func start(t *testing.T, db database, work func(context.Context, *river.Job[emailArgs]) error, opts ...sentrytask.ProcessOption) *sides {
	t.Helper()
	s := &sides{}
	s.producerHub, s.producerRec = sentrytasktest.NewHub(t)
	workerHub, workerRec := sentrytasktest.NewHub(t)
	s.workerRec = workerRec
	mw := sentrytaskriver.NewMiddleware(opts...)
	s.producer = db.newClient(t, &river.Config{Middleware: []rivertype.Middleware{mw}})
	s.insertClient = db.newClient(t, &river.Config{})
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{work: work})
	w := db.newClient(t, &river.Config{
		Middleware: []rivertype.Middleware{mw},
		Queues:     map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:    workers,
	})
	events, cancel := w.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	s.events = events
	if err := w.Start(withHub(workerHub)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := w.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s
}

// insert inserts a job from a producer's transaction named name.
func (s *sides) insert(t *testing.T, opts *river.InsertOpts) (*rivertype.JobRow, *sentry.Span) {
	t.Helper()
	tx := sentry.StartTransaction(withHub(s.producerHub), "signup", sentry.WithOpName("http.server"))
	res, err := s.producer.Insert(tx.Context(), emailArgs{To: "ada@example.com"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	return res.Job, tx
}

// await waits until the worker has sent n events that end a job:
// completed, failed for good (discarded), or cancelled. A failed attempt
// that will be retried, and a snooze, do not end it.
func (s *sides) await(t *testing.T, n int) []*river.Event {
	t.Helper()
	var got []*river.Event
	for len(got) < n {
		select {
		case e := <-s.events:
			if e.Kind == river.EventKindJobCompleted || e.Kind == river.EventKindJobCancelled ||
				e.Kind == river.EventKindJobFailed && e.Job.State == rivertype.JobStateDiscarded {
				got = append(got, e)
			}
		case <-time.After(time.Minute):
			t.Fatalf("after a minute, %d of %d jobs ended", len(got), n)
		}
	}
	return got
}

func data(e *sentry.Event) map[string]any {
	d, _ := e.Contexts["trace"]["data"].(map[string]any)
	return d
}

func TestAJobContinuesTheTraceOfTheCodeThatInsertedIt(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			received := make(chan int, 1)
			s := start(t, db, func(ctx context.Context, job *river.Job[emailArgs]) error {
				received <- len(job.EncodedArgs)
				g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("template.render"))
				for range 2 {
					g.Go(func(context.Context) error { return nil })
				}
				if err := g.Wait(); err != nil {
					return err
				}
				return sentrytask.Instrument(ctx, "smtp.send", func(context.Context) error { return nil })
			})
			job, _ := s.insert(t, nil)
			s.await(t, 1)

			events := sentrytasktest.Merge(s.producerRec, s.workerRec)
			sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1),
				sentrytasktest.ExpectSpans("queue.process", 1), sentrytasktest.ExpectSpans("template.render", 2),
				sentrytasktest.ExpectSpans("smtp.send", 1))
			publish := sentrytasktest.SpansByOp(events, "queue.publish")[0]
			process := sentrytasktest.TransactionsByOp(events, "queue.process")[0]
			if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
				t.Errorf("the job's transaction has parent %s; want the publish span %s", parent, publish.SpanID)
			}
			if process.Transaction != "email.send" {
				t.Errorf("the job's transaction is %q; want its kind, email.send", process.Transaction)
			}
			// Each side's body is the bytes it saw: PostgreSQL stores the
			// arguments as JSONB, and hands them back spaced its own way.
			sent, _ := json.Marshal(emailArgs{To: "ada@example.com"})
			id := strconv.FormatInt(job.ID, 10)
			for _, side := range []struct {
				data map[string]any
				size int
			}{{publish.Data, len(sent)}, {data(process), <-received}} {
				for key, want := range map[string]any{"messaging.system": "river", "messaging.destination.name": "default",
					"messaging.message.id": id, "messaging.message.body.size": side.size} {
					if side.data[key] != want {
						t.Errorf("%s = %v; want %v (data %v)", key, side.data[key], want, side.data)
					}
				}
			}
			d := data(process)
			if d["messaging.message.retry.count"] != 0 {
				t.Errorf("retry count %v; want 0", d["messaging.message.retry.count"])
			}
			if l, ok := d["messaging.message.receive.latency"].(int64); !ok || l < 0 || l > 60_000 {
				t.Errorf("receive latency %#v; want milliseconds, under a minute", d["messaging.message.receive.latency"])
			}
		})
	}
}

func TestARetriedJobCountsItsRetriesInOneTrace(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			s := start(t, db, func(ctx context.Context, job *river.Job[emailArgs]) error {
				if job.Attempt == 1 {
					return errors.New("smtp busy")
				}
				return nil
			})
			s.insert(t, nil)
			s.await(t, 1) // completed on the second attempt

			events := sentrytasktest.Merge(s.producerRec, s.workerRec)
			sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.process", 2))
			var got []string
			for _, tx := range sentrytasktest.TransactionsByOp(events, "queue.process") {
				got = append(got, fmt.Sprintf("%v %v", data(tx)["messaging.message.retry.count"], tx.Contexts["trace"]["status"]))
			}
			if want := "[0 internal_error 1 ok]"; fmt.Sprint(got) != want {
				t.Errorf("attempts (retry count, status) = %v; want %s", got, want)
			}
		})
	}
}

func TestAScheduledJobsLatencyRunsFromItsScheduledTime(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { return nil })
			job, _ := s.insert(t, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Second)})
			s.await(t, 1)

			process := only(t, sentrytasktest.TransactionsByOp(s.workerRec.Events(), "queue.process"))
			latency, ok := data(process)["messaging.message.receive.latency"].(int64)
			sinceInsert := process.StartTime.Sub(job.CreatedAt).Milliseconds()
			if !ok || latency < 0 || latency > sinceInsert-900 {
				t.Errorf("latency %v ms, %d ms after the insert; want it measured from the scheduled time, a second after the insert", latency, sinceInsert)
			}
		})
	}
}

func TestAPanickingWorkerIsReportedOnceOnItsTransaction(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { panic("template missing") })
			s.insert(t, &river.InsertOpts{MaxAttempts: 1})
			if e := s.await(t, 1)[0]; e.Kind != river.EventKindJobFailed {
				t.Errorf("job event %s; want River to fail the job", e.Kind)
			}
			process := only(t, s.workerRec.Transactions())
			panicEvent := only(t, s.workerRec.Errors())
			if _, span, _ := sentrytasktest.IDs(panicEvent); span != process.Contexts["trace"]["span_id"].(sentry.SpanID).String() {
				t.Errorf("the panic is linked to span %s; want the job's transaction", span)
			}
			if status := fmt.Sprint(process.Contexts["trace"]["status"]); status != "internal_error" {
				t.Errorf("the job's transaction ended %s; want internal_error", status)
			}
		})
	}
}

func TestSnoozedAndCancelledJobsAreNotFailures(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			// River counts a snooze as no attempt: the job comes back with
			// the same Attempt, so remember the first run another way.
			var snoozed atomic.Bool
			s := start(t, db, func(_ context.Context, job *river.Job[emailArgs]) error {
				if job.Args.To == "later" && !snoozed.Swap(true) {
					return river.JobSnooze(100 * time.Millisecond)
				}
				if job.Args.To == "never" {
					return river.JobCancel(errors.New("unsubscribed"))
				}
				return nil
			}, sentrytask.WithCaptureErrors())
			tx := sentry.StartTransaction(withHub(s.producerHub), "signup")
			for _, to := range []string{"later", "never"} {
				if _, err := s.producer.Insert(tx.Context(), emailArgs{To: to}, nil); err != nil {
					t.Fatal(err)
				}
			}
			tx.Finish()
			s.await(t, 2) // the cancelled job, and the snoozed one completed

			var statuses []string
			for _, p := range sentrytasktest.TransactionsByOp(s.workerRec.Events(), "queue.process") {
				statuses = append(statuses, fmt.Sprint(p.Contexts["trace"]["status"]))
			}
			slices.Sort(statuses)
			if got := strings.Join(statuses, " "); got != "cancelled ok ok" {
				t.Errorf("statuses %q; want a cancelled job, a snoozed one and its completion: cancelled ok ok", got)
			}
			if errs := s.workerRec.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Exception[len(errs[0].Exception)-1].Value, "unsubscribed") {
				t.Errorf("error events %d; want one, the cancellation's error, and nothing for the snooze", len(errs))
			}
		})
	}
}

func TestHostileMetadataStartsANewTrace(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			ran := make(chan struct{}, 1)
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { ran <- struct{}{}; return nil })
			metadata, _ := json.Marshal(map[string]any{
				"sentry-trace":              strings.Repeat("f", 1<<16),
				"baggage":                   "sentry-trace_id=\u00ff\u00fe," + strings.Repeat("x=1,", 10_000),
				"traceparent":               42,
				"sentry-task-enqueued-time": "NaN",
				"owner":                     "kept",
			})
			_, err := s.insertClient.Insert(context.Background(), emailArgs{To: "ada@example.com"}, &river.InsertOpts{Metadata: metadata})
			if err != nil {
				t.Fatal(err)
			}
			s.await(t, 1)
			<-ran
			process := only(t, s.workerRec.Transactions())
			if _, _, parent := sentrytasktest.IDs(process); parent != "" {
				t.Errorf("hostile metadata was continued below %s; want a new trace", parent)
			}
			// The engine's insert time stands in for the header's.
			if l, ok := data(process)["messaging.message.receive.latency"].(int64); !ok || l < 0 {
				t.Errorf("latency %v; want it from the job's creation time", data(process)["messaging.message.receive.latency"])
			}
		})
	}
}

func TestJobsRunWithSentryOff(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			mw := sentrytaskriver.NewMiddleware()
			producer := db.newClient(t, &river.Config{Middleware: []rivertype.Middleware{mw}})
			workers := river.NewWorkers()
			river.AddWorker(workers, &worker{work: func(context.Context, *river.Job[emailArgs]) error { return nil }})
			w := db.newClient(t, &river.Config{Middleware: []rivertype.Middleware{mw},
				Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}}, Workers: workers})
			events, cancel := w.Subscribe(river.EventKindJobCompleted)
			defer cancel()
			off := withHub(sentry.NewHub(nil, sentry.NewScope()))
			if err := w.Start(off); err != nil {
				t.Fatal(err)
			}
			defer w.Stop(context.Background())
			res, err := producer.Insert(off, emailArgs{}, &river.InsertOpts{Metadata: []byte(`{"owner":"kept"}`)})
			if err != nil {
				t.Fatal(err)
			}
			var md map[string]any
			if err := json.Unmarshal(res.Job.Metadata, &md); err != nil || md["owner"] != "kept" ||
				md["sentry-trace"] != nil || md["baggage"] != nil || md["sentry-task-enqueued-time"] != nil {
				t.Errorf("metadata %s; want the owner's kept and no trace headers", res.Job.Metadata)
			}
			select {
			case <-events:
			case <-time.After(time.Minute):
				t.Fatal("the job did not complete within a minute")
			}
		})
	}
}

func only(t *testing.T, events []*sentry.Event) *sentry.Event {
	t.Helper()
	if len(events) != 1 {
		t.Fatalf("%d events; want 1", len(events))
	}
	return events[0]
}
