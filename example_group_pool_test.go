package sentrytask_test

import (
	"context"
	"fmt"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// Migrating from errgroup: the same five names, with the task's own context
// passed in.
func ExampleNewGroup() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	tx := sentry.StartTransaction(ctx, "GET /catalog", sentry.WithOpName("http.server"))

	g, _ := sentrytask.NewGroup(tx.Context(), sentrytask.WithSpan("lookup"))
	g.SetLimit(2)
	for _, id := range []string{"books", "films", "games"} {
		g.Go(func(ctx context.Context) error {
			return nil // look id up with ctx
		}, sentrytask.WithDescription(id))
	}
	if err := g.Wait(); err != nil {
		fmt.Println(err)
	}
	tx.Finish()

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// trace
	// └─ transaction http.server "GET /catalog" -
	//    ├─ lookup "books" ok
	//    ├─ lookup "films" ok
	//    └─ lookup "games" ok
}

// A pool built at start-up, before any trace exists, serves every request's
// trace: each submission carries its submitter's.
func ExampleNewPool() {
	pool := sentrytask.NewPool(4, sentrytask.WithSpan("thumbnail"))
	defer pool.Shutdown(context.Background())

	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	for _, request := range []string{"POST /photos/1", "POST /photos/2"} {
		ctx := sentry.SetHubOnContext(context.Background(), hub.Clone())
		tx := sentry.StartTransaction(ctx, request, sentry.WithOpName("http.server"))
		task, err := pool.Submit(tx.Context(), func(ctx context.Context) error {
			return nil // resize with ctx
		})
		if err != nil {
			fmt.Println(err)
			continue
		}
		_ = task.Wait()
		tx.Finish()
	}

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	fmt.Printf("%+v\n", pool.Stats())
	// Output:
	// trace
	// └─ transaction http.server "POST /photos/1" -
	//    └─ thumbnail ok
	//
	// trace
	// └─ transaction http.server "POST /photos/2" -
	//    └─ thumbnail ok
	// {Running:0 Queued:0 Submitted:2 Completed:2 Failed:0 Panicked:0 Rejected:0 NotRun:0}
}
