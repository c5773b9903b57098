package sentrytaskgrpc

import (
	"context"

	"github.com/sentrytask/sentrytask"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
)

// NewClientHandler returns a stats handler, for grpc.WithStatsHandler, for
// a connection to target (what is given to grpc.NewClient). Every call on
// the connection, unary or streaming, gets a "grpc.client" span below the
// span on the call's context, named after its full method, with the RPC
// data of OpenTelemetry's conventions and server.address; it ends with the
// call's code, when the call ends. A streaming call's span covers the
// stream: it ends when the stream does (its last message or error
// received, or its context cancelled); a stream abandoned without either
// is watched by the client's OrphanDetector, as an unclosed HTTP body is.
// When grpc-go retries a call, each attempt gets a span.
//
// The call's metadata carries the trace of that span (or, with no sampled
// span, of the context) when the connection's authority matches the
// propagation targets: the client's TracePropagationTargets, or
// WithPropagationTargets. The authority is the one grpc-go sends for
// target, in any form grpc.NewClient takes ("catalog.internal:443",
// "dns:///catalog.internal:443", "dns:catalog.internal:443",
// "unix:catalog.sock" is "localhost"; a connection made with
// grpc.WithAuthority sends that one instead, which the handler does not
// see). Everything is resolved from the call's context when the call is
// made, so a connection made before sentry.Init is traced like one made
// after. The caller's metadata is never written. Trace metadata it holds
// (a gateway forwarding its caller's) is replaced within the targets,
// traceparent included, and removed outside them, where the caller's
// other baggage members go on as they were written; the baggage carries
// the sampling context the head of the trace froze, unchanged.
func NewClientHandler(target string, opts ...ClientOption) stats.Handler {
	h := &clientHandler{authority: authority(target), cfg: newClientConfig(opts)}
	h.host, h.port = hostPort(h.authority)
	return h
}

type clientHandler struct {
	authority string
	host      string // server.address: the authority's host
	port      int    // server.port; 0 when the authority names none
	cfg       clientConfig
}

type clientCallKey struct{}

// TagRPC starts the call's span and puts the trace into its metadata.
func (h *clientHandler) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	md, _ := metadata.FromOutgoingContext(ctx)
	out := &outgoing{md: md}
	call := sentrytask.StartCall(ctx, out, "grpc.client", info.FullMethodName,
		destination(h.authority, info.FullMethodName), h.cfg.callOpts...)
	call.SetData(dataSystem, "grpc")
	if service, method := splitMethod(info.FullMethodName); service != "" {
		call.SetData(dataService, service)
		call.SetData(dataMethod, method)
	}
	if h.host != "" {
		call.SetData("server.address", h.host)
		if h.port != 0 {
			call.SetData("server.port", h.port)
		}
	}
	if out.changed {
		ctx = metadata.NewOutgoingContext(ctx, out.md)
	}
	return context.WithValue(ctx, clientCallKey{}, call)
}

// HandleRPC ends the call's span when the call ends.
func (h *clientHandler) HandleRPC(ctx context.Context, s stats.RPCStats) {
	end, ok := s.(*stats.End)
	if !ok {
		return
	}
	call, _ := ctx.Value(clientCallKey{}).(*sentrytask.Call)
	if call == nil {
		return
	}
	c := code(end.Error)
	call.SetData(dataStatusCode, int(c))
	call.End(spanStatus(c))
}

// TagConn implements stats.Handler.
func (h *clientHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

// HandleConn implements stats.Handler.
func (h *clientHandler) HandleConn(context.Context, stats.ConnStats) {}
