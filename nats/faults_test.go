package sentrytasknats_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
	sentrytasknats "github.com/sentrytask/sentrytask/nats"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// received is what a consumer was handed, as it was handed it.
type received struct {
	body      string
	delivered uint64
	at        time.Time
}

func receive(msg jetstream.Msg) received {
	md, _ := msg.Metadata()
	var n uint64
	if md != nil {
		n = md.NumDelivered
	}
	return received{string(msg.Data()), n, time.Now()}
}

// next returns the next message a consumer was handed, failing the test if
// none comes within limit.
func next(t *testing.T, ch <-chan received, limit time.Duration) received {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(limit):
		t.Fatalf("no message within %v", limit)
		return received{}
	}
}

// takeOver starts another worker on s's durable consumer, acking what it
// is handed, and returns what it is handed.
func takeOver(t *testing.T, s *stream) <-chan received {
	t.Helper()
	ctx, _ := consumerHub(t)
	got := make(chan received, 10)
	s.consume(t, sentrytasknats.NewHandler(ctx, func(_ context.Context, msg jetstream.Msg) error {
		got <- receive(msg)
		return nil
	}))
	return got
}

// TestAMessageThePoolNeverRunsIsDeliveredAgainPromptly: a message WithPool's
// pool accepted and never ran — the handler's context ended while it was
// queued, or Shutdown gave up — is nacked, so that the next worker on the
// durable gets it in a moment, not after the consumer's AckWait (30 s
// here).
func TestAMessageThePoolNeverRunsIsDeliveredAgainPromptly(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		for _, how := range []string{"context ended", "Shutdown gave up"} {
			t.Run(srv.name+"/"+how, func(t *testing.T) {
				s := newStream(t, srv)
				base, _ := consumerHub(t)
				ctx, cancel := context.WithCancel(base)
				defer cancel()
				pool := sentrytask.NewPool(1, sentrytask.WithQueueSize(1))
				started, release := make(chan struct{}), make(chan struct{})
				h := sentrytasknats.NewHandler(ctx, func(_ context.Context, msg jetstream.Msg) error {
					if string(msg.Data()) == "block" {
						close(started)
						<-release
					}
					return nil
				}, sentrytasknats.WithPool(pool), sentrytasknats.WithRefusedDelay(300*time.Millisecond))
				accepted := make(chan struct{})
				stop := s.consume(t, func(msg jetstream.Msg) {
					h(msg)
					if string(msg.Data()) == "queued" {
						close(accepted) // Pool.Process returned: it is in the pool's queue
					}
				})
				publish(t, s, "block")
				<-started
				publish(t, s, "queued")
				<-accepted
				stop()
				switch how {
				case "context ended":
					cancel()
				case "Shutdown gave up":
					expired, done := context.WithCancel(context.Background())
					done()
					_ = pool.Shutdown(expired)
				}
				close(release)
				got := next(t, takeOver(t, s), 10*time.Second)
				if got.body != "queued" || got.delivered != 2 {
					t.Errorf("the next worker got %q, delivery %d; want the queued message, its second delivery", got.body, got.delivered)
				}
				if st := pool.Stats(); st.NotRun != 1 {
					t.Errorf("pool stats %+v; want one message not run", st)
				}
				_ = pool.Shutdown(context.Background())
			})
		}
	}
}

