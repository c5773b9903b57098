// Package sentrytaskfranz carries Sentry traces across Kafka with franz-go
// (github.com/twmb/franz-go): a record produced in a trace is processed in
// the same trace, in whatever process consumes it, and Sentry's Queues
// module sees both sides.
//
// Producing is instrumented by one option on the client, Tracing: every
// record produced gets a "queue.publish" span below the span on its
// context (the context given to Produce), and the headers that continue
// the trace — sentry-trace, baggage and sentry-task-enqueued-time, which
// sentry-python and sentry-java read too. The span ends when the record's
// produce ends, with its error, and records the topic, the value's size and
// the record's partition and offset as its id.
//
// Consuming, in Kafka, is the caller's poll loop: Process processes one
// record, ProcessFetches every record of a poll, each in its own
// "queue.process" transaction continuing its own producer's trace
// (sentrytask.Process), optionally concurrently on a sentrytask.Pool
// (WithPool).
//
// Offsets stay the caller's: this package commits nothing, and marks
// nothing for commit. ProcessFetches returns when every record of the poll
// has been processed or given up on, and says which failed and which never
// ran (RecordError), so that the caller commits what it means to. With
// franz-go's default autocommit, records are committed in the background
// once polled, processed or not; to commit only what was processed,
// disable it (kgo.DisableAutoCommit) and commit after ProcessFetches
// returns, or use kgo.AutoCommitMarks and mark the records that
// succeeded.
package sentrytaskfranz
