package sentrytask_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

var everyMinute = sentrytask.Monitor{Slug: "nightly-report", Config: &sentry.MonitorConfig{
	Schedule: sentry.IntervalSchedule(1, sentry.MonitorScheduleUnitMinute), MaxRuntime: 5}}

// scheduleRun publishes one run of mon from a scheduler's transaction and
// returns the message's headers and what the scheduler recorded.
func scheduleRun(t *testing.T, mon sentrytask.Monitor, sendErr error) (sentrytask.MapCarrier, *sentrytasktest.Recorder) {
	t.Helper()
	ctx, tx, rec := newTrace(t, "scheduler tick")
	headers := sentrytask.MapCarrier{}
	pub := sentrytask.Publish(sentrytask.WithMonitor(ctx, mon), headers, sentrytask.Message{System: "test", Destination: "reports"})
	pub.End(sendErr)
	tx.Finish()
	return headers, rec
}

func onlyCheckIn(t *testing.T, where string, rec *sentrytasktest.Recorder) sentrytasktest.CheckIn {
	t.Helper()
	cis := rec.CheckIns()
	if len(cis) != 1 {
		t.Fatalf("%s sent %d check-ins (%+v); want 1", where, len(cis), cis)
	}
	return cis[0]
}

func TestAScheduledRunIsOpenedWhereEnqueuedAndClosedWhereProcessed(t *testing.T) {
	t.Parallel()
	headers, schedRec := scheduleRun(t, everyMinute, nil)
	opened := onlyCheckIn(t, "the scheduler", schedRec)
	if opened.Slug != "nightly-report" || opened.Status != sentry.CheckInStatusInProgress || opened.Config != everyMinute.Config {
		t.Errorf("the scheduler sent %+v; want nightly-report in_progress with the monitor's config", opened)
	}
	if headers["sentry-monitor-slug"] != "nightly-report" || headers["sentry-monitor-check-in-id"] != opened.ID {
		t.Errorf("headers %v do not carry the check-in %s", headers, opened.ID)
	}
	if got, want := headers["sentry-monitor-config"], `{"schedule":{"type":"interval","value":1,"unit":"minute"},"max_runtime":5}`; got != want {
		t.Errorf("sentry-monitor-config = %s; want %s", got, want)
	}
	publish := sentrytasktest.SpansByOp(schedRec.Events(), "queue.publish")[0]
	if opened.TraceID != publish.TraceID.String() || opened.SpanID != publish.SpanID.String() {
		t.Errorf("the opening check-in is on %s/%s; want the publish span %s/%s", opened.TraceID, opened.SpanID, publish.TraceID, publish.SpanID)
	}

	// The run waits in the queue before a worker takes it: its check-in's
	// duration counts that wait.
	const queued = 30 * time.Millisecond
	time.Sleep(queued)
	wctx, workerRec := consumer(t)
	if err := sentrytask.Process(wctx, headers, sentrytask.Message{System: "test", Destination: "reports"}, noop); err != nil {
		t.Fatal(err)
	}
	closed := onlyCheckIn(t, "the worker", workerRec)
	process := sentrytasktest.TransactionsByOp(workerRec.Events(), "queue.process")[0]
	if closed.ID != opened.ID || closed.Status != sentry.CheckInStatusOK {
		t.Errorf("the worker sent %+v; want check-in %s ok", closed, opened.ID)
	}
	if traceID, spanID, _ := sentrytasktest.IDs(process); closed.TraceID != traceID || closed.SpanID != spanID {
		t.Errorf("the closing check-in is on %s/%s; want the processing's transaction %s/%s", closed.TraceID, closed.SpanID, traceID, spanID)
	}
	if took := process.Timestamp.Sub(process.StartTime); closed.Duration < queued || closed.Duration < took {
		t.Errorf("the run took %s after %s in the queue; its check-in says %s", took, queued, closed.Duration)
	}
	sentrytasktest.AssertTrace(t, sentrytasktest.Merge(schedRec, workerRec), sentrytasktest.ExpectRuns("nightly-report", 1))
}

func TestAFailedOrPanickingRunClosesItsCheckInAsError(t *testing.T) {
	t.Parallel()
	for name, handle := range map[string]func(context.Context) error{
		"error": func(context.Context) error { return errors.New("report failed") },
		"panic": func(context.Context) error { panic("report exploded") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			headers, schedRec := scheduleRun(t, everyMinute, nil)
			wctx, workerRec := consumer(t)
			func() {
				defer func() { _ = recover() }()
				_ = sentrytask.Process(wctx, headers, sentrytask.Message{System: "test", Destination: "reports"}, handle)
			}()
			if closed := onlyCheckIn(t, "the worker", workerRec); closed.Status != sentry.CheckInStatusError {
				t.Errorf("a run that ended with a %s closed its check-in %s; want error", name, closed.Status)
			}
			sentrytasktest.AssertTrace(t, sentrytasktest.Merge(schedRec, workerRec), sentrytasktest.ExpectRuns("nightly-report", 1))
		})
	}
}

