package sentrytaskfranz_test

import (
	"context"
	"fmt"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// A record produced in a request's transaction is processed in a
// transaction that continues the request's trace: on franz-go's in-process
// cluster here, on a Kafka cluster in production, the same way.
func ExampleProcessFetches() {
	cluster, _ := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	defer cluster.Close()

	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	producer, _ := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), sentrytaskfranz.Tracing())
	defer producer.Close()
	tx := sentry.StartTransaction(ctx, "POST /orders", sentry.WithOpName("http.server"))
	if err := producer.ProduceSync(tx.Context(), &kgo.Record{Topic: "orders", Value: []byte(`{"id":7}`)}).FirstErr(); err != nil {
		panic(err)
	}
	tx.Finish()

	consumer, _ := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("orders"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer consumer.Close()
	err := sentrytaskfranz.ProcessFetches(ctx, consumer.PollFetches(ctx), func(ctx context.Context, r *kgo.Record) error {
		return sentrytask.Instrument(ctx, "invoice.create", func(context.Context) error { return nil })
	})

	fmt.Println(err)
	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	fmt.Println(sentrytasktest.Check(rec.Events()) == nil)
	// Output:
	// <nil>
	// trace
	// └─ transaction http.server "POST /orders" -
	//    └─ queue.publish "orders" ok
	//       └─ transaction queue.process "orders" ok
	//          └─ invoice.create ok
	// true
}
