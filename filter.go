package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// A Filter decides whether a request, an RPC or a message is traced: it
// returns false to leave it out. Middleware, NewTransport, StartCall,
// Process and Pool.Process ask the one WithFilter gives them (every queue
// integration takes it among its process options), and the gRPC module's
// handlers the one its WithFilter gives, with what they are about to
// trace.
//
// What is left out starts no transaction or span, and is not sampled, but
// still carries the trace it was given: its work runs with a fork of the
// hub whose scope continues the caller's trace, so that its errors and its
// own outgoing calls stay in it. A Filter is called for every request: it
// must be quick, and safe for concurrent use.
type Filter func(FilterInput) bool

// FilterInput is what a Filter is asked about.
type FilterInput struct {
	// Op is the operation of the transaction or span it would start:
	// "http.server", "grpc.server", "grpc.client", "queue.process".
	Op string
	// Name says what it is: an HTTP request's path ("/healthz"), an RPC's
	// full method ("/grpc.health.v1.Health/Check"), a message's name (its
	// job kind, else its destination).
	Name string
	// Headers are its headers: an HTTP request's, an RPC's metadata
	// (incoming on a server, outgoing on a client), a message's. Read
	// them only.
	Headers Carrier
}

// WithFilter leaves out of tracing what f returns false for (see Filter):
// given to Middleware, the requests it serves; to NewTransport or
// StartCall, the requests and calls they send ("http.client" named after
// the URL's path, or the call's op and description), which then start no
// span and carry the trace of their context; to Process, Pool.Process or
// a queue integration, the messages. Given more than once, the last wins.
// A message left out sends no transaction, and closes no Sentry Crons
// check-in.
//
// A health-check filter:
//
//	sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
//		return in.Name != "/healthz" && !strings.HasPrefix(in.Headers.Get("User-Agent"), "ELB-HealthChecker")
//	})
func WithFilter(f Filter) FilterOption { return FilterOption{f} }

// FilterOption is WithFilter's: a MiddlewareOption, a TransportOption and
// a ProcessOption.
type FilterOption struct{ f Filter }

func (o FilterOption) applyMiddleware(c *middlewareConfig) { c.filter = o.f }
func (o FilterOption) applyProcess(c *processConfig)       { c.filter = o.f }
func (o FilterOption) applyTransport(c *transportConfig)   { c.filter = o.f }

var (
	_ MiddlewareOption = FilterOption{}
	_ ProcessOption    = FilterOption{}
	_ TransportOption  = FilterOption{}
)

// ContinueUntraced is Continue for work a Filter left out: it returns ctx
// with a fork of its hub (or of the global hub) whose scope continues the
// trace c carries, as Continue reads it (a new trace when c carries none),
// and starts no transaction. Errors captured on that hub, and the calls
// made with ctx, stay in the caller's trace. With no enabled client, ctx
// is returned as it is.
func ContinueUntraced(ctx context.Context, c Carrier) context.Context {
	mustContext(ctx, "ContinueUntraced")
	mustCarrier(c, "ContinueUntraced")
	hub, st := enabledState(ctx)
	if st == nil {
		return ctx
	}
	p := readIncoming(st, values(c, keySentryTrace), values(c, keyBaggage), values(c, keyTraceparent))
	ctx, _ = continueUntraced(ctx, hub, p)
	return ctx
}

// continueUntraced returns ctx with a fork of hub whose scope continues
// p's trace (a new one when p is nil) without a transaction: for work a
// Filter left out. Its outgoing calls name the caller's span as their
// parent, and carry the head's sampling context.
func continueUntraced(ctx context.Context, hub *sentry.Hub, p *remoteParent) (context.Context, *sentry.Hub) {
	ctx, hub = fork(detachedContext{ctx, nil}, hub)
	pc := sentry.NewPropagationContext()
	if p != nil {
		pc.TraceID, pc.SpanID, pc.DynamicSamplingContext = p.traceID, p.spanID, p.dsc
	}
	hub.Scope().SetPropagationContext(pc)
	return ctx, hub
}
