package sentrytask

import (
	"context"
	"maps"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// Incoming: work that arrives from another process — a request, a message,
// a job — continues the trace its headers carry, in a transaction of its
// own, with a fork of the hub. Middleware and Continue take the same path:
// readIncoming, then continueRemote.

// remoteParent is the parent of a transaction that continues a trace whose
// earlier spans are not in this transaction: spans of another process (an
// incoming request or message), or the span that was current at Detach.
type remoteParent struct {
	traceID sentry.TraceID
	spanID  sentry.SpanID
	sampled sentry.Sampled
	dsc     sentry.DynamicSamplingContext // as the head of the trace froze it
}

// readIncoming decides which trace incoming work continues, from the values
// of its sentry-trace, baggage and traceparent headers (see
// wire.ParseParent). nil means a new trace — also when the client may not
// continue the trace (org_id rules) — and never an error: bad headers must
// not cost the request.
func readIncoming(st *clientState, sentryTrace, baggage, traceparent []string) *remoteParent {
	h, ok := wire.ParseParent(sentryTrace, traceparent)
	if !ok {
		return nil
	}
	dsc := wire.ParseDSC(baggage)
	if !st.continues(dsc) {
		return nil
	}
	if id, ok := dsc.Entries["trace_id"]; ok && id != h.TraceID.String() {
		// Baggage from another trace: keep the parent, not its context.
		dsc.Entries = nil
	}
	// With no sentry members the context stays empty and frozen, as in
	// sentry-go: this process is not the head and must not invent one.
	return &remoteParent{traceID: h.TraceID, spanID: h.SpanID, sampled: h.Sampled, dsc: dsc}
}

// continueTrace is a sentry.SpanOption that makes a transaction the child
// of p.
func (p *remoteParent) continueTrace(s *sentry.Span) {
	s.TraceID = p.traceID
	s.ParentSpanID = p.spanID
	s.Sampled = p.sampled
	// Each transaction gets its own map: sentry-go writes sample_rate into
	// it when it samples.
	s.SetDynamicSamplingContext(sentry.DynamicSamplingContext{Entries: maps.Clone(p.dsc.Entries), Frozen: true})
}

// continueRemote starts the transaction of work that arrived from another
// process, continuing p's trace (a new one when p is nil), with a fork of
// hub bound to the returned context, whose scope propagates the trace too.
// A span on ctx is not the parent: the work's headers say where it came
// from.
func continueRemote(ctx context.Context, hub *sentry.Hub, p *remoteParent, op, name string, source sentry.TransactionSource, origin sentry.SpanOrigin, opts ...sentry.SpanOption) (context.Context, *sentry.Hub, *sentry.Span) {
	ctx, hub = fork(detachedContext{ctx, nil}, hub)
	ctx, tx := startTransaction(ctx, hub, op, p, append([]sentry.SpanOption{
		sentry.WithTransactionName(name),
		sentry.WithTransactionSource(source),
		sentry.WithSpanOrigin(origin)}, opts...)...)
	// Errors captured on the hub without tx (tracing off, or after tx
	// ends) still belong to the trace.
	pc := sentry.NewPropagationContext()
	pc.TraceID = tx.TraceID
	if p != nil {
		pc.ParentSpanID = p.spanID
		pc.DynamicSamplingContext = p.dsc
	}
	hub.Scope().SetPropagationContext(pc)
	return ctx, hub, tx
}

// Continue starts a transaction with operation op (and op as its name) for
// work that arrived through c — a message, a job, an RPC — continuing the
// trace whose headers c carries: "sentry-trace" and "baggage", or a W3C
// "traceparent" when there is no valid sentry-trace. A missing, malformed,
// contradictory (two different values, when c is a ValuesGetter) or foreign
// (see sentry.ClientOptions.StrictTraceContinuation) trace starts a new one.
// A span on ctx is not the parent: the carrier says where the work came
// from.
//
// opts apply to the transaction after Continue's own, as to
// sentry.StartTransaction: sentry.WithTransactionName and
// sentry.WithTransactionSource name it before it is sampled, so that a
// TracesSampler sees the name; sentry.WithSpanOrigin replaces its origin,
// "auto.rpc.sentrytask", with an integration's own.
//
// The returned context carries a fork of ctx's hub (or of the global hub)
// whose scope continues the trace too, and the transaction; the caller must
// end the span, which is never nil, with FinishTransaction. (Ended with
// Finish, it is sent as sentry-go sends a transaction: its envelope
// carries a sampling context rebuilt from this service's options instead
// of the head's, and tasks it left running may race with its status.)
func Continue(ctx context.Context, c Carrier, op string, opts ...sentry.SpanOption) (context.Context, *sentry.Span) {
	mustContext(ctx, "Continue")
	mustCarrier(c, "Continue")
	hub, st := enabledState(ctx)
	if st == nil {
		span := sentry.StartSpan(detachedContext{ctx, nil}, op, append([]sentry.SpanOption{sentry.WithTransactionName(op)}, opts...)...)
		return span.Context(), span
	}
	p := readIncoming(st, values(c, keySentryTrace), values(c, keyBaggage), values(c, keyTraceparent))
	ctx, _, tx := continueRemote(ctx, hub, p, op, op, sentry.SourceTask, originRPC, opts...)
	return ctx, tx
}

// FinishTransaction finishes tx, a transaction that Continue started, with
// status, without writing the span, and sends it with the sampling context
// of the head of its trace, as Middleware and Process do. The work it stood
// for may have spawned tasks it did not wait for, and sentry-go reads a
// transaction's status, without a lock anyone else can take, for every
// event captured below it: the status goes into the transaction's event as
// it is sent instead. (Such tasks are orphans, which an OrphanDetector
// reports; this keeps them from racing as well.)
//
// A transaction this package did not start is given status and finished as
// usual; a nil tx is ignored.
func FinishTransaction(tx *sentry.Span, status sentry.SpanStatus) {
	if tx == nil {
		return
	}
	finishTransaction(tx, txFinal{status: status})
}
