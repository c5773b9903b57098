package sentrytaskriver_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/sentrytask/sentrytask"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func status(e *sentry.Event) string {
	s, _ := e.Contexts["trace"]["status"].(sentry.SpanStatus)
	return s.String()
}

// TestACancelledJobNeverRacesWithATaskTheWorkerLeftRunning: a cancelled
// job's transaction gets its status through its event: a task the worker
// started and did not wait for, capturing events under the transaction as
// the job ends, never races with it (under -race).
func TestACancelledJobNeverRacesWithATaskTheWorkerLeftRunning(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			stop := make(chan struct{})
			orphan := make(chan *sentrytask.Task, 1)
			s := start(t, db, func(ctx context.Context, _ *river.Job[emailArgs]) error {
				capturing := make(chan struct{})
				orphan <- sentrytask.Go(ctx, func(ctx context.Context) error {
					hub := sentry.GetHubFromContext(ctx)
					close(capturing)
					for {
						select {
						case <-stop:
							return nil
						default:
							hub.CaptureMessage("still working")
						}
					}
				})
				<-capturing
				return river.JobCancel(errors.New("unsubscribed"))
			})
			s.insert(t, nil)
			s.await(t, 1)
			close(stop)
			_ = (<-orphan).Wait()
			if got := status(only(t, s.workerRec.Transactions())); got != "cancelled" {
				t.Errorf("status %s; want cancelled", got)
			}
		})
	}
}

// TestAUniqueJobSkippedAsADuplicateIsNotAJobInserted: River skips the
// second insert of a unique job; its span says so, and is not a
// queue.publish span, which Sentry's Queues module counts.
func TestAUniqueJobSkippedAsADuplicateIsNotAJobInserted(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { return nil })
			opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
			first, _ := s.insert(t, opts)
			second, _ := s.insert(t, opts)
			if first.ID != second.ID {
				t.Fatalf("River inserted the unique job twice (%d, %d)", first.ID, second.ID)
			}
			events := s.producerRec.Events()
			pub, dup := sentrytasktest.SpansByOp(events, "queue.publish"), sentrytasktest.SpansByOp(events, "queue.publish.duplicate")
			id := strconv.FormatInt(first.ID, 10)
			if len(pub) != 1 || len(dup) != 1 || dup[0].Status != sentry.SpanStatusAlreadyExists || dup[0].Data["messaging.message.id"] != id {
				t.Errorf("%d publish spans and %d duplicates (%+v); want one of each, the duplicate already_exists naming job %s", len(pub), len(dup), dup, id)
			}
		})
	}
}

// TestMetadataNearTheLimitKeepsItsTrace: metadata just under the 1 MiB an
// inserter writes the trace into keeps it: the inserter never writes more
// than a worker reads. Larger metadata is inserted as it came.
func TestMetadataNearTheLimitKeepsItsTrace(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { return nil })
			wrap := func(size int) []byte {
				b, _ := json.Marshal(map[string]string{"blob": strings.Repeat("x", size-len(`{"blob":""}`))})
				return b
			}
			near := wrap(1<<20 - 10)
			job, _ := s.insert(t, &river.InsertOpts{Metadata: near})
			s.await(t, 1)
			process := only(t, s.workerRec.Transactions())
			publish := sentrytasktest.SpansByOp(s.producerRec.Events(), "queue.publish")[0]
			if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
				t.Errorf("a job with %d bytes of metadata (%d with the trace) started a new trace", len(near), len(job.Metadata))
			}

			over := wrap(1<<20 + 10)
			job, _ = s.insert(t, &river.InsertOpts{Metadata: over})
			var md map[string]any
			if err := json.Unmarshal(job.Metadata, &md); err != nil || md["sentry-trace"] != nil || md["blob"] == nil {
				t.Errorf("metadata over 1 MiB was given trace headers a worker would not read (%d bytes)", len(job.Metadata))
			}
		})
	}
}

