package sentrytasknats_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// A message published in a request's transaction is processed in a
// transaction that continues the request's trace: on nats-server embedded
// here, on a NATS cluster in production, the same way.
func ExampleNewHandler() {
	dir, _ := os.MkdirTemp("", "nats")
	defer os.RemoveAll(dir)
	srv, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	go srv.Start()
	srv.ReadyForConnections(10 * time.Second)
	defer srv.WaitForShutdown()
	defer srv.Shutdown()
	nc, _ := nats.Connect(srv.ClientURL())
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	stream, _ := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	consumer, _ := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "billing", AckPolicy: jetstream.AckExplicitPolicy})

	client, rec, _ := sentrytasktest.NewClient()
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())

	processed := make(chan struct{})
	cc, _ := consumer.Consume(sentrytasknats.NewHandler(sentry.SetHubOnContext(ctx, hub), func(ctx context.Context, msg jetstream.Msg) error {
		defer close(processed)
		return sentrytask.Instrument(ctx, "invoice.create", func(context.Context) error { return nil })
	}))

	tx := sentry.StartTransaction(sentry.SetHubOnContext(ctx, hub), "POST /orders", sentry.WithOpName("http.server"))
	if _, err := sentrytasknats.Publish(tx.Context(), js, &nats.Msg{Subject: "orders.created", Data: []byte(`{"id":7}`)}); err != nil {
		panic(err)
	}
	tx.Finish()
	<-processed
	cc.Drain() // the handler returns, and its transaction is sent, before Closed
	<-cc.Closed()

	fmt.Print(sentrytasktest.Tree(rec.Events(), sentrytasktest.WithoutDurations(), sentrytasktest.WithoutTraceIDs()))
	fmt.Println(sentrytasktest.Check(rec.Events()) == nil)
	// Output:
	// trace
	// └─ transaction http.server "POST /orders" -
	//    └─ queue.publish "orders.created" ok
	//       └─ transaction queue.process "orders.created" ok
	//          └─ invoice.create ok
	// true
}
