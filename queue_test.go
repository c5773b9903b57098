package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// consumer returns a context with a hub of its own, as a consumer process
// would have, and what it records.
func consumer(t *testing.T, opts ...func(*sentry.ClientOptions)) (context.Context, *sentrytasktest.Recorder) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t, opts...)
	return sentry.SetHubOnContext(context.Background(), hub), rec
}

func TestPublishAndProcessMakeOneTraceWithTheQueuesData(t *testing.T) {
	t.Parallel()
	ctx, tx, producerRec := newTrace(t, "signup")
	headers := sentrytask.MapCarrier{}
	pub := sentrytask.Publish(ctx, headers, sentrytask.Message{System: "test", Destination: "emails", BodySize: 42})
	pub.SetMessageID("m-1")
	pub.End(nil)
	tx.Finish()
	for _, key := range []string{"sentry-trace", "baggage", "sentry-task-enqueued-time"} {
		if headers[key] == "" {
			t.Errorf("Publish wrote no %s: %v", key, headers)
		}
	}

	cctx, consumerRec := consumer(t)
	err := sentrytask.Process(cctx, headers, sentrytask.Message{
		System: "test", Destination: "emails", ID: "m-1", BodySize: 42, Name: "email.send", RetryCount: 2,
	}, func(ctx context.Context) error {
		return sentrytask.Instrument(ctx, "smtp.send", noop)
	})
	if err != nil {
		t.Fatal(err)
	}

	events := sentrytasktest.Merge(producerRec, consumerRec)
	sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.publish", 1),
		sentrytasktest.ExpectSpans("queue.process", 1), sentrytasktest.ExpectSpans("smtp.send", 1))
	publish := sentrytasktest.SpansByOp(events, "queue.publish")[0]
	process := sentrytasktest.TransactionsByOp(events, "queue.process")[0]
	if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
		t.Errorf("the processing's parent is %s; want the publish span %s", parent, publish.SpanID)
	}
	if process.Transaction != "email.send" {
		t.Errorf("processing transaction %q; want email.send", process.Transaction)
	}
	for key, want := range map[string]any{
		"messaging.system": "test", "messaging.destination.name": "emails", "messaging.message.id": "m-1",
		"messaging.message.body.size": 42,
	} {
		if got := publish.Data[key]; got != want {
			t.Errorf("publish span %s = %v; want %v", key, got, want)
		}
		if got := process.Contexts["trace"]["data"].(map[string]any)[key]; got != want {
			t.Errorf("processing %s = %v; want %v", key, got, want)
		}
	}
	data := process.Contexts["trace"]["data"].(map[string]any)
	if data["messaging.message.retry.count"] != 2 {
		t.Errorf("retry count %v; want 2", data["messaging.message.retry.count"])
	}
	if latency, ok := data["messaging.message.receive.latency"].(int64); !ok || latency < 0 || latency > 60_000 {
		t.Errorf("receive latency %#v; want a whole number of milliseconds, between 0 and a minute", data["messaging.message.receive.latency"])
	}
}

// processData processes a message with headers and returns its
// transaction's data.
func processData(t *testing.T, headers sentrytask.Carrier, m sentrytask.Message, opts ...sentrytask.ProcessOption) (map[string]any, *sentry.Event) {
	t.Helper()
	ctx, rec := consumer(t)
	if err := sentrytask.Process(ctx, headers, m, noop, opts...); err != nil {
		t.Fatal(err)
	}
	tx := only(t, "transactions", rec.Transactions())
	data, _ := tx.Contexts["trace"]["data"].(map[string]any)
	return data, tx
}

func seconds(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
}

