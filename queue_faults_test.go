package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// published publishes one message from a producer's transaction and
// returns its headers and the producer's recorder.
func published(t *testing.T) (sentrytask.MapCarrier, *sentrytasktest.Recorder) {
	t.Helper()
	ctx, tx, rec := newTrace(t, "POST /orders")
	headers := sentrytask.MapCarrier{}
	sentrytask.Publish(ctx, headers, sentrytask.Message{Destination: "orders"}).End(nil)
	tx.Finish()
	return headers, rec
}

// TestAPoolsSpanSitsBelowTheMessagesTransaction: a pool built as the README
// builds pools (its tasks each with a span) processes messages with
// Pool.Process; the task's span is a child of the message's queue.process
// transaction, in the producer's trace, not the root of a trace of its
// own.
func TestAPoolsSpanSitsBelowTheMessagesTransaction(t *testing.T) {
	t.Parallel()
	headers, producer := published(t)
	ctx, rec := consumer(t)
	pool := sentrytask.NewPool(2, sentrytask.WithSpan("fulfil"), sentrytask.WithDescription("order"))
	task, err := pool.Process(ctx, headers, sentrytask.Message{Destination: "orders"}, func(ctx context.Context) error {
		return sentrytask.Instrument(ctx, "db.insert", noop)
	}, sentrytask.WithData("tenant", "acme"))
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(); err != nil {
		t.Fatal(err)
	}
	shutdown(t, pool)

	events := sentrytasktest.Merge(producer, rec)
	sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.process", 1),
		sentrytasktest.ExpectSpans("fulfil", 1), sentrytasktest.ExpectSpans("db.insert", 1))
	tx := only(t, "transactions", rec.Transactions())
	fulfil := sentrytasktest.SpansByOp(events, "fulfil")[0]
	if _, spanID, _ := sentrytasktest.IDs(tx); fulfil.ParentSpanID.String() != spanID || fulfil.Description != "order" {
		t.Errorf("the pool's span %q has parent %s; want a child of the queue.process transaction %s", fulfil.Description, fulfil.ParentSpanID, spanID)
	}
	if data, _ := tx.Contexts["trace"]["data"].(map[string]any); data["tenant"] != "acme" || status(tx) != "ok" {
		t.Errorf("transaction data %v, status %s; want the processing's data and ok", data, status(tx))
	}
}

func status(e *sentry.Event) string { return fmt.Sprint(e.Contexts["trace"]["status"]) }

// TestAMessageThePoolNeverRunsIsReportedAsNotRun: a message the pool
// accepted and then gave up on — its context ended while it was queued,
// Shutdown gave up — runs nothing and calls OnNotRun with the reason, so
// that its engine can deliver it again; one the pool refused is Process's
// error. No transaction is sent for a message nobody processed.
func TestAMessageThePoolNeverRunsIsReportedAsNotRun(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"context ended", "Shutdown gave up"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			ctx, rec := consumer(t)
			pool := sentrytask.NewPool(1, sentrytask.WithQueueSize(1))
			block, started := make(chan struct{}), make(chan struct{})
			busy, _ := pool.Submit(ctx, func(context.Context) error { close(started); <-block; return nil })
			<-started
			msgCtx, cancel := context.WithCancelCause(ctx)
			notRun := make(chan error, 1)
			ran := false
			task, err := pool.Process(msgCtx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "orders"},
				func(context.Context) error { ran = true; return nil },
				sentrytask.OnNotRun(func(reason error) { notRun <- reason }))
			if err != nil {
				t.Fatal(err)
			}
			want := error(sentrytask.ErrClosed)
			switch how {
			case "context ended":
				want = errors.New("consumer stopping")
				cancel(want)
				close(block)
			case "Shutdown gave up":
				expired, stop := context.WithCancel(context.Background())
				stop()
				if err := pool.Shutdown(expired); err == nil {
					t.Fatal("Shutdown with an expired context did not give up")
				}
				close(block)
			}
			if err := task.Wait(); err != want {
				t.Errorf("the message's task ended with %v; want %v", err, want)
			}
			select {
			case reason := <-notRun:
				if reason != want {
					t.Errorf("OnNotRun said %v; want %v", reason, want)
				}
			default:
				t.Error("OnNotRun was not called")
			}
			_ = busy.Wait()
			shutdown(t, pool)
			cancel(nil)
			if ran || len(sentrytasktest.TransactionsByOp(rec.Events(), "queue.process")) != 0 {
				t.Errorf("ran %t, transactions %v; want nothing run or sent", ran, rec.Transactions())
			}
			if _, err := pool.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{}, noop,
				sentrytask.OnNotRun(func(error) { t.Error("OnNotRun called for a refused message") })); err != sentrytask.ErrClosed {
				t.Errorf("Process on a shut-down pool: %v; want ErrClosed", err)
			}
		})
	}
}

