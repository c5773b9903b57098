package sentrytaskfranz_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// TestAConsumerRebalancedAwayMidPollRunsNoMoreRecords: a consumer whose
// partitions are revoked while it processes a poll (a second member joined
// its group) cancels the poll's context in OnPartitionsRevoked, as the
// README says; the records it had not started are reported not run, and
// no transaction is sent for them.
func TestAConsumerRebalancedAwayMidPollRunsNoMoreRecords(t *testing.T) {
	t.Parallel()
	onEachCluster(t, func(t *testing.T, c cluster) {
		topic := c.topic(t, 2)
		p := newProducer(t, c)
		var records []*kgo.Record
		for i := range 6 {
			records = append(records, &kgo.Record{Topic: topic, Partition: int32(i % 2), Value: []byte{byte('0' + i)}})
		}
		p.produce(t, records...)

		ctx, consumer := consumerHub(t)
		pollCtx, revoke := context.WithCancelCause(ctx)
		errRevoked := errors.New("partitions revoked")
		revoked := make(chan struct{})
		group := "sentrytask-" + randomName()
		a := c.client(t, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.OnPartitionsRevoked(func(context.Context, *kgo.Client, map[string][]int32) {
				select {
				case <-revoked:
				default:
					revoke(errRevoked)
					close(revoked)
				}
			}))
		fetches := poll(t, a, 6)

		started := 0
		err := sentrytaskfranz.ProcessFetches(pollCtx, fetches, func(context.Context, *kgo.Record) error {
			started++
			if started == 1 {
				// A second member joins: the group rebalances while this
				// record is processed.
				b := c.client(t, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic))
				go b.PollFetches(t.Context())
				select {
				case <-revoked:
				case <-time.After(time.Minute):
					t.Error("no rebalance within a minute of a second member joining")
				}
			}
			return nil
		})
		if started != 1 {
			t.Errorf("%d records run; want the one being processed when the partitions were revoked", started)
		}
		errs := err.(interface{ Unwrap() []error }).Unwrap()
		for _, e := range errs {
			if re := e.(*sentrytaskfranz.RecordError); !re.NotRun || !errors.Is(re, errRevoked) {
				t.Errorf("%v; want not run, revoked", re)
			}
		}
		if len(errs) != 5 || len(consumer.Transactions()) != 1 {
			t.Errorf("%d records not run, %d transactions; want 5, 1", len(errs), len(consumer.Transactions()))
		}
	})
}
