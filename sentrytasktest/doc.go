// Package sentrytasktest checks, in a test, that the traces a program sends
// to Sentry are whole: a recording sentry.Transport, an isolated client and
// hub per test, trace-integrity checks, and a readable rendering of the
// recorded span trees.
//
// A test gets its own client and hub, never the global one, so tests can run
// in parallel:
//
//	hub, rec := sentrytasktest.NewHub(t)
//	ctx := sentry.SetHubOnContext(context.Background(), hub)
//	runImport(ctx) // the code under test
//	sentrytasktest.AssertTrace(t, rec.Events(), sentrytasktest.ExpectSpans("file.parse", 3))
//
// AssertTrace fails the test, saying what is wrong and showing the tree,
// when the events are not one trace with one root, a span's parent is
// missing or the parents loop, a span started after its parent finished, an
// error is linked to no recorded span or to one that had already finished
// (goroutines sharing a hub), a span id repeats, or a transaction was sent
// with its spans cut at sentry-go's MaxSpans, or while tasks started under
// it were still running or the body of a response to one of its requests
// was still open (their spans are lost: the clients of this package install
// a sentrytask.OrphanDetector, which finds both). Events of several
// processes — a CLI and the server it calls — are checked together with
// Merge.
package sentrytasktest
