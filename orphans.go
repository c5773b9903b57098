package sentrytask

import (
	"context"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// OrphanContext is the event context ("sentrytask") in which this package
// records what it found about an event: OrphanDetector lists, under
// "orphaned_tasks", the tasks still running when a transaction was sent
// and the requests whose response body was still open, and gives, under
// "max_spans", the limit a transaction's spans were cut at; events of work
// below Detach name, under "detached_from", the span that was current at
// Detach.
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
// It also finds transactions whose spans sentry-go cut at
// ClientOptions.MaxSpans (1000 by default), which it does with a single
// debug line. sentry-go reads that limit from the client of the global hub
// only, whatever client sends the transaction, and records at most that
// many spans, the transaction included. A transaction sent with that many
// is marked under OrphanContext ("max_spans") and counted (Truncated):
// every span started after the limit was dropped (one sent with exactly
// the limit and nothing dropped is marked too; the event cannot tell).
//
// It is opt-in because it costs, on every task spawned under a transaction,
// an allocation and a lock of a per-transaction set (1.11–1.13× a task
// spawned with a client; BenchmarkOrphanDetector in benchmarks/RESULTS.md). The
// sentrytasktest clients install it.
//
// A task counts as running from the moment it is spawned until its function
// has returned and its span has ended; a queued pool task counts too. The
// check needs no timing: a program that waits for its tasks before
// finishing the transaction never has orphans, and one that does not is
// caught whenever a task is still running.
type OrphanDetector struct {
	count     atomic.Int64
	truncated atomic.Int64
	live      sync.Map // txKey → *txTasks
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

// Truncated returns how many transactions were sent with their spans cut
// at sentry-go's MaxSpans.
func (d *OrphanDetector) Truncated() int64 { return d.truncated.Load() }

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

// orphanWatch is one task or request being watched.
type orphanWatch struct {
	d          *OrphanDetector
	key        txKey
	set        *txTasks
	prev, next *orphanWatch
	name       watchName
}

// watchName names what is watched, for a report: a name, or else the
// function it runs, named only if a report needs it (runtime.FuncForPC
// costs more than the rest of the watch).
type watchName struct {
	name string
	fn   func(context.Context) error
}

func (n watchName) String() string {
	if n.name != "" {
		return n.name
	}
	if n.fn != nil {
		if f := runtime.FuncForPC(reflect.ValueOf(n.fn).Pointer()); f != nil {
			return f.Name()
		}
	}
	return "task"
}

// detectors maps clients to the detector installed on them: sentry-go
// offers no lookup of a client's integrations.
var detectors weakCache[sentry.Client, OrphanDetector]

// detectorOf returns the OrphanDetector installed on client, or nil.
func detectorOf(client *sentry.Client) *OrphanDetector {
	return detectors.get(client)
}

// enter starts watching a task or request started below span.
func (d *OrphanDetector) enter(span *sentry.Span, name watchName) *orphanWatch {
	tx := span.GetTransaction()
	if tx == nil {
		return nil
	}
	w := &orphanWatch{d: d, key: txKey{tx.TraceID, tx.SpanID}, name: name}
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
	w.prev, w.next, w.name = nil, nil, watchName{}
	set.mu.Unlock()
}

// process is the event processor: it runs for every event the client is
// about to send, in the goroutine that sends it.
func (d *OrphanDetector) process(event *sentry.Event, _ *sentry.EventHint) *sentry.Event {
	if event == nil || event.Type != "transaction" {
		return event
	}
	if limit := spanLimit(); len(event.Spans)+1 >= limit {
		d.truncated.Add(1)
		sentry.DebugLogger.Printf("sentrytask: transaction %q was sent with %d spans, sentry-go's MaxSpans: every span started after that was dropped (sentry-go reads MaxSpans from the global hub's client)",
			event.Transaction, limit)
		addContext(event, "max_spans", limit)
	}
	if names := d.running(event); len(names) > 0 {
		d.count.Add(int64(len(names)))
		sentry.DebugLogger.Printf("sentrytask: transaction %q was sent before %d tasks or requests under it had finished (a task still running, a response body still open); their spans are lost: %v",
			event.Transaction, len(names), names)
		addContext(event, "orphaned_tasks", names)
	}
	return event
}

// running names the tasks still running under the transaction of event,
// and forgets them: the transaction has been sent, and a watch nobody
// leaves (a Publishing or Call never ended, on an error path) must not be
// kept for ever. A task still running leaves a set nobody looks up.
func (d *OrphanDetector) running(event *sentry.Event) []string {
	key, ok := eventTxKey(event)
	if !ok {
		return nil
	}
	v, ok := d.live.LoadAndDelete(key)
	if !ok {
		return nil
	}
	set := v.(*txTasks)
	set.mu.Lock()
	defer set.mu.Unlock()
	set.dead = true
	var names []string
	for w := set.head; w != nil; w = w.next {
		names = append(names, w.name.String())
	}
	return names
}

// spanLimit is the number of spans sentry-go's span recorder keeps per
// transaction, found where it finds it.
func spanLimit() int {
	if client := sentry.CurrentHub().Client(); client.IsEnabled() {
		return client.Options().MaxSpans
	}
	return 1000 // sentry-go's defaultMaxSpans
}

// addContext sets key in event's OrphanContext, keeping what is there: the
// scope may have put entries of its own (see Detach).
func addContext(event *sentry.Event, key string, value any) {
	if event.Contexts == nil {
		event.Contexts = map[string]sentry.Context{}
	}
	c := event.Contexts[OrphanContext]
	if c == nil {
		c = sentry.Context{}
		event.Contexts[OrphanContext] = c
	}
	c[key] = value
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
