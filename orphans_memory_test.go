package sentrytask_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// discard is a transport that keeps nothing.
type discard struct{}

func (discard) Configure(sentry.ClientOptions)        {}
func (discard) SendEvent(*sentry.Event)               {}
func (discard) Flush(time.Duration) bool              { return true }
func (discard) FlushWithContext(context.Context) bool { return true }
func (discard) Close()                                {}

// TestAnUnendedPublishingIsForgottenOnceReported: an error path that skips
// End leaves a Publishing (or Call) that nobody will end. Its transaction
// reports it as an orphan when sent; after that the detector must not keep
// it, or memory grows with every message. (Not parallel: other tests'
// allocations would blur the heap it measures.)
func TestAnUnendedPublishingIsForgottenOnceReported(t *testing.T) {
	det := sentrytask.NewOrphanDetector()
	hub, _ := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) {
		// A recorder would keep every transaction.
		o.Transport = discard{}
		o.Integrations = func(in []sentry.Integration) []sentry.Integration { return append(in, det) }
	})
	send := func(n int) {
		for range n {
			tx := sentry.StartTransaction(sentry.SetHubOnContext(t.Context(), hub), "consume")
			for range 5 {
				sentrytask.Publish(tx.Context(), sentrytask.MapCarrier{}, sentrytask.Message{Destination: "retries"}) // never ended
			}
			tx.Finish()
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	send(1_000) // warm up: caches, pools, the recorder's first growth
	before := heap()
	send(20_000) // 100,000 publishings never ended
	after := heap()
	if got := det.Count(); got != 105_000 {
		t.Errorf("%d orphans reported; want every one of the 105,000", got)
	}
	// Each kept watch costs some 290 bytes: 29 MB for 100,000.
	if grown := int64(after) - int64(before); grown > 4<<20 {
		t.Errorf("heap grew by %d bytes over 100,000 unended publishings; want it flat", grown)
	}
}
