package sentrytaskgrpc

import (
	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// An Option configures the server's handler and interceptors (WithHub,
// WithRecoverPanics) or the client's handler (WithPropagationTargets,
// WithTraceparent). An option for the other side panics, naming it.
type Option func(*config)

type side uint8

const (
	serverSide side = iota
	clientSide
)

type config struct {
	side  side
	where string // the constructor, for messages

	hub           *sentry.Hub             // server
	recoverPanics bool                    // server
	httpOpts      []sentrytask.HTTPOption // client: for sentrytask.StartCall
}

func newConfig(where string, s side, opts []Option) config {
	c := config{side: s, where: where}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

// only panics unless the options are for s: name is the option.
func (c *config) only(s side, name string) {
	if c.side != s {
		applies := "the server's handler and interceptors"
		if s == clientSide {
			applies = "NewClientHandler"
		}
		panic("sentrytaskgrpc: " + name + " given to " + c.where + "; it applies to " + applies)
	}
}

// WithHub makes the server fork hub for each RPC: grpc-go gives a server
// no base context to carry one. Without it, each RPC forks the hub on its
// context (which a stats handler or interceptor further out may have put
// there), else the global hub.
func WithHub(hub *sentry.Hub) Option {
	return func(c *config) {
		c.only(serverSide, "WithHub")
		c.hub = hub
	}
}

// WithRecoverPanics makes the server answer a panicking RPC with
// codes.Internal, after reporting the panic, instead of raising it again.
// grpc-go recovers no panics: by default one ends the program, as it would
// without this package, once the report and the RPC's transaction are
// delivered.
func WithRecoverPanics() Option {
	return func(c *config) {
		c.only(serverSide, "WithRecoverPanics")
		c.recoverPanics = true
	}
}

// WithPropagationTargets replaces, for one client handler, the client's
// TracePropagationTargets: only calls to a target they match carry trace
// metadata. A call is matched as grpc://authority/package.Service/Method,
// so "catalog.internal" matches every call to that host or its subdomains
// and "^grpc://catalog\.internal:443/acme\.Catalog/" one service there
// (see sentrytask.NewTransport for the forms). With no targets, no call
// carries the trace.
func WithPropagationTargets(targets ...string) Option {
	o := sentrytask.WithPropagationTargets(targets...)
	return func(c *config) {
		c.only(clientSide, "WithPropagationTargets")
		c.httpOpts = append(c.httpOpts, o)
	}
}

// WithTraceparent adds W3C traceparent metadata to every call that carries
// the trace, whatever the client's PropagateTraceparent says.
func WithTraceparent() Option {
	return func(c *config) {
		c.only(clientSide, "WithTraceparent")
		c.httpOpts = append(c.httpOpts, sentrytask.WithTraceparent())
	}
}