func TestARunThatIsNeverEnqueuedClosesWhereItWasScheduled(t *testing.T) {
	t.Parallel()
	_, rec := scheduleRun(t, everyMinute, errors.New("queue unreachable"))
	cis := rec.CheckIns()
	if len(cis) != 2 || cis[0].Status != sentry.CheckInStatusInProgress || cis[1].Status != sentry.CheckInStatusError || cis[0].ID != cis[1].ID {
		t.Errorf("a run that could not be sent: check-ins %+v; want in_progress then error, one id", cis)
	}

	ctx, tx, rec := newTrace(t, "scheduler tick")
	pub := sentrytask.Publish(sentrytask.WithMonitor(ctx, everyMinute), sentrytask.MapCarrier{}, sentrytask.Message{System: "test", Destination: "reports"})
	pub.EndDuplicate("7")
	pub.End(nil) // a second end sends nothing more
	tx.Finish()
	if cis := rec.CheckIns(); len(cis) != 2 || cis[1].Status != sentry.CheckInStatusError {
		t.Errorf("a run the engine dropped as a duplicate: check-ins %+v; want in_progress then error", cis)
	}
}

// A message enqueued by sentry-python's Celery beat integration, headers as
// it writes them: the config a JSON object, the start "%.9f" seconds.
func TestAPythonSchedulersRunClosesInGo(t *testing.T) {
	t.Parallel()
	start := time.Now().Add(-90 * time.Second)
	headers := sentrytask.MapCarrier{
		"sentry-trace":                     "771a43a4192642f0b136d5159a501700-1234567890abcdef-1",
		"baggage":                          "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=1.0,sentry-sampled=true",
		"sentry-monitor-slug":              "test123",
		"sentry-monitor-check-in-id":       "8f431b7aa08441bbbd5a0100fd91f9fe",
		"sentry-monitor-start-timestamp-s": fmt.Sprintf("%.9f", float64(start.UnixNano())/1e9),
		"sentry-monitor-config":            `{"schedule": {"type": "interval", "value": 3, "unit": "day"}, "timezone": "Europe/Vienna"}`,
	}
	wctx, rec := consumer(t)
	if err := sentrytask.Process(wctx, headers, sentrytask.Message{System: "celery", Destination: "celery"}, noop); err != nil {
		t.Fatal(err)
	}
	ci := onlyCheckIn(t, "the Go worker", rec)
	if ci.ID != "8f431b7aa08441bbbd5a0100fd91f9fe" || ci.Slug != "test123" || ci.Status != sentry.CheckInStatusOK {
		t.Errorf("closed %+v; want test123's check-in 8f431b7aa08441bbbd5a0100fd91f9fe ok", ci)
	}
	if ci.TraceID != "771a43a4192642f0b136d5159a501700" {
		t.Errorf("the check-in is on trace %s; want the Python producer's", ci.TraceID)
	}
	if ci.Duration < 90*time.Second || ci.Duration > 2*time.Minute {
		t.Errorf("duration %s; want the 90 s since the scheduler's start timestamp", ci.Duration)
	}
	want := &sentry.MonitorConfig{Schedule: sentry.IntervalSchedule(3, sentry.MonitorScheduleUnitDay), Timezone: "Europe/Vienna"}
	if ci.Config == nil || *ci.Config != *want {
		t.Errorf("config upserted again %+v; want %+v", ci.Config, want)
	}
}

