package sentrytasknats_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
)

// TestAFilteredMessageIsHandledAndSettledWithoutATransaction: a filter
// leaves a subject's messages out; they are handled and acked as any, in
// their publisher's trace, and send nothing.
func TestAFilteredMessageIsHandledAndSettledWithoutATransaction(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			pings := s.name + ".pings"
			handled := make(chan string, 2)
			s.consume(t, sentrytasknats.NewHandler(ctx, func(ctx context.Context, msg jetstream.Msg) error {
				handled <- msg.Subject() + " " + sentry.GetHubFromContext(ctx).GetTraceparent()
				return nil
			}, sentrytasknats.WithProcessOptions(sentrytask.WithFilter(func(in sentrytask.FilterInput) bool {
				return in.Op != "queue.process" || in.Name != pings
			}))))

			hub, _ := consumerHub(t)
			tx := sentry.StartTransaction(hub, "tick")
			for _, subject := range []string{pings, s.subject} {
				if _, err := sentrytasknats.Publish(tx.Context(), s.js, &nats.Msg{Subject: subject, Data: []byte("x")}); err != nil {
					t.Fatal(err)
				}
			}
			tx.Finish()
			got := consumer.await(t, 1)
			if got[0].Transaction != s.subject {
				t.Errorf("the traced message's transaction is %q; want %q", got[0].Transaction, s.subject)
			}
			for range 2 {
				select {
				case h := <-handled:
					if strings.HasPrefix(h, pings) && !strings.Contains(h, tx.TraceID.String()) {
						t.Errorf("the filtered message ran as %q; want its publisher's trace %s", h, tx.TraceID)
					}
				case <-time.After(time.Minute):
					t.Fatal("a message was not handled within a minute")
				}
			}
			if n := len(consumer.Transactions()); n != 1 {
				t.Errorf("%d transactions; want only the one the filter keeps", n)
			}
			// Both were acked: the server, which hears of an ack after the
			// handler returns, soon holds none pending, and redelivered none.
			deadline := time.Now().Add(30 * time.Second)
			for {
				info, err := s.consumer.Info(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if info.NumAckPending == 0 && info.NumRedelivered == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d messages wait for an ack, %d were redelivered; want none", info.NumAckPending, info.NumRedelivered)
				}
				time.Sleep(20 * time.Millisecond) // polling the server: no event says it has the ack
			}
		})
	}
}
