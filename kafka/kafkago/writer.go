package sentrytaskkafkago

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
)

// system is the messaging system Kafka's spans name.
const system = "kafka"

// A Writer writes messages through a kafka.Writer, each in a span of its
// own that carries the trace to where it is processed.
type Writer struct {
	w *kafka.Writer
}

// acked reports whether w's broker answers its writes: with RequireNone,
// kafka-go's default, no answer says where a message went.
func acked(w *kafka.Writer) bool { return w.RequiredAcks != kafka.RequireNone }

// NewWriter instruments w, which must not have written yet: it sets w's
// Completion to one that ends the messages' spans and then calls the
// Completion w had, if any, with the messages as it would have seen them
// (so set yours before, not after: one set after replaces this one, and
// the spans of messages written without an error would never end).
// Messages written through the returned Writer are traced; w keeps
// writing, untraced, those written to it directly.
func NewWriter(w *kafka.Writer) *Writer {
	if w == nil {
		panic("sentrytaskkafkago: NewWriter called with a nil Writer")
	}
	next := w.Completion
	w.Completion = func(msgs []kafka.Message, err error) {
		for i := range msgs {
			if t, ok := msgs[i].WriterData.(*traced); ok {
				msgs[i].WriterData = t.data
				if acked(w) {
					t.end(err, &msgs[i])
				} else {
					t.end(err, nil)
				}
			}
		}
		if next != nil {
			next(msgs, err)
		}
	}
	return &Writer{w: w}
}

// traced is what a message written through a Writer carries in its
// WriterData while the kafka.Writer holds it: its Publishing, and the
// caller's WriterData, given back before the caller's Completion sees it.
type traced struct {
	pub   *sentrytask.Publishing
	data  any
	ended atomic.Bool
}

// end ends the message's span once, whichever of Completion and
// WriteMessages's error comes first; written is the message as written,
// with its partition and offset, or nil.
func (t *traced) end(err error, written *kafka.Message) {
	if t.ended.Swap(true) {
		return
	}
	if err == nil && written != nil {
		t.pub.SetMessageID(MessageID(*written))
	}
	t.pub.End(err)
}

// WriteMessages writes msgs as the kafka.Writer's WriteMessages does, each
// in a "queue.publish" span below the span on ctx, recording its topic
// (the message's, else the Writer's) and its value's size, and with the
// headers that continue the trace added to a copy of its headers,
// replacing any it carried: sentry-trace, baggage and
// sentry-task-enqueued-time (and traceparent when the client's
// PropagateTraceparent is set). The caller's messages are not modified.
//
// Each span ends once: when the Writer reports the message's partition
// written (its id is then its partition and offset, MessageID, unless the
// Writer's RequiredAcks is RequireNone, kafka-go's default, with which the
// broker answers nothing: the span then has no id, and its ok means sent,
// not stored) or failed,
// for an asynchronous Writer after WriteMessages returned; or, if
// WriteMessages returns an error before that (ctx ended while it waited,
// the message was too large, the Writer is closed), with that error.
func (w *Writer) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	out := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		topic := m.Topic
		if topic == "" {
			topic = w.w.Topic
		}
		h := &headers{hs: m.Headers}
		pub := sentrytask.Publish(ctx, h, sentrytask.Message{System: system, Destination: topic, BodySize: len(m.Value)})
		m.Headers = h.hs
		m.WriterData = &traced{pub: pub, data: m.WriterData}
		out[i] = m
	}
	err := w.w.WriteMessages(ctx, out...)
	if err != nil {
		var perMessage kafka.WriteErrors
		isPer := errors.As(err, &perMessage) && len(perMessage) == len(out)
		for i := range out {
			e := err
			if isPer {
				e = perMessage[i]
			}
			out[i].WriterData.(*traced).end(e, nil)
		}
	}
	return err
}

// Close closes the kafka.Writer, after it has written what it holds.
func (w *Writer) Close() error { return w.w.Close() }

// MessageID names a message as both sides' spans do: its partition and
// offset, "3/1042".
func MessageID(m kafka.Message) string {
	return strconv.Itoa(m.Partition) + "/" + strconv.FormatInt(m.Offset, 10)
}
