package sentrytask_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

var errSentinel = errors.New("sentinel")

func TestWithRecoverPanicsReportsThePanicOnTheTasksSpanAndReturnsIt(t *testing.T) {
	t.Parallel()
	for _, value := range []any{"boom", fmt.Errorf("wrapped: %w", errSentinel), 42} {
		t.Run(fmt.Sprint(value), func(t *testing.T) {
			t.Parallel()
			ctx, tx, rec := newTrace(t, "parent")
			var taskSpan sentry.SpanID
			err := sentrytask.Go(ctx, func(ctx context.Context) error {
				taskSpan = sentry.SpanFromContext(ctx).SpanID
				panickingFunction(value)
				return nil
			}, sentrytask.WithSpan("task"), sentrytask.WithRecoverPanics()).Wait()
			tx.Finish()

			var pe *sentrytask.PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("Wait() = %v; want a *PanicError", err)
			}
			if pe.Value != value || !bytes.Contains(pe.Stack, []byte("panickingFunction")) {
				t.Errorf("PanicError{Value: %v, Stack without panickingFunction: %t}; want value %v and the panicking stack",
					pe.Value, !bytes.Contains(pe.Stack, []byte("panickingFunction")), value)
			}
			if _, isErr := value.(error); isErr != errors.Is(err, errSentinel) {
				t.Errorf("errors.Is(PanicError of %v, sentinel) = %t; want %t", value, !isErr, isErr)
			}
			e := only(t, "panic events", rec.Errors())
			if e.EventID != pe.EventID {
				t.Errorf("PanicError.EventID = %q; want the recorded event's %q", pe.EventID, e.EventID)
			}
			assertPanicEvent(t, e, taskSpan)
			if s := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "task"); len(s) != 1 || s[0].Status != sentry.SpanStatusInternalError {
				t.Errorf("task spans = %v; want one with status internal_error", s)
			}
		})
	}
}

func panickingFunction(v any) { panic(v) }

// assertPanicEvent checks that e reports a panic as fatal and unhandled, with
// the panicking function on its stack, linked to span.
func assertPanicEvent(t *testing.T, e *sentry.Event, span sentry.SpanID) {
	t.Helper()
	if _, spanID, _ := sentrytasktest.IDs(e); spanID != span.String() {
		t.Errorf("panic event linked to span %s; want %s", spanID, span)
	}
	if e.Level != sentry.LevelFatal || len(e.Exception) == 0 {
		t.Fatalf("panic event = level %q, %d exceptions; want fatal with an exception", e.Level, len(e.Exception))
	}
	ex := e.Exception[len(e.Exception)-1]
	if ex.Mechanism == nil || ex.Mechanism.Handled == nil || *ex.Mechanism.Handled {
		t.Errorf("panic exception mechanism = %+v; want handled=false", ex.Mechanism)
	}
	found := false
	if ex.Stacktrace != nil {
		for _, f := range ex.Stacktrace.Frames {
			found = found || f.Function == "panickingFunction"
		}
	}
	if !found {
		t.Errorf("panic exception stack has no frame of panickingFunction: %+v", ex.Stacktrace)
	}
}

func TestWithRecoverPanicsWithoutClientReturnsThePanic(t *testing.T) {
	t.Parallel()
	ctx := noClient()
	err := sentrytask.Go(ctx, func(context.Context) error { panic("boom") }, sentrytask.WithRecoverPanics()).Wait()
	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || pe.EventID != "" {
		t.Errorf("Wait() = %#v; want *PanicError{Value: boom} with no event id", err)
	}
}

func TestInstrumentReportsAPanicOnItsSpanAndRaisesItAgainInTheCaller(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	var span sentry.SpanID
	recovered := func() (r any) {
		defer func() { r = recover() }()
		_ = sentrytask.Instrument(ctx, "step", func(ctx context.Context) error {
			span = sentry.SpanFromContext(ctx).SpanID
			panickingFunction("boom")
			return nil
		})
		return nil
	}()
	if recovered != "boom" {
		t.Fatalf("the caller recovered %v; want the task's panic value boom", recovered)
	}
	if got := sentry.GetHubFromContext(ctx).Scope().GetSpan(); got != tx {
		t.Errorf("after the panic the scope's span = %v; want the transaction back", got)
	}
	assertPanicEvent(t, only(t, "panic events", rec.Errors()), span)
	tx.Finish()
	if s := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "step"); len(s) != 1 || s[0].Status != sentry.SpanStatusInternalError {
		t.Errorf("step spans = %v; want one with status internal_error", s)
	}
}

