package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/getsentry/sentry-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// kafkaQueue is a topic of its own, on the Kafka cluster named by
// KAFKA_BROKERS or on franz-go's in-process cluster in the shop's process;
// the shop deletes the topic when it is done.
type kafkaQueue struct {
	brokers []string
	topic   string
	cl      *kgo.Client
	cleanup []func()
}

// openKafka makes the shop's queue: a cluster, unless KAFKA_BROKERS names
// one, a topic with a name of its own, and a client producing with
// sentrytaskfranz.Tracing.
func openKafka() (queue, error) {
	q := &kafkaQueue{topic: "orders-" + randomName()}
	if env := os.Getenv("KAFKA_BROKERS"); env != "" {
		q.brokers = strings.Split(env, ",")
	} else {
		c, err := kfake.NewCluster(kfake.NumBrokers(1))
		if err != nil {
			return nil, err
		}
		q.cleanup = append(q.cleanup, c.Close)
		q.brokers = c.ListenAddrs()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(q.brokers...), sentrytaskfranz.Tracing())
	if err != nil {
		q.close()
		return nil, err
	}
	q.cl = cl
	q.cleanup = append(q.cleanup, cl.Close)
	if err := q.topicRequest(true); err != nil {
		q.close()
		return nil, fmt.Errorf("creating topic %s: %w", q.topic, err)
	}
	q.cleanup = append(q.cleanup, func() { _ = q.topicRequest(false) })
	return q, nil
}

// topicRequest creates the queue's topic, with one partition, or deletes
// it.
func (q *kafkaQueue) topicRequest(create bool) error {
	ctx := context.Background()
	if !create {
		req := kmsg.NewPtrDeleteTopicsRequest()
		dt := kmsg.NewDeleteTopicsRequestTopic()
		dt.Topic = kmsg.StringPtr(q.topic)
		req.Topics, req.TopicNames = append(req.Topics, dt), []string{q.topic}
		_, err := req.RequestWith(ctx, q.cl)
		return err
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = q.topic, 1, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, q.cl)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(resp.Topics[0].ErrorCode)
}

// connectKafka connects the worker to the shop's topic at addr, the
// brokers and "#topic".
func connectKafka(addr string) (queue, error) {
	brokers, topic, ok := strings.Cut(addr, "#")
	if !ok {
		return nil, fmt.Errorf("queue address %q is not Kafka brokers and #topic", addr)
	}
	return &kafkaQueue{brokers: strings.Split(brokers, ","), topic: topic}, nil
}

func (q *kafkaQueue) address() string { return strings.Join(q.brokers, ",") + "#" + q.topic }

func (q *kafkaQueue) enqueue(ctx context.Context, o order) error {
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return q.cl.ProduceSync(ctx, &kgo.Record{Topic: q.topic, Value: body}).FirstErr()
}

// work consumes the topic from its start with the global hub, which each
// record's transaction forks, until n orders are fulfilled. Kafka
// redelivers nothing: an order that fails fails the worker.
func (q *kafkaQueue) work(ctx context.Context, n int, fulfil func(context.Context, order) error) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(q.brokers...), kgo.ConsumeTopics(q.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer cl.Close()
	hub := sentry.SetHubOnContext(context.Background(), sentry.CurrentHub())
	for done := 0; done < n; {
		fetches := cl.PollRecords(ctx, n-done)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%d of %d orders fulfilled: %w", done, n, err)
		}
		if err := fetches.Err(); err != nil {
			return err
		}
		err := sentrytaskfranz.ProcessFetches(hub, fetches, func(ctx context.Context, r *kgo.Record) error {
			var o order
			if err := json.Unmarshal(r.Value, &o); err != nil {
				return err
			}
			return fulfil(ctx, o)
		})
		if err != nil {
			return err
		}
		done += fetches.NumRecords()
	}
	return nil
}

func (q *kafkaQueue) close() {
	for i := len(q.cleanup) - 1; i >= 0; i-- {
		q.cleanup[i]()
	}
}
