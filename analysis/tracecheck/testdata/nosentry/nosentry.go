// Package nosentry depends on no package that reads a Sentry hub, so a
// context it shares carries nothing it could misuse: nothing is reported.
package nosentry

import "context"

func work(ctx context.Context, n int) { _ = ctx; _ = n }

// Start shares ctx with its goroutines.
func Start(ctx context.Context) {
	go work(ctx, 1)
	go func() { work(ctx, 2) }()
}
