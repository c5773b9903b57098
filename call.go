package sentrytask

import (
	"cmp"
	"context"
	"net/url"
	"strings"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// A Call is a call to another process made without NewTransport — an RPC,
// say — from StartCall: its span, ended by End. Its methods do nothing when
// no span was started (Sentry off, or the span on the context not sampled).
type Call struct {
	sent sentSpan
}

// Deleter is implemented by carriers that can remove a header: StartCall
// removes trace headers from a call outside the propagation targets,
// whoever wrote them. MapCarrier and HeaderCarrier implement it.
type Deleter interface {
	Delete(key string)
}

// StartCall starts the span of a call to another process, with operation
// op and description, below the span on ctx, as NewTransport does for an
// HTTP request: the span is started on a hub of its own, never made
// current on the caller's scope, and watched by the client's
// OrphanDetector until End. When to, where the call goes, matches the
// propagation targets (see NewTransport; an RPC's destination is written
// scheme://authority/method, such as grpc://catalog.internal:443/pkg.Svc/Get),
// it writes into c the headers that continue the trace there, naming the
// span, as Inject does. Outside them it writes none, and removes the trace
// headers c holds if c is a Deleter (other baggage members stay).
//
// Its TransportOptions (WithPropagationTargets, WithTraceparent) apply as
// to NewTransport. Set the span's data with SetData; end it with End when
// the call has ended.
func StartCall(ctx context.Context, c Carrier, op, description string, to *url.URL, opts ...TransportOption) *Call {
	mustContext(ctx, "StartCall")
	mustWritable(c, "StartCall")
	call := &Call{}
	hub, st := enabledState(ctx)
	if st == nil {
		return call
	}
	cfg := newTransportConfig(opts)
	watchAs := description
	if watchAs == "" {
		watchAs = op
	}
	if cfg.traces(FilterInput{Op: op, Name: description, Headers: c}) {
		call.sent.start(ctx, hub, st, op, description, watchAs, cmp.Or(cfg.origin, originRPC))
	}
	if !cfg.targetsOf(st).Match(to) {
		removeTraceHeaders(c)
		return call
	}
	o, ok := call.sent.headers(ctx, hub, st, st.traceparent || cfg.traceparent)
	if !ok {
		return call
	}
	o.writeTo(c)
	return call
}

// removeTraceHeaders removes from c, if it is a Deleter, the headers that
// would continue a trace: sentry-trace, traceparent and baggage's sentry-*
// members. The caller's other baggage members stay as they were written.
func removeTraceHeaders(c Carrier) {
	d, ok := c.(Deleter)
	if !ok {
		return
	}
	d.Delete(keySentryTrace)
	d.Delete(keyTraceparent)
	kept, changed := wire.WithoutSentryMembers(values(c, keyBaggage))
	if !changed {
		return
	}
	d.Delete(keyBaggage)
	if len(kept) > 0 {
		// Baggage fields are one comma-separated list.
		c.Set(keyBaggage, strings.Join(kept, ","))
	}
}

// SetData sets a data field of the call's span.
func (c *Call) SetData(key string, value any) { c.sent.setData(key, value) }

// End ends the call's span with status. Only the first call does anything.
func (c *Call) End(status sentry.SpanStatus) { c.sent.end(status) }
