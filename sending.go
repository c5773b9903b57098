package sentrytask

import (
	"context"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// A transaction this package starts (Middleware, Continue, Process, a task
// below Detach or with no span above it) is sent through a hub of its own,
// its sender, which nobody else holds. Two things need it:
//
//   - The envelope. When sentry-go applies a scope whose current span is
//     set to an event, it replaces the event's sampling context with one
//     rebuilt from the transaction and this client's options (scope.go,
//     ApplyToEvent): a transaction that continued another service's trace
//     would be sent with this service's release, environment, public key
//     and no sample_rand, and Sentry's dynamic sampling reads the
//     envelope's. The sender's scope has no span; its propagation context
//     carries the transaction's frozen sampling context (dsc.go), which
//     sentry-go then puts on the event unchanged.
//   - What the transaction ends with. Its status, and a route found after
//     the handler started (route.go), go into its event, not into the
//     span, whose fields a task the work left running may be reading
//     without a lock this package could take. The sender's scope holds the
//     event processor that writes them, so no processor is ever added to a
//     client this package did not make: sentry-go appends to a client's
//     processors without a lock, while other goroutines send events
//     through it.
//
// The work runs with a fork of the caller's hub, on whose scope the
// transaction is current, as it would be without a sender. The sender is
// made when the transaction is finished, from a copy of that scope as it
// is then (tags, user, request, breadcrumbs, its event processors), so the
// event gets what sentry-go would have given it; a transaction that is not
// sampled is never sent, and gets none.
//
// Until then, the hub sentry-go finds on the transaction's context is the
// work's: sentry-go samples the transaction with that hub's client, and
// spans started from the transaction's own context (tx.StartChild) are
// current on the work's scope, as they would be without this package.
// Finishing it through this package (Middleware, Process,
// FinishTransaction, a task's end) puts the sender there first. A
// transaction that Continue started and the caller ends with Finish is
// sent as sentry-go sends it.
type sender struct {
	// hub is the hub sentry-go finds on the transaction's context.
	hub  atomic.Pointer[sentry.Hub]
	work *sentry.Hub
	tx   *sentry.Span
	// final is what the transaction ends with; written by the goroutine
	// that finishes it, before Finish, which reads it in the processor.
	final txFinal
}

// txFinal is what a transaction ends with, given to its event.
type txFinal struct {
	name   string // "" keeps the name the transaction started with
	source sentry.TransactionSource
	status sentry.SpanStatus // SpanStatusUndefined keeps the span's
}

type senderKey struct{}

// senderContext is the context a transaction is started with: it answers
// sentry-go's lookup of the hub with the sender's current hub, and this
// package's lookup of the sender.
type senderContext struct {
	context.Context
	s *sender
}

func (c *senderContext) Value(key any) any {
	switch key {
	case sentry.HubContextKey:
		return c.s.hub.Load()
	case senderKey{}:
		return c.s
	}
	return c.Context.Value(key)
}

// startTransaction starts a transaction with op on ctx, to be sent by a
// sender, continuing p's trace when p is not nil, and returns it with the
// context the work runs with: ctx's, carrying the transaction and work,
// the hub the work uses, on whose scope the transaction is current.
// Spans on ctx are not the parent: ctx must hide them (detachedContext).
//
// The transaction's dynamic sampling context is p's when p is not nil,
// frozen now, so that outgoing requests forward it unchanged.
func startTransaction(ctx context.Context, work *sentry.Hub, op string, p *remoteParent, opts ...sentry.SpanOption) (context.Context, *sentry.Span) {
	if p != nil {
		opts = append(opts, p.continueTrace)
	}
	s := &sender{work: work}
	s.hub.Store(work)
	tx := sentry.StartSpan(&senderContext{ctx, s}, op, opts...)
	s.tx = tx
	if p != nil {
		freezeDSC(tx, p.dsc, p.sampled)
	}
	return sentry.SetHubOnContext(tx.Context(), work), tx
}

// senderOf returns the sender of tx, or nil when this package did not
// start tx.
func senderOf(tx *sentry.Span) *sender {
	// A child span is never one: spare it a walk up its context.
	if !tx.IsTransaction() {
		return nil
	}
	if s, ok := tx.Context().Value(senderKey{}).(*sender); ok && s.tx == tx {
		return s
	}
	return nil
}

// finishTransaction finishes tx, giving its event f: through its sender
// when this package started it, else by writing the span.
func finishTransaction(tx *sentry.Span, f txFinal) {
	if s := senderOf(tx); s != nil {
		s.final = f
		if tx.Sampled.Bool() {
			s.hub.Store(s.sendingHub())
		}
		tx.Finish()
		return
	}
	if f.status != sentry.SpanStatusUndefined {
		tx.Status = f.status
	}
	tx.Finish()
}

// sendingHub returns the hub tx is sent through: on the work's client,
// with a copy of the work's scope as it is now, without its span, with
// tx's ids and the head's sampling context, and the processor that gives
// the transaction what it ends with.
func (s *sender) sendingHub() *sentry.Hub {
	tx := s.tx
	scope := s.work.Scope().Clone()
	scope.SetSpan(nil)
	scope.SetPropagationContext(sentry.PropagationContext{
		TraceID:                tx.TraceID,
		SpanID:                 tx.SpanID,
		ParentSpanID:           tx.ParentSpanID,
		DynamicSamplingContext: sendDSC(tx, &s.final).dsc,
	})
	// The clone's processors are the work scope's, capped: this appends to
	// a copy.
	scope.AddEventProcessor(s.process)
	return sentry.NewHub(s.work.Client(), scope)
}

// process is the sending scope's last event processor. It runs in the
// goroutine that sends the transaction; an error captured later through
// the sender hub (by code holding tx.Context()) goes through untouched.
func (s *sender) process(event *sentry.Event, _ *sentry.EventHint) *sentry.Event {
	if event == nil || event.Type != "transaction" {
		return event
	}
	tx := s.tx
	f := &s.final
	// With no span on the scope, sentry-go replaced the transaction's trace
	// context with the propagation context's ids: give it back, with the
	// status the transaction ended with.
	status := f.status
	if status == sentry.SpanStatusUndefined {
		status = tx.Status
	}
	event.Contexts["trace"] = sentry.TraceContext{
		TraceID:      tx.TraceID,
		SpanID:       tx.SpanID,
		ParentSpanID: tx.ParentSpanID,
		Op:           tx.Op,
		Description:  tx.Description,
		Status:       status,
		Data:         tx.Data, // as toEvent put it: the span has ended
	}.Map()
	// sentry-go 0.50 sends a transaction's origin nowhere: its trace
	// context has no field for it, where Sentry reads it.
	if tx.Origin != "" {
		event.Contexts["trace"]["origin"] = string(tx.Origin)
	}
	if f.name != "" {
		event.Transaction = f.name
		if event.TransactionInfo == nil {
			event.TransactionInfo = &sentry.TransactionInfo{}
		}
		event.TransactionInfo.Source = f.source
	}
	return event
}
