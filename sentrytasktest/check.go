package sentrytasktest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// A CheckOption adds to what Check expects.
type CheckOption func(*checkConfig)

type checkConfig struct {
	remote  map[string]bool
	counts  map[string]int
	runs    map[string]int
	traceID string
}

// RemoteParent declares a span of another process, not recorded here, that
// a transaction may have as its parent: the caller of a server under test.
func RemoteParent(spanID string) CheckOption {
	return func(c *checkConfig) { c.remote[spanID] = true }
}

// ExpectSpans expects exactly n spans (transactions included) with
// operation op.
func ExpectSpans(op string, n int) CheckOption {
	return func(c *checkConfig) { c.counts[op] = n }
}

// OnlyTrace checks the events of one trace and ignores the others.
func OnlyTrace(traceID string) CheckOption {
	return func(c *checkConfig) { c.traceID = traceID }
}

// A TraceError is what Check returns for events that are not one whole
// trace: what is wrong, one sentence each, and the events as a Tree.
type TraceError struct {
	Problems []string
	Tree     string
}

// Error lists the problems and then the tree.
func (e *TraceError) Error() string {
	return "sentrytasktest: the trace is not whole:\n  - " + strings.Join(e.Problems, "\n  - ") + "\n" + e.Tree
}

// Check reports whether events form one whole trace, and returns a
// *TraceError that says what is wrong, in words and with the tree, if they
// do not:
//
//   - every event has one trace id (with OnlyTrace, only that trace's
//     events are checked);
//   - there is one root transaction: one with no parent, or with a
//     RemoteParent; every other transaction's parent is a recorded span;
//   - every span's parent is a recorded span, and no chain of parents
//     loops;
//   - no span id appears twice;
//   - no span started after its parent had finished (a task that outlived
//     the span it was spawned below);
//   - every error event is linked to a recorded span that was still running
//     when the error was captured: an error linked to a span that had
//     finished comes from a goroutine sharing another's hub, whose scope
//     pointed at a span that was not its own (work below
//     sentrytask.Detach, linked by design to the span current at Detach
//     until it starts one of its own, is the exception);
//   - no transaction was sent while tasks started under it were running
//     (sentrytask.OrphanDetector, which the clients of this package have,
//     marks those transactions; their tasks' spans are lost), nor with its
//     spans cut at sentry-go's MaxSpans (marked by the detector too);
//   - every Sentry Crons check-in is linked to a recorded span, and every
//     run its check-ins report was opened once and closed once (a worker's
//     events alone hold closing check-ins only: merge the scheduler's);
//   - the ExpectSpans and ExpectRuns counts hold.
//
// Events from several recorders — a client and a server in one test — can
// be checked together: append them, or use Merge.
func Check(events []*sentry.Event, opts ...CheckOption) error {
	c := checkConfig{remote: map[string]bool{}, counts: map[string]int{}, runs: map[string]int{}}
	for _, opt := range opts {
		opt(&c)
	}
	if c.traceID != "" {
		events = ByTrace(events)[c.traceID]
	}
	k := checker{checkConfig: c, spans: map[string]*recorded{}}
	if len(events) == 0 {
		k.add("no events recorded")
	}
	k.index(events)
	k.traces(events)
	k.roots(events)
	k.parents()
	k.errors(events)
	k.checkIns(events)
	k.sent(events)
	k.expected()
	if len(k.problems) == 0 {
		return nil
	}
	return &TraceError{Problems: k.problems, Tree: Tree(events)}
}

// AssertTrace fails tb, with Check's error, unless events form one whole
// trace. It reports whether they do.
func AssertTrace(tb testing.TB, events []*sentry.Event, opts ...CheckOption) bool {
	tb.Helper()
	if err := Check(events, opts...); err != nil {
		tb.Error(err)
		return false
	}
	return true
}

// Orphans returns the names of the tasks that OrphanDetector found still
// running when one of the transactions in events was sent.
func Orphans(events []*sentry.Event) []string {
	var names []string
	for _, e := range events {
		names = append(names, orphans(e)...)
	}
	return names
}

func orphans(e *sentry.Event) []string {
	names, _ := e.Contexts[sentrytask.OrphanContext]["orphaned_tasks"].([]string)
	return names
}

const transactionType = "transaction"

// recorded is a span or transaction as Check sees it.
type recorded struct {
	name        string // for messages: `span db.query "SELECT" of transaction "import"`
	parent      string
	start, end  time.Time
	transaction bool
}

// checker collects the problems of one Check.
type checker struct {
	checkConfig
	spans    map[string]*recorded // by span id
	counts   map[string]int       // spans by op
	problems []string
}

func (k *checker) add(format string, args ...any) {
	k.problems = append(k.problems, fmt.Sprintf(format, args...))
}

// index records every span and transaction by id, and counts them by op.
func (k *checker) index(events []*sentry.Event) {
	k.counts = map[string]int{}
	record := func(id string, r *recorded) {
		if prev, dup := k.spans[id]; dup {
			k.add("span id %s appears twice: %s and %s", id, prev.name, r.name)
		}
		k.spans[id] = r
	}
	for _, e := range events {
		if e.Type != transactionType {
			continue
		}
		tc := e.Contexts["trace"]
		k.counts[str(tc["op"])]++
		record(spanIDOf(e), &recorded{name: fmt.Sprintf("transaction %q", e.Transaction),
			parent: str(tc["parent_span_id"]), start: e.StartTime, end: e.Timestamp, transaction: true})
		for _, s := range e.Spans {
			k.counts[s.Op]++
			record(s.SpanID.String(), &recorded{name: spanName(s, e), parent: parentString(s.ParentSpanID),
				start: s.StartTime, end: s.EndTime})
		}
	}
}

