package store // want package:"usesSentry"

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// Save records a span.
func Save(ctx context.Context, key string) { // want Save:"uses ctx: sentry.StartSpan at store.go:11"
	sentry.StartSpan(ctx, "store.save", sentry.WithDescription(key)).Finish()
}
