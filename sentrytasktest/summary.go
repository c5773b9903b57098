package sentrytasktest

import (
	"fmt"

	"github.com/getsentry/sentry-go"
)

// Summary describes events in one line, the counts a reader checks first:
// "1 trace, 3 transactions, 12 spans, 0 errors, 0 orphans", and the
// Sentry Crons check-ins, if there are any. It judges nothing; Check does.
func Summary(events []*sentry.Event) string {
	var txs, spans, errs, checkIns int
	for _, e := range events {
		switch e.Type {
		case transactionType:
			txs++
			spans += len(e.Spans)
		case checkInType:
			checkIns++
		default:
			errs++
		}
	}
	traces, orphans := len(ByTrace(events)), len(Orphans(events))
	s := fmt.Sprintf("%d %s, %d %s, %d %s, %d %s, %d %s",
		traces, plural(traces, "trace"), txs, plural(txs, "transaction"),
		spans, plural(spans, "span"), errs, plural(errs, "error"), orphans, plural(orphans, "orphan"))
	if checkIns > 0 {
		s += fmt.Sprintf(", %d %s", checkIns, plural(checkIns, "check-in"))
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
