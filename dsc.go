package sentrytask

import (
	"sync"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// frozenDSC is a transaction's dynamic sampling context, fixed once and
// encoded once. Every service in a trace must send the head's values
// unchanged, and encoding them is the costly part of an outgoing request.
type frozenDSC struct {
	once    sync.Once
	dsc     sentry.DynamicSamplingContext
	baggage string // the sentry-* baggage members
	members int    // how many members baggage holds
}

var transactionDSCs weakCache[sentry.Span, frozenDSC]

// dscOf returns the frozen dynamic sampling context of the transaction tx.
//
// For a transaction this package did not freeze when starting it, the first
// call freezes it, under f.once: sentry-go freezes a transaction's context
// on the first ToBaggage without a lock, so concurrent first calls would
// race. The head of a trace (no parent) gets its context from its own
// properties, as ToBaggage would, without ToBaggage's encoding, which costs
// some 15 µs and 200 allocations. A transaction that continued a trace has
// its context frozen already, and ToBaggage on it only reads it. ToBaggage
// is never called on a child span: there it rebuilds the context from the
// local transaction and overwrites what the head of the trace sent.
func dscOf(tx *sentry.Span) *frozenDSC {
	f := transactionDSCs.getOrAttach(tx, func(*sentry.Span) *frozenDSC { return new(frozenDSC) })
	f.once.Do(func() {
		if tx.ParentSpanID != (sentry.SpanID{}) {
			f.set(wire.ParseDSC([]string{tx.ToBaggage()}))
			return
		}
		dsc := sentry.DynamicSamplingContextFromTransaction(tx)
		// Frozen on the transaction too, so that the envelope it is sent
		// in carries what was propagated, even if it is renamed later.
		tx.SetDynamicSamplingContext(dsc)
		// sentry-go writes the map only while sampling, which is over.
		f.set(dsc)
	})
	return f
}

// freezeDSC records the context of a transaction this package started by
// continuing a trace: the one that came with the trace, even if empty.
func freezeDSC(tx *sentry.Span, dsc sentry.DynamicSamplingContext) {
	f := new(frozenDSC)
	f.once.Do(func() { f.set(dsc) })
	transactionDSCs.attach(tx, f)
}

func (f *frozenDSC) set(dsc sentry.DynamicSamplingContext) {
	f.dsc = sentry.DynamicSamplingContext{Entries: dsc.Entries, Frozen: true}
	f.baggage, f.members = wire.EncodeDSC(dsc.Entries)
}
