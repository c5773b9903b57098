// Command jobs shows one trace crossing a job queue and two processes: a
// CLI places orders with a shop's HTTP API, which queues a job per order;
// a worker, in a process of its own, fulfils each job, checking the stock of
// the order's items concurrently with an inventory service. The trace runs
// from the CLI's command through the API, the queue and the worker to the
// inventory, and back.
//
// With SENTRY_DSN unset, every part records what it would send, and the
// program prints it as one span tree with a verdict, exiting with status 1
// if the trace is not whole. The queue is River on SQLite in a temporary
// directory, or on PostgreSQL with DATABASE_URL=postgres://…, or NATS
// JetStream (-engine nats) embedded, or at NATS_URL=nats://…, or Kafka
// (-engine kafka) on franz-go's in-process cluster, or at
// KAFKA_BROKERS=host:port, with any number of workers on any number of
// machines in production.
//
// With -crons N, it shows a scheduled job instead: River's leader
// schedules a run every second, N times, which Sentry Crons monitors, and
// a worker process builds each (crons.go).
//
//	go run ./examples/jobs [-engine river|nats|kafka] [-orders 3]
//	go run ./examples/jobs -crons 3
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
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// itemsPerOrder is how many items each order has, each checked with the
// inventory by a task of its own.
const itemsPerOrder = 2

// jobsRunMain, set in the environment, makes a test binary run main: the
// worker runs this program's own binary, which in a test is the test's.
const jobsRunMain = "JOBS_RUN_MAIN"

func main() {
	var s settings
	flag.StringVar(&s.engine, "engine", "river", "the job queue: river, nats or kafka")
	flag.IntVar(&s.orders, "orders", 3, "how many orders the CLI places")
	flag.IntVar(&s.crons, "crons", 0, "instead of orders, schedule this many runs of a periodic River job that Sentry Crons monitors")
	worker := flag.Bool("worker", false, "run as the worker process (the shop starts it)")
	flag.StringVar(&s.queueAddr, "queue", "", "for the worker: where the shop's queue is")
	flag.StringVar(&s.inventoryURL, "inventory", "", "for the worker: the inventory service's URL")
	flag.Parse()
	s.dsn = os.Getenv("SENTRY_DSN")
	if s.orders < 1 || s.crons < 0 || s.engine != "river" && s.engine != "nats" && s.engine != "kafka" || s.crons > 0 && s.engine != "river" {
		fmt.Fprintln(os.Stderr, "jobs: -orders must be at least 1, -engine river, nats or kafka, and -crons at least 0, with river")
		os.Exit(2)
	}
	run := runShop
	switch {
	case s.crons > 0 && *worker:
		run = runReportWorker
	case s.crons > 0:
		run = runScheduler
	case *worker:
		run = runWorker
	}
	if err := run(os.Stdout, s); err != nil {
		fmt.Fprintln(os.Stderr, "jobs:", err)
		os.Exit(1)
	}
}

type settings struct {
	engine, dsn             string
	orders, crons           int
	queueAddr, inventoryURL string
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

// serve serves h on loopback with a hub of its own, on a client named
// release, and returns its URL and a function that stops it.
func serve(release, dsn string, rec *sentrytasktest.Recorder, h http.Handler) (string, func(context.Context) error, error) {
	client, err := sentry.NewClient(options(release, dsn, rec))
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: sentrytask.Middleware(h), BaseContext: func(net.Listener) context.Context {
		return sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	}}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func(ctx context.Context) error {
		err := srv.Shutdown(ctx)
		if e := <-served; !errors.Is(e, http.ErrServerClosed) {
			err = errors.Join(err, e)
		}
		client.Flush(5 * time.Second)
		client.Close()
		return err
	}, nil
}

// runShop plays the CLI, the shop's API and the inventory service, starts
// the worker process, and reports the trace.
func runShop(out io.Writer, s settings) error {
	cliRec, apiRec, inventoryRec := recorder(s.dsn), recorder(s.dsn), recorder(s.dsn)
	q, err := openQueue(s.engine)
	if err != nil {
		return err
	}
	defer q.close()

	inventoryURL, stopInventory, err := serve("inventory", s.dsn, inventoryRec, inventory())
	if err != nil {
		return err
	}
	apiURL, stopAPI, err := serve("shop-api", s.dsn, apiRec, shopAPI(q))
	if err != nil {
		return err
	}

	// The worker is a process of its own, as it would be on another
	// machine; it reports what it recorded on its standard output.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	worker := exec.Command(self, "-worker", "-engine", s.engine, "-orders", strconv.Itoa(s.orders),
		"-queue", q.address(), "-inventory", inventoryURL)
	worker.Env = append(os.Environ(), jobsRunMain+"=1")
	var workerOut strings.Builder
	worker.Stdout, worker.Stderr = &workerOut, os.Stderr
	if err := worker.Start(); err != nil {
		return err
	}

	if err := sentry.Init(options("shop-cli", s.dsn, cliRec)); err != nil {
		return err
	}
	placeErr := placeOrders(context.Background(), apiURL, s.orders)
	waitErr := worker.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(placeErr, waitErr, stopAPI(ctx), stopInventory(ctx)); err != nil {
		return err
	}
	if !sentry.Flush(5 * time.Second) {
		return errors.New("timed out sending events to Sentry")
	}
	if cliRec == nil {
		return sent.Report(out)
	}
	workerEvents, err := sentrytasktest.ReadJSON(strings.NewReader(workerOut.String()))
	if err != nil {
		return err
	}
	return report(out, append(sentrytasktest.Merge(cliRec, apiRec, inventoryRec), workerEvents...), s.orders)
}

// report prints the events as one tree and a verdict, and fails unless they
// are one whole trace with every order queued, worked and checked.
func report(out io.Writer, events []*sentry.Event, orders int) error {
	fmt.Fprint(out, sentrytasktest.Tree(events))
	fmt.Fprintln(out, sentrytasktest.Summary(events))
	err := sentrytasktest.Check(events,
		sentrytasktest.ExpectSpans("queue.publish", orders),
		sentrytasktest.ExpectSpans("queue.process", orders),
		sentrytasktest.ExpectSpans("item.check", orders*itemsPerOrder))
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
