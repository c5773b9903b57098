package sentrytask

import (
	"errors"
	"fmt"

	"github.com/getsentry/sentry-go"
)

// A task's error or panic value is the user's: its Error, Is, As and
// Unwrap methods may panic (a typed nil pointer whose Error dereferences
// its receiver is the usual one). Everything this package asks of such a
// value goes through the functions here, which turn a panic in a user's
// method into an answer instead of a crash; a crash inside a deferred
// recover would take the process down with "panic while printing panic
// value".

// eventFromError is client.EventFromException, which calls err's Error and
// Unwrap methods; when one of them panics, the event says so instead.
func eventFromError(client *sentry.Client, err error, level sentry.Level) (event *sentry.Event) {
	defer func() {
		if r := recover(); r != nil {
			event = sentry.NewEvent()
			event.Level = level
			event.Exception = []sentry.Exception{{
				Type: fmt.Sprintf("%T", err),
				// fmt recovers a panic in r's own Error method.
				Value:      fmt.Sprintf("(%T).Error method panicked: %v", err, r),
				Stacktrace: sentry.NewStacktrace(),
			}}
		}
	}()
	return client.EventFromException(err, level)
}

// errorIs is errors.Is, false when a method of err's chain panics.
func errorIs(err, target error) (is bool) {
	defer func() {
		if recover() != nil {
			is = false
		}
	}()
	return errors.Is(err, target)
}

// isPanicError reports whether err is or wraps a *PanicError: a panic that
// was reported when it was recovered.
func isPanicError(err error) (is bool) {
	defer func() {
		if recover() != nil {
			is = false
		}
	}()
	var pe *PanicError
	return errors.As(err, &pe)
}
