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
// msg: the caller's message and its headers are not modified. The span
// records the subject, the body's size and the message's id (its
// Nats-Msg-Id header, else the stream sequence the server acknowledged),
// and ends with the publish's error.
func Publish(ctx context.Context, js jetstream.JetStream, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	if msg == nil {
		panic("sentrytasknats: Publish called with a nil message")
	}
	out := &nats.Msg{Subject: msg.Subject, Reply: msg.Reply, Data: msg.Data, Header: make(nats.Header, len(msg.Header)+4)}
	maps.Copy(out.Header, msg.Header)
	id := out.Header.Get(nats.MsgIdHdr)
	pub := sentrytask.Publish(ctx, out.Header, sentrytask.Message{
		System: system, Destination: out.Subject, BodySize: len(out.Data), ID: id,
	})
	ack, err := js.PublishMsg(ctx, out, opts...)
	if err == nil && id == "" && ack != nil {
		pub.SetMessageID(strconv.FormatUint(ack.Sequence, 10))
	}
	pub.End(err)
	return ack, err
}