// TestWithErrorStatusGivesOutcomesTheirStatus: an engine's outcomes that
// are neither failures nor plain successes get their own status, through
// the transaction's event.
func TestWithErrorStatusGivesOutcomesTheirStatus(t *testing.T) {
	t.Parallel()
	errSnoozed, errTerminated := errors.New("snoozed"), errors.New("terminated")
	byOutcome := sentrytask.WithErrorStatus(func(err error) sentry.SpanStatus {
		switch {
		case errors.Is(err, errSnoozed):
			return sentry.SpanStatusOK
		case errors.Is(err, errTerminated):
			return sentry.SpanStatusAborted
		}
		return sentry.SpanStatusUndefined
	})
	for err, want := range map[error]string{
		errSnoozed:                      "ok",
		fmt.Errorf("%w", errTerminated): "aborted",
		errors.New("boom"):              "internal_error",
		context.DeadlineExceeded:        "deadline_exceeded",
		nil:                             "ok",
	} {
		ctx, rec := consumer(t)
		_ = sentrytask.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "jobs"},
			func(context.Context) error { return err }, byOutcome)
		if got := status(only(t, "transactions", rec.Transactions())); got != want {
			t.Errorf("handler returned %v: status %s; want %s", err, got, want)
		}
	}
}

// TestNewTraceAfterCountsFromTheFirstPublish: a message's age is counted
// from when it was first published, on every engine, whatever came after:
// a job inserted hours ago and retried a moment ago is old; the receive
// latency still counts from when it became available.
func TestNewTraceAfterCountsFromTheFirstPublish(t *testing.T) {
	t.Parallel()
	now := time.Now()
	trace := callerTrace + "-" + callerSpan + "-1"
	for _, tc := range []struct {
		name      string
		headers   sentrytask.MapCarrier
		m         sentrytask.Message
		after     time.Duration
		continues bool
	}{
		{"inserted hours ago, retried now", sentrytask.MapCarrier{"sentry-trace": trace, "sentry-task-enqueued-time": seconds(now.Add(-3 * time.Hour))},
			sentrytask.Message{AvailableAt: now.Add(-time.Second)}, time.Hour, false},
		{"no header: the engine's first enqueue", sentrytask.MapCarrier{"sentry-trace": trace},
			sentrytask.Message{EnqueuedAt: now.Add(-3 * time.Hour), AvailableAt: now.Add(-time.Second)}, time.Hour, false},
		{"young, scheduled long ahead", sentrytask.MapCarrier{"sentry-trace": trace, "sentry-task-enqueued-time": seconds(now.Add(-time.Minute))},
			sentrytask.Message{AvailableAt: now.Add(-time.Second)}, time.Hour, true},
		{"age unknown: continues", sentrytask.MapCarrier{"sentry-trace": trace}, sentrytask.Message{}, time.Hour, true},
		{"a negative NewTraceAfter is NewTraceAfter(0)", sentrytask.MapCarrier{"sentry-trace": trace}, sentrytask.Message{}, -time.Hour, false},
	} {
		data, tx := processData(t, tc.headers, tc.m, sentrytask.NewTraceAfter(tc.after))
		traceID, _, _ := sentrytasktest.IDs(tx)
		if continued := traceID == callerTrace; continued != tc.continues {
			t.Errorf("%s: continued %t; want %t", tc.name, continued, tc.continues)
		}
		if latency, ok := data["messaging.message.receive.latency"].(int64); !tc.m.AvailableAt.IsZero() && (!ok || latency > 60_000) {
			t.Errorf("%s: latency %v; want it from when the message became available", tc.name, data["messaging.message.receive.latency"])
		}
	}
}

// TestNegativeSizesAndCountsHaveOneMeaning: a negative body size is
// unknown, and left out; a negative retry count is none.
func TestNegativeSizesAndCountsHaveOneMeaning(t *testing.T) {
	t.Parallel()
	data, _ := processData(t, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "jobs", BodySize: -1, RetryCount: -3})
	if _, ok := data["messaging.message.body.size"]; ok || data["messaging.message.retry.count"] != 0 {
		t.Errorf("data %v; want no body size and a retry count of 0", data)
	}
}

