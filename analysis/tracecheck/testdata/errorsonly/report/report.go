package report // want package:"usesSentry"

// Package report is a program's small error-reporting helper: it reaches
// sentry-go, but never a hub on a context.

import (
	"context"
	"log"

	"github.com/getsentry/sentry-go"
)

// Error logs err and captures it on the global hub; ctx only travels with
// the log line.
func Error(ctx context.Context, err error) {
	log.Printf("%v: %v", ctx.Value("request"), err)
	sentry.CaptureException(err)
}
