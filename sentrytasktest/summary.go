package sentrytasktest

import (
	"fmt"

	"github.com/getsentry/sentry-go"
)

// Summary describes events in one line, the counts a reader checks first:
// "1 trace, 3 transactions, 12 spans, 0 errors, 0 orphans". It judges
// nothing; Check does.
func Summary(events []*sentry.Event) string {
	var txs, spans, errs int
	for _, e := range events {
		if e.Type == transactionType {
			txs++
			spans += len(e.Spans)
		} else {
			errs++
		}
	}
	return fmt.Sprintf("%d %s, %d %s, %d %s, %d %s, %d %s",
		len(ByTrace(events)), plural(len(ByTrace(events)), "trace"),
		txs, plural(txs, "transaction"), spans, plural(spans, "span"),
		errs, plural(errs, "error"), len(Orphans(events)), plural(len(Orphans(events)), "orphan"))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