// TestNewTraceAfterCountsFromTheFirstInsert: a job inserted hours ago and
// available only now (scheduled, or retried) is old: NewTraceAfter starts a
// new trace for it, as it would for the same message through NATS, and
// keeps the inserter's ids as data.
func TestNewTraceAfterCountsFromTheFirstInsert(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			s := start(t, db, func(context.Context, *river.Job[emailArgs]) error { return nil },
				sentrytask.NewTraceAfter(time.Hour))
			trace, span := "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
			metadata, _ := json.Marshal(map[string]string{
				"sentry-trace":              trace + "-" + span + "-1",
				"sentry-task-enqueued-time": strconv.FormatInt(time.Now().Add(-3*time.Hour).Unix(), 10),
			})
			// As the middleware wrote it three hours ago; available now.
			if _, err := s.insertClient.Insert(context.Background(), emailArgs{To: "ada@example.com"},
				&river.InsertOpts{Metadata: metadata}); err != nil {
				t.Fatal(err)
			}
			s.await(t, 1)
			process := only(t, s.workerRec.Transactions())
			if traceID, _, _ := sentrytasktest.IDs(process); traceID == trace || data(process)["messaging.producer.trace_id"] != trace {
				t.Errorf("a job inserted three hours ago continued its trace (data %v); want a new trace keeping the inserter's ids", data(process))
			}
			if l, ok := data(process)["messaging.message.receive.latency"].(int64); !ok || l > 60_000 {
				t.Errorf("latency %v; want it from when the job became available", data(process)["messaging.message.receive.latency"])
			}
		})
	}
}

// TestTheWorkersEnvelopeCarriesTheInsertersSamplingContext: a worker with
// a release, environment and key of its own sends each job's transaction
// with the sampling context the inserter, the head, propagated.
func TestTheWorkersEnvelopeCarriesTheInsertersSamplingContext(t *testing.T) {
	t.Parallel()
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			workerHub, workerRec := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) {
				o.Release, o.Environment, o.Dsn = "worker@9", "batch", "https://workerkey@sentrytask.invalid/2"
			})
			mw := sentrytaskriver.NewMiddleware()
			producerHub, _ := sentrytasktest.NewHub(t)
			producer := db.newClient(t, &river.Config{Middleware: []rivertype.Middleware{mw}})
			workers := river.NewWorkers()
			river.AddWorker(workers, &worker{work: func(context.Context, *river.Job[emailArgs]) error { return nil }})
			w := db.newClient(t, &river.Config{Middleware: []rivertype.Middleware{mw},
				Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}}, Workers: workers})
			events, cancel := w.Subscribe(river.EventKindJobCompleted)
			defer cancel()
			if err := w.Start(withHub(workerHub)); err != nil {
				t.Fatal(err)
			}
			defer w.Stop(context.Background())
			tx := sentry.StartTransaction(withHub(producerHub), "signup")
			res, err := producer.Insert(tx.Context(), emailArgs{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			tx.Finish()
			select {
			case <-events:
			case <-time.After(time.Minute):
				t.Fatal("the job did not complete within a minute")
			}
			var md map[string]string
			_ = json.Unmarshal(res.Job.Metadata, &md)
			head, _ := sentry.DynamicSamplingContextFromHeader([]byte(md["baggage"]))
			got := only(t, workerRec.Transactions()).GetDynamicSamplingContext()
			if head.Entries["sample_rand"] == "" || !reflect.DeepEqual(got, head.Entries) {
				t.Errorf("envelope context %v; want the inserter's %v, sample_rand included", got, head.Entries)
			}
		})
	}
}

// TestNewMiddlewareTakesOnlyProcessOptions: sentrytask.WithSpan, which
// would ask the job's transaction for a span of its own, does not compile
// as an option of the middleware.
func TestNewMiddlewareTakesOnlyProcessOptions(t *testing.T) {
	t.Parallel()
	in := reflect.TypeOf(sentrytaskriver.NewMiddleware).In(0).Elem()
	if in != reflect.TypeFor[sentrytask.ProcessOption]() || reflect.TypeOf(sentrytask.WithSpan).Out(0).Implements(in) {
		t.Errorf("NewMiddleware takes %v, which WithSpan implements", in)
	}
}
