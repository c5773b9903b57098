package sentrytasktest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
)

// A CheckOption adds to what Check expects.
type CheckOption func(*checkConfig)

type checkConfig struct {
	remote  map[string]bool
	counts  map[string]int
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

// Check reports whether events form one whole trace, and returns an error
// that says what is wrong, in words and with the tree, if they do not:
//
//   - every event has one trace id (with OnlyTrace, only that trace's
//     events are checked);
//   - there is one root transaction, and every other transaction's parent
//     is a recorded span or a RemoteParent;
//   - every span's parent is a recorded span;
//   - no span id appears twice;
//   - every error event is linked to a recorded span;
//   - no transaction was sent while tasks started under it were running
//     (sentrytask.OrphanDetector, which the clients of this package have,
//     marks those transactions; their tasks' spans are lost);
//   - the ExpectSpans counts hold.
//
// Events from several recorders — a client and a server in one test — can
// be checked together: append them.
func Check(events []*sentry.Event, opts ...CheckOption) error {
	c := checkConfig{remote: map[string]bool{}, counts: map[string]int{}}
	for _, opt := range opts {
		opt(&c)
	}
	if c.traceID != "" {
		events = ByTrace(events)[c.traceID]
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(events) == 0 {
		add("no events recorded")
	}

	traces := ByTrace(events)
	if len(traces) > 1 {
		var ids []string
		for _, id := range slices.Sorted(maps.Keys(traces)) {
			ids = append(ids, fmt.Sprintf("%s (%d events)", id, len(traces[id])))
		}
		add("the events belong to %d traces, not one: %s", len(traces), strings.Join(ids, ", "))
	}

	// Every recorded span, by id, named for messages.
	spans := map[string]string{}
	for _, e := range events {
		if e.Type != transactionType {
			continue
		}
		id := spanIDOf(e)
		name := fmt.Sprintf("transaction %q", e.Transaction)
		if prev, dup := spans[id]; dup {
			add("span id %s appears twice: %s and %s", id, prev, name)
		}
		spans[id] = name
		for _, s := range e.Spans {
			id := s.SpanID.String()
			name := fmt.Sprintf("span %s %q of transaction %q", s.Op, s.Description, e.Transaction)
			if prev, dup := spans[id]; dup {
				add("span id %s appears twice: %s and %s", id, prev, name)
			}
			spans[id] = name
		}
	}

	var roots []string
	counts := map[string]int{}
	for _, e := range events {
		if e.Type != transactionType {
			continue
		}
		tc := e.Contexts["trace"]
		counts[str(tc["op"])]++
		switch parent := str(tc["parent_span_id"]); {
		case parent == "":
			roots = append(roots, fmt.Sprintf("%q", e.Transaction))
		case spans[parent] == "" && !c.remote[parent]:
			add("transaction %q has parent %s, which is neither recorded nor a declared remote parent", e.Transaction, parent)
		}
		for _, s := range e.Spans {
			counts[s.Op]++
			if p := parentString(s.ParentSpanID); spans[p] == "" {
				add("span %s %q of transaction %q has parent %s, which is not recorded", s.Op, s.Description, e.Transaction, p)
			}
		}
		if names := orphans(e); len(names) > 0 {
			add("transaction %q was sent before work under it had finished (tasks still running, response bodies still open), and their spans are lost: %s",
				e.Transaction, strings.Join(names, ", "))
		}
	}
	if len(roots) > 1 {
		add("%d transactions have no parent (%s): a trace has one root", len(roots), strings.Join(roots, ", "))
	}

	for _, e := range events {
		if e.Type == transactionType {
			continue
		}
		switch id := spanIDOf(e); {
		case id == "":
			add("error %q is linked to no span", errorText(e))
		case spans[id] == "" && !c.remote[id]:
			add("error %q is linked to span %s, which is not recorded", errorText(e), id)
		}
	}

	for _, op := range slices.Sorted(maps.Keys(c.counts)) {
		if counts[op] != c.counts[op] {
			add("%d spans with op %q; want %d", counts[op], op, c.counts[op])
		}
	}

	if len(problems) == 0 {
		return nil
	}
	return errors.New("sentrytasktest: the trace is not whole:\n  - " + strings.Join(problems, "\n  - ") + "\n" + Tree(events))
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