// TestAStoppingConsumerDoesNotBurnAMessagesDeliveries: a consumer that is
// stopping (its handler's context done, or its pool shut down a moment
// before the consumer, as on SIGTERM) refuses the messages it is still
// handed with a delay: they are not redelivered to it in a hot loop until
// MaxDeliver is spent, and the next worker on the durable gets them.
func TestAStoppingConsumerDoesNotBurnAMessagesDeliveries(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		for _, how := range []string{"context done", "pool shut down first"} {
			t.Run(srv.name+"/"+how, func(t *testing.T) {
				s := newStream(t, srv, func(c *jetstream.ConsumerConfig) { c.MaxDeliver = 3 })
				base, _ := consumerHub(t)
				ctx, cancel := context.WithCancel(base)
				defer cancel()
				var opts []sentrytasknats.Option
				switch how {
				case "context done":
					cancel()
				case "pool shut down first":
					pool := sentrytask.NewPool(1)
					_ = pool.Shutdown(context.Background())
					opts = append(opts, sentrytasknats.WithPool(pool))
				}
				var ran atomic.Bool
				h := sentrytasknats.NewHandler(ctx, func(context.Context, jetstream.Msg) error {
					ran.Store(true)
					return nil
				}, append(opts, sentrytasknats.WithRefusedDelay(3*time.Second))...)
				handed := make(chan received, 10)
				stop := s.consume(t, func(msg jetstream.Msg) {
					handed <- receive(msg)
					h(msg)
				})
				publish(t, s, "order")
				next(t, handed, time.Minute)
				// The consumer takes a moment to stop, as a process on
				// SIGTERM does.
				select {
				case again := <-handed:
					t.Fatalf("the stopping consumer was handed the message again (delivery %d) at once", again.delivered)
				case <-time.After(time.Second):
				}
				stop()
				got := next(t, takeOver(t, s), 30*time.Second)
				if got.delivered != 2 || ran.Load() {
					t.Errorf("the next worker got delivery %d (the stopping one ran it: %t); want the second", got.delivered, ran.Load())
				}
			})
		}
	}
}

// TestAFailingMessageWaitsBeforeItsNextDelivery: jetstream's Nak redelivers
// at once, whatever the consumer's BackOff; a failed message is nacked
// with the delay WithBackOff gives, or by default one growing from a
// second, and its transaction says so.
func TestAFailingMessageWaitsBeforeItsNextDelivery(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				opts []sentrytasknats.Option
				want []time.Duration
			}{
				{"WithBackOff", []sentrytasknats.Option{sentrytasknats.WithBackOff(300*time.Millisecond, 600*time.Millisecond)},
					[]time.Duration{300 * time.Millisecond, 600 * time.Millisecond}},
				{"by default", nil, []time.Duration{time.Second}},
			} {
				s := newStream(t, srv, func(c *jetstream.ConsumerConfig) { c.MaxDeliver = len(tc.want) + 1 })
				ctx, consumer := consumerHub(t)
				handed := make(chan received, 10)
				s.consume(t, sentrytasknats.NewHandler(ctx, func(_ context.Context, msg jetstream.Msg) error {
					handed <- receive(msg)
					return errors.New("database busy")
				}, tc.opts...))
				publish(t, s, "order")
				last := next(t, handed, time.Minute)
				for i, want := range tc.want {
					r := next(t, handed, time.Minute)
					// The server's timer fires a little early or late.
					if gap := r.at.Sub(last.at); gap < want-50*time.Millisecond {
						t.Errorf("%s: delivery %d came %v after the last; want %v", tc.name, i+2, gap, want)
					}
					last = r
				}
				txs := consumer.await(t, len(tc.want)+1)
				for i, want := range tc.want {
					if d := data(txs[i]); d["messaging.nats.settled"] != "nak" || d["messaging.nats.nak_delay"] != want.Milliseconds() {
						t.Errorf("%s: delivery %d's transaction data %v; want nak, after %v", tc.name, i+1, d, want)
					}
				}
			}
		})
	}
}

// brokenError's Error method panics.
type brokenError struct{}

func (brokenError) Error() string { panic("broken Error method") }

// TestTermCarriesTheErrorsText: a terminated message's reason, in the
// server's advisory, is the handler's error on a server that takes one
// (2.10.4 and later); an earlier one (Debian's 2.9) would not terminate a
// message whose termination carries a reason, and gets none. A broken
// Error method does not take the consumer down.
func TestTermCarriesTheErrorsText(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			advisories, err := s.nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED." + s.name + ".worker")
			if err != nil {
				t.Fatal(err)
			}
			defer advisories.Unsubscribe()
			ctx, consumer := consumerHub(t)
			s.consume(t, sentrytasknats.NewHandler(ctx, func(_ context.Context, msg jetstream.Msg) error {
				if string(msg.Data()) == "broken" {
					return sentrytasknats.Term(brokenError{})
				}
				return sentrytasknats.Term(errors.New("no such product"))
			}, sentrytasknats.WithJetStream(s.js)))
			publish(t, s, "order", "broken")
			var reasons []string
			for range 2 {
				m, err := advisories.NextMsg(time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				var a struct{ Reason string }
				_ = json.Unmarshal(m.Data, &a)
				reasons = append(reasons, a.Reason)
			}
			want := []string{"", ""}
			if v := s.nc.ConnectedServerVersion(); !strings.HasPrefix(v, "2.9.") && !strings.HasPrefix(v, "2.10.") {
				want = []string{"no such product", "sentrytasknats: the error's Error method panicked"}
			}
			if reasons[0] != want[0] || reasons[1] != want[1] {
				t.Errorf("termination reasons %q from server %s; want %q", reasons, s.nc.ConnectedServerVersion(), want)
			}
			for _, tx := range consumer.await(t, 2) {
				if d := data(tx); status(tx) != "aborted" || d["messaging.nats.settled"] != "term" || d["messaging.nats.term_reason"] == "" {
					t.Errorf("terminated message's transaction: %s, %v; want aborted, term, with its reason", status(tx), d)
				}
			}
		})
	}
}

