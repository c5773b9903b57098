package sentrytask

import (
	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// An HTTPOption configures NewTransport, NewRequestEditor or Middleware:
// one type for both sides of a request, as otelhttp has, so that options
// can be kept together. An option for the other side is not ignored: the
// constructor given it panics, naming it.
type HTTPOption func(*httpConfig)

// httpConfig is the resolved form of a list of HTTPOptions for one side.
type httpConfig struct {
	side  httpSide
	where string // the constructor, for messages

	targets     *wire.Targets // client side; nil: the client's
	traceparent bool          // client side
	recover500  bool          // server side
	hub         *sentry.Hub   // server side; nil: the request's, else the global hub
}

type httpSide uint8

const (
	clientOptions httpSide = iota // NewTransport, NewRequestEditor
	serverOptions                 // Middleware
)

func newHTTPConfig(where string, side httpSide, opts []HTTPOption) httpConfig {
	c := httpConfig{side: side, where: where}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

// only panics unless the options are for side: name is the option.
func (c *httpConfig) only(side httpSide, name string) {
	if c.side != side {
		applies := "NewTransport and NewRequestEditor"
		if side == serverOptions {
			applies = "Middleware"
		}
		panic("sentrytask: " + name + " given to " + c.where + "; it applies to " + applies)
	}
}

// targetsOf returns the targets that decide which requests carry trace
// headers: the options', or else those of st's client.
func (c *httpConfig) targetsOf(st *clientState) *wire.Targets {
	if c.targets != nil {
		return c.targets
	}
	return &st.targets
}

// WithPropagationTargets replaces, for one transport or request editor, the
// client's TracePropagationTargets: only requests to these targets carry
// trace headers. With no targets, no request does — for a client that only
// calls third parties. See NewTransport for what a target matches.
func WithPropagationTargets(targets ...string) HTTPOption {
	t := wire.CompileOnly(targets)
	return func(c *httpConfig) {
		c.only(clientOptions, "WithPropagationTargets")
		c.targets = &t
	}
}

// WithTraceparent adds the W3C traceparent header to every request that
// carries trace headers, whatever the client's PropagateTraceparent says.
func WithTraceparent() HTTPOption {
	return func(c *httpConfig) {
		c.only(clientOptions, "WithTraceparent")
		c.traceparent = true
	}
}

// WithRecover500 makes Middleware answer a panicking request with 500
// Internal Server Error (if nothing was written yet) instead of panicking
// again after reporting it. The default re-panic lets net/http (or another
// middleware further out) do what it does with panics.
func WithRecover500() HTTPOption {
	return func(c *httpConfig) {
		c.only(serverOptions, "WithRecover500")
		c.recover500 = true
	}
}

// WithHub makes Middleware fork hub for each request, as the gRPC
// module's WithHub makes its server do. Without it, Middleware forks the
// hub on the request's context, which the server's BaseContext (or a
// middleware further out) puts there, else the global hub that
// sentry.Init sets up.
func WithHub(hub *sentry.Hub) HTTPOption {
	return func(c *httpConfig) {
		c.only(serverOptions, "WithHub")
		c.hub = hub
	}
}
