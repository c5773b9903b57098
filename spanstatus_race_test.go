package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestASpanIsNeverWrittenWhileAnOrphanReadsIt: a task forked below a
// task's span, without one of its own, has that span current on its scope,
// and sentry-go reads the span's status whenever the task captures an
// event. A task the span's function left running (an orphan) may be doing
// so as the function returns; under -race, writing the status then fails
// this test. The status is given when nothing forked below the span is
// left running, and the span then ends with it.
func TestASpanIsNeverWrittenWhileAnOrphanReadsIt(t *testing.T) {
	t.Parallel()
	for _, via := range []string{"Go", "Instrument", "Pool"} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			ctx, tx, rec := newTrace(t, "sync")
			capturing, parentDone := make(chan struct{}), make(chan struct{})
			var orphan *sentrytask.Task
			parent := func(ctx context.Context) error {
				orphan = sentrytask.Go(ctx, func(ctx context.Context) error {
					hub := sentry.GetHubFromContext(ctx)
					hub.CaptureMessage("first")
					close(capturing)
					for {
						select {
						case <-parentDone:
							return nil
						default:
							hub.CaptureMessage("still here")
						}
					}
				})
				<-capturing
				return errors.New("failed")
			}
			switch via {
			case "Go":
				_ = sentrytask.Go(ctx, parent, sentrytask.WithSpan("parent")).Wait()
			case "Instrument":
				_ = sentrytask.Instrument(ctx, "parent", parent)
			case "Pool":
				p := sentrytask.NewPool(1, sentrytask.WithSpan("parent"))
				task, err := p.Submit(ctx, parent)
				if err != nil {
					t.Fatal(err)
				}
				_ = task.Wait()
				shutdown(t, p)
			}
			close(parentDone)
			if err := orphan.Wait(); err != nil {
				t.Fatal(err)
			}

			// The same with the child waited for: the status is given.
			_ = sentrytask.Go(ctx, func(ctx context.Context) error {
				_ = sentrytask.Go(ctx, noop).Wait()
				return errors.New("failed")
			}, sentrytask.WithSpan("waited")).Wait()
			tx.Finish()

			tree := sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations())
			for _, span := range only(t, "transactions", rec.Transactions()).Spans {
				switch span.Op {
				case "parent":
					if span.Status != sentry.SpanStatusUndefined {
						t.Errorf("the orphan's parent span ended %v; want no status written:\n%s", span.Status, tree)
					}
				case "waited":
					if span.Status != sentry.SpanStatusInternalError {
						t.Errorf("a span whose tasks had ended ended %v; want internal_error:\n%s", span.Status, tree)
					}
				}
			}
			if n := fmt.Sprint(len(rec.Errors()) > 1); n != "true" {
				t.Errorf("the orphan captured nothing")
			}
		})
	}
}
