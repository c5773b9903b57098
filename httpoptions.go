package sentrytask

import (
	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// The options of the two sides of a request are of two types, as grpc-go's
// DialOption and ServerOption are: an option given to the side it does not
// apply to does not compile.

// A TransportOption configures the sending side of a request or call:
// NewTransport, NewRequestEditor and StartCall. WithPropagationTargets,
// WithTraceparent and WithFilter are TransportOptions.
type TransportOption interface {
	applyTransport(*transportConfig)
}

// A MiddlewareOption configures Middleware, the receiving side of a
// request. WithHub, WithRecover500 and WithFilter are MiddlewareOptions.
type MiddlewareOption interface {
	applyMiddleware(*middlewareConfig)
}

// transportConfig is the resolved form of a list of TransportOptions.
type transportConfig struct {
	targets     *wire.Targets // nil: the client's
	traceparent bool
	filter      Filter
	origin      sentry.SpanOrigin // StartCall's spans; "" for its default
}

// traces reports whether the filter, if there is one, lets in be traced.
func (c *transportConfig) traces(in FilterInput) bool { return c.filter == nil || c.filter(in) }

func newTransportConfig(opts []TransportOption) transportConfig {
	var c transportConfig
	for _, opt := range opts {
		if opt != nil {
			opt.applyTransport(&c)
		}
	}
	return c
}

// middlewareConfig is the resolved form of a list of MiddlewareOptions.
type middlewareConfig struct {
	recover500 bool
	hub        *sentry.Hub // nil: the request's, else the global hub
	filter     Filter
}

func newMiddlewareConfig(opts []MiddlewareOption) middlewareConfig {
	var c middlewareConfig
	for _, opt := range opts {
		if opt != nil {
			opt.applyMiddleware(&c)
		}
	}
	return c
}

type transportOption func(*transportConfig)

func (o transportOption) applyTransport(c *transportConfig) { o(c) }

type middlewareOption func(*middlewareConfig)

func (o middlewareOption) applyMiddleware(c *middlewareConfig) { o(c) }

// targetsOf returns the targets that decide which requests carry trace
// headers: the options', or else those of st's client.
func (c *transportConfig) targetsOf(st *clientState) *wire.Targets {
	if c.targets != nil {
		return c.targets
	}
	return &st.targets
}

// WithPropagationTargets replaces, for one transport, request editor or
// call, the client's TracePropagationTargets: only requests to these
// targets carry trace headers. With no targets, no request does — for a
// client that only calls third parties. See NewTransport for what a target
// matches.
func WithPropagationTargets(targets ...string) TransportOption {
	t := wire.CompileOnly(targets)
	return transportOption(func(c *transportConfig) { c.targets = &t })
}

// WithTraceparent adds the W3C traceparent header to every request that
// carries trace headers, whatever the client's PropagateTraceparent says.
func WithTraceparent() TransportOption {
	return transportOption(func(c *transportConfig) { c.traceparent = true })
}

// WithOrigin sets the origin of the spans StartCall starts, for an
// integration built on it, which Sentry shows as the integration that made
// them: the gRPC module's calls are "auto.rpc.sentrytask.grpc". Without
// it, a call's span is "auto.rpc.sentrytask". NewTransport's spans are
// always "auto.http.sentrytask".
func WithOrigin(origin sentry.SpanOrigin) TransportOption {
	return transportOption(func(c *transportConfig) { c.origin = origin })
}

// WithRecover500 makes Middleware answer a panicking request with 500
// Internal Server Error (if nothing was written yet) instead of panicking
// again after reporting it. The default re-panic lets net/http (or another
// middleware further out) do what it does with panics.
func WithRecover500() MiddlewareOption {
	return middlewareOption(func(c *middlewareConfig) { c.recover500 = true })
}

// WithHub makes Middleware fork hub for each request, as the gRPC
// module's WithHub makes its server do. Without it, Middleware forks the
// hub on the request's context, which the server's BaseContext (or a
// middleware further out) puts there, else the global hub that
// sentry.Init sets up.
func WithHub(hub *sentry.Hub) MiddlewareOption {
	return middlewareOption(func(c *middlewareConfig) { c.hub = hub })
}
