package sentrytask

import (
	"context"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// A Publishing is a message on its way to a queue: its "queue.publish"
// span, ended by End or EndDuplicate. Its methods do nothing when no span
// was started (Sentry off, or the span on the context not sampled).
type Publishing struct {
	sent sentSpan
	// The check-in of the scheduled run the message is (WithMonitor):
	// closed here only if the run never reaches a consumer.
	checkIn *openedCheckIn
}

// Publish starts the "queue.publish" span of a message about to be sent,
// below the span on ctx, and writes into c the headers that continue the
// trace where the message is processed: sentry-trace and baggage naming
// that span (and traceparent when the client's PropagateTraceparent is
// set, or c holds one already, which would otherwise name another trace),
// and sentry-task-enqueued-time, the time now in seconds since the epoch,
// as sentry-python and sentry-java write it, so that a consumer in any of
// them measures the same latency. Send the message, then End the
// Publishing with the send's error.
//
// The span is not made current on the hub's scope: other goroutines may
// share it. With no sampled span on ctx no span starts, and the headers
// carry the trace on ctx, as Inject's do. With no enabled client nothing is
// written. A nil carrier, or a nil map as one, panics, Sentry on or off.
func Publish(ctx context.Context, c Carrier, m Message) *Publishing {
	mustContext(ctx, "Publish")
	mustWritable(c, "Publish")
	hub, st := enabledState(ctx)
	if st == nil {
		return &Publishing{}
	}
	p := &Publishing{}
	p.sent.start(ctx, hub, st, "queue.publish", m.Destination, "queue.publish "+m.Destination, queueOrigin(m.System))
	if p.sent.span != nil {
		setMessageData(p.sent.span, m)
	}
	o, ok := p.sent.headers(ctx, hub, st, st.traceparent)
	if !ok {
		return p
	}
	o.writeTo(c)
	c.Set(keyEnqueuedTime, wire.FormatEnqueuedTime(time.Now()))
	if mon := monitorOf(ctx, c); mon != nil {
		p.checkIn = openCheckIn(hub, c, mon, o)
	}
	return p
}

// SetMessageID records the id the engine gave the message.
func (p *Publishing) SetMessageID(id string) {
	if id != "" {
		p.sent.setData(dataMessageID, id)
	}
}

// End ends the span, with the status of err, the error of sending. A
// scheduled run (WithMonitor) that could not be sent closes its check-in
// as "error": no consumer will.
func (p *Publishing) End(err error) {
	if err != nil {
		p.checkIn.close(sentry.CheckInStatusError)
	}
	p.sent.end(errorStatus(err))
}

// EndDuplicate ends the span of a message the engine dropped as a
// duplicate of one it already holds (NATS's PubAck.Duplicate, River's
// UniqueSkippedAsDuplicate), whose id is id. The span says so: its
// operation becomes "queue.publish.duplicate", so that Sentry's Queues
// module does not count a message that was never enqueued, its status
// already_exists, and its data messaging.message.duplicate. The trace
// headers written for the message went nowhere: the message the engine
// holds carries those of its own producer. A scheduled run (WithMonitor)
// the engine dropped closes its check-in as "error": the run it stands for
// did not happen, and the message the engine holds reports its own.
func (p *Publishing) EndDuplicate(id string) {
	p.checkIn.close(sentry.CheckInStatusError)
	s := p.sent.span
	if s == nil {
		return
	}
	// Started on the scratch hub: no other goroutine reads the span.
	s.Op = "queue.publish.duplicate"
	s.SetData(dataDuplicate, true)
	p.SetMessageID(id)
	p.sent.end(sentry.SpanStatusAlreadyExists)
}
