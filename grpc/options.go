package sentrytaskgrpc

import (
	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// The options of a server and of a client are of two types, as grpc-go's
// own ServerOption and DialOption are: an option given to the side it does
// not apply to does not compile.

// A ServerOption configures the server's handler and interceptors
// (ServerOptions, NewServerHandler, UnaryServerInterceptor,
// StreamServerInterceptor): WithHub, WithRecoverPanics, WithFilter.
type ServerOption interface {
	applyServer(*serverConfig)
}

// A ClientOption configures the client's handler (NewClientHandler):
// WithPropagationTargets, WithTraceparent, WithFilter.
type ClientOption interface {
	applyClient(*clientConfig)
}

type serverConfig struct {
	hub           *sentry.Hub
	recoverPanics bool
	filter        sentrytask.Filter
}

type clientConfig struct {
	callOpts []sentrytask.TransportOption // for sentrytask.StartCall
}

// origin is the origin of the module's transactions and spans, in
// Sentry's convention.
const origin sentry.SpanOrigin = "auto.rpc.sentrytask.grpc"

func newServerConfig(opts []ServerOption) serverConfig {
	var c serverConfig
	for _, opt := range opts {
		if opt != nil {
			opt.applyServer(&c)
		}
	}
	return c
}

func newClientConfig(opts []ClientOption) clientConfig {
	c := clientConfig{callOpts: []sentrytask.TransportOption{sentrytask.WithOrigin(origin)}}
	for _, opt := range opts {
		if opt != nil {
			opt.applyClient(&c)
		}
	}
	return c
}

type serverOption func(*serverConfig)

func (o serverOption) applyServer(c *serverConfig) { o(c) }

type clientOption func(*clientConfig)

func (o clientOption) applyClient(c *clientConfig) { o(c) }

// WithHub makes the server fork hub for each RPC: grpc-go gives a server
// no base context to carry one. Without it, each RPC forks the hub on its
// context (which a stats handler or interceptor further out may have put
// there), else the global hub.
func WithHub(hub *sentry.Hub) ServerOption {
	return serverOption(func(c *serverConfig) { c.hub = hub })
}

// WithRecoverPanics makes the server answer a panicking RPC with
// codes.Internal, after reporting the panic, instead of raising it again.
// grpc-go recovers no panics: by default one ends the program, as it would
// without this package, once the report and the RPC's transaction are
// delivered.
func WithRecoverPanics() ServerOption {
	return serverOption(func(c *serverConfig) { c.recoverPanics = true })
}

// WithPropagationTargets replaces, for one client handler, the client's
// TracePropagationTargets: only calls to a target they match carry trace
// metadata. A call is matched as grpc://authority/package.Service/Method,
// so "catalog.internal" matches every call to that host or its subdomains
// and "^grpc://catalog\.internal:443/acme\.Catalog/" one service there
// (see sentrytask.NewTransport for the forms). With no targets, no call
// carries the trace.
func WithPropagationTargets(targets ...string) ClientOption {
	o := sentrytask.WithPropagationTargets(targets...)
	return clientOption(func(c *clientConfig) { c.callOpts = append(c.callOpts, o) })
}

// WithTraceparent adds W3C traceparent metadata to every call that carries
// the trace, whatever the client's PropagateTraceparent says.
func WithTraceparent() ClientOption {
	o := sentrytask.WithTraceparent()
	return clientOption(func(c *clientConfig) { c.callOpts = append(c.callOpts, o) })
}

// WithFilter leaves out of tracing the RPCs f returns false for, asked
// with op "grpc.server" or "grpc.client", the RPC's full method
// ("/grpc.health.v1.Health/Check") and its metadata: on a server, such an
// RPC starts no transaction, and its handler runs with a fork of the hub
// that continues the caller's trace; on a client, a call starts no span,
// and its metadata carries the trace of its context as any call's does.
// A ServerOption and a ClientOption. Given more than once, the last wins.
func WithFilter(f sentrytask.Filter) FilterOption { return FilterOption{f} }

// FilterOption is WithFilter's: a ServerOption and a ClientOption.
type FilterOption struct{ f sentrytask.Filter }

func (o FilterOption) applyServer(c *serverConfig) { c.filter = o.f }
func (o FilterOption) applyClient(c *clientConfig) {
	c.callOpts = append(c.callOpts, sentrytask.WithFilter(o.f))
}

var (
	_ ServerOption = FilterOption{}
	_ ClientOption = FilterOption{}
)
