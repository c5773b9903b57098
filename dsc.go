package sentrytask

import (
	"maps"
	"sync"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// frozenDSC is a transaction's dynamic sampling context, fixed once and
// encoded once. Every service in a trace must send the head's values
// unchanged — in the baggage it forwards and in the envelopes it sends —
// and encoding them is the costly part of an outgoing request.
type frozenDSC struct {
	once    sync.Once
	dsc     sentry.DynamicSamplingContext
	baggage string // the sentry-* baggage members
	members int    // how many members baggage holds
}

var transactionDSCs weakCache[sentry.Span, frozenDSC]

// dscOf returns the frozen dynamic sampling context of the transaction tx,
// freezing it now if nothing has: the first time a trace leaves this
// process, or its transaction is sent.
//
// For a transaction this package did not freeze when starting it, the first
// call freezes it, under f.once: sentry-go freezes a transaction's context
// on the first ToBaggage without a lock, so concurrent first calls would
// race. The head of a trace (no parent) gets its context from its own
// properties, as ToBaggage would, without ToBaggage's encoding, which costs
// some 15 µs and 200 allocations, and with a sample_rand, which sentry-go
// never writes. A transaction that continued a trace has its context
// frozen already, and ToBaggage on it only reads it. ToBaggage is never
// called on a child span: there it rebuilds the context from the local
// transaction and overwrites what the head of the trace sent.
func dscOf(tx *sentry.Span) *frozenDSC {
	return frozen(tx, tx.Name, tx.Source)
}

// sendDSC returns the context tx's envelope carries: the frozen one, or,
// for a head whose trace never left this process, its own, with the name
// it ends with.
func sendDSC(tx *sentry.Span, f *txFinal) *frozenDSC {
	if f.name != "" {
		return frozen(tx, f.name, f.source)
	}
	return dscOf(tx)
}

func frozen(tx *sentry.Span, name string, source sentry.TransactionSource) *frozenDSC {
	f := transactionDSCs.getOrAttach(tx, func(*sentry.Span) *frozenDSC { return new(frozenDSC) })
	f.once.Do(func() {
		if tx.ParentSpanID != (sentry.SpanID{}) {
			// Continued by sentry-go itself, with the context it came with.
			f.set(withSampleRand(wire.ParseDSC([]string{tx.ToBaggage()}), tx.TraceID, tx.Sampled))
			return
		}
		dsc := sentry.DynamicSamplingContextFromTransaction(tx)
		if source != "" && source != sentry.SourceURL {
			dsc.Entries["transaction"] = name
		} else {
			delete(dsc.Entries, "transaction")
		}
		dsc.Entries[wire.SampleRandKey] = wire.SampleRand(tx.TraceID, tx.Sampled, dsc.Entries["sample_rate"])
		// Frozen on the transaction too, so that sentry-go's own ToBaggage
		// (another integration's outgoing request) forwards the same. It
		// writes the map only while sampling, which is over.
		tx.SetDynamicSamplingContext(dsc)
		f.set(dsc)
	})
	return f
}

// freezeDSC records the context of a transaction this package started by
// continuing a trace: the one that came with the trace, even if empty, with
// a sample_rand consistent with the caller's decision when it came without
// one (see withSampleRand).
func freezeDSC(tx *sentry.Span, dsc sentry.DynamicSamplingContext, sampled sentry.Sampled) {
	f := new(frozenDSC)
	f.once.Do(func() { f.set(withSampleRand(dsc, tx.TraceID, sampled)) })
	transactionDSCs.attach(tx, f)
}

// withSampleRand returns dsc, a context that came with a trace, with a
// sample_rand derived from the trace's decision and the context's rate if
// it has none: Sentry's spec asks a service that continues such a trace to
// fix one as the head would have, and every service after it then samples
// the trace alike. An empty context stays empty: it came from a caller
// that sent no sampling context (a W3C traceparent, an SDK that predates
// baggage), and this service is not the head that would fix one.
func withSampleRand(dsc sentry.DynamicSamplingContext, traceID sentry.TraceID, sampled sentry.Sampled) sentry.DynamicSamplingContext {
	if len(dsc.Entries) == 0 || dsc.Entries[wire.SampleRandKey] != "" {
		return dsc
	}
	entries := maps.Clone(dsc.Entries)
	entries[wire.SampleRandKey] = wire.SampleRand(traceID, sampled, entries["sample_rate"])
	return sentry.DynamicSamplingContext{Entries: entries, Frozen: true}
}

func (f *frozenDSC) set(dsc sentry.DynamicSamplingContext) {
	f.dsc = sentry.DynamicSamplingContext{Entries: dsc.Entries, Frozen: true}
	f.baggage, f.members = wire.EncodeDSC(dsc.Entries)
}
