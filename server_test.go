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

// What an RPC server's integration uses: Continue with the transaction's
// name, FinishTransaction, ReportPanic.

func TestContinueNamesTheTransactionBeforeItIsSampled(t *testing.T) {
	t.Parallel()
	var sampled string
	ctx, rec := consumer(t, func(o *sentry.ClientOptions) {
		o.TracesSampler = func(c sentry.SamplingContext) float64 {
			sampled = c.Span.Name
			return 1
		}
	})
	_, tx := sentrytask.Continue(ctx, sentrytask.MapCarrier{}, "grpc.server",
		sentry.WithTransactionName("/acme.Catalog/Get"), sentry.WithTransactionSource(sentry.SourceRoute))
	tx.Finish()
	if sampled != "/acme.Catalog/Get" {
		t.Errorf("the sampler saw %q; want /acme.Catalog/Get", sampled)
	}
	e := only(t, "transactions", rec.Transactions())
	if e.Transaction != "/acme.Catalog/Get" || e.TransactionInfo.Source != sentry.SourceRoute {
		t.Errorf("transaction %q (%s); want /acme.Catalog/Get (route)", e.Transaction, e.TransactionInfo.Source)
	}
	if op := e.Contexts["trace"]["op"]; op != "grpc.server" {
		t.Errorf("op %v; want grpc.server", op)
	}
}

// TestFinishTransactionNeverWritesTheSpan: the status reaches the event,
// and the span, which a task left running may be reading, is not written.
func TestFinishTransactionNeverWritesTheSpan(t *testing.T) {
	t.Parallel()
	ctx, rec := consumer(t)
	_, tx := sentrytask.Continue(ctx, sentrytask.MapCarrier{}, "grpc.server")
	sentrytask.FinishTransaction(tx, sentry.SpanStatusNotFound)
	if tx.Status != sentry.SpanStatusUndefined {
		t.Errorf("the span's status was written: %v", tx.Status)
	}
	e := only(t, "transactions", rec.Transactions())
	if got := e.Contexts["trace"]["status"]; got != sentry.SpanStatusNotFound {
		t.Errorf("the event's status %v; want not_found", got)
	}

	// Without a client the transaction is finished as usual.
	_, off := sentrytask.Continue(noClient(), sentrytask.MapCarrier{}, "grpc.server")
	sentrytask.FinishTransaction(off, sentry.SpanStatusAborted)
	sentrytask.FinishTransaction(nil, sentry.SpanStatusOK)
	if off.Status != sentry.SpanStatusAborted {
		t.Errorf("without a client, status %v; want aborted", off.Status)
	}
}

// serveRPC runs handle as an RPC server's integration does: in a continued
// transaction, with a deferred call that recovers a panic and reports it
// with ReportPanic. It returns the report's id, or "" if handle returned.
func serveRPC(ctx context.Context, handle func(context.Context)) (id sentry.EventID) {
	ctx, tx := sentrytask.Continue(ctx, sentrytask.MapCarrier{}, "grpc.server")
	defer func() {
		if r := recover(); r != nil {
			id = sentrytask.ReportPanic(ctx, r)
			sentrytask.FinishTransaction(tx, sentry.SpanStatusInternalError)
			return
		}
		sentrytask.FinishTransaction(tx, sentry.SpanStatusOK)
	}()
	handle(ctx)
	return ""
}

func TestReportPanicReportsOnceOnTheTransaction(t *testing.T) {
	t.Parallel()
	t.Run("a panic in the handler", func(t *testing.T) {
		t.Parallel()
		ctx, rec := consumer(t)
		id := serveRPC(ctx, func(context.Context) { panic("boom") })
		e := only(t, "panic events", rec.Errors())
		tx := only(t, "transactions", rec.Transactions())
		if e.EventID != id || e.Level != sentry.LevelFatal {
			t.Errorf("event %s at %s; want the returned id %s, fatal", e.EventID, e.Level, id)
		}
		if _, txSpan, _ := sentrytasktest.IDs(tx); fmt.Sprint(e.Contexts["trace"]["span_id"]) != txSpan {
			t.Errorf("the panic is linked to span %v; want the transaction %s", e.Contexts["trace"]["span_id"], txSpan)
		}
	})
	t.Run("a panic an inner layer reported", func(t *testing.T) {
		t.Parallel()
		ctx, rec := consumer(t)
		var inner sentry.SpanID
		id := serveRPC(ctx, func(ctx context.Context) {
			_ = sentrytask.Instrument(ctx, "db.query", func(ctx context.Context) error {
				inner = sentry.SpanFromContext(ctx).SpanID
				panic(errors.New("boom"))
			})
		})
		e := only(t, "panic events", rec.Errors())
		if e.EventID != id {
			t.Errorf("ReportPanic returned %q; want the inner report's id %q", id, e.EventID)
		}
		if fmt.Sprint(e.Contexts["trace"]["span_id"]) != inner.String() {
			t.Errorf("the panic is linked to span %v; want the inner span %s", e.Contexts["trace"]["span_id"], inner)
		}
	})
	t.Run("without a client", func(t *testing.T) {
		t.Parallel()
		if id := serveRPC(noClient(), func(context.Context) { panic("boom") }); id != "" {
			t.Errorf("ReportPanic without a client returned %q", id)
		}
	})
}
