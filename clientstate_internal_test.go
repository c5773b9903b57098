package sentrytask

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/getsentry/sentry-go"
)

// TestClientStateDoesNotKeepItsClientAlive: the per-client state holds a hub
// on the client; if this package held the state strongly, every client ever
// used would stay in memory.
func TestClientStateDoesNotKeepItsClientAlive(t *testing.T) {
	newClient := func() *sentry.Client {
		c, err := sentry.NewClient(sentry.ClientOptions{Dsn: "https://key@sentrytask.invalid/1", Transport: noTransport{}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newClient()
	if first := stateOf(c); stateOf(c) != first {
		t.Fatal("stateOf returns a new state for the same client")
	}
	gone := weak.Make(c)
	c.Close()
	c = nil
	other := newClient() // evicts c from the last-lookup cache
	defer other.Close()
	stateOf(other)
	for range 5 {
		runtime.GC()
	}
	if gone.Value() != nil {
		t.Error("a client is still reachable after its last use: the state cache keeps it alive")
	}
}

type noTransport struct{}

func (noTransport) Configure(sentry.ClientOptions)        {}
func (noTransport) SendEvent(*sentry.Event)               {}
func (noTransport) Flush(time.Duration) bool              { return true }
func (noTransport) FlushWithContext(context.Context) bool { return true }
func (noTransport) Close()                                {}
