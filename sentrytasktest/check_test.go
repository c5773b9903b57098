package sentrytasktest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// wholeTrace records a small, whole trace: a transaction with two task
// spans, a db span in one of them and an error on it.
func wholeTrace(t *testing.T) ([]*sentry.Event, *sentry.Span) {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "import", sentry.WithOpName("cli"))
	g, _ := sentrytask.NewGroup(tx.Context(), sentrytask.WithSpan("task"))
	for _, name := range []string{"a", "b"} {
		g.Go(func(ctx context.Context) error {
			return sentrytask.Instrument(ctx, "db", func(ctx context.Context) error {
				if name == "b" {
					sentry.GetHubFromContext(ctx).CaptureException(errors.New("no rows"))
				}
				return nil
			})
		}, sentrytask.WithDescription(name))
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	return rec.Events(), tx
}

func TestCheckPassesAWholeTrace(t *testing.T) {
	t.Parallel()
	events, _ := wholeTrace(t)
	sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("task", 2), sentrytasktest.ExpectSpans("db", 2),
		sentrytasktest.ExpectSpans("cli", 1))
}

// TestCheckCatchesEachDefect breaks a whole trace in one way at a time; the
// check must name what broke.
func TestCheckCatchesEachDefect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		corrupt func(events []*sentry.Event) []*sentry.Event
		opts    []sentrytasktest.CheckOption
		want    string
	}{
		{"broken parent link", func(ev []*sentry.Event) []*sentry.Event {
			tx := sentrytasktest.TransactionsByOp(ev, "cli")[0]
			tx.Spans[0].ParentSpanID = sentry.SpanID{1, 2, 3}
			return ev
		}, nil, "has parent 0102030000000000, which is not recorded"},
		{"foreign trace id", func(ev []*sentry.Event) []*sentry.Event {
			other := sentry.NewEvent()
			other.Message = "from elsewhere"
			other.Contexts = map[string]sentry.Context{"trace": {"trace_id": "ffffffffffffffffffffffffffffffff", "span_id": "1111111111111111"}}
			return append(ev, other)
		}, nil, "the events belong to 2 traces"},
		{"error on a missing span", func(ev []*sentry.Event) []*sentry.Event {
			for _, e := range ev {
				if e.Type != "transaction" {
					e.Contexts["trace"]["span_id"] = sentry.SpanID{9}
				}
			}
			return ev
		}, nil, `error "error: *errors.errorString: no rows" is linked to span 0900000000000000, which is not recorded`},
		{"duplicate span id", func(ev []*sentry.Event) []*sentry.Event {
			tx := sentrytasktest.TransactionsByOp(ev, "cli")[0]
			tx.Spans[1].SpanID = tx.Spans[0].SpanID
			return ev
		}, nil, "appears twice"},
		{"unexpected count", func(ev []*sentry.Event) []*sentry.Event { return ev },
			[]sentrytasktest.CheckOption{sentrytasktest.ExpectSpans("db", 3)}, `2 spans with op "db"; want 3`},
		{"transaction with an unknown parent", func(ev []*sentry.Event) []*sentry.Event {
			sentrytasktest.TransactionsByOp(ev, "cli")[0].Contexts["trace"]["parent_span_id"] = "00f067aa0ba902b7"
			return ev
		}, nil, `transaction "import" has parent 00f067aa0ba902b7, which is neither recorded nor a declared remote parent`},
		{"no events", func([]*sentry.Event) []*sentry.Event { return nil }, nil, "no events recorded"},
	} {
		events, _ := wholeTrace(t)
		err := sentrytasktest.Check(tc.corrupt(events), tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckAcceptsADeclaredRemoteParent(t *testing.T) {
	t.Parallel()
	events, _ := wholeTrace(t)
	sentrytasktest.TransactionsByOp(events, "cli")[0].Contexts["trace"]["parent_span_id"] = "00f067aa0ba902b7"
	sentrytasktest.AssertTrace(t, events, sentrytasktest.RemoteParent("00f067aa0ba902b7"))
}

// TestCheckFindsOrphanedTasks finishes a transaction before waiting for its
// tasks: the tasks' spans are lost, and the check names the tasks.
func TestCheckFindsOrphanedTasks(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "upload", sentry.WithOpName("cli"))
	release := make(chan struct{})
	g, _ := sentrytask.NewGroup(tx.Context())
	g.Go(func(ctx context.Context) error {
		<-release
		return sentrytask.Instrument(ctx, "http.client", func(context.Context) error { return nil })
	}, sentrytask.WithSpan("upload.part"), sentrytask.WithDescription("part-1"))
	tx.Finish() // the bug: before g.Wait
	close(release)
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	if got := sentrytasktest.Orphans(rec.Events()); len(got) != 1 || got[0] != "part-1" {
		t.Errorf("Orphans = %q; want [part-1]", got)
	}
	err := sentrytasktest.Check(rec.Events())
	if err == nil || !strings.Contains(err.Error(), `transaction "upload" was sent before work under it had finished (tasks still running, response bodies still open), and their spans are lost: part-1`) {
		t.Errorf("Check = %v; want the orphaned task named", err)
	}

	// Waiting first is clean.
	hub, rec = sentrytasktest.NewHub(t)
	tx = sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "upload", sentry.WithOpName("cli"))
	g, _ = sentrytask.NewGroup(tx.Context())
	g.Go(func(ctx context.Context) error { return nil }, sentrytask.WithSpan("upload.part"))
	_ = g.Wait()
	tx.Finish()
	sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.ExpectSpans("upload.part", 1))
}

func TestCheckMergesProcesses(t *testing.T) {
	t.Parallel()
	cliHub, cliRec := sentrytasktest.NewHub(t)
	serverHub, serverRec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), cliHub), "cli", sentry.WithOpName("cli"))
	msg := sentrytask.MapCarrier{}
	sentrytask.Inject(tx.Context(), msg)
	_, process := sentrytask.Continue(sentry.SetHubOnContext(context.Background(), serverHub), msg, "queue.process")
	process.Finish()
	tx.Finish()

	sentrytasktest.AssertTrace(t, sentrytasktest.Merge(cliRec, serverRec), sentrytasktest.ExpectSpans("queue.process", 1))
	// The server alone has a parent in another process: declare it.
	sentrytasktest.AssertTrace(t, serverRec.Events(), sentrytasktest.RemoteParent(tx.SpanID.String()))
	if err := sentrytasktest.Check(serverRec.Events()); err == nil {
		t.Error("Check of the server alone passed without its remote parent declared")
	}
}

func ExampleCheck() {
	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))

	tx := sentry.StartTransaction(ctx, "report", sentry.WithOpName("cli"))
	rendering := make(chan struct{})
	task := sentrytask.Go(tx.Context(), func(context.Context) error {
		<-rendering
		return nil
	}, sentrytask.WithSpan("render"))
	tx.Finish() // the bug: the task is still running, and its span is lost
	close(rendering)
	_ = task.Wait()

	if err := sentrytasktest.Check(rec.Events()); err != nil {
		fmt.Println("orphans:", sentrytasktest.Orphans(rec.Events()))
	}
	// Output: orphans: [render]
}

func ExampleSummary() {
	client, rec, err := sentrytasktest.NewClient()
	if err != nil {
		panic(err)
	}
	defer client.Close()
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	tx := sentry.StartTransaction(ctx, "import")
	_ = sentrytask.Instrument(tx.Context(), "file.parse", func(context.Context) error { return nil })
	tx.Finish()

	fmt.Println(sentrytasktest.Summary(rec.Events()))
	// Output: 1 trace, 1 transaction, 1 span, 0 errors, 0 orphans
}
