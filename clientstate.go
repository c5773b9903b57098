package sentrytask

import (
	"strconv"
	"sync"
	"weak"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// clientState is what propagation needs from a client's options, derived
// once per client: ClientOptions is a large struct copied on every
// Options() call, and the DSN and the targets need parsing.
type clientState struct {
	tracing     bool
	traceparent bool // ClientOptions.PropagateTraceparent
	strict      bool // ClientOptions.StrictTraceContinuation
	orgID       uint64
	targets     wire.Targets
	// static holds the dynamic sampling context entries that do not depend
	// on the trace: public_key, org_id, release, environment, sample_rate.
	static map[string]string
	// scratch is a hub on this client whose scope nobody reads. Spans this
	// package starts in the caller's goroutine without wanting them current
	// (an outgoing request's span) are started on it, because sentry-go's
	// StartSpan and Finish move the current span of the hub they find.
	scratch *sentry.Hub
	// finals holds what server transactions end with until their events
	// are sent (see route.go).
	finals txFinals
}

// clientStates maps a client to its state, weakly on both sides: the state
// holds a hub on the client, so a strong reference from this package would
// keep the client alive forever. The client itself keeps its state alive,
// through an event processor that refers to it.
var (
	clientStates weakCache[sentry.Client, weak.Pointer[clientState]]
	newStateMu   sync.Mutex
)

// stateOf returns the derived state of an enabled client.
func stateOf(client *sentry.Client) *clientState {
	if p := clientStates.get(client); p != nil {
		if s := p.Value(); s != nil {
			return s
		}
	}
	// Serialised so that a client gets one state and one processor.
	newStateMu.Lock()
	defer newStateMu.Unlock()
	if p := clientStates.get(client); p != nil {
		if s := p.Value(); s != nil {
			return s
		}
	}
	s := newClientState(client)
	// The processor refers to s, which keeps s alive as long as the client.
	client.AddEventProcessor(func(e *sentry.Event, _ *sentry.EventHint) *sentry.Event {
		return s.finals.apply(e)
	})
	p := weak.Make(s)
	clientStates.attach(client, &p)
	return s
}

func newClientState(client *sentry.Client) *clientState {
	opts := client.Options()
	s := &clientState{
		tracing:     opts.EnableTracing,
		traceparent: opts.PropagateTraceparent,
		strict:      opts.StrictTraceContinuation,
		targets:     wire.CompileTargets(opts.TracePropagationTargets),
		static:      make(map[string]string, 5),
		scratch:     sentry.NewHub(client, sentry.NewScope()),
	}
	if dsn, err := sentry.NewDsn(opts.Dsn); err == nil {
		s.orgID = dsn.GetOrgID()
		if key := dsn.GetPublicKey(); key != "" {
			s.static["public_key"] = key
		}
	}
	if opts.OrgID != 0 {
		s.orgID = opts.OrgID
	}
	if s.orgID != 0 {
		s.static["org_id"] = strconv.FormatUint(s.orgID, 10)
	}
	if opts.Release != "" {
		s.static["release"] = opts.Release
	}
	if opts.Environment != "" {
		s.static["environment"] = opts.Environment
	}
	if opts.TracesSampleRate != 0 {
		s.static["sample_rate"] = strconv.FormatFloat(opts.TracesSampleRate, 'f', -1, 64)
	}
	return s
}

// continues reports whether a trace whose dynamic sampling context is dsc
// may be continued, by sentry-go's rules: an org_id that differs from this
// client's always starts a new trace, and with StrictTraceContinuation a
// missing one on either side does too, unless both are missing.
func (s *clientState) continues(dsc sentry.DynamicSamplingContext) bool {
	var incoming uint64
	if v := dsc.Entries["org_id"]; v != "" {
		incoming, _ = strconv.ParseUint(v, 10, 64)
	}
	if s.orgID != 0 && incoming != 0 && s.orgID != incoming {
		return false
	}
	if s.strict {
		return s.orgID == incoming
	}
	return true
}