// TestWithPoolKeepsTheTrace: a pool built as the README builds pools, its
// tasks each with a span, processes the messages: the task's span sits
// below the message's queue.process transaction, in the producer's trace.
func TestWithPoolKeepsTheTrace(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			pool := sentrytask.NewPool(2, sentrytask.WithSpan("fulfil"))
			s.consume(t, sentrytasknats.NewHandler(ctx, func(ctx context.Context, _ jetstream.Msg) error {
				return sentrytask.Instrument(ctx, "db.insert", func(context.Context) error { return nil })
			}, sentrytasknats.WithPool(pool)))
			producer := publish(t, s, "order")
			tx := consumer.await(t, 1)[0]
			_ = pool.Shutdown(context.Background())
			events := sentrytasktest.Merge(producer, &consumer.Recorder)
			sentrytasktest.AssertTrace(t, events, sentrytasktest.ExpectSpans("queue.process", 1),
				sentrytasktest.ExpectSpans("fulfil", 1), sentrytasktest.ExpectSpans("db.insert", 1))
			if fulfil := sentrytasktest.SpansByOp(events, "fulfil"); len(fulfil) != 1 || fulfil[0].ParentSpanID != tx.Contexts["trace"]["span_id"] {
				t.Errorf("the pool's span is not a child of the message's transaction")
			}
		})
	}
}

// TestBothSidesNameAMessageAlikeAndADuplicateIsNotAMessage: a message
// published with jetstream.WithMsgID is named by that id on both sides; a
// second publish with the same id, which the stream drops, is not a
// queue.publish span.
func TestBothSidesNameAMessageAlikeAndADuplicateIsNotAMessage(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			s.consume(t, sentrytasknats.NewHandler(ctx, func(context.Context, jetstream.Msg) error { return nil }))
			hub, producer := sentrytasktest.NewHub(t)
			tx := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "POST /orders")
			for range 2 {
				if _, err := sentrytasknats.Publish(tx.Context(), s.js, &nats.Msg{Subject: s.subject, Data: []byte("x")},
					jetstream.WithMsgID("order-7")); err != nil {
					t.Fatal(err)
				}
			}
			tx.Finish()
			got := consumer.await(t, 1)[0]
			events := producer.Events()
			pub, dup := sentrytasktest.SpansByOp(events, "queue.publish"), sentrytasktest.SpansByOp(events, "queue.publish.duplicate")
			if len(pub) != 1 || len(dup) != 1 || dup[0].Status != sentry.SpanStatusAlreadyExists {
				t.Fatalf("%d publish spans, %d duplicates; want one of each, the duplicate already_exists", len(pub), len(dup))
			}
			if pub[0].Data["messaging.message.id"] != "order-7" || data(got)["messaging.message.id"] != "order-7" {
				t.Errorf("the producer named the message %v, the consumer %v; want order-7 on both sides",
					pub[0].Data["messaging.message.id"], data(got)["messaging.message.id"])
			}
		})
	}
}

