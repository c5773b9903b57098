package errgroups

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Only is the one use of errgroup in its file: the fix drops the import.
func Only(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return fetch(ctx, 4) }) // want "errgroup tasks share the Sentry hub on ctx"
	return g.Wait()
}
