package sentrytask

import (
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/internal/wire"
)

// Sentry's Queues module reads two spans per message: the producer's
// "queue.publish" span and the consumer's "queue.process" transaction, with
// messaging.* data on both and the receive latency, in milliseconds, on the
// consumer's. Publish (publish.go) and Process (process.go) make them, for
// any engine: an integration (River, NATS) says what the message is and
// passes its headers as a Carrier.

// A Message describes a message, or a job, for Sentry's Queues module.
type Message struct {
	// System is the messaging system: "river", "nats", "kafka".
	System string
	// Destination is the queue, topic or subject the message is sent to.
	Destination string
	// ID is the message's id, when it is known; a producer may set it on
	// its Publishing once the engine has given one.
	ID string
	// BodySize is the size of the message's body in bytes; zero or less
	// means unknown, and is left out.
	BodySize int
	// Name names the consumer's transaction: the task or job kind
	// ("email.send"). The destination when empty.
	Name string
	// RetryCount is, on the consumer's side, how many times the message was
	// delivered before; less than zero counts as zero.
	RetryCount int
	// EnqueuedAt is, on the consumer's side, when the engine says the
	// message was first enqueued (a stream's timestamp, a job's creation
	// time), for a message whose producer wrote no
	// sentry-task-enqueued-time header. A message's age (NewTraceAfter) is
	// measured from it, or from the header.
	EnqueuedAt time.Time
	// AvailableAt is, on the consumer's side, when the message became
	// available to consumers, if later than it was enqueued: a job
	// scheduled to run later, or a retry that was backed off. The receive
	// latency is measured from it.
	AvailableAt time.Time
}

// Data keys of Sentry's Queues module.
const (
	dataMessageID      = "messaging.message.id"
	dataDestination    = "messaging.destination.name"
	dataBodySize       = "messaging.message.body.size"
	dataSystem         = "messaging.system"
	dataReceiveLatency = "messaging.message.receive.latency"
	dataRetryCount     = "messaging.message.retry.count"
	// A transaction that starts a new trace instead of continuing its
	// producer's (see NewTraceAfter) keeps the producer's ids here: sentry-go
	// has no span links.
	dataProducerTrace = "messaging.producer.trace_id"
	dataProducerSpan  = "messaging.producer.span_id"
	// A publish the engine dropped as a duplicate (see EndDuplicate).
	dataDuplicate = "messaging.message.duplicate"
)

// keyEnqueuedTime is the header carrying when a message was enqueued.
const keyEnqueuedTime = wire.EnqueuedTimeKey

// setMessageData puts what both sides know of m on span.
func setMessageData(span *sentry.Span, m Message) {
	if m.System != "" {
		span.SetData(dataSystem, m.System)
	}
	if m.Destination != "" {
		span.SetData(dataDestination, m.Destination)
	}
	if m.ID != "" {
		span.SetData(dataMessageID, m.ID)
	}
	if m.BodySize > 0 {
		span.SetData(dataBodySize, m.BodySize)
	}
}
