package sentrytasktest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestCheckRejectsTracesWithoutARoot: transactions that are each other's
// parent, or their own, have no root; Check says so and Tree still shows
// them.
func TestCheckRejectsTracesWithoutARoot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		corrupt func(events []*sentry.Event)
		want    []string
	}{
		{"own parent", func(ev []*sentry.Event) {
			tc := sentrytasktest.TransactionsByOp(ev, "cli")[0].Contexts["trace"]
			tc["parent_span_id"] = tc["span_id"]
		}, []string{`transaction "import" is its own parent`, "no transaction is the root"}},
		{"each other's parent", func(ev []*sentry.Event) {
			cli := sentrytasktest.TransactionsByOp(ev, "cli")[0].Contexts["trace"]
			job := sentrytasktest.TransactionsByOp(ev, "job")[0].Contexts["trace"]
			cli["parent_span_id"] = job["span_id"]
		}, []string{"parent links form a cycle", "no transaction is the root"}},
	} {
		events := twoTransactions(t)
		tc.corrupt(events)
		err := sentrytasktest.Check(events)
		if err == nil {
			t.Errorf("%s: Check passed a trace without a root", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Check = %v; want it to say %q", tc.name, err, w)
			}
		}
		tree := sentrytasktest.Tree(events)
		for _, want := range []string{`transaction cli "import"`, `transaction job "job"`, "cycle"} {
			if !strings.Contains(tree, want) {
				t.Errorf("%s: Tree does not show %q:\n%s", tc.name, want, tree)
			}
		}
	}
}

// twoTransactions records a CLI transaction and a job continuing its trace
// in another transaction, through a carrier.
func twoTransactions(t *testing.T) []*sentry.Event {
	t.Helper()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	tx := sentry.StartTransaction(ctx, "import", sentry.WithOpName("cli"))
	msg := sentrytask.MapCarrier{}
	sentrytask.Inject(tx.Context(), msg)
	_, job := sentrytask.Continue(ctx, msg, "job")
	job.Finish()
	tx.Finish()
	events := rec.Events()
	sentrytasktest.AssertTrace(t, events)
	return events
}

// brokenFanOut is the README's first snippet, the bug this project exists
// for, with one line added so that the test can tell when a task is done.
//
//sentrytask:ignore the bug, on purpose
func brokenFanOut(ctx context.Context, files []string, parse func(string) error, done chan<- string) {
	for _, f := range files {
		go func() {
			defer func() { done <- f }()
			span := sentry.StartSpan(ctx, "parse") // sets the shared scope's span
			defer span.Finish()
			sentry.GetHubFromContext(ctx).CaptureException(parse(f)) // linked to whichever task started last
		}()
	}
}

// steps makes parse of each file wait until the test releases it.
type steps struct {
	started chan string
	release map[string]chan struct{}
}

func newSteps(files ...string) *steps {
	s := &steps{started: make(chan string, len(files)), release: map[string]chan struct{}{}}
	for _, f := range files {
		s.release[f] = make(chan struct{})
	}
	return s
}

func (s *steps) parse(f string) error {
	s.started <- f
	<-s.release[f]
	return errors.New("cannot parse " + f)
}

// TestCheckSeesTasksSharingAHub runs the README's snippet with one task
// finishing first, and the command returning before the other, as the
// snippet lets it: the slow task's error is then linked to the transaction,
// which had finished. The same work with sentrytask.Go passes.
func TestCheckSeesTasksSharingAHub(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "import", sentry.WithOpName("cli"))
	s, done := newSteps("slow.csv", "fast.csv"), make(chan string, 2)
	brokenFanOut(tx.Context(), []string{"slow.csv", "fast.csv"}, s.parse, done)
	<-s.started
	<-s.started
	close(s.release["fast.csv"])
	<-done
	tx.Finish()
	close(s.release["slow.csv"])
	<-done

	err := sentrytasktest.Check(rec.Events())
	if err == nil || !strings.Contains(err.Error(), `cannot parse slow.csv" is linked to transaction "import", which had finished`) {
		t.Errorf("Check = %v; want the slow task's error named as linked to a transaction that had finished", err)
	}

	hub, rec = sentrytasktest.NewHub(t)
	tx = sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "import", sentry.WithOpName("cli"))
	s = newSteps("slow.csv", "fast.csv")
	g, _ := sentrytask.NewGroup(tx.Context(), sentrytask.WithSpan("parse"))
	for _, f := range []string{"slow.csv", "fast.csv"} {
		g.Go(func(ctx context.Context) error {
			sentrytask.HubFromContext(ctx).CaptureException(s.parse(f))
			return nil
		})
	}
	<-s.started
	<-s.started
	close(s.release["fast.csv"])
	close(s.release["slow.csv"])
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.ExpectSpans("parse", 2))
	for _, e := range rec.Errors() {
		if id := e.Contexts["trace"]["span_id"]; id == tx.SpanID {
			t.Errorf("with sentrytask.Go, error %q is linked to the transaction, not its task's span", e.Exception[0].Value)
		}
	}
}

// TestCheckSeesASpanStartedAfterItsParentFinished: a task that outlives the
// span it was spawned below starts spans under a parent that has ended.
func TestCheckSeesASpanStartedAfterItsParentFinished(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "import", sentry.WithOpName("cli"))
	release := make(chan struct{})
	var late *sentrytask.Task
	_ = sentrytask.Instrument(tx.Context(), "step", func(ctx context.Context) error {
		late = sentrytask.Go(ctx, func(ctx context.Context) error {
			<-release
			return sentrytask.Instrument(ctx, "late.write", func(context.Context) error { return nil })
		})
		return nil // without waiting for the task
	})
	close(release)
	if err := late.Wait(); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	err := sentrytasktest.Check(rec.Events())
	if err == nil || !strings.Contains(err.Error(), `span late.write of transaction "import" started`) ||
		!strings.Contains(err.Error(), `after its parent, span step of transaction "import", had finished`) {
		t.Errorf("Check = %v; want late.write named as started after step had finished", err)
	}
}

// TestCheckAcceptsErrorsOfDetachedWork: below Detach, an error captured
// before any span starts is linked to the span that was current at Detach,
// which may have finished long before: that is the design, not a broken
// trace.
func TestCheckAcceptsErrorsOfDetachedWork(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "request", sentry.WithOpName("http.server"))
	release := make(chan struct{})
	task := sentrytask.Go(sentrytask.Detach(tx.Context()), func(ctx context.Context) error {
		<-release
		sentrytask.HubFromContext(ctx).CaptureException(errors.New("follow-up failed"))
		return sentrytask.Instrument(ctx, "email.send", func(context.Context) error { return nil })
	})
	tx.Finish()
	close(release)
	if err := task.Wait(); err != nil {
		t.Fatal(err)
	}
	sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.ExpectSpans("email.send", 1))
}
