package sentrytaskkafkago_test

import (
	"context"
	"fmt"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/segmentio/kafka-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"github.com/twmb/franz-go/pkg/kfake"

	sentrytaskkafkago "github.com/sentrytask/sentrytask/kafka/kafkago"
)

// A message written in a request's transaction is processed in a
// transaction that continues the request's trace: on franz-go's in-process
// cluster here, on a Kafka cluster in production, the same way.
func ExampleProcess() {
	cluster, _ := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	defer cluster.Close()

	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	w := sentrytaskkafkago.NewWriter(&kafka.Writer{Addr: kafka.TCP(cluster.ListenAddrs()...), Topic: "orders",
		RequiredAcks: kafka.RequireAll, Transport: transport})
	tx := sentry.StartTransaction(ctx, "POST /orders", sentry.WithOpName("http.server"))
	if err := w.WriteMessages(tx.Context(), kafka.Message{Value: []byte(`{"id":7}`)}); err != nil {
		panic(err)
	}
	tx.Finish()
	w.Close()

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: cluster.ListenAddrs(), Topic: "orders", MaxWait: 50 * time.Millisecond})
	defer r.Close()
	m, _ := r.FetchMessage(ctx)
	err := sentrytaskkafkago.Process(ctx, m, func(ctx context.Context, m kafka.Message) error {
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