func spanName(s *sentry.Span, tx *sentry.Event) string {
	if s.Description == "" {
		return fmt.Sprintf("span %s of transaction %q", s.Op, tx.Transaction)
	}
	return fmt.Sprintf("span %s %q of transaction %q", s.Op, s.Description, tx.Transaction)
}

// traces checks that the events are of one trace.
func (k *checker) traces(events []*sentry.Event) {
	traces := ByTrace(events)
	if len(traces) <= 1 {
		return
	}
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(traces)) {
		ids = append(ids, fmt.Sprintf("%s (%d events)", id, len(traces[id])))
	}
	k.add("the events belong to %d traces, not one: %s", len(traces), strings.Join(ids, ", "))
}

// roots checks that exactly one transaction is the root of the trace.
func (k *checker) roots(events []*sentry.Event) {
	var roots []string
	txs, unrecorded := 0, 0
	for _, e := range events {
		if e.Type != transactionType {
			continue
		}
		txs++
		switch parent := str(e.Contexts["trace"]["parent_span_id"]); {
		case parent == "" || k.remote[parent]:
			roots = append(roots, fmt.Sprintf("%q", e.Transaction))
		case k.spans[parent] == nil:
			unrecorded++ // reported by parents
		}
	}
	switch {
	case txs > 0 && len(roots) == 0 && unrecorded == 0:
		k.add("no transaction is the root of the trace: every one has a recorded parent, so their parents loop")
	case len(roots) > 1:
		k.add("%d transactions have no parent (%s): a trace has one root", len(roots), strings.Join(roots, ", "))
	}
}

// parents checks every parent link: recorded, not looping, and not ended
// before its child started.
func (k *checker) parents() {
	for _, id := range slices.Sorted(maps.Keys(k.spans)) {
		r := k.spans[id]
		if r.parent == "" || k.remote[r.parent] {
			continue
		}
		parent, ok := k.spans[r.parent]
		switch {
		case r.parent == id:
			k.add("%s is its own parent", r.name)
		case !ok && r.transaction:
			k.add("%s has parent %s, which is neither recorded nor a declared remote parent", r.name, r.parent)
		case !ok:
			k.add("%s has parent %s, which is not recorded", r.name, r.parent)
		case !r.transaction && !parent.end.IsZero() && r.start.After(parent.end):
			// A transaction's parent is in another transaction (a caller,
			// or the span current at Detach), which may well have ended.
			k.add("%s started %s after its parent, %s, had finished", r.name, r.start.Sub(parent.end), parent.name)
		}
	}
	k.cycles()
}

// cycles reports each loop of parent links once.
func (k *checker) cycles() {
	seen := map[string]bool{}
	for _, start := range slices.Sorted(maps.Keys(k.spans)) {
		path, at := []string{}, map[string]int{}
		for id := start; id != "" && !seen[id]; id = k.spans[id].parent {
			if _, ok := k.spans[id]; !ok {
				break
			}
			if i, loop := at[id]; loop {
				if len(path)-i > 1 { // a span that is its own parent is reported as such
					var names []string
					for _, p := range path[i:] {
						names = append(names, k.spans[p].name)
					}
					k.add("parent links form a cycle: %s → back to the first", strings.Join(names, " → "))
				}
				break
			}
			at[id] = len(path)
			path = append(path, id)
		}
		for _, id := range path {
			seen[id] = true
		}
	}
}

// errors checks that every error is linked to a span that was running when
// it was captured.
func (k *checker) errors(events []*sentry.Event) {
	for _, e := range events {
		if e.Type == transactionType || e.Type == checkInType {
			continue
		}
		id := spanIDOf(e)
		linked, ok := k.spans[id]
		switch {
		case id == "":
			k.add("error %q is linked to no span", errorText(e))
		case !ok && !k.remote[id]:
			k.add("error %q is linked to span %s, which is not recorded", errorText(e), id)
		case ok && !linked.end.IsZero() && e.Timestamp.After(linked.end) && detachedFrom(e) != id:
			k.add("error %q is linked to %s, which had finished %s before the error was captured: the goroutine that captured it shares a hub whose scope points at a span not its own (spawn it with sentrytask.Go)",
				errorText(e), linked.name, e.Timestamp.Sub(linked.end))
		}
	}
}

// detachedFrom is the span that was current at the sentrytask.Detach below
// which e was captured, if it was.
func detachedFrom(e *sentry.Event) string {
	return str(e.Contexts[sentrytask.OrphanContext]["detached_from"])
}

// sent checks what OrphanDetector found when the transactions were sent.
func (k *checker) sent(events []*sentry.Event) {
	for _, e := range events {
		if e.Type != transactionType {
			continue
		}
		if names := orphans(e); len(names) > 0 {
			k.add("transaction %q was sent before work under it had finished (tasks still running, response bodies still open), and their spans are lost: %s",
				e.Transaction, strings.Join(names, ", "))
		}
		if limit, ok := e.Contexts[sentrytask.OrphanContext]["max_spans"]; ok {
			k.add("transaction %q reached sentry-go's MaxSpans (%v spans, itself included): every span started after that was dropped; raise ClientOptions.MaxSpans on the client of the global hub, where sentry-go reads it, or start fewer spans",
				e.Transaction, limit)
		}
	}
}

// expected checks the ExpectSpans counts.
func (k *checker) expected() {
	for _, op := range slices.Sorted(maps.Keys(k.checkConfig.counts)) {
		if got, want := k.counts[op], k.checkConfig.counts[op]; got != want {
			k.add("%d spans with op %q; want %d", got, op, want)
		}
	}
}
