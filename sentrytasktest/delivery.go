package sentrytasktest

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Deliveries is an http.RoundTripper to give a client as its
// ClientOptions.HTTPTransport, for a program that sends to a real DSN and
// wants to say what it achieved: sentry-go's Flush reports only that
// nothing is left to send, whether Sentry took it or not (a DSN pointing at
// a port nobody listens on flushes as well as a real one). It sends what
// the client's HTTP transport sends through Base, or http.DefaultTransport,
// and counts the envelopes Sentry took and those it did not. It is safe for
// concurrent use; the zero value is ready to use.
type Deliveries struct {
	Base http.RoundTripper

	mu        sync.Mutex
	delivered int
	failed    int
	last      string // why the last failed envelope failed
}

// RoundTrip implements http.RoundTripper.
func (d *Deliveries) RoundTrip(req *http.Request) (*http.Response, error) {
	base := d.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case err != nil:
		d.failed++
		d.last = err.Error()
	case resp.StatusCode >= 300:
		d.failed++
		d.last = resp.Status
	default:
		d.delivered++
	}
	return resp, err
}

// Delivered returns how many envelopes Sentry took.
func (d *Deliveries) Delivered() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.delivered
}

// Err returns nil when Sentry took every envelope sent, else an error
// saying how many it did not take and why the last of them failed.
func (d *Deliveries) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failed == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d envelopes were not delivered to Sentry; the last: %s", d.failed, d.failed+d.delivered, d.last)
}

// Report writes to out how many envelopes Sentry took, when it took every
// one sent, and returns Err otherwise: what a program says after its
// flush.
func (d *Deliveries) Report(out io.Writer) error {
	if err := d.Err(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "Sentry took the %d envelopes sent\n", d.Delivered())
	return err
}
