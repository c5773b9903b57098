package sentrytaskgrpc

import (
	"context"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
)

// Data keys of OpenTelemetry's RPC conventions, which sentry-go's own gRPC
// integration uses too.
const (
	dataSystem     = "rpc.system"
	dataService    = "rpc.service"
	dataMethod     = "rpc.method"
	dataStatusCode = "rpc.grpc.status_code"
)

// ServerOptions returns what instruments a server, to pass to
// grpc.NewServer: the stats handler that gives every RPC its transaction
// (NewServerHandler) and the interceptors that report a panicking handler
// on it (UnaryServerInterceptor, StreamServerInterceptor), chained after
// any given before them. The stats handler runs before every interceptor,
// whatever the order of the options.
func ServerOptions(opts ...ServerOption) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.StatsHandler(NewServerHandler(opts...)),
		grpc.ChainUnaryInterceptor(UnaryServerInterceptor(opts...)),
		grpc.ChainStreamInterceptor(StreamServerInterceptor(opts...)),
	}
}

// NewServerHandler returns a stats handler, for grpc.StatsHandler, that
// runs every RPC the server handles, unary or streaming, in a
// "grpc.server" transaction named after its full method
// (/package.Service/Method, source route), continuing the trace its
// metadata carries as sentrytask.Middleware continues an HTTP request's
// (sentry-trace and baggage, else W3C traceparent; missing, malformed or
// oversized metadata starts a new trace). The handler's context carries
// the transaction and a fork of the server's hub (WithHub; else the hub on
// the RPC's context, else the global hub): concurrent RPCs never share a
// scope. The transaction records rpc.system, rpc.service, rpc.method and
// rpc.grpc.status_code, and ends with the status named after the RPC's
// code when the RPC ends.
//
// A call to a method the server does not have is answered by grpc-go
// before any handler runs, and records nothing. Panics need the
// interceptors as well: use ServerOptions.
func NewServerHandler(opts ...ServerOption) stats.Handler {
	return &serverHandler{cfg: newServerConfig(opts)}
}

type serverHandler struct {
	cfg serverConfig
	dc  atomic.Pointer[clientDC] // the last client's DataCollection
}

// serverRPC is an RPC's transaction, on the handler's context.
type serverRPC struct {
	tx       *sentry.Span
	finished atomic.Bool
}

type serverRPCKey struct{}

func serverRPCFrom(ctx context.Context) *serverRPC {
	rpc, _ := ctx.Value(serverRPCKey{}).(*serverRPC)
	return rpc
}

// finish ends the RPC's transaction with the status named after c, once:
// an interceptor that lets a panic go on finishes it first, and grpc-go
// then reports the RPC's end, as it unwinds, with no error.
func (r *serverRPC) finish(c codes.Code) {
	if r.finished.Swap(true) {
		return
	}
	// SetData takes the span's lock: a task the handler left running may
	// read the data.
	r.tx.SetData(dataStatusCode, int(c))
	sentrytask.FinishTransaction(r.tx, spanStatus(c))
}

// TagRPC starts the RPC's transaction, before any interceptor or handler
// runs.
func (h *serverHandler) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	if h.cfg.hub != nil {
		ctx = sentry.SetHubOnContext(ctx, h.cfg.hub)
	}
	md, _ := metadata.FromIncomingContext(ctx)
	if h.cfg.filter != nil && !h.cfg.filter(sentrytask.FilterInput{Op: "grpc.server", Name: info.FullMethodName, Headers: incoming(md)}) {
		return sentrytask.ContinueUntraced(ctx, incoming(md))
	}
	ctx, tx := sentrytask.Continue(ctx, incoming(md), "grpc.server",
		sentry.WithTransactionName(info.FullMethodName),
		sentry.WithTransactionSource(sentry.SourceRoute),
		sentry.WithSpanOrigin(origin))
	h.setRPCContext(ctx, sentry.GetHubFromContext(ctx), info.FullMethodName, md)
	// Not yet visible to any other goroutine.
	tx.SetData(dataSystem, "grpc")
	if service, method := splitMethod(info.FullMethodName); service != "" {
		tx.SetData(dataService, service)
		tx.SetData(dataMethod, method)
	}
	return context.WithValue(ctx, serverRPCKey{}, &serverRPC{tx: tx})
}

// HandleRPC ends the RPC's transaction when the RPC ends.
func (h *serverHandler) HandleRPC(ctx context.Context, s stats.RPCStats) {
	end, ok := s.(*stats.End)
	if !ok {
		return
	}
	if rpc := serverRPCFrom(ctx); rpc != nil {
		rpc.finish(code(end.Error))
	}
}

// TagConn implements stats.Handler.
func (h *serverHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

// HandleConn implements stats.Handler.
func (h *serverHandler) HandleConn(context.Context, stats.ConnStats) {}
