package sentrytask_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestOrphanDetectorCountsTasksStillRunningWhenTheTransactionIsSent(t *testing.T) {
	t.Parallel()
	hub, rec, det := detected(t)
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "request")
	release := make(chan struct{})
	var tasks []*sentrytask.Task
	for _, name := range []string{"left running", "also running"} {
		tasks = append(tasks, sentrytask.Go(tx.Context(), func(context.Context) error { <-release; return nil },
			sentrytask.WithDescription(name)))
	}
	done := sentrytask.Go(tx.Context(), noop, sentrytask.WithDescription("waited for"))
	_ = done.Wait()
	tx.Finish()
	close(release)
	for _, task := range tasks {
		_ = task.Wait()
	}
	if det.Count() != 2 {
		t.Errorf("Count() = %d; want 2", det.Count())
	}
	got := sentrytasktest.Orphans(rec.Events())
	if len(got) != 2 || got[0] == "waited for" || got[1] == "waited for" {
		t.Errorf("orphans = %q; want the two tasks left running", got)
	}
}

// TestPoolTasksThatNeverRunAreNotOrphans: tasks a pool rejects after
// capturing them, or skips because their context ended, must stop being
// watched, or every later transaction check would report them.
func TestPoolTasksThatNeverRunAreNotOrphans(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "request")
	p := sentrytask.NewPool(1, sentrytask.WithQueueSize(1))
	release := make(chan struct{})
	blocker, err := p.Submit(ctx, func(context.Context) error { <-release; return nil })
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	skipped, err := p.Submit(cctx, noop) // queued behind the blocker
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.TrySubmit(ctx, noop); err != sentrytask.ErrFull {
		t.Fatalf("TrySubmit on a full queue = %v; want ErrFull", err)
	}
	cancel()
	close(release)
	_ = blocker.Wait()
	if err := skipped.Wait(); err == nil {
		t.Fatal("a task whose context ended before pick-up ran")
	}
	tx.Finish()
	shutdown(t, p)
	if got := sentrytasktest.Orphans(rec.Events()); len(got) != 0 {
		t.Errorf("orphans = %q; want none: every task was waited for or never ran", got)
	}
}

// TestOrphanDetectorReportsARequestWhoseBodyIsStillOpen: a NewTransport
// request's span ends when its response body is closed or read to the end;
// a transaction sent before that loses the span, as it would a task's.
func TestOrphanDetectorReportsARequestWhoseBodyIsStillOpen(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "cli")
	client := &http.Client{Transport: sentrytask.NewTransport(&capture{body: "payload"})}
	get := func(path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test"+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	open := get("/open")
	_ = get("/closed").Body.Close()
	if _, err := io.ReadAll(get("/read").Body); err != nil {
		t.Fatal(err)
	}
	tx.Finish()
	_ = open.Body.Close()
	if got := sentrytasktest.Orphans(rec.Events()); len(got) != 1 || got[0] != "GET https://api.test/open" {
		t.Errorf("orphans = %q; want only the request whose body was still open", got)
	}
}
