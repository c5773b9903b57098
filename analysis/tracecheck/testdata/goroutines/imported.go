package goroutines

import (
	"context"

	st "github.com/sentrytask/sentrytask"
)

// Renamed uses the name the file already imports sentrytask under.
func Renamed(ctx context.Context) {
	_ = st.Go(ctx, func(ctx context.Context) error { process(ctx, 10); return nil })
	go process(ctx, 11) // want "this goroutine shares the Sentry hub on ctx"
}
