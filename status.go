package sentrytask

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// errorStatus is the status of a span that ended with err: a task's, an
// Instrument's, or an outgoing request's that failed before any response
// (a response's status comes from its code, sentry.HTTPtoSpanStatus).
func errorStatus(err error) sentry.SpanStatus {
	switch {
	case err == nil:
		return sentry.SpanStatusOK
	case errorIs(err, context.Canceled):
		return sentry.SpanStatusCanceled
	case errorIs(err, context.DeadlineExceeded):
		return sentry.SpanStatusDeadlineExceeded
	default:
		return sentry.SpanStatusInternalError
	}
}
