// Command grpc shows one trace crossing gRPC: a CLI checks the status of
// several services through a gateway, concurrently, each in a task of its
// own; the gateway fans out to a stock service (a unary call) and a price
// service (a server stream) for each. Every part is a real grpc-go server
// on loopback with a Sentry client and hub of its own, as if on machines
// of their own.
//
// With SENTRY_DSN unset, every part records what it would send, and the
// program prints it as one span tree with a verdict, exiting with status 1
// if the trace is not whole.
//
//	go run ./examples/grpc [-services 3]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

func main() {
	services := flag.Int("services", 3, "how many services the CLI checks")
	flag.Parse()
	if *services < 1 {
		fmt.Fprintln(os.Stderr, "grpc: -services must be at least 1")
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Getenv("SENTRY_DSN"), *services); err != nil {
		fmt.Fprintln(os.Stderr, "grpc:", err)
		os.Exit(1)
	}
}

// options are every part's client options: every transaction sampled, an
// OrphanDetector, and a recorder in place of Sentry without a DSN.
func options(release, dsn string, rec *sentrytasktest.Recorder) sentry.ClientOptions {
	o := sentry.ClientOptions{
		Dsn: dsn, EnableTracing: true, TracesSampleRate: 1, Release: release, Environment: "example",
		Integrations: func(in []sentry.Integration) []sentry.Integration {
			return append(in, sentrytask.NewOrphanDetector())
		},
	}
	if rec != nil {
		o.Dsn, o.Transport = sentrytasktest.DSN, rec
	} else {
		o.HTTPTransport = &sent
	}
	return o
}

// sent counts what this process's clients delivered to Sentry when they
// send to a DSN: a flush alone does not say whether Sentry took anything.
var sent sentrytasktest.Deliveries

// recorder returns a Recorder when there is no DSN to send to.
func recorder(dsn string) *sentrytasktest.Recorder {
	if dsn != "" {
		return nil
	}
	return sentrytasktest.NewRecorder()
}

func run(out io.Writer, dsn string, services int) error {
	cliRec, gatewayRec, stockRec, pricesRec := recorder(dsn), recorder(dsn), recorder(dsn), recorder(dsn)

	stock, err := serve("stock", dsn, stockRec, stockService())
	if err != nil {
		return err
	}
	defer stock.stop()
	prices, err := serve("prices", dsn, pricesRec, priceService())
	if err != nil {
		return err
	}
	defer prices.stop()
	deps, err := dialAll(stock.addr, prices.addr)
	if err != nil {
		return err
	}
	defer deps.close()
	gateway, err := serve("gateway", dsn, gatewayRec, gatewayService(deps))
	if err != nil {
		return err
	}
	defer gateway.stop()

	// The CLI's hub is the global one, as a CLI's is.
	if err := sentry.Init(options("status-cli", dsn, cliRec)); err != nil {
		return err
	}
	checkErr := checkAll(context.Background(), gateway.addr, services)
	// Every server stops, waiting for its handlers: everything is
	// recorded or sent.
	gateway.stop()
	stock.stop()
	prices.stop()
	if !sentry.Flush(5 * time.Second) {
		return errors.New("timed out sending events to Sentry")
	}
	if checkErr != nil {
		return checkErr
	}
	if cliRec == nil {
		return sent.Report(out)
	}
	return report(out, sentrytasktest.Merge(cliRec, gatewayRec, stockRec, pricesRec), services)
}

// report prints the events as one tree and a verdict, and fails unless they
// are one whole trace with every call made and handled.
func report(out io.Writer, events []*sentry.Event, services int) error {
	fmt.Fprint(out, sentrytasktest.Tree(events))
	fmt.Fprintln(out, sentrytasktest.Summary(events))
	err := sentrytasktest.Check(events,
		sentrytasktest.ExpectSpans("grpc.client", 3*services),
		sentrytasktest.ExpectSpans("grpc.server", 3*services),
		sentrytasktest.ExpectSpans("price.read", pricesPerWatch*services))
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
