package sentrytask

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"

	"github.com/getsentry/sentry-go"
)

// A panic is reported once, by the innermost layer of this package it
// passes through (a task, Instrument, Middleware), on that layer's span.
// The layers further out end their own spans with an error status and send
// nothing more. They tell a panic an inner layer has reported from a new
// one by the stack: an inner layer raises the panic again from repanic,
// inside the deferred call that recovered it, so repanic's frame is still
// on the stack when the next layer out recovers the panic. A panic that
// user code recovers and then raises anew from its own frame (the inner
// frames gone) counts as a new panic. No state is shared between layers
// or goroutines to decide this.

// repanic raises r again after a layer has reported it. Its frame is how
// the layers further out recognise the panic as reported.
//
//go:noinline
func repanic(r any) { panic(r) }

// Function names that mark the panicking stack, derived from repanic's so
// that they follow the module path.
var (
	repanicName = funcName(repanic)
	pkgPrefix   = strings.TrimSuffix(repanicName, "repanic")
	// layerEntries are the frames that call a user's function under a
	// layer's recover: a panic that reaches one of them before any
	// repanic frame was not re-raised by a layer further in. runIn, not
	// run: Process calls runIn directly.
	layerEntries = map[string]bool{
		pkgPrefix + "(*job).runIn":            true,
		pkgPrefix + "(*middleware).ServeHTTP": true,
	}
)

func funcName(f any) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// reportedFurtherIn reports whether the panic being recovered by the
// caller's deferred call was raised again by a layer further in, which
// reported it. It must be called from that deferred call, while the
// panicking frames are on the stack. It is only ever on the panic path.
func reportedFurtherIn() bool {
	pcs := make([]uintptr, 64)
	for {
		n := runtime.Callers(2, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		// Deep stacks are rare; a panic path can afford a second walk.
		pcs = make([]uintptr, 2*len(pcs))
	}
	frames := runtime.CallersFrames(pcs)
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case !panicking:
			// Above the first gopanic are the recovering layer's own
			// frames.
			panicking = f.Function == "runtime.gopanic"
		case f.Function == repanicName:
			return true
		case layerEntries[f.Function]:
			return false
		}
		if !more {
			return false
		}
	}
}

// ReportPanic reports r, a panic that the calling deferred function
// recovered, once: as an unhandled, fatal event through the hub on ctx,
// linked to that hub's current span (the transaction Continue started, in
// a server's handler), with the panicking goroutine's stack. A panic that
// a layer of this package further in (a task, Instrument, Process,
// Middleware) already reported on its way out is not sent again: its
// report's id is returned when the same hub sent it, else "". It is for
// integrations that recover panics themselves, such as an RPC server's.
//
// Call it from the deferred function that recovered r, before that
// function returns: it reads the panicking frames, which are gone
// afterwards. With no enabled client bound to ctx it sends nothing.
func ReportPanic(ctx context.Context, r any) sentry.EventID {
	mustContext(ctx, "ReportPanic")
	hub, st := enabledState(ctx)
	if st == nil {
		return ""
	}
	return reportPanic(ctx, hub, r, nil)
}

// reportPanic reports r, recovered by a layer, through hub while the
// layer's span is current on it, unless a layer further in has reported
// it already. It returns the id of the event that reports r, or "" if none
// was sent (or it was sent by a layer on another hub). req is the request a
// server was handling, if any.
func reportPanic(ctx context.Context, hub *sentry.Hub, r any, req *http.Request) sentry.EventID {
	if hub == nil {
		return ""
	}
	if reportedFurtherIn() {
		return panicReports.lastID(hub, r)
	}
	eid := hub.CaptureEventWithHint(panicEvent(hub.Client(), r),
		&sentry.EventHint{RecoveredException: r, Context: ctx, Request: req})
	if eid == nil {
		return ""
	}
	panicReports.record(hub, r, *eid)
	return *eid
}

// panicEvent builds a fatal, unhandled exception event for a panic value,
// with the panicking goroutine's stack: sentry-go's Recover attaches no stack
// to panics with a non-error value unless AttachStacktrace is set.
func panicEvent(client *sentry.Client, r any) *sentry.Event {
	var event *sentry.Event
	if err, ok := r.(error); ok {
		event = eventFromError(client, err, sentry.LevelFatal)
	} else {
		event = sentry.NewEvent()
		event.Level = sentry.LevelFatal
		event.Exception = []sentry.Exception{{
			Type: "panic",
			// fmt recovers a panic in the value's String method.
			Value:      fmt.Sprint(r),
			Stacktrace: sentry.NewStacktrace(),
		}}
	}
	if n := len(event.Exception); n > 0 {
		m := event.Exception[n-1].Mechanism
		if m == nil {
			m = &sentry.Mechanism{Type: "sentrytask"}
			event.Exception[n-1].Mechanism = m
		}
		m.SetUnhandled()
	}
	return event
}

// panicReports remembers, per hub, the last panic a layer reported on it,
// so that the layer that turns it into a *PanicError further out can give
// the event's id. Only panics write or read it.
var panicReports reportsByHub

type reportsByHub struct {
	c weakCache[sentry.Hub, panicReport]
}

type panicReport struct {
	mu    sync.Mutex
	value any
	id    sentry.EventID
}

func (p *reportsByHub) record(hub *sentry.Hub, r any, id sentry.EventID) {
	rep := p.c.getOrAttach(hub, func(*sentry.Hub) *panicReport { return new(panicReport) })
	rep.mu.Lock()
	rep.value, rep.id = r, id
	rep.mu.Unlock()
}

func (p *reportsByHub) lastID(hub *sentry.Hub, r any) sentry.EventID {
	rep := p.c.get(hub)
	if rep == nil {
		return ""
	}
	rep.mu.Lock()
	defer rep.mu.Unlock()
	if !samePanic(rep.value, r) {
		return ""
	}
	return rep.id
}

// samePanic reports whether a and b are equal panic values; values that
// cannot be compared are never the same.
func samePanic(a, b any) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}