// TestADuplicatePublishIsNotCountedAsAMessage: a publish the engine dropped
// as a duplicate says so, and is not a queue.publish span, which Sentry's
// Queues module counts.
func TestADuplicatePublishIsNotCountedAsAMessage(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "POST /orders")
	sentrytask.Publish(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "orders", ID: "order-7"}).End(nil)
	sentrytask.Publish(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "orders"}).EndDuplicate("order-7")
	tx.Finish()
	events := rec.Events()
	if n := len(sentrytasktest.SpansByOp(events, "queue.publish")); n != 1 {
		t.Errorf("%d queue.publish spans; want the one message enqueued", n)
	}
	dup := sentrytasktest.SpansByOp(events, "queue.publish.duplicate")
	if len(dup) != 1 || dup[0].Status != sentry.SpanStatusAlreadyExists || dup[0].Data["messaging.message.duplicate"] != true ||
		dup[0].Data["messaging.message.id"] != "order-7" {
		t.Errorf("duplicate's spans %+v; want one, already_exists, with the id it duplicates", dup)
	}
}

// TestAStaleTraceparentIsReplaced: a message forwarded as it came, or a
// call's metadata copied from its caller's, holds the traceparent of
// another trace; every trace header this package writes replaces the one
// there, so that a W3C-only receiver continues this trace.
func TestAStaleTraceparentIsReplaced(t *testing.T) {
	t.Parallel()
	stale := "00-" + callerTrace + "-" + callerSpan + "-01"
	ctx, tx, _ := newTrace(t, "forward")
	defer tx.Finish()
	for name, write := range map[string]func(c sentrytask.Carrier){
		"Publish":   func(c sentrytask.Carrier) { sentrytask.Publish(ctx, c, sentrytask.Message{}).End(nil) },
		"Inject":    func(c sentrytask.Carrier) { sentrytask.Inject(ctx, c) },
		"StartCall": func(c sentrytask.Carrier) { sentrytask.StartCall(ctx, c, "rpc", "", nil).End(sentry.SpanStatusOK) },
	} {
		for _, c := range []sentrytask.Carrier{sentrytask.MapCarrier{"traceparent": stale},
			sentrytask.HeaderCarrier{"Traceparent": {stale, stale}}} {
			write(c)
			sentryTrace, traceparent := c.Get("sentry-trace"), c.Get("traceparent")
			if vs, ok := c.(sentrytask.ValuesGetter); ok && len(vs.Values("traceparent")) != 1 {
				t.Errorf("%s into %T: traceparent values %v; want one", name, c, vs.Values("traceparent"))
			}
			if strings.Contains(traceparent, callerTrace) || !strings.Contains(traceparent, tx.TraceID.String()) ||
				!strings.Contains(sentryTrace, tx.TraceID.String()) || strings.Split(traceparent, "-")[2] != strings.Split(sentryTrace, "-")[1] {
				t.Errorf("%s into %T: sentry-trace %q, traceparent %q; want both naming the same span of this trace", name, c, sentryTrace, traceparent)
			}
		}
	}
}

// TestWithErrorStatusGivenTwiceAsksTheLastFirst: an integration's mapping
// (added last) and the user's both apply.
func TestWithErrorStatusGivenTwiceAsksTheLastFirst(t *testing.T) {
	t.Parallel()
	errMine, errTheirs := errors.New("mine"), errors.New("theirs")
	mapping := func(target error, s sentry.SpanStatus) sentrytask.ProcessOption {
		return sentrytask.WithErrorStatus(func(err error) sentry.SpanStatus {
			if errors.Is(err, target) {
				return s
			}
			return sentry.SpanStatusUndefined
		})
	}
	for err, want := range map[error]string{errMine: "not_found", errTheirs: "aborted", errors.New("other"): "internal_error"} {
		ctx, rec := consumer(t)
		_ = sentrytask.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "jobs"},
			func(context.Context) error { return err },
			mapping(errMine, sentry.SpanStatusNotFound), mapping(errTheirs, sentry.SpanStatusAborted), sentrytask.WithErrorStatus(nil))
		if got := status(only(t, "transactions", rec.Transactions())); got != want {
			t.Errorf("%v: status %s; want %s", err, got, want)
		}
	}
}

// TestANilMapCarrierIsAMistakeWithSentryOnOrOff: writing into a nil map
// panics only when something is written, which is only when Sentry is on:
// a producer would pass every test without a DSN and crash in production.
// Publish, Inject and StartCall refuse one either way, naming it.
func TestANilMapCarrierIsAMistakeWithSentryOnOrOff(t *testing.T) {
	t.Parallel()
	on, tx, _ := newTrace(t, "publish")
	defer tx.Finish()
	for name, ctx := range map[string]context.Context{"on": on, "off": noClient()} {
		for _, c := range []sentrytask.Carrier{sentrytask.MapCarrier(nil), sentrytask.HeaderCarrier(nil)} {
			msg := panics(func() { sentrytask.Publish(ctx, c, sentrytask.Message{}) })
			if !strings.Contains(msg, fmt.Sprintf("Publish called with a nil %T", c)) {
				t.Errorf("Sentry %s: Publish into a nil %T panicked with %q; want a message naming it", name, c, msg)
			}
		}
	}
}
