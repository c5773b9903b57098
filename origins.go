package sentrytask

import "github.com/getsentry/sentry-go"

// The origins of the spans this package starts, in Sentry's convention
// (auto.<category>.<integration>[.<part>], as sentry-go's integrations
// name theirs, "auto.http.stdlib", "auto.rpc.grpc"): Sentry reads a span's
// origin to say which integration made it.
const (
	// originTask: a task's span (Go, a Group, a Pool with WithSpan),
	// Instrument's span or transaction.
	originTask sentry.SpanOrigin = "auto.function.sentrytask"
	// originHTTP: Middleware's transactions and NewTransport's spans.
	originHTTP sentry.SpanOrigin = "auto.http.sentrytask"
	// originRPC: Continue's transactions and StartCall's spans, unless the
	// integration gives its own (the gRPC module's are
	// "auto.rpc.sentrytask.grpc").
	originRPC sentry.SpanOrigin = "auto.rpc.sentrytask"
	// originQueue: Publish's spans and Process's transactions, followed
	// by the message's system: "auto.queue.sentrytask.river".
	originQueue = "auto.queue.sentrytask"
)

// queueOrigin is the origin of a message's spans: its system's, when the
// system is a name Sentry takes in an origin (letters, digits, "_").
func queueOrigin(system string) sentry.SpanOrigin {
	// The integrations' systems, without a concatenation per message.
	switch system {
	case "river":
		return originQueue + ".river"
	case "nats":
		return originQueue + ".nats"
	case "kafka":
		return originQueue + ".kafka"
	}
	if system == "" || len(system) > 32 {
		return originQueue
	}
	for i := 0; i < len(system); i++ {
		c := system[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return originQueue
		}
	}
	return sentry.SpanOrigin(originQueue + "." + system)
}
