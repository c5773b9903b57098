// Command quickstart imports a few files concurrently under one Sentry
// transaction, the way a CLI would, and shows the trace it produced. One
// of the files, broken.csv, fails on purpose: its error is reported on its
// own task's span, not on a sibling's.
//
// With SENTRY_DSN unset it records events in memory, prints them as a span
// tree and a verdict, and exits with status 1 if the trace is not whole;
// with SENTRY_DSN set it sends them to Sentry and says whether Sentry took
// them.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func main() {
	if err := run(os.Stdout, os.Getenv("SENTRY_DSN")); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run imports the files and reports what was recorded to out, or, with a
// DSN, sends it to Sentry.
func run(out io.Writer, dsn string) error {
	var client *sentry.Client
	var rec *sentrytasktest.Recorder
	deliveries := &sentrytasktest.Deliveries{}
	var err error
	if dsn == "" {
		client, rec, err = sentrytasktest.NewClient()
	} else {
		client, err = sentry.NewClient(sentry.ClientOptions{Dsn: dsn, EnableTracing: true, TracesSampleRate: 1, HTTPTransport: deliveries})
	}
	if err != nil {
		return err
	}
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	importErr := importFiles(ctx, []string{"customers.csv", "orders.csv", "broken.csv"})
	fmt.Fprintln(out, "import (broken.csv fails on purpose):", importErr)

	if rec == nil {
		if !client.Flush(5 * time.Second) {
			return errors.New("timed out sending events to Sentry")
		}
		return deliveries.Report(out)
	}
	fmt.Fprint(out, sentrytasktest.Tree(rec.Events()))
	return verdict(out, rec)
}

// importFiles is the CLI command: a transaction, one task per file, and a
// follow-up that outlives the command's transaction.
func importFiles(ctx context.Context, files []string) error {
	tx := sentry.StartTransaction(ctx, "import", sentry.WithOpName("cli.command"))
	ctx = tx.Context()

	tasks := make([]*sentrytask.Task, len(files))
	for i, file := range files {
		tasks[i] = sentrytask.Go(ctx, func(ctx context.Context) error {
			return importFile(ctx, file)
		}, sentrytask.WithSpan("file.import"), sentrytask.WithDescription(file), sentrytask.WithCaptureErrors())
	}
	var errs []error
	for _, t := range tasks {
		errs = append(errs, t.Wait())
	}

	// The summary upload goes on after the command's transaction is sent;
	// Detach makes it a transaction of its own in the same trace.
	upload := sentrytask.Go(sentrytask.Detach(ctx), func(ctx context.Context) error {
		time.Sleep(10 * time.Millisecond) // stands in for the upload
		return nil
	}, sentrytask.WithSpan("summary.upload"), sentrytask.WithDescription("upload the import's summary"))
	tx.Finish()
	errs = append(errs, upload.Wait())
	return errors.Join(errs...)
}

func importFile(ctx context.Context, file string) error {
	rows, err := sentrytask.InstrumentValue(ctx, "file.parse", func(ctx context.Context) (int, error) {
		if strings.HasPrefix(file, "broken") {
			return 0, fmt.Errorf("%s: line 3: unterminated quote", file)
		}
		return 100, nil
	})
	if err != nil {
		return err
	}
	return sentrytask.Instrument(ctx, "db.insert", func(ctx context.Context) error {
		time.Sleep(time.Duration(rows) * 10 * time.Microsecond) // stands in for the insert
		return nil
	}, sentrytask.WithData("rows", rows))
}

// verdict prints one line on the recorded trace and a verdict, and fails
// if it is not one whole trace (sentrytasktest.Check says what is wrong).
func verdict(out io.Writer, rec *sentrytasktest.Recorder) error {
	events := rec.Events()
	fmt.Fprintln(out, sentrytasktest.Summary(events))
	if err := sentrytasktest.Check(events); err != nil {
		return err
	}
	fmt.Fprintln(out, "the trace is whole")
	return nil
}
