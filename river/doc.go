// Package sentrytaskriver keeps Sentry traces whole across River, the Go job
// queue on PostgreSQL (or SQLite): a job continues the trace of the code
// that inserted it, on whatever machine works it, and both sides make the
// spans Sentry's Queues module reads.
//
// One Middleware serves both sides. Install it on every River client that
// inserts or works jobs:
//
//	client, err := river.NewClient(driver, &river.Config{
//		Middleware: []rivertype.Middleware{sentrytaskriver.NewMiddleware()},
//		…
//	})
//
// On insert, each job gets a "queue.publish" span below the span on the
// inserting context, and its metadata the headers that continue the trace
// (sentry-trace, baggage, sentry-task-enqueued-time). When a job is worked,
// the worker runs in a "queue.process" transaction named after the job's
// kind, continuing that trace, with a hub of its own: see
// sentrytask.Process for what it records.
//
// In production:
//
//   - Shutdown and failure are River's: a job whose worker fails is
//     retried by River's retry policy, in the same trace (the retry count
//     is on each attempt's transaction); one River stops while it runs is
//     worked again by River. The middleware never settles a job.
//   - A unique job River skips as a duplicate of one it holds is recorded
//     as one ("queue.publish.duplicate", already_exists), not as a job
//     inserted.
//   - A job inserted with InsertTx gets its "queue.publish" span when the
//     insert statement runs: River has no hook for the transaction's end,
//     so a transaction rolled back afterwards leaves a span for a job that
//     was never inserted (see Middleware.InsertMany for what to do).
//   - Metadata up to 1 MiB carries the trace; larger metadata is inserted
//     as it is, without it.
//   - A periodic job made with NewPeriodicJob is a Sentry Crons monitor:
//     each run the leader inserts heads a trace of its own and opens its
//     check-in, and the first attempt that ends closes it on the worker —
//     ok, or error for a failure, a panic or a cancel, even one River
//     retries; a snooze leaves it open (see Middleware.Work).
//
// River needs Go 1.26, and so does this module; the sentrytask module does
// not depend on it.
//
// Import it as
//
//	import sentrytaskriver "github.com/sentrytask/sentrytask/river"
package sentrytaskriver
