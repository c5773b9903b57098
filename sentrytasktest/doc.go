// Package sentrytasktest records what sentry-go sends, in memory, so that
// tests can assert on it: a recording sentry.Transport, an isolated hub per
// test, and a readable rendering of the recorded span trees.
//
// A test gets its own client and hub, never the global one, so tests can run
// in parallel:
//
//	hub, rec := sentrytasktest.NewHub(t)
//	ctx := sentry.SetHubOnContext(context.Background(), hub)
//	// … run the code under test with ctx …
//	txs := rec.Transactions()
package sentrytasktest
