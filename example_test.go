package sentrytask_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// Two files are parsed concurrently under one transaction; each task has its
// own span and its own hub, so the error of one lands on its own span.
func Example() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	tx := sentry.StartTransaction(ctx, "import", sentry.WithOpName("cli"))
	var tasks []*sentrytask.Task
	for _, file := range []string{"a.csv", "b.csv"} {
		tasks = append(tasks, sentrytask.Go(tx.Context(), func(ctx context.Context) error {
			if file == "b.csv" {
				return errors.New("b.csv: bad header")
			}
			return nil
		}, sentrytask.WithSpan("parse"), sentrytask.WithDescription(file), sentrytask.WithCaptureErrors()))
	}
	for _, t := range tasks {
		if err := t.Wait(); err != nil {
			fmt.Println("task failed:", err)
		}
	}
	tx.Finish()

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// task failed: b.csv: bad header
	// trace
	// └─ transaction cli "import" -
	//    ├─ parse "a.csv" ok
	//    └─ parse "b.csv" internal_error
	//       ! error: *errors.errorString: b.csv: bad header
}

func ExampleInstrument() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	// With no span on ctx, Instrument starts a transaction.
	_ = sentrytask.Instrument(ctx, "job", func(ctx context.Context) error {
		return sentrytask.Instrument(ctx, "db.query", func(ctx context.Context) error {
			return nil
		}, sentrytask.WithDescription("SELECT 1"))
	}, sentrytask.WithDescription("nightly"))

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// trace
	// └─ transaction job "nightly" ok
	//    └─ db.query "SELECT 1" ok
}

// A follow-up scheduled by a request outlives the request's transaction: it
// continues the trace in a transaction of its own instead of being dropped.
func ExampleDetach() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	tx := sentry.StartTransaction(ctx, "POST /orders", sentry.WithOpName("http.server"))
	followup := sentrytask.Go(sentrytask.Detach(tx.Context()), func(ctx context.Context) error {
		return nil
	}, sentrytask.WithSpan("email.send"), sentrytask.WithDescription("confirmation"))
	tx.Finish() // the request is done before the follow-up
	_ = followup.Wait()

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	// Output:
	// trace
	// └─ transaction http.server "POST /orders" -
	//    └─ transaction email.send "confirmation" ok
}

func ExampleWithRecoverPanics() {
	ctx := context.Background() // no client: the panic is still recovered
	err := sentrytask.Go(ctx, func(ctx context.Context) error {
		panic("cache is corrupt")
	}, sentrytask.WithRecoverPanics()).Wait()

	var pe *sentrytask.PanicError
	if errors.As(err, &pe) {
		fmt.Println("recovered:", pe.Value)
	}
	// Output:
	// recovered: cache is corrupt
}
