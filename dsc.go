package sentrytask

import (
	"sync"

	"github.com/getsentry/sentry-go"
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
// call freezes it with tx.ToBaggage, under f.once: sentry-go freezes a head
// transaction's context on the first ToBaggage without a lock, so concurrent
// first calls would race. ToBaggage is called on the transaction and never
// on a child, because on a child it rebuilds the context from the local
// transaction and overwrites what the head of the trace sent.
func dscOf(tx *sentry.Span) *frozenDSC {
	f := transactionDSCs.getOrAttach(tx, func(*sentry.Span) *frozenDSC { return new(frozenDSC) })
	f.once.Do(func() { f.set(parseDSC([]string{tx.ToBaggage()})) })
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
	f.baggage, f.members = encodeDSC(dsc.Entries)
}