// TestTheConsumersEnvelopeCarriesTheProducersSamplingContext: a consumer
// with a release, environment and key of its own sends its transaction
// with the sampling context the producer, the head, propagated.
func TestTheConsumersEnvelopeCarriesTheProducersSamplingContext(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			n := &notifying{transactions: make(chan *sentry.Event, 10)}
			hub, _ := sentrytasktest.NewHub(t, func(o *sentry.ClientOptions) {
				o.Transport, o.Release, o.Environment, o.Dsn = n, "worker@9", "batch", "https://workerkey@sentrytask.invalid/2"
			})
			baggage := make(chan string, 1)
			s.consume(t, sentrytasknats.NewHandler(sentry.SetHubOnContext(context.Background(), hub), func(_ context.Context, msg jetstream.Msg) error {
				baggage <- msg.Headers().Get("baggage")
				return nil
			}))
			publish(t, s, "order")
			tx := n.await(t, 1)[0]
			head, _ := sentry.DynamicSamplingContextFromHeader([]byte(<-baggage))
			got := tx.GetDynamicSamplingContext()
			if len(head.Entries) == 0 || head.Entries["sample_rand"] == "" || len(got) != len(head.Entries) {
				t.Fatalf("envelope context %v; want the producer's %v, sample_rand included", got, head.Entries)
			}
			for k, v := range head.Entries {
				if got[k] != v {
					t.Errorf("envelope %s = %q; want the producer's %q", k, got[k], v)
				}
			}
		})
	}
}

// TestSettlingNeverRacesWithATaskTheHandlerLeftRunning: the transaction's
// status is given through its event: a task the handler started and did
// not wait for, capturing events under the transaction as the message is
// settled, never races with it (under -race).
func TestSettlingNeverRacesWithATaskTheHandlerLeftRunning(t *testing.T) {
	t.Parallel()
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			s := newStream(t, srv)
			ctx, consumer := consumerHub(t)
			stop := make(chan struct{})
			orphan := make(chan *sentrytask.Task, 1)
			s.consume(t, sentrytasknats.NewHandler(ctx, func(ctx context.Context, _ jetstream.Msg) error {
				capturing := make(chan struct{})
				orphan <- sentrytask.Go(ctx, func(ctx context.Context) error {
					hub := sentry.GetHubFromContext(ctx)
					close(capturing)
					for {
						select {
						case <-stop:
							return nil
						default:
							hub.CaptureMessage("still working")
						}
					}
				})
				<-capturing
				return sentrytasknats.Term(errors.New("no such product"))
			}, sentrytasknats.WithJetStream(s.js)))
			publish(t, s, "order")
			tx := consumer.await(t, 1)[0]
			close(stop)
			_ = (<-orphan).Wait()
			if status(tx) != "aborted" {
				t.Errorf("status %s; want aborted", status(tx))
			}
		})
	}
}

// TestANilHeaderIsAMistakeWithSentryOnOrOff: nats.Header is a carrier;
// a nil one given to sentrytask.Publish panics whether Sentry is on or
// not, so that a producer's tests catch it. sentrytasknats.Publish gives a
// message without headers headers of its own.
func TestANilHeaderIsAMistakeWithSentryOnOrOff(t *testing.T) {
	t.Parallel()
	on, _ := consumerHub(t)
	off := sentry.SetHubOnContext(context.Background(), sentry.NewHub(nil, sentry.NewScope()))
	for name, ctx := range map[string]context.Context{"on": on, "off": off} {
		var msg string
		func() {
			defer func() { msg, _ = recover().(string) }()
			sentrytask.Publish(ctx, nats.Header(nil), sentrytask.Message{})
		}()
		if !strings.Contains(msg, "nil nats.Header") {
			t.Errorf("Sentry %s: Publish into a nil nats.Header panicked with %q; want a message naming it", name, msg)
		}
	}
}

// TestWithProcessOptionsTakesOnlyProcessOptions: sentrytask.WithSpan,
// which would ask the message's transaction for a span of its own, does
// not compile as a process option; it panicked on the first message once.
func TestWithProcessOptionsTakesOnlyProcessOptions(t *testing.T) {
	t.Parallel()
	in := reflect.TypeOf(sentrytasknats.WithProcessOptions).In(0).Elem()
	if in != reflect.TypeFor[sentrytask.ProcessOption]() || reflect.TypeOf(sentrytask.WithSpan).Out(0).Implements(in) {
		t.Errorf("WithProcessOptions takes %v, which WithSpan implements", in)
	}
}
