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

func TestInstrumentStartsAChildOfTheSpanOnCtx(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	want := errors.New("failed")
	err := sentrytask.Instrument(ctx, "step", func(ctx context.Context) error {
		if sentry.SpanFromContext(ctx) == tx {
			return errors.New("fn got the parent's context, not the span's")
		}
		return want
	}, sentrytask.WithDescription("load"), sentrytask.WithData("n", 3))
	if err != want {
		t.Errorf("Instrument() = %v; want fn's error %v", err, want)
	}
	if got := sentry.GetHubFromContext(ctx).Scope().GetSpan(); got != tx {
		t.Errorf("after Instrument the scope's span = %v; want the transaction back", got)
	}
	tx.Finish()
	spans := sentrytasktest.SpansByOp([]*sentry.Event{only(t, "transactions", rec.Transactions())}, "step")
	if len(spans) != 1 {
		t.Fatalf("recorded %d step spans; want 1", len(spans))
	}
	s := spans[0]
	if s.ParentSpanID != tx.SpanID || s.Status != sentry.SpanStatusInternalError || s.Description != "load" || s.Data["n"] != 3 {
		t.Errorf("step span = {parent %v, status %v, %q, %v}; want {%v, internal_error, load, map[n:3]}",
			s.ParentSpanID, s.Status, s.Description, s.Data, tx.SpanID)
	}
}

func TestInstrumentWithoutASpanStartsATransaction(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	v, err := sentrytask.InstrumentValue(ctx, "job", func(ctx context.Context) (int, error) {
		if !sentry.SpanFromContext(ctx).IsTransaction() {
			return 0, errors.New("fn's span is not a transaction")
		}
		return 42, nil
	}, sentrytask.WithDescription("nightly import"))
	if v != 42 || err != nil {
		t.Fatalf("InstrumentValue() = %v, %v; want 42, nil", v, err)
	}
	tx := only(t, "transactions", rec.Transactions())
	if tx.Transaction != "nightly import" || tx.TransactionInfo.Source != sentry.SourceTask || tx.Contexts["trace"]["op"] != "job" {
		t.Errorf("transaction = {name %q, source %q, op %v}; want {nightly import, task, job}",
			tx.Transaction, tx.TransactionInfo.Source, tx.Contexts["trace"]["op"])
	}
	if tx.Contexts["trace"]["status"] != sentry.SpanStatusOK {
		t.Errorf("transaction status = %v; want ok", tx.Contexts["trace"]["status"])
	}
}

func TestInstrumentWithoutClientRunsFn(t *testing.T) {
	t.Parallel()
	ctx := noClient()
	v, err := sentrytask.InstrumentValue(ctx, "step", func(ctx context.Context) (string, error) {
		if sentry.SpanFromContext(ctx) != nil {
			return "", errors.New("a span was started without a client")
		}
		return "ran", nil
	})
	if v != "ran" || err != nil {
		t.Errorf("InstrumentValue() = %q, %v; want ran, nil", v, err)
	}
}

func TestInstrumentWithRecoverPanicsReturnsAPanicError(t *testing.T) {
	t.Parallel()
	ctx, tx, rec := newTrace(t, "parent")
	_, err := sentrytask.InstrumentValue(ctx, "step", func(context.Context) (int, error) {
		panic(fmt.Errorf("bad state: %w", errSentinel))
	}, sentrytask.WithRecoverPanics())
	var pe *sentrytask.PanicError
	if !errors.As(err, &pe) || !errors.Is(err, errSentinel) || pe.EventID == "" {
		t.Errorf("InstrumentValue() error = %v; want a *PanicError wrapping the sentinel, with an event id", err)
	}
	tx.Finish()
	if n := len(rec.Errors()); n != 1 {
		t.Errorf("recorded %d panic events; want 1", n)
	}
}
