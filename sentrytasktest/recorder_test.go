package sentrytasktest_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func TestNewHubRecordsTransactionsAndErrorsSeparately(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t)
	if hub == sentry.CurrentHub() || hub.Client() == sentry.CurrentHub().Client() {
		t.Fatal("NewHub returned the global hub or its client")
	}
	tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "tx")
	hub.CaptureException(errors.New("e"))
	tx.Finish()
	if n, m, all := len(rec.Transactions()), len(rec.Errors()), len(rec.Events()); n != 1 || m != 1 || all != 2 {
		t.Errorf("recorded %d transactions, %d errors, %d events; want 1, 1, 2", n, m, all)
	}
	if tx.Sampled != sentry.SampledTrue {
		t.Errorf("transaction sampled = %v; want every transaction sampled", tx.Sampled)
	}
	rec.Reset()
	if n := len(rec.Events()); n != 0 {
		t.Errorf("after Reset, %d events; want 0", n)
	}
}

func TestNewHubAppliesOptions(t *testing.T) {
	t.Parallel()
	hub, rec := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) { o.TracesSampleRate = 0 })
	sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "tx").Finish()
	if n := len(rec.Transactions()); n != 0 {
		t.Errorf("with TracesSampleRate 0, recorded %d transactions; want 0", n)
	}
}

func TestRecorderIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	var rec sentrytasktest.Recorder
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			rec.SendEvent(sentry.NewEvent())
			_ = rec.Errors()
		})
	}
	wg.Wait()
	if n := len(rec.Events()); n != 50 {
		t.Errorf("recorded %d events; want 50", n)
	}
}
