package sentrytasktest

import "github.com/getsentry/sentry-go"

// Merge returns the events of several recorders as one list, for checking
// a trace that crosses processes (a CLI and a server in one test).
func Merge(recs ...*Recorder) []*sentry.Event {
	var events []*sentry.Event
	for _, r := range recs {
		events = append(events, r.Events()...)
	}
	return events
}

// ByTrace groups events by trace id.
func ByTrace(events []*sentry.Event) map[string][]*sentry.Event {
	m := map[string][]*sentry.Event{}
	for _, e := range events {
		id := str(e.Contexts["trace"]["trace_id"])
		m[id] = append(m[id], e)
	}
	return m
}

// SpansByOp returns the spans of the transactions in events whose operation
// is op, in recorded order. Transactions themselves are events, not spans:
// find them with TransactionsByOp.
func SpansByOp(events []*sentry.Event, op string) []*sentry.Span {
	return spansWhere(events, func(s *sentry.Span) bool { return s.Op == op })
}

// SpansByDescription returns the spans of the transactions in events whose
// description is d.
func SpansByDescription(events []*sentry.Event, d string) []*sentry.Span {
	return spansWhere(events, func(s *sentry.Span) bool { return s.Description == d })
}

// TransactionsByOp returns the transaction events in events whose operation
// is op.
func TransactionsByOp(events []*sentry.Event, op string) []*sentry.Event {
	var out []*sentry.Event
	for _, e := range events {
		if e.Type == transactionType && str(e.Contexts["trace"]["op"]) == op {
			out = append(out, e)
		}
	}
	return out
}

func spansWhere(events []*sentry.Event, keep func(*sentry.Span) bool) []*sentry.Span {
	var out []*sentry.Span
	for _, e := range events {
		for _, s := range e.Spans {
			if keep(s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// IDs returns the trace id, span id and parent span id of an event's trace
// context, as strings ("" for a missing one): an error event's are those
// of the span it is linked to.
func IDs(e *sentry.Event) (traceID, spanID, parentID string) {
	tc := e.Contexts["trace"]
	return str(tc["trace_id"]), str(tc["span_id"]), str(tc["parent_span_id"])
}
