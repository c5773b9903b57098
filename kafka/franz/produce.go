package sentrytaskfranz

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/sentrytask/sentrytask"
	"github.com/twmb/franz-go/pkg/kgo"
)

// system is the messaging system Kafka's spans name.
const system = "kafka"

// Tracing returns the client option that instruments producing: give it
// to kgo.NewClient. Every record produced (Produce, ProduceSync,
// TryProduce) gets, when it is buffered:
//
//   - a "queue.publish" span below the span on the record's context (the
//     context given to Produce, unless the record had one), recording the
//     topic and the value's size, not made current on any hub;
//   - the headers that continue the trace where the record is processed,
//     sentry-trace, baggage and sentry-task-enqueued-time (and traceparent
//     when the client's PropagateTraceparent is set), replacing any the
//     record carried, keeping its other headers.
//
// The span ends once, when the record's produce ends: with its partition
// and offset as the message's id on success (a client producing with
// kgo.NoAck learns no offset, and records none), or with the error it failed
// with (a produce that timed out, a client closed with the record still
// buffered). With no sampled span on the context, the headers carry the
// context's trace, and no span is started.
func Tracing() kgo.Opt {
	return kgo.WithHooks(&producer{})
}

// producer is the client's hook for the records it produces.
type producer struct {
	// noAck is set when a client given this hook produces with
	// kgo.NoAck: no broker answers, and franz-go's offsets for its
	// records are made up. An option shared by several clients counts
	// as unacknowledged if any of them is.
	noAck atomic.Bool
}

var (
	_ kgo.HookNewClient               = (*producer)(nil)
	_ kgo.HookProduceRecordBuffered   = (*producer)(nil)
	_ kgo.HookProduceRecordUnbuffered = (*producer)(nil)
)

// OnNewClient learns whether cl's records are acknowledged.
func (p *producer) OnNewClient(cl *kgo.Client) {
	if acks, ok := cl.OptValue(kgo.RequiredAcks).(kgo.Acks); ok && acks == kgo.NoAck() {
		p.noAck.Store(true)
	}
}

// publishing is the key under which a record's context carries its
// Publishing while it is produced.
type publishing struct{}

// published keeps what the hook put on a record's context.
type published struct {
	pub    *sentrytask.Publishing
	parent context.Context // the record's context before the hook
}

// OnProduceRecordBuffered starts the record's span and writes its headers.
// franz-go calls it in Produce, with the record's Context set.
func (*producer) OnProduceRecordBuffered(r *kgo.Record) {
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	pub := sentrytask.Publish(ctx, &headers{r: r}, sentrytask.Message{
		System: system, Destination: r.Topic, BodySize: len(r.Value),
	})
	r.Context = context.WithValue(ctx, publishing{}, &published{pub: pub, parent: r.Context})
}

// OnProduceRecordUnbuffered ends the record's span, just before its
// promise is called, and gives the record its own context back. franz-go
// calls it once for every record it buffered.
func (h *producer) OnProduceRecordUnbuffered(r *kgo.Record, err error) {
	if r.Context == nil {
		return
	}
	p, ok := r.Context.Value(publishing{}).(*published)
	if !ok {
		return
	}
	r.Context = p.parent
	if err == nil && r.Offset >= 0 && !h.noAck.Load() {
		p.pub.SetMessageID(MessageID(r))
	}
	p.pub.End(statusError(err))
}

// statusError gives a produce's error the status its span should end
// with: a record that timed out, deadline_exceeded; one abandoned as the
// client closed or aborted, cancelled; anything else, internal_error.
func statusError(err error) error {
	switch {
	case errors.Is(err, kgo.ErrRecordTimeout):
		return errors.Join(context.DeadlineExceeded, err)
	case errors.Is(err, kgo.ErrClientClosed), errors.Is(err, kgo.ErrAborting):
		return errors.Join(context.Canceled, err)
	}
	return err
}

// MessageID names a record as both sides' spans do: its partition and
// offset, "3/1042".
func MessageID(r *kgo.Record) string {
	return strconv.FormatInt(int64(r.Partition), 10) + "/" + strconv.FormatInt(r.Offset, 10)
}
