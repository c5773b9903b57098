// Package sentrytaskkafkago carries Sentry traces across Kafka with
// segmentio/kafka-go: a message written in a trace is processed in the
// same trace, in whatever process reads it, and Sentry's Queues module
// sees both sides.
//
// Writing: NewWriter instruments a kafka.Writer, and its WriteMessages
// gives every message its own "queue.publish" span below the span on ctx,
// and the headers that continue the trace — sentry-trace, baggage and
// sentry-task-enqueued-time, which sentry-python and sentry-java read
// too. Each span ends once, when the Writer reports the message written or
// failed (its Completion, which also serves asynchronous writers), with
// its partition and offset as the message's id.
//
// Reading is the caller's loop of FetchMessage (or ReadMessage): Process
// processes one message in a "queue.process" transaction continuing its
// producer's trace (sentrytask.Process), and PoolProcess queues it on a
// sentrytask.Pool. Offsets stay the caller's: this package commits
// nothing. With a Reader in a consumer group, FetchMessage and
// CommitMessages after a message's processing succeeded commit what was
// processed; ReadMessage commits before.
package sentrytaskkafkago
