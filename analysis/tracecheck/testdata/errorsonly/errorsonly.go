package errorsonly // want package:"usesSentry"

// Package errorsonly is code that reports errors to Sentry and traces
// nothing: it reaches sentry-go only through a reporting helper, and no
// context in it ever carries a hub that anything reads. Its goroutines,
// errgroups and loops share contexts freely, and none is reported: the
// shapes of a tunnel's muxer and supervisor, reduced.

import (
	"context"
	"errors"
	"net"
	"os"
	"os/signal"

	"golang.org/x/sync/errgroup"

	"example.com/vettest/errorsonly/report"
)

type muxer struct {
	conn   net.PacketConn
	ctx    context.Context
	frames chan []byte
}

// pollDatagrams reads until its context ends, handing errors to report.
func (m *muxer) pollDatagrams(ctx context.Context) {
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		n, _, err := m.conn.ReadFrom(buf)
		if err != nil {
			report.Error(ctx, err)
			return
		}
		select {
		case m.frames <- buf[:n]:
		case <-ctx.Done():
			return
		}
	}
}

// Serve starts its loops with a context derived from the connection's.
func (m *muxer) Serve() {
	readCtx, cancel := context.WithCancel(m.ctx)
	defer cancel()
	go m.pollDatagrams(readCtx)
	go func() {
		<-readCtx.Done()
		m.conn.Close()
	}()
}

type stream interface {
	Serve(ctx context.Context) error
}

// serveControl serves a stream through an interface.
func serveControl(ctx context.Context, s stream) error {
	if err := s.Serve(ctx); err != nil {
		report.Error(ctx, err)
		return err
	}
	return nil
}

// Connection runs its routines in an errgroup, each with the group's ctx.
func Connection(ctx context.Context, control, accept stream) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return serveControl(gctx, control) })
	g.Go(func() error { return serveControl(gctx, accept) })
	g.Go(func() error {
		<-gctx.Done()
		return errors.New("done")
	})
	return g.Wait()
}

// probe dials with the standard library.
func probe(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		c.Close()
	}
	return err
}

// Main is a program's main: an interrupt context handed to long-lived
// goroutines.
func Main(addrs []string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results := make(chan error, len(addrs))
	for _, a := range addrs {
		go func() { results <- probe(ctx, a) }()
	}
	run(ctx, addrs, results)
}

// run is handed the interrupt context as a parameter.
func run(ctx context.Context, addrs []string, results chan error) {
	for range addrs {
		if err := <-results; err != nil {
			go report.Error(ctx, err)
		}
	}
}
