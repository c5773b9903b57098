package sentrytaskriver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/sentrytask/sentrytask"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

type welcomeArgs struct {
	User string `json:"user"`
}

func (welcomeArgs) Kind() string { return "welcome.send" }

type welcomeWorker struct {
	river.WorkerDefaults[welcomeArgs]
}

func (welcomeWorker) Work(ctx context.Context, job *river.Job[welcomeArgs]) error {
	return sentrytask.Instrument(ctx, "smtp.send", func(context.Context) error { return nil })
}

// A job inserted in a request's transaction is worked in a transaction
// that continues the request's trace, on River with SQLite here, on
// PostgreSQL in production, the same way.
func ExampleNewMiddleware() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "river")
	defer os.RemoveAll(dir)
	db, _ := sql.Open("sqlite", filepath.Join(dir, "river.db"))
	defer db.Close()
	db.SetMaxOpenConns(1)
	driver := riversqlite.New(db)
	migrator, _ := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet})
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		panic(err)
	}

	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())

	workers := river.NewWorkers()
	river.AddWorker(workers, welcomeWorker{})
	riverClient, err := river.NewClient(driver, &river.Config{
		Middleware: []rivertype.Middleware{sentrytaskriver.NewMiddleware()},
		Queues:     map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:    workers,
		Logger:     quiet,
	})
	if err != nil {
		panic(err)
	}
	completed, stop := riverClient.Subscribe(river.EventKindJobCompleted)
	defer stop()
	if err := riverClient.Start(sentry.SetHubOnContext(ctx, hub)); err != nil {
		panic(err)
	}

	tx := sentry.StartTransaction(sentry.SetHubOnContext(ctx, hub), "POST /signup", sentry.WithOpName("http.server"))
	if _, err := riverClient.Insert(tx.Context(), welcomeArgs{User: "ada"}, nil); err != nil {
		panic(err)
	}
	tx.Finish()
	<-completed
	if err := riverClient.Stop(ctx); err != nil {
		panic(err)
	}

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	fmt.Println(sentrytasktest.Check(rec.Events()) == nil)
	// Output:
	// trace
	// └─ transaction http.server "POST /signup" -
	//    └─ queue.publish "default" ok
	//       └─ transaction queue.process "welcome.send" ok
	//          └─ smtp.send ok
	// true
}
