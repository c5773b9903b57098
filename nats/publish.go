package sentrytasknats

import (
	"context"
	"maps"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
)

// system is the messaging system NATS's spans name.
const system = "nats"

// Publish publishes msg to JetStream through js, as js.PublishMsg does, in a
// "queue.publish" span below the span on ctx, with the headers that
// continue the trace where the message is processed added to a copy of
// msg (a message without headers gets its own): the caller's message and
// its headers are not modified, and trace headers a forwarded message
// carried are replaced. The span records the subject, the body's size and
// the message's id — its Nats-Msg-Id, from its header or
// jetstream.WithMsgID, else the stream sequence the server acknowledged:
// the id the consumer's transaction records — and ends with the publish's
// error. A message the stream drops as a duplicate of one with the same
// Nats-Msg-Id (PubAck.Duplicate) ends the span as one
// (sentrytask.Publishing.EndDuplicate): it is not counted as a message
// published.
func Publish(ctx context.Context, js jetstream.JetStream, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	if msg == nil {
		panic("sentrytasknats: Publish called with a nil message")
	}
	out := &nats.Msg{Subject: msg.Subject, Reply: msg.Reply, Data: msg.Data, Header: make(nats.Header, len(msg.Header)+4)}
	maps.Copy(out.Header, msg.Header)
	pub := sentrytask.Publish(ctx, out.Header, sentrytask.Message{
		System: system, Destination: out.Subject, BodySize: len(out.Data), ID: out.Header.Get(nats.MsgIdHdr),
	})
	ack, err := js.PublishMsg(ctx, out, opts...)
	if err != nil || ack == nil {
		pub.End(err)
		return ack, err
	}
	// jetstream.WithMsgID writes the header as it publishes.
	id := out.Header.Get(nats.MsgIdHdr)
	if id == "" {
		id = strconv.FormatUint(ack.Sequence, 10)
	}
	if ack.Duplicate {
		pub.EndDuplicate(id)
		return ack, err
	}
	pub.SetMessageID(id)
	pub.End(nil)
	return ack, err
}
