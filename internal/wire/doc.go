// Package wire reads and writes the trace context as it crosses processes:
// sentry-trace, W3C traceparent and baggage headers, the dynamic sampling
// context carried in baggage, and the propagation targets that decide
// which requests may carry them. It is stateless: everything here is a
// function of its arguments, and everything it reads is untrusted, so
// every parser is bounded and fuzzed.
package wire
