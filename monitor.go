package sentrytask

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// Sentry Crons across processes: the process that enqueues a scheduled run
// opens its check-in ("in_progress"), and the process that works the run
// closes it ("ok" or "error"), with the same check-in id, carried in the
// message beside the trace under the header names sentry-python's Celery
// beat integration and Sentry's task workers use (wire/monitor.go). Publish
// opens, Process closes; a message without the headers costs Process one
// lookup.

// A Monitor is a Sentry Crons monitor whose scheduled runs are messages or
// jobs.
type Monitor struct {
	// Slug names the monitor in Sentry.
	Slug string
	// Config, when set, is upserted with every check-in: Sentry creates
	// the monitor, or updates it, with this schedule and these thresholds.
	// A schedule is what makes a scheduler that stopped show as missed
	// check-ins. Without one the monitor must exist in Sentry.
	Config *sentry.MonitorConfig
}

type monitorKey struct{}

// WithMonitor returns ctx for enqueueing a scheduled run of monitor m: a
// message published with it (Publish, and every integration's producer)
// opens an "in_progress" check-in of m, on the trace the message carries,
// and carries the check-in to its consumer, whose Process closes it when
// the run ends, in whichever process that is. Each message published with
// the context is a run of its own: derive it for the one message that is
// the run. An empty slug panics.
func WithMonitor(ctx context.Context, m Monitor) context.Context {
	mustContext(ctx, "WithMonitor")
	if m.Slug == "" {
		panic("sentrytask: WithMonitor needs a monitor slug")
	}
	return context.WithValue(ctx, monitorKey{}, &m)
}

// monitorOf returns the monitor a message published with ctx into c is a
// run of: ctx's (WithMonitor), else the one c names without a check-in
// yet, as an engine's scheduler may write it (sentrytaskriver's periodic
// jobs do); nil for a message that is no scheduled run.
func monitorOf(ctx context.Context, c Carrier) *Monitor {
	if m, ok := ctx.Value(monitorKey{}).(*Monitor); ok {
		return m
	}
	slug := c.Get(wire.MonitorSlugKey)
	if slug == "" || c.Get(wire.MonitorCheckInIDKey) != "" {
		return nil
	}
	cfg, _ := wire.ParseMonitorConfig(c.Get(wire.MonitorConfigKey))
	return &Monitor{Slug: slug, Config: cfg}
}

// A runCheckIn is the check-in of one scheduled run: opened where the run
// was enqueued, closed where it ran. Only the first close sends anything.
type runCheckIn struct {
	slug   string
	id     sentry.EventID
	config *sentry.MonitorConfig
	start  time.Time
	closed bool
}

// An openedCheckIn is a run's check-in where it was opened, with the hub
// and trace it went out on, to close it there if the run is never sent.
type openedCheckIn struct {
	runCheckIn
	hub   *sentry.Hub
	trace sentry.PropagationContext
}

// close closes the run where it was opened. A nil r does nothing.
func (r *openedCheckIn) close(status sentry.CheckInStatus) {
	if r != nil {
		r.runCheckIn.close(r.hub, status, r.trace)
	}
}

// openCheckIn writes the check-in of a run of m into c and sends its
// "in_progress" check-in on the trace o names, before the message is sent,
// so that it reaches Sentry before the worker's closing one as often as
// the transports allow.
func openCheckIn(hub *sentry.Hub, c Carrier, m *Monitor, o outgoing) *openedCheckIn {
	r := &openedCheckIn{runCheckIn: runCheckIn{slug: m.Slug, id: newCheckInID(), config: m.Config, start: time.Now()},
		hub: hub, trace: checkInTrace(o)}
	c.Set(wire.MonitorSlugKey, r.slug)
	if cfg := wire.FormatMonitorConfig(r.config); cfg != "" {
		c.Set(wire.MonitorConfigKey, cfg)
	}
	c.Set(wire.MonitorCheckInIDKey, string(r.id))
	c.Set(wire.MonitorStartKey, wire.FormatEnqueuedTime(r.start))
	r.send(hub, sentry.CheckInStatusInProgress, r.trace)
	return r
}

// readCheckIn reads the check-in of the run a message carries, if it
// carries one (a slug). A missing or malformed id gets a new one, so that
// the run's outcome is reported still, as a check-in of its own; a
// missing or malformed start counts from when the message was enqueued, if
// that is known, else from now.
func readCheckIn(c Carrier, enqueued time.Time, known bool, now time.Time) *runCheckIn {
	slug := c.Get(wire.MonitorSlugKey)
	if slug == "" {
		return nil
	}
	if len(slug) > wire.MaxMonitorSlug {
		slug = slug[:wire.MaxMonitorSlug]
	}
	r := &runCheckIn{slug: slug, start: now}
	var ok bool
	if r.id, ok = wire.CheckInID(c.Get(wire.MonitorCheckInIDKey)); !ok {
		r.id = newCheckInID()
	}
	r.config, _ = wire.ParseMonitorConfig(c.Get(wire.MonitorConfigKey))
	if at, ok := wire.ParseEnqueuedTime(values(c, wire.MonitorStartKey)); ok && !at.After(now) {
		r.start = at
	} else if known && !enqueued.After(now) {
		r.start = enqueued
	}
	return r
}

// close sends the check-in that ends the run, with status and the time
// since the run was enqueued, on trace. Only the first call sends.
func (r *runCheckIn) close(hub *sentry.Hub, status sentry.CheckInStatus, trace sentry.PropagationContext) {
	if r == nil || r.closed || status == "" {
		return
	}
	r.closed = true
	r.send(hub, status, trace)
}

func (r *runCheckIn) send(hub *sentry.Hub, status sentry.CheckInStatus, trace sentry.PropagationContext) {
	ci := &sentry.CheckIn{ID: r.id, MonitorSlug: r.slug, Status: status}
	if status != sentry.CheckInStatusInProgress {
		ci.Duration = time.Since(r.start)
	}
	// The check-in goes out on a scope of its own that holds only the
	// run's trace: sentry-go puts it on the check-in's event (trace
	// context) and in its envelope's header (sampling context).
	scope := sentry.NewScope()
	scope.SetPropagationContext(trace)
	hub.Client().CaptureCheckIn(ci, r.config, scope)
}

// checkInTrace is the trace a check-in sits on: the one o continues.
func checkInTrace(o outgoing) sentry.PropagationContext {
	return sentry.PropagationContext{TraceID: o.traceID, SpanID: o.spanID,
		DynamicSamplingContext: wire.ParseDSC([]string{o.baggage})}
}

// newCheckInID returns a random check-in id, as sentry-go makes one.
func newCheckInID() sentry.EventID {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return sentry.EventID(hex.EncodeToString(b[:]))
}
