package sentrytaskgrpc

import (
	"context"
	"time"

	"github.com/sentrytask/sentrytask"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// panicFlushTimeout bounds the wait for a panic's report, and the RPC's
// transaction, to be delivered before the panic ends the program.
const panicFlushTimeout = 2 * time.Second

// UnaryServerInterceptor returns an interceptor that reports a panic in a
// unary handler once, on the RPC's transaction (a panic that a layer of
// sentrytask further in reported on its way out is not sent again), and
// then raises it again, having delivered the report and the transaction,
// or, WithRecoverPanics, answers codes.Internal. ServerOptions installs it.
func UnaryServerInterceptor(opts ...ServerOption) grpc.UnaryServerInterceptor {
	cfg := newServerConfig(opts)
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = cfg.panicked(ctx, r)
			}
		}()
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming RPCs.
func StreamServerInterceptor(opts ...ServerOption) grpc.StreamServerInterceptor {
	cfg := newServerConfig(opts)
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		ctx := ss.Context()
		defer func() {
			if r := recover(); r != nil {
				err = cfg.panicked(ctx, r)
			}
		}()
		return handler(srv, ss)
	}
}

// errInternal is what a recovered panic answers: its value may hold
// anything, which is not the caller's to see.
var errInternal = status.Error(codes.Internal, "internal error")

// panicked reports r, recovered from the handler of the RPC on ctx, and
// returns the RPC's error, or raises r again. It is called from the
// deferred call that recovered r: ReportPanic reads the panicking frames.
func (c *serverConfig) panicked(ctx context.Context, r any) error {
	sentrytask.ReportPanic(ctx, r)
	if c.recoverPanics {
		return errInternal // the RPC's end finishes its transaction
	}
	// The program ends with the panic: send the transaction now.
	if rpc := serverRPCFrom(ctx); rpc != nil {
		rpc.finish(codes.Internal)
	}
	sentrytask.HubFromContext(ctx).Flush(panicFlushTimeout)
	panic(r)
}