func TestProcessMeasuresTheReceiveLatencyInMilliseconds(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		name     string
		enqueued string
		m        sentrytask.Message
		from     time.Time // zero: no latency
	}{
		{"from the header", seconds(now.Add(-1500 * time.Millisecond)), sentrytask.Message{}, now.Add(-1500 * time.Millisecond)},
		{"as Java writes it", strconv.FormatFloat(float64(now.Add(-3*time.Second).Unix()), 'E', -1, 64), sentrytask.Message{}, now.Add(-3 * time.Second).Truncate(time.Second)},
		{"from the engine when no header", "", sentrytask.Message{EnqueuedAt: now.Add(-2 * time.Second)}, now.Add(-2 * time.Second)},
		{"from when it became available, a scheduled job", seconds(now.Add(-time.Hour)), sentrytask.Message{AvailableAt: now.Add(-500 * time.Millisecond)}, now.Add(-500 * time.Millisecond)},
		{"none when in the future", seconds(now.Add(time.Hour)), sentrytask.Message{}, time.Time{}},
		{"from the engine when the header is in the future", seconds(now.Add(time.Hour)), sentrytask.Message{EnqueuedAt: now.Add(-2 * time.Second)}, now.Add(-2 * time.Second)},
		{"none when not a number", "soon", sentrytask.Message{}, time.Time{}},
		{"none when in milliseconds", strconv.FormatInt(now.UnixMilli(), 10), sentrytask.Message{}, time.Time{}},
	} {
		headers := sentrytask.MapCarrier{}
		if tc.enqueued != "" {
			headers["sentry-task-enqueued-time"] = tc.enqueued
		}
		data, _ := processData(t, headers, tc.m)
		latency, ok := data["messaging.message.receive.latency"].(int64)
		switch {
		case tc.from.IsZero() && ok:
			t.Errorf("%s: latency %d ms; want none", tc.name, latency)
		case tc.from.IsZero():
		case !ok:
			t.Errorf("%s: no latency; want about %v", tc.name, now.Sub(tc.from))
		case latency < now.Sub(tc.from).Milliseconds()-1 || latency > time.Since(tc.from).Milliseconds()+1:
			t.Errorf("%s: latency %d ms; want %d to %d", tc.name, latency, now.Sub(tc.from).Milliseconds(), time.Since(tc.from).Milliseconds())
		}
	}
}

func TestProcessEndsWithTheHandlersStatusAndReportsAPanicOnce(t *testing.T) {
	t.Parallel()
	ctx, rec := consumer(t)
	m := sentrytask.Message{Destination: "jobs"}
	failed := errors.New("smtp down")
	if err := sentrytask.Process(ctx, sentrytask.MapCarrier{}, m, func(context.Context) error { return failed }); err != failed {
		t.Errorf("Process = %v; want the handler's error", err)
	}
	_ = sentrytask.Process(ctx, sentrytask.MapCarrier{}, m, func(ctx context.Context) error {
		sentry.TransactionFromContext(ctx).Status = sentry.SpanStatusResourceExhausted
		return failed
	})
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = sentrytask.Process(ctx, sentrytask.MapCarrier{}, m, func(ctx context.Context) error {
			return sentrytask.Instrument(ctx, "render", func(context.Context) error { panic("boom") })
		})
	}()
	if recovered != "boom" {
		t.Errorf("recovered %v; want the handler's panic raised again", recovered)
	}
	err := sentrytask.Process(ctx, sentrytask.MapCarrier{}, m, func(context.Context) error { panic("again") }, sentrytask.WithRecoverPanics())
	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) {
		t.Errorf("Process with WithRecoverPanics = %v; want a *PanicError", err)
	}

	var statuses []string
	for _, tx := range rec.Transactions() {
		statuses = append(statuses, fmt.Sprint(tx.Contexts["trace"]["status"]))
	}
	if want := "[internal_error resource_exhausted internal_error internal_error]"; fmt.Sprint(statuses) != want {
		t.Errorf("statuses %v; want %s", statuses, want)
	}
	if n := len(rec.Errors()); n != 2 {
		t.Errorf("%d panic events; want 2, one per panic", n)
	}
}

