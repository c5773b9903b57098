package sentrytasktest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
)

// Tree renders events as span trees, one per trace: transactions and spans
// indented under their parents with op, description, status and duration,
// and error events under the span they are linked to. Traces are ordered by
// their first span's start and siblings by start, so the tree reads as a
// timeline; with WithoutDurations, siblings are ordered by op and
// description first, so that the same run renders the same every time even
// when siblings ran concurrently. Errors linked to no recorded span are
// listed at the end of their trace.
func Tree(events []*sentry.Event, opts ...TreeOption) string {
	var c treeConfig
	for _, opt := range opts {
		opt(&c)
	}
	f := newForest(events)
	f.treeConfig = c
	var b strings.Builder
	for i, tr := range f.traces() {
		if i > 0 {
			b.WriteByte('\n')
		}
		if f.noTraceIDs {
			b.WriteString("trace\n")
		} else {
			fmt.Fprintf(&b, "trace %s\n", tr.id)
		}
		for j, root := range tr.roots {
			f.write(&b, root, "", j == len(tr.roots)-1)
		}
		for _, e := range tr.unlinked {
			b.WriteString(eventText(e) + " (linked to a span not recorded")
			if !f.noTraceIDs {
				b.WriteString(" " + spanIDOf(e))
			}
			b.WriteString(")\n")
		}
	}
	return b.String()
}

// A TreeOption changes how Tree renders.
type TreeOption func(*treeConfig)

type treeConfig struct {
	noDurations bool
	noTraceIDs  bool
}

// WithoutDurations leaves durations out, for output compared across runs.
func WithoutDurations() TreeOption { return func(c *treeConfig) { c.noDurations = true } }

// WithoutTraceIDs leaves trace and span ids out, for output compared across
// runs.
func WithoutTraceIDs() TreeOption { return func(c *treeConfig) { c.noTraceIDs = true } }

type node struct {
	traceID, spanID, parentID string
	op, description, name     string
	status                    string
	start, end                time.Time
	transaction               bool
	// cycle is set on a node shown as a root because its parents loop
	// back to it: the loop is cut above it.
	cycle    bool
	children []*node
	errors   []*sentry.Event
}

type trace struct {
	id       string
	start    time.Time
	roots    []*node
	unlinked []*sentry.Event
}

type forest struct {
	treeConfig
	spans map[string]*node
	byID  map[string]*trace
}

func newForest(events []*sentry.Event) *forest {
	f := &forest{spans: map[string]*node{}, byID: map[string]*trace{}}
	for _, e := range events {
		if e.Type != "transaction" {
			continue
		}
		tc := e.Contexts["trace"]
		root := &node{
			traceID: str(tc["trace_id"]), spanID: str(tc["span_id"]), parentID: str(tc["parent_span_id"]),
			op: str(tc["op"]), description: str(tc["description"]), name: e.Transaction,
			status: str(tc["status"]), start: e.StartTime, end: e.Timestamp, transaction: true,
		}
		f.add(root)
		for _, s := range e.Spans {
			f.add(&node{
				traceID: s.TraceID.String(), spanID: s.SpanID.String(), parentID: parentString(s.ParentSpanID),
				op: s.Op, description: s.Description, status: s.Status.String(),
				start: s.StartTime, end: s.EndTime,
			})
		}
	}
	for _, n := range f.spans {
		if p, ok := f.spans[n.parentID]; ok && n.parentID != "" {
			p.children = append(p.children, n)
			continue
		}
		tr := f.trace(n.traceID)
		tr.roots = append(tr.roots, n)
	}
	f.cutCycles()
	for _, tr := range f.byID {
		for _, r := range tr.roots {
			if tr.start.IsZero() || r.start.Before(tr.start) {
				tr.start = r.start
			}
		}
	}
	for _, e := range events {
		if e.Type == "transaction" {
			continue
		}
		if n, ok := f.spans[spanIDOf(e)]; ok {
			n.errors = append(n.errors, e)
			continue
		}
		tr := f.trace(str(e.Contexts["trace"]["trace_id"]))
		tr.unlinked = append(tr.unlinked, e)
		if tr.start.IsZero() || e.Timestamp.Before(tr.start) {
			tr.start = e.Timestamp
		}
	}
	return f
}

func (f *forest) add(n *node) { f.spans[n.spanID] = n }

