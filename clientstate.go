package sentrytask

import (
	"strconv"
	"sync/atomic"
	"weak"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// clientState is what propagation needs from a client's options, derived
// once per client: ClientOptions is a large struct copied on every
// Options() call, and the DSN and the targets need parsing. It is derived
// from the options only, and attached to the client without writing to
// it (weakcache.go): nothing in this package writes to a client it did not
// make, which other goroutines may be sending events through.
type clientState struct {
	tracing     bool
	traceparent bool // ClientOptions.PropagateTraceparent
	strict      bool // ClientOptions.StrictTraceContinuation
	orgID       uint64
	targets     wire.Targets
	// static holds the dynamic sampling context entries that do not depend
	// on the trace: public_key, org_id, release, environment, sample_rate.
	static map[string]string
	// dc is the client's resolved DataCollection: what automatic
	// instrumentation may record of requests.
	dc sentry.DataCollection
	// scratch is a hub on the client whose scope nobody reads (see
	// scratchHub), held weakly: the state lives as long as its client, and
	// a hub holds its client.
	scratch atomic.Pointer[weak.Pointer[sentry.Hub]]
}

// clientStates maps a client to its state for as long as the client lives.
var clientStates weakCache[sentry.Client, clientState]

// stateOf returns the derived state of an enabled client.
func stateOf(client *sentry.Client) *clientState {
	return clientStates.getOrAttach(client, newClientState)
}

// scratchHub returns a hub on client, the state's, whose scope nobody
// reads. Spans this package starts in the caller's goroutine without
// wanting them current (an outgoing request's, a message's) are started on
// it, because sentry-go's StartSpan and Finish move the current span of
// the hub they find. The hub lives while spans refer to it; once the
// collector has taken it, the next span gets a new one.
func (s *clientState) scratchHub(client *sentry.Client) *sentry.Hub {
	if p := s.scratch.Load(); p != nil {
		if h := p.Value(); h != nil {
			return h
		}
	}
	h := sentry.NewHub(client, sentry.NewScope())
	p := weak.Make(h)
	s.scratch.Store(&p)
	return h
}

func newClientState(client *sentry.Client) *clientState {
	opts := client.Options()
	s := &clientState{
		tracing:     opts.EnableTracing,
		traceparent: opts.PropagateTraceparent,
		strict:      opts.StrictTraceContinuation,
		targets:     wire.CompileTargets(opts.TracePropagationTargets),
		static:      make(map[string]string, 5),
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
	if opts.DataCollection != nil { // resolved by NewClient
		s.dc = *opts.DataCollection
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
