package sentrytask

import (
	"context"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// OrphanContext is the event context ("sentrytask") in which
// OrphanDetector lists, under "orphaned_tasks", the tasks still running
// when a transaction was sent, and the requests whose response body was
// still open.
const OrphanContext = "sentrytask"

// An OrphanDetector finds transactions sent while tasks started under them
// (by Go, a Group or a Pool) had not finished. sentry-go sends a transaction
// with the spans that have ended by then and drops every span that ends
// later with no more than a debug log line, so such a task's spans — and
// the spans of anything it calls — are lost. That is almost always a
// missing Wait before the transaction's Finish. It watches the requests of
// a NewTransport too: their spans end when the response body is closed or
// read to the end, and a body still open when the transaction is sent
// loses its span the same way.
//
// Install it as an integration of the client:
//
//	det := sentrytask.NewOrphanDetector()
//	sentry.Init(sentry.ClientOptions{
//		Integrations: func(in []sentry.Integration) []sentry.Integration { return append(in, det) },
//	})
//
// For each such transaction it logs the tasks through sentry-go's debug
// logger, adds their names to the event's contexts under OrphanContext
// (sentrytasktest's checks fail on it), and counts them (Count).
//
// It is opt-in because it costs, on every task spawned under a transaction,
// an allocation and a lock of a per-transaction set (1.14–1.18× a task
// spawned with a client; BenchmarkOrphanDetector in benchmarks/RESULTS.md). The
// sentrytasktest clients install it.
//
// A task counts as running from the moment it is spawned until its function
// has returned and its span has ended; a queued pool task counts too. The
// check needs no timing: a program that waits for its tasks before
// finishing the transaction never has orphans, and one that does not is
// caught whenever a task is still running.
type OrphanDetector struct {
	count atomic.Int64
	live  sync.Map // txKey → *txTasks
}

// NewOrphanDetector returns a detector to install on a client.
func NewOrphanDetector() *OrphanDetector { return &OrphanDetector{} }

// Name implements sentry.Integration.
func (*OrphanDetector) Name() string { return "SentrytaskOrphans" }

// SetupOnce implements sentry.Integration.
func (d *OrphanDetector) SetupOnce(client *sentry.Client) {
	detectors.attach(client, d)
	client.AddEventProcessor(d.process)
}

// Count returns how many orphaned tasks the detector has found.
func (d *OrphanDetector) Count() int64 { return d.count.Load() }

type txKey struct {
	trace sentry.TraceID
	span  sentry.SpanID
}

// txTasks is the set of tasks running under one transaction, as an
// intrusive list: entering and leaving allocate nothing beyond the watch.
// Once it has emptied and left the map it is dead, and a task starting
// under the same transaction makes a new one.
type txTasks struct {
	mu   sync.Mutex
	head *orphanWatch
	dead bool
}

// orphanWatch is one task being watched.
type orphanWatch struct {
	d          *OrphanDetector
	key        txKey
	set        *txTasks
	prev, next *orphanWatch
	cfg        *config
	fn         func(context.Context) error
}

// detectors maps clients to the detector installed on them: sentry-go
// offers no lookup of a client's integrations.
var detectors weakCache[sentry.Client, OrphanDetector]

// detectorOf returns the OrphanDetector installed on client, or nil.
func detectorOf(client *sentry.Client) *OrphanDetector {
	return stateOf(client).detector
}

// enter starts watching a task spawned below span.
func (d *OrphanDetector) enter(span *sentry.Span, cfg *config, fn func(context.Context) error) *orphanWatch {
	tx := span.GetTransaction()
	if tx == nil {
		return nil
	}
	w := &orphanWatch{d: d, key: txKey{tx.TraceID, tx.SpanID}, cfg: cfg, fn: fn}
	for {
		v, ok := d.live.Load(w.key)
		if !ok {
			v, _ = d.live.LoadOrStore(w.key, &txTasks{})
		}
		set := v.(*txTasks)
		set.mu.Lock()
		if !set.dead {
			w.set, w.next = set, set.head
			if set.head != nil {
				set.head.prev = w
			}
			set.head = w
			set.mu.Unlock()
			return w
		}
		set.mu.Unlock()
	}
}

// leave stops watching the task: it has ended, or will never run.
func (w *orphanWatch) leave() {
	if w == nil {
		return
	}
	set := w.set
	set.mu.Lock()
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		set.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	}
	if set.head == nil {
		set.dead = true
		w.d.live.CompareAndDelete(w.key, set)
	}
	// A Task handle may keep its watch long after the task ended: it must
	// hold neither the task's closure nor its former neighbours, which
	// would keep theirs.
	w.prev, w.next, w.fn, w.cfg = nil, nil, nil, nil
	set.mu.Unlock()
}

// name names a task for a report: its span's description or op, else its
// function.
func (w *orphanWatch) name() string {
	switch {
	case w.cfg.description != "":
		return w.cfg.description
	case w.cfg.op != "":
		return w.cfg.op
	}
	if f := runtime.FuncForPC(reflect.ValueOf(w.fn).Pointer()); f != nil {
		return f.Name()
	}
	return "task"
}

// process is the event processor: it runs for every event the client is
// about to send, in the goroutine that sends it.
func (d *OrphanDetector) process(event *sentry.Event, _ *sentry.EventHint) *sentry.Event {
	if event == nil || event.Type != "transaction" {
		return event
	}
	key, ok := eventTxKey(event)
	if !ok {
		return event
	}
	v, ok := d.live.Load(key)
	if !ok {
		return event
	}
	set := v.(*txTasks)
	set.mu.Lock()
	var names []string
	for w := set.head; w != nil; w = w.next {
		names = append(names, w.name())
	}
	set.mu.Unlock()
	if len(names) == 0 {
		return event
	}
	d.count.Add(int64(len(names)))
	sentry.DebugLogger.Printf("sentrytask: transaction %q was sent before %d tasks or requests under it had finished (a task still running, a response body still open); their spans are lost: %v",
		event.Transaction, len(names), names)
	if event.Contexts == nil {
		event.Contexts = map[string]sentry.Context{}
	}
	event.Contexts[OrphanContext] = sentry.Context{"orphaned_tasks": names}
	return event
}

func eventTxKey(event *sentry.Event) (txKey, bool) {
	tc := event.Contexts["trace"]
	var k txKey
	switch v := tc["trace_id"].(type) {
	case sentry.TraceID:
		k.trace = v
	default:
		return k, false
	}
	switch v := tc["span_id"].(type) {
	case sentry.SpanID:
		k.span = v
	default:
		return k, false
	}
	return k, true
}

var _ sentry.Integration = (*OrphanDetector)(nil)
