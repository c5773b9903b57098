// Command catalog plays both sides of a trace that crosses goroutines and
// processes: a CLI fetching items concurrently from a catalog server, which
// fans out lookups, hands work to a pool and schedules a follow-up that
// outlives its response. The trace stays one tree from the CLI's command to
// the last follow-up.
//
// With SENTRY_DSN unset, both sides record what they would send, and the
// program prints it as one span tree with a verdict, exiting with status 1
// if the trace is not whole. With SENTRY_DSN set, both send to Sentry (or a
// local Spotlight sidecar; see the README).
//
//	go run ./examples/catalog [-items 8] [-concurrency 4] [-workers 2]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// httpClient is built when the program starts, before Sentry is set up, as
// package-level clients usually are. That is the mistake sentry-go's own
// round tripper punishes: it reads the client's options when it is built.
// NewTransport reads them at each request, so this client honours the
// propagation targets that sentry.Init sets later.
var httpClient = &http.Client{
	Transport: sentrytask.NewTransport(http.DefaultTransport.(*http.Transport).Clone()),
	Timeout:   30 * time.Second,
}

// settings are the program's flags and environment.
type settings struct {
	items, concurrency, workers int
	dsn                         string
}

func main() {
	s := settings{dsn: os.Getenv("SENTRY_DSN")}
	flag.IntVar(&s.items, "items", 8, "how many items the CLI fetches")
	flag.IntVar(&s.concurrency, "concurrency", 4, "how many requests the CLI has in flight at once")
	flag.IntVar(&s.workers, "workers", 2, "how many thumbnails the server renders at once")
	flag.Parse()
	if s.items < 1 || s.concurrency < 1 || s.workers < 1 {
		fmt.Fprintln(os.Stderr, "catalog: -items, -concurrency and -workers must be at least 1")
		os.Exit(2)
	}
	if err := run(os.Stdout, s); err != nil {
		fmt.Fprintln(os.Stderr, "catalog:", err)
		os.Exit(1)
	}
}

// run starts the server, runs the CLI's command against it, shuts the
// server down and reports what was recorded, or sends it to Sentry.
func run(out io.Writer, s settings) error {
	var cliRec, serverRec *sentrytasktest.Recorder
	if s.dsn == "" {
		cliRec, serverRec = sentrytasktest.NewRecorder(), sentrytasktest.NewRecorder()
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	baseURL := "http://" + ln.Addr().String()

	// The server has a client of its own, as it would in its own process.
	serverClient, err := sentry.NewClient(options("catalog-server", s.dsn, serverRec))
	if err != nil {
		return err
	}
	defer serverClient.Close()
	srv := newServer(s.workers)
	hs := &http.Server{
		Handler: srv.handler(),
		BaseContext: func(net.Listener) context.Context {
			return sentry.SetHubOnContext(context.Background(), sentry.NewHub(serverClient, sentry.NewScope()))
		},
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	// The CLI sets Sentry up the usual way, on the global hub, after its
	// HTTP client exists, and only lets trace headers go to the catalog.
	cli := options("catalog-cli", s.dsn, cliRec)
	cli.TracePropagationTargets = []string{baseURL}
	// sentry-go keeps at most MaxSpans spans per transaction (1000 by
	// default) and drops the rest. The command's transaction has two per
	// item (item.fetch, http.client) and three more, itself included; one
	// to spare, since a transaction that fills the limit exactly looks cut
	// to the OrphanDetector. sentry-go reads the limit from the global
	// hub's client, this one, for every transaction in the process, the
	// server's included.
	cli.MaxSpans = max(1000, 2*s.items+4)
	if err := sentry.Init(cli); err != nil {
		return err
	}
	cmdErr := fetchCommand(context.Background(), out, httpClient, baseURL, s.items, s.concurrency)
	httpClient.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(cmdErr, hs.Shutdown(ctx), srv.close(ctx)); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if !sentry.Flush(5*time.Second) || !serverClient.Flush(5*time.Second) {
		return errors.New("timed out sending events to Sentry")
	}
	if cliRec == nil {
		return sent.Report(out)
	}
	return report(out, sentrytasktest.Merge(cliRec, serverRec), s.items)
}

// options are both sides' client options: every transaction sampled, and
// the OrphanDetector, which marks transactions sent while tasks spawned
// under them still run.
func options(release, dsn string, rec *sentrytasktest.Recorder) sentry.ClientOptions {
	o := sentry.ClientOptions{
		Dsn:              dsn,
		EnableTracing:    true,
		TracesSampleRate: 1,
		Release:          release,
		Environment:      "example",
		Integrations: func(in []sentry.Integration) []sentry.Integration {
			return append(in, sentrytask.NewOrphanDetector())
		},
	}
	if rec != nil {
		// The recorder stands in for Sentry; the DSN only gives events the
		// public key a real one would.
		o.Dsn, o.Transport = sentrytasktest.DSN, rec
	} else {
		o.HTTPTransport = &sent
	}
	return o
}

// sent counts what this process's clients delivered to Sentry when they
// send to a DSN: a flush alone does not say whether Sentry took anything.
var sent sentrytasktest.Deliveries

// report prints the recorded events as one span tree and a verdict, and
// fails if they are not one whole trace with a request span per item. The
// tree is printed once: the error lists only what is wrong.
func report(out io.Writer, events []*sentry.Event, items int) error {
	fmt.Fprint(out, sentrytasktest.Tree(events))
	fmt.Fprintln(out, sentrytasktest.Summary(events))
	err := sentrytasktest.Check(events, sentrytasktest.ExpectSpans("http.client", items))
	var broken *sentrytasktest.TraceError
	if errors.As(err, &broken) {
		return fmt.Errorf("the trace is not whole:\n  - %s", strings.Join(broken.Problems, "\n  - "))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "the trace is whole")
	return nil
}