func TestProcessStartsANewTraceForHostileHeaders(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 1<<20)
	for _, headers := range []sentrytask.MapCarrier{
		{"sentry-trace": huge, "baggage": huge, "traceparent": huge, "sentry-task-enqueued-time": huge},
		{"sentry-trace": "\xff\xfe" + callerTrace, "baggage": "sentry-trace_id=\xff,sentry-\x00=1"},
		{"sentry-trace": callerTrace + "-" + callerSpan + "-1\x00", "sentry-task-enqueued-time": "NaN"},
	} {
		data, tx := processData(t, headers, sentrytask.Message{Destination: "jobs"})
		if traceID, _, parent := sentrytasktest.IDs(tx); traceID == callerTrace || parent != "" {
			t.Errorf("hostile headers continued trace %s below %s; want a new trace", traceID, parent)
		}
		if _, ok := data["messaging.message.receive.latency"]; ok {
			t.Errorf("hostile headers gave a latency: %v", data)
		}
	}
}

func TestNewTraceAfterKeepsTheProducersIdsAsData(t *testing.T) {
	t.Parallel()
	headers := func(age time.Duration) sentrytask.MapCarrier {
		return sentrytask.MapCarrier{"sentry-trace": callerTrace + "-" + callerSpan + "-1",
			"sentry-task-enqueued-time": seconds(time.Now().Add(-age))}
	}
	for _, tc := range []struct {
		name      string
		age       time.Duration
		opt       sentrytask.ProcessOption
		continues bool
	}{
		{"a young message continues its producer's trace", time.Second, sentrytask.NewTraceAfter(time.Hour), true},
		{"an old one starts a new trace", 2 * time.Hour, sentrytask.NewTraceAfter(time.Hour), false},
		{"NewTraceAfter(0): every one does", time.Second, sentrytask.NewTraceAfter(0), false},
		{"by default every one continues", 48 * time.Hour, nil, true},
	} {
		data, tx := processData(t, headers(tc.age), sentrytask.Message{Destination: "jobs"}, tc.opt)
		traceID, _, _ := sentrytasktest.IDs(tx)
		if continued := traceID == callerTrace; continued != tc.continues {
			t.Errorf("%s: trace %s; continued %t, want %t", tc.name, traceID, continued, tc.continues)
		}
		if !tc.continues && (data["messaging.producer.trace_id"] != callerTrace || data["messaging.producer.span_id"] != callerSpan) {
			t.Errorf("%s: data %v; want the producer's trace and span ids", tc.name, data)
		}
	}
}

func TestQueuesWithoutAClient(t *testing.T) {
	t.Parallel()
	ctx := noClient()
	headers := sentrytask.MapCarrier{}
	pub := sentrytask.Publish(ctx, headers, sentrytask.Message{Destination: "jobs"})
	pub.SetMessageID("1")
	pub.End(nil)
	if len(headers) != 0 {
		t.Errorf("Publish without a client wrote %v", headers)
	}
	ran := false
	if err := sentrytask.Process(ctx, headers, sentrytask.Message{}, func(context.Context) error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("Process without a client: ran %t, %v", ran, err)
	}
}

// TestAPublishingNotEndedIsAnOrphan: a span still open when its transaction
// is sent is lost, as a task's would be.
func TestAPublishingNotEndedIsAnOrphan(t *testing.T) {
	t.Parallel()
	hub, rec, det := detected(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "signup")
	pub := sentrytask.Publish(tx.Context(), sentrytask.MapCarrier{}, sentrytask.Message{Destination: "emails"})
	tx.Finish()
	pub.End(nil)
	if got := sentrytasktest.Orphans(rec.Events()); det.Count() != 1 || len(got) != 1 || got[0] != "queue.publish emails" {
		t.Errorf("orphans %q (count %d); want the publishing", got, det.Count())
	}
}

