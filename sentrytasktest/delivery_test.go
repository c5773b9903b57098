package sentrytasktest_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestDeliveriesSaysWhatAFlushAchieved: a client whose DSN points at a
// server that takes envelopes, and one whose DSN points at a port nobody
// listens on, both flush; only Deliveries tells them apart.
func TestDeliveriesSaysWhatAFlushAchieved(t *testing.T) {
	t.Parallel()
	ingest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ingest.Close()
	nobody, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := nobody.Addr().String()
	nobody.Close()

	for _, tc := range []struct {
		host      string
		delivered int
		err       string
	}{
		{strings.TrimPrefix(ingest.URL, "http://"), 1, ""},
		{closed, 0, "1 of 1 envelopes were not delivered to Sentry; the last: "},
	} {
		d := &sentrytasktest.Deliveries{}
		client, err := sentry.NewClient(sentry.ClientOptions{Dsn: "http://key@" + tc.host + "/1", HTTPTransport: d})
		if err != nil {
			t.Fatal(err)
		}
		client.CaptureMessage("hello", nil, nil)
		if !client.Flush(5 * time.Second) {
			t.Fatalf("%s: the flush timed out", tc.host)
		}
		client.Close()
		err = d.Err()
		if d.Delivered() != tc.delivered || (err == nil) != (tc.err == "") || err != nil && !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("DSN at %s: delivered %d, %v; want %d, %q…", tc.host, d.Delivered(), err, tc.delivered, tc.err)
		}
	}
}
