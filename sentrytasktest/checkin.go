package sentrytasktest

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/getsentry/sentry-go"
)

const checkInType = "check_in"

// A CheckIn is a Sentry Crons check-in as a Recorder received it.
type CheckIn struct {
	// ID is the check-in's id: a run's opening and closing check-ins
	// share it.
	ID string
	// Slug is the monitor's.
	Slug   string
	Status sentry.CheckInStatus
	// Duration is set on a closing check-in: the time since the run was
	// enqueued.
	Duration time.Duration
	// Config is the monitor config upserted with the check-in, if any.
	Config *sentry.MonitorConfig
	// TraceID and SpanID are the trace context the check-in was captured
	// with: the trace of the run it reports, and the span that sent it
	// (the run's queue.publish span, or its queue.process transaction).
	TraceID, SpanID string
	// Timestamp is when it was captured.
	Timestamp time.Time
}

// CheckIns returns the recorded check-ins, in the order received.
func (r *Recorder) CheckIns() []CheckIn { return CheckIns(r.Events()) }

// CheckIns returns the check-ins among events.
func CheckIns(events []*sentry.Event) []CheckIn {
	var out []CheckIn
	for _, e := range events {
		if e.Type != checkInType || e.CheckIn == nil {
			continue
		}
		traceID, spanID, _ := IDs(e)
		out = append(out, CheckIn{
			ID: string(e.CheckIn.ID), Slug: e.CheckIn.MonitorSlug, Status: e.CheckIn.Status,
			Duration: e.CheckIn.Duration, Config: e.MonitorConfig,
			TraceID: traceID, SpanID: spanID, Timestamp: e.Timestamp,
		})
	}
	return out
}

// ExpectRuns expects exactly n runs of the monitor slug among the events
// Check checks: n check-ins opened ("in_progress") and closed ("ok" or
// "error"), each pair under one id. Check finds the other faults of
// check-ins itself: a run closed twice, or closed and never opened, or
// opened and never closed, and a check-in linked to a span not recorded.
func ExpectRuns(slug string, n int) CheckOption {
	return func(c *checkConfig) { c.runs[slug] = n }
}

// checkIns checks every run the check-ins in events report.
func (k *checker) checkIns(events []*sentry.Event) {
	type run struct {
		slug   string
		opened int
		closed []sentry.CheckInStatus
	}
	runs := map[string]*run{}
	var ids []string
	for _, ci := range CheckIns(events) {
		r := runs[ci.ID]
		if r == nil {
			r = &run{slug: ci.Slug}
			runs[ci.ID] = r
			ids = append(ids, ci.ID)
		}
		if ci.Status == sentry.CheckInStatusInProgress {
			r.opened++
		} else {
			r.closed = append(r.closed, ci.Status)
		}
		if _, ok := k.spans[ci.SpanID]; !ok && !k.remote[ci.SpanID] {
			k.add("check-in %s of monitor %q (%s) is linked to span %q, which is not recorded: it is not on the run's trace",
				ci.ID, ci.Slug, ci.Status, ci.SpanID)
		}
	}
	complete := map[string]int{}
	for _, id := range ids {
		r := runs[id]
		switch {
		case r.opened > 1:
			k.add("run %s of monitor %q was opened %d times", id, r.slug, r.opened)
		case len(r.closed) > 1:
			k.add("run %s of monitor %q was closed %d times (%v): Sentry keeps the first", id, r.slug, len(r.closed), r.closed)
		case r.opened == 0:
			k.add("run %s of monitor %q was closed (%s) but never opened", id, r.slug, r.closed[0])
		case len(r.closed) == 0:
			k.add("run %s of monitor %q was opened and never closed", id, r.slug)
		default:
			complete[r.slug]++
		}
	}
	for _, slug := range slices.Sorted(maps.Keys(k.runs)) {
		if got, want := complete[slug], k.runs[slug]; got != want {
			k.add("%d complete runs of monitor %q; want %d", got, slug, want)
		}
	}
}

func checkInText(e *sentry.Event) string {
	s := fmt.Sprintf("check-in %q %s", e.CheckIn.MonitorSlug, e.CheckIn.Status)
	if e.CheckIn.Duration > 0 {
		s += fmt.Sprintf(" after %s", e.CheckIn.Duration.Round(time.Millisecond))
	}
	return s
}