// What sentry-python's worker reads of a run Go scheduled: the four
// headers, the config as the JSON object it would have put there itself.
func TestAGoSchedulersRunCarriesWhatPythonReads(t *testing.T) {
	t.Parallel()
	mon := sentrytask.Monitor{Slug: "hourly-sync", Config: &sentry.MonitorConfig{
		Schedule: sentry.CrontabSchedule("0 * * * *"), CheckInMargin: 2, MaxRuntime: 10, Timezone: "Europe/Vienna",
		FailureIssueThreshold: 3, RecoveryThreshold: 1}}
	before := time.Now()
	headers, _ := scheduleRun(t, mon, nil)
	var config map[string]any
	if err := json.Unmarshal([]byte(headers["sentry-monitor-config"]), &config); err != nil {
		t.Fatalf("sentry-monitor-config is not JSON: %v", err)
	}
	want := map[string]any{
		"schedule":       map[string]any{"type": "crontab", "value": "0 * * * *"},
		"checkin_margin": 2.0, "max_runtime": 10.0, "timezone": "Europe/Vienna",
		"failure_issue_threshold": 3.0, "recovery_threshold": 1.0,
	}
	if fmt.Sprint(config) != fmt.Sprint(want) {
		t.Errorf("sentry-monitor-config = %v; want %v", config, want)
	}
	if id := headers["sentry-monitor-check-in-id"]; len(id) != 32 {
		t.Errorf("sentry-monitor-check-in-id = %q; want a UUID's 32 hex digits, as Python's uuid4().hex", id)
	}
	secs, err := strconv.ParseFloat(headers["sentry-monitor-start-timestamp-s"], 64) // Python: float(header)
	if err != nil || secs < float64(before.UnixMicro())/1e6 || secs > float64(time.Now().UnixMicro())/1e6 {
		t.Errorf("sentry-monitor-start-timestamp-s = %q; want the seconds since the epoch when the run was enqueued", headers["sentry-monitor-start-timestamp-s"])
	}
}

func TestMonitorHeadersThatAreBrokenStillReportTheRun(t *testing.T) {
	t.Parallel()
	long := string(make([]byte, 500))
	headers := sentrytask.MapCarrier{
		"sentry-monitor-slug":              "x" + long,
		"sentry-monitor-check-in-id":       "not-an-id",
		"sentry-monitor-start-timestamp-s": "yesterday",
		"sentry-monitor-config":            `{"schedule": "every day"`,
	}
	wctx, rec := consumer(t)
	if err := sentrytask.Process(wctx, headers, sentrytask.Message{System: "test", Destination: "reports"}, noop); err != nil {
		t.Fatal(err)
	}
	ci := onlyCheckIn(t, "the worker", rec)
	if len(ci.ID) != 32 || ci.ID == "not-an-id" || len(ci.Slug) > 128 || ci.Config != nil || ci.Status != sentry.CheckInStatusOK {
		t.Errorf("closed %+v; want an ok check-in of its own id, the slug cut to 128 bytes, no config", ci)
	}
}

func TestAMessageThatIsNoRunSendsNoCheckIn(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "signup")
	headers := sentrytask.MapCarrier{}
	sentrytask.Publish(ctx, headers, sentrytask.Message{System: "test", Destination: "emails"}).End(nil)
	tx.Finish()
	wctx, wrec := consumer(t)
	_ = sentrytask.Process(wctx, headers, sentrytask.Message{System: "test", Destination: "emails"}, noop)
	if n := len(rec.CheckIns()) + len(wrec.CheckIns()); n != 0 {
		t.Errorf("a message published without WithMonitor sent %d check-ins", n)
	}
	if _, ok := headers["sentry-monitor-slug"]; ok {
		t.Errorf("headers %v carry a monitor", headers)
	}
	off := sentrytask.MapCarrier{}
	sentrytask.Publish(sentrytask.WithMonitor(noClient(), everyMinute), off, sentrytask.Message{}).End(nil)
	if len(off) != 0 {
		t.Errorf("with Sentry off Publish wrote %v", off)
	}
}

func TestCheckInStatusDecidesWhetherAnAttemptEndsTheRun(t *testing.T) {
	t.Parallel()
	headers, _ := scheduleRun(t, everyMinute, nil)
	wctx, rec := consumer(t)
	snoozed := errors.New("snoozed")
	notTheEnd := sentrytask.CheckInStatus(func(err error) sentry.CheckInStatus {
		if errors.Is(err, snoozed) {
			return ""
		}
		return sentry.CheckInStatusOK
	})
	_ = sentrytask.Process(wctx, headers, sentrytask.Message{}, func(context.Context) error { return snoozed }, notTheEnd)
	if n := len(rec.CheckIns()); n != 0 {
		t.Errorf("an attempt that does not end the run sent %d check-ins", n)
	}
	_ = sentrytask.Process(wctx, headers, sentrytask.Message{}, noop, notTheEnd)
	if ci := onlyCheckIn(t, "the next attempt", rec); ci.Status != sentry.CheckInStatusOK {
		t.Errorf("the attempt that ends the run sent %s; want ok", ci.Status)
	}
}

func TestWithMonitorNeedsASlug(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("WithMonitor with an empty slug did not panic")
		}
	}()
	sentrytask.WithMonitor(context.Background(), sentrytask.Monitor{})
}