func FuzzProcess(f *testing.F) {
	f.Add(callerTrace+"-"+callerSpan+"-1", headBaggage, "", "1764504000.5")
	f.Add("", "", "00-"+callerTrace+"-"+callerSpan+"-01", "1.7E9")
	client, _, err := sentrytasktest.NewClient()
	if err != nil {
		f.Fatal(err)
	}
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	f.Fuzz(func(t *testing.T, sentryTrace, baggage, traceparent, enqueued string) {
		headers := sentrytask.MapCarrier{"sentry-trace": sentryTrace, "baggage": baggage, "traceparent": traceparent,
			"sentry-task-enqueued-time": enqueued}
		_ = sentrytask.Process(ctx, headers, sentrytask.Message{Destination: "fuzz"}, noop)
	})
}

// TestProcessContinuesEachMessagesOwnTrace processes a batch, as a consumer
// that pulls several messages at once does: messages from two producers,
// processed at once on one consumer's hub, each continue their own
// producer's trace with a scope of their own.
func TestProcessContinuesEachMessagesOwnTrace(t *testing.T) {
	t.Parallel()
	var batch []sentrytask.MapCarrier
	var producers []*sentrytasktest.Recorder
	for _, name := range []string{"POST /orders", "POST /refunds"} {
		ctx, tx, rec := newTrace(t, name)
		headers := sentrytask.MapCarrier{}
		sentrytask.Publish(ctx, headers, sentrytask.Message{Destination: "billing"}).End(nil)
		tx.Finish()
		batch, producers = append(batch, headers), append(producers, rec)
	}

	ctx, consumerRec := consumer(t)
	bothStarted := make(chan struct{})
	var started sync.WaitGroup
	started.Add(len(batch))
	go func() { started.Wait(); close(bothStarted) }()
	var wg sync.WaitGroup
	for i, headers := range batch {
		wg.Go(func() {
			err := sentrytask.Process(ctx, headers, sentrytask.Message{Destination: "billing"}, func(ctx context.Context) error {
				sentry.GetHubFromContext(ctx).Scope().SetTag("message", strconv.Itoa(i))
				started.Done()
				<-bothStarted // both are processing before either ends
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	for i, rec := range producers {
		spans := sentrytasktest.SpansByOp(rec.Events(), "queue.publish")
		if len(spans) != 1 {
			t.Fatalf("producer %d recorded %d publish spans; want 1", i, len(spans))
		}
		publish := spans[0]
		var process *sentry.Event
		for _, tx := range consumerRec.Transactions() {
			if traceID, _, _ := sentrytasktest.IDs(tx); traceID == publish.TraceID.String() {
				process = tx
			}
		}
		if process == nil {
			t.Errorf("no processing transaction in producer %d's trace %s", i, publish.TraceID)
			continue
		}
		if _, _, parent := sentrytasktest.IDs(process); parent != publish.SpanID.String() {
			t.Errorf("message %d's processing has parent %s; want its publish span %s", i, parent, publish.SpanID)
		}
		if got := process.Tags["message"]; got != strconv.Itoa(i) {
			t.Errorf("message %d's processing has tag message=%q; its scope was shared", i, got)
		}
	}
}

// TestProcessNeverWritesTheTransactionsStatus: a task the handler left
// running may be reading the transaction (sentry-go reads its status for
// every event captured below it); the status goes into the event.
func TestProcessNeverWritesTheTransactionsStatus(t *testing.T) {
	t.Parallel()
	ctx, rec := consumer(t)
	var tx *sentry.Span
	err := sentrytask.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{Destination: "billing"}, func(ctx context.Context) error {
		tx = sentry.TransactionFromContext(ctx)
		return errors.New("card declined")
	})
	if err == nil || tx == nil {
		t.Fatalf("Process = %v, transaction %v; want the handler's error, a transaction", err, tx)
	}
	if tx.Status != sentry.SpanStatusUndefined {
		t.Errorf("the transaction's span was given status %v", tx.Status)
	}
	if e := only(t, "transactions", rec.Transactions()); e.Contexts["trace"]["status"] != sentry.SpanStatusInternalError {
		t.Errorf("the event's status %v; want internal_error", e.Contexts["trace"]["status"])
	}
}
