package sentrytasknats

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask"
)

// An Option configures NewHandler. One that cannot be followed (a negative
// delay) panics in NewHandler, naming it: a consumer must not start and
// then fail on every message.
type Option func(*config)

type config struct {
	js           jetstream.JetStream
	pool         *sentrytask.Pool
	process      []sentrytask.ProcessOption
	backOff      []time.Duration // nil: the default, doubling from 1 s
	refusedDelay time.Duration
	err          error // the first option that cannot be followed
}

// The default delays: see NewHandler.
const (
	defaultRefusedDelay = 5 * time.Second
	firstNakDelay       = time.Second
	maxNakDelay         = time.Minute
)

func newConfig(opts []Option) config {
	c := config{refusedDelay: defaultRefusedDelay}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.err != nil {
		panic("sentrytasknats: NewHandler: " + c.err.Error())
	}
	return c
}

// WithPool runs each message as a task of p (sentrytask.Pool.Process)
// instead of in the consumer's callback, so that messages are processed
// concurrently, at most p's workers at a time; the callback waits while
// p's queue is full. p's options apply to every message's task: a span
// sentrytask.WithSpan gives them sits below the message's transaction. A
// message p refuses or never runs is refused (see NewHandler).
func WithPool(p *sentrytask.Pool) Option {
	return func(c *config) { c.pool = p }
}

// WithProcessOptions applies opts to the processing of every message, as to
// sentrytask.Process: sentrytask.NewTraceAfter starts a new trace for a
// message published long before it is processed, WithCaptureErrors sends
// a failed message's error as an event.
func WithProcessOptions(opts ...sentrytask.ProcessOption) Option {
	return func(c *config) { c.process = append(c.process, opts...) }
}

// WithJetStream gives the handler the JetStream its consumer belongs to.
// With it, a message terminated with Term carries its error's text as the
// reason, in the server's advisory, when the server takes one (2.10.4 and
// later). Earlier servers ignore a termination that carries a reason, and
// deliver the message again: without WithJetStream, or on them, the
// message is terminated without one (its transaction records the reason
// as messaging.nats.term_reason in every case).
func WithJetStream(js jetstream.JetStream) Option {
	return func(c *config) { c.js = js }
}

// WithBackOff sets how long a message the handler failed waits before it
// is delivered again, as a consumer's BackOff does: after its n-th
// delivery, backOff[n-1], the last repeating. Give it the consumer's own
// (jetstream.ConsumerConfig.BackOff) to honour it: the server applies a
// BackOff only to messages whose AckWait ran out, never to a nak. With no
// durations the default applies: 1 s, doubling with each delivery, up to a
// minute.
func WithBackOff(backOff ...time.Duration) Option {
	return func(c *config) {
		for _, d := range backOff {
			if d < 0 && c.err == nil {
				c.err = fmt.Errorf("WithBackOff(%v): a negative delay", backOff)
			}
		}
		c.backOff = backOff
	}
}

// WithRefusedDelay sets how long a message the handler refuses waits
// before it is delivered again: one that arrives once the handler's
// context is done, or that its pool refuses or never runs (see
// NewHandler). The default, 5 s, is long enough for a consumer that is
// stopping to be gone, and short next to the AckWait the message would sit
// out unsettled.
func WithRefusedDelay(d time.Duration) Option {
	return func(c *config) {
		if d < 0 && c.err == nil {
			c.err = fmt.Errorf("WithRefusedDelay(%v): a negative delay", d)
		}
		c.refusedDelay = d
	}
}

// nakDelay returns how long a message delivered n times (n >= 1) that the
// handler failed waits before its next delivery.
func (c *config) nakDelay(n uint64) time.Duration {
	if len(c.backOff) > 0 {
		return c.backOff[min(n, uint64(len(c.backOff)))-1]
	}
	return min(firstNakDelay<<min(n-1, 16), maxNakDelay)
}

// termReasons reports whether the server the handler's JetStream is
// connected to terminates a message whose termination carries a reason.
func (c *config) termReasons() bool {
	if c.js == nil {
		return false
	}
	return atLeast(c.js.Conn().ConnectedServerVersion(), 2, 10, 4)
}

// atLeast reports whether a server version ("2.10.4", "2.11.0-beta.1") is
// at least major.minor.patch.
func atLeast(version string, major, minor, patch int) bool {
	core, _, _ := strings.Cut(version, "-")
	var v [3]int
	for i, part := range strings.SplitN(core, ".", 3) {
		n, err := strconv.Atoi(part)
		if err != nil {
			return false
		}
		v[i] = n
	}
	for i, want := range [3]int{major, minor, patch} {
		if v[i] != want {
			return v[i] > want
		}
	}
	return true
}
