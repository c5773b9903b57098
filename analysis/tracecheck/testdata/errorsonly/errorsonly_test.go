package errorsonly

import (
	"context"
	"net"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Tests start goroutines with the test's context: nothing to report.
func TestServe(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	m := &muxer{conn: conn, ctx: ctx, frames: make(chan []byte)}
	go m.Serve()
	go m.pollDatagrams(ctx)
	cancel()
}