// TestPanicsAreReportedThenContinueInTheTask runs itself in a child process
// for each way of spawning: a panic that continues in a goroutine ends the
// program, which is the behaviour under test.
func TestPanicsAreReportedThenContinueInTheTask(t *testing.T) {
	if mode := os.Getenv("SENTRYTASK_CRASH_CHILD"); mode != "" {
		crashChild(t, mode)
		return
	}
	t.Parallel()
	for _, mode := range []string{"Go", "Group", "Pool", "Go+Instrument"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestPanicsAreReportedThenContinueInTheTask$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SENTRYTASK_CRASH_CHILD="+mode)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("child exited with %v; want exit status 2 (an unrecovered panic)\nstderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "panic: boom") || !strings.Contains(stderr.String(), "panickingFunction") {
				t.Errorf("child stderr does not show the panic with its original frames:\n%s", stderr.String())
			}
			var taskSpan, linked string
			var sent, flushedAfter int
			for line := range strings.Lines(stdout.String()) {
				fmt.Sscanf(line, "task span %s", &taskSpan)
				if _, err := fmt.Sscanf(line, "sent fatal event linked to %s", &linked); err == nil {
					sent++
				}
				if strings.HasPrefix(line, "flushed") && sent > 0 {
					flushedAfter++
				}
			}
			if taskSpan == "" || linked != taskSpan || sent != 1 {
				t.Errorf("child sent %d fatal events, the last linked to span %q; want one, linked to the span where it panicked, %q\nstdout:\n%s",
					sent, linked, taskSpan, stdout.String())
			}
			if flushedAfter != 1 {
				t.Errorf("child flushed %d times after sending the event; want once, before the panic ended it\nstdout:\n%s", flushedAfter, stdout.String())
			}
		})
	}
}

// crashChild panics in a task spawned the way mode names; its transport
// prints each event as it is sent, so the parent can tell the report went
// out before the crash.
func crashChild(t *testing.T, mode string) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		EnableTracing: true, TracesSampleRate: 1, Release: "test",
		Transport: &printTransport{},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	ctx = sentry.StartTransaction(ctx, "crash").Context()
	task := func(ctx context.Context) error {
		fmt.Printf("task span %s\n", sentry.SpanFromContext(ctx).SpanID)
		panickingFunction("boom")
		return nil
	}
	switch mode {
	case "Go":
		_ = sentrytask.Go(ctx, task, sentrytask.WithSpan("task")).Wait()
	case "Group":
		g, _ := sentrytask.NewGroup(ctx, sentrytask.WithSpan("task"))
		g.Go(task)
		_ = g.Wait()
		// As with errgroup, Wait may return while the panic unwinds the
		// task's goroutine and before it ends the program.
		time.Sleep(time.Minute)
	case "Pool":
		p := sentrytask.NewPool(1, sentrytask.WithSpan("task"))
		tk, _ := p.Submit(ctx, task)
		_ = tk.Wait()
	case "Go+Instrument":
		// Instrument reports the panic; the task's goroutine, which ends
		// the program, flushes.
		_ = sentrytask.Go(ctx, func(ctx context.Context) error {
			return sentrytask.Instrument(ctx, "step", task)
		}, sentrytask.WithSpan("task")).Wait()
	}
	t.Error("the task's panic did not end the program")
}

type printTransport struct{ sentry.MockTransport }

func (*printTransport) Flush(time.Duration) bool {
	fmt.Println("flushed")
	return true
}

func (*printTransport) FlushWithContext(context.Context) bool {
	fmt.Println("flushed")
	return true
}

func (*printTransport) SendEvent(e *sentry.Event) {
	if e.Level == sentry.LevelFatal {
		_, spanID, _ := sentrytasktest.IDs(e)
		fmt.Printf("sent fatal event linked to %s\n", spanID)
	}
}
