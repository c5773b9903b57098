// Package sentrytaskgrpc keeps Sentry traces whole across gRPC: every RPC a
// server handles runs with a hub of its own and continues the caller's
// trace, and every call a client makes gets a span and carries the trace,
// resolved from the call's context when it is made.
//
// One option on the server and one on the dial, as with OpenTelemetry's
// otelgrpc:
//
//	srv := grpc.NewServer(sentrytaskgrpc.ServerOptions()...)
//
//	conn, err := grpc.NewClient(target, grpc.WithStatsHandler(sentrytaskgrpc.NewClientHandler(target)))
//
// On the server, each RPC, unary or streaming, is a "grpc.server"
// transaction named after its full method (/package.Service/Method),
// continuing the trace its metadata carries (sentry-trace and baggage, or
// W3C traceparent), with a fork of the server's hub (WithHub, else the hub
// on the RPC's context, else the global hub) and the RPC data of
// OpenTelemetry's conventions; its status is the RPC's code. A panicking
// handler is reported once, on the transaction.
//
// On the client, each call (each attempt, when grpc-go retries) is a
// "grpc.client" span below the span on the call's context, ending when the
// call does; its metadata carries the trace when the connection's target
// matches the propagation targets, the same rules as for HTTP.
//
// grpc-go needs Go 1.26, and so does this module; the sentrytask module does
// not depend on it.
//
// Import it as
//
//	import sentrytaskgrpc "github.com/sentrytask/sentrytask/grpc"
package sentrytaskgrpc