// cutCycles makes every span that no root reaches (its parents loop) a
// root: the first of each loop, by id, is cut from its parent and marked,
// so that every recorded span is shown once.
func (f *forest) cutCycles() {
	reached := map[*node]bool{}
	var reach func(n *node)
	reach = func(n *node) {
		if reached[n] {
			return
		}
		reached[n] = true
		for _, c := range n.children {
			reach(c)
		}
	}
	for _, tr := range f.byID {
		for _, r := range tr.roots {
			reach(r)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(f.spans)) {
		n := f.spans[id]
		if reached[n] {
			continue
		}
		if p := f.spans[n.parentID]; p != nil {
			p.children = slices.DeleteFunc(p.children, func(c *node) bool { return c == n })
		}
		n.cycle = true
		tr := f.trace(n.traceID)
		tr.roots = append(tr.roots, n)
		reach(n)
	}
}

func (f *forest) trace(id string) *trace {
	tr, ok := f.byID[id]
	if !ok {
		tr = &trace{id: id}
		f.byID[id] = tr
	}
	return tr
}

// traces returns the traces ordered by their earliest root, each with its
// roots and their descendants sorted.
func (f *forest) traces() []*trace {
	var out []*trace
	for _, tr := range f.byID {
		sortNodes(tr.roots, f.noDurations)
		out = append(out, tr)
	}
	slices.SortFunc(out, func(a, b *trace) int {
		return cmp.Or(a.start.Compare(b.start), cmp.Compare(a.id, b.id))
	})
	return out
}

func sortNodes(ns []*node, byName bool) {
	slices.SortFunc(ns, func(a, b *node) int {
		if !byName {
			if c := a.start.Compare(b.start); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(a.op, b.op), cmp.Compare(a.name, b.name),
			cmp.Compare(a.description, b.description), a.start.Compare(b.start), cmp.Compare(a.spanID, b.spanID))
	})
	for _, n := range ns {
		sortNodes(n.children, byName)
		slices.SortStableFunc(n.errors, func(a, b *sentry.Event) int {
			return cmp.Or(a.Timestamp.Compare(b.Timestamp), cmp.Compare(errorText(a), errorText(b)))
		})
	}
}

func (f *forest) write(b *strings.Builder, n *node, indent string, last bool) {
	branch, next := "├─ ", "│  "
	if last {
		branch, next = "└─ ", "   "
	}
	b.WriteString(indent + branch + n.label(f.noDurations))
	switch {
	case n.cycle && f.noTraceIDs:
		b.WriteString(" (parent in a cycle)")
	case n.cycle:
		fmt.Fprintf(b, " (parent %s, in a cycle)", n.parentID)
	case n.transaction && n.parentID != "":
		if _, local := f.spans[n.parentID]; !local {
			if f.noTraceIDs {
				b.WriteString(" (remote parent)")
			} else {
				fmt.Fprintf(b, " (remote parent %s)", n.parentID)
			}
		}
	}
	b.WriteByte('\n')
	for _, e := range n.errors {
		b.WriteString(indent + next + eventText(e) + "\n")
	}
	for i, c := range n.children {
		f.write(b, c, indent+next, i == len(n.children)-1)
	}
}

func (n *node) label(noDurations bool) string {
	var parts []string
	if n.transaction {
		parts = append(parts, "transaction")
	}
	parts = append(parts, cmp.Or(n.op, "-"))
	if n.transaction && n.name != "" {
		parts = append(parts, fmt.Sprintf("%q", n.name))
	} else if n.description != "" {
		parts = append(parts, fmt.Sprintf("%q", n.description))
	}
	parts = append(parts, cmp.Or(n.status, "-"))
	if !noDurations && !n.end.IsZero() {
		parts = append(parts, n.end.Sub(n.start).Round(time.Microsecond).String())
	}
	return strings.Join(parts, " ")
}

// eventText is the line of an event that is not a transaction: an error,
// or a check-in.
func eventText(e *sentry.Event) string {
	if e.Type == checkInType && e.CheckIn != nil {
		return "~ " + checkInText(e)
	}
	return "! " + errorText(e)
}

func errorText(e *sentry.Event) string {
	if n := len(e.Exception); n > 0 {
		return fmt.Sprintf("%s: %s: %s", e.Level, e.Exception[n-1].Type, e.Exception[n-1].Value)
	}
	return fmt.Sprintf("%s: %s", e.Level, e.Message)
}

func spanIDOf(e *sentry.Event) string { return str(e.Contexts["trace"]["span_id"]) }

func parentString(id sentry.SpanID) string {
	if id == (sentry.SpanID{}) {
		return ""
	}
	return id.String()
}

// str renders a trace-context value, which is a typed id or status before
// serialisation and a string after.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}
