package store // want package:"usesSentry"

import (
	"context"

	"github.com/getsentry/sentry-go"
)

// Save records a span.
func Save(ctx context.Context, key string) {
	sentry.StartSpan(ctx, "store.save", sentry.WithDescription(key)).Finish()
}
