package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sentrytask/sentrytask/sentrytasktest"
	"go.uber.org/goleak"
)

// The test binary runs the program's main when jobsRunMain is set: the
// program sets up the global hub with sentry.Init, which no test may do in
// the test process, and its worker is the program's own binary.
func TestMain(m *testing.M) {
	if os.Getenv(jobsRunMain) == "1" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// The servers the program also runs on, when they are set (.ci/run sets
// them).
const (
	postgresEnv = "SENTRYTASK_POSTGRES_URL"
	natsEnv     = "SENTRYTASK_NATS_URL"
)

// run runs the program, as go run would, with env added to the test's.
func run(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{jobsRunMain + "=1", "SENTRY_DSN=", "DATABASE_URL=", "NATS_URL=", "KAFKA_BROKERS="}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestTraceCrossesTheQueueWhole(t *testing.T) {
	t.Parallel()
	type variant struct {
		name, engine, env string
		// transactionName is the queue.process transaction's, which
		// differs by engine: a River job's kind, a NATS subject.
		transactionName string
		// made lists what the program makes on a server, and must
		// remove.
		made func(*testing.T) map[string]bool
	}
	variants := []variant{
		{"river-sqlite", "river", "", `"order.fulfil"`, nil},
		{"nats-embedded", "nats", "", `"orders_`, nil},
		{"kafka-embedded", "kafka", "", `"orders-`, nil},
	}
	if url := os.Getenv(postgresEnv); url != "" {
		variants = append(variants, variant{"river-postgres", "river", "DATABASE_URL=" + url, `"order.fulfil"`,
			func(t *testing.T) map[string]bool { return schemas(t, url) }})
	}
	if url := os.Getenv(natsEnv); url != "" {
		variants = append(variants, variant{"nats-standalone", "nats", "NATS_URL=" + url, `"orders_`,
			func(t *testing.T) map[string]bool { return streams(t, url) }})
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			var before map[string]bool
			if v.made != nil {
				before = v.made(t)
			}
			out, err := run(t, []string{v.env}, "-engine", v.engine, "-orders", "3")
			if err != nil {
				t.Fatalf("jobs: %v\n%s", err, out)
			}
			for _, want := range []string{
				// 1 command, 3 POST /orders, 3 jobs, 6 item checks; per
				// order an http.client and a queue.publish span, per item
				// an item.check, an http.client and a db.query span.
				"1 trace, 13 transactions, 24 spans, 0 errors, 0 orphans",
				"the trace is whole",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			// Each job's transaction is below its publish span.
			if n := strings.Count(out, "└─ transaction queue.process "+v.transactionName); n != 3 {
				t.Errorf("%d queue.process transactions below a publish span; want 3:\n%s", n, out)
			}
			if v.made != nil {
				noneLeftBehind(t, before, v.made(t))
			}
		})
	}
}

// TestReportSaysWhenTheQueueBreaksTheTrace is the check the program ends
// with: a job worked in a trace of its own, as it is without the
// integrations, fails it.
func TestReportSaysWhenTheQueueBreaksTheTrace(t *testing.T) {
	t.Parallel()
	client, rec, err := sentrytasktest.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	tx := sentry.StartTransaction(ctx, "POST /orders", sentry.WithOpName("http.server"))
	tx.StartChild("queue.publish").Finish()
	tx.Finish()
	job := sentry.StartTransaction(ctx, "order.fulfil", sentry.WithOpName("queue.process"))
	for range itemsPerOrder {
		job.StartChild("item.check").Finish()
	}
	job.Finish()

	var out strings.Builder
	err = report(&out, rec.Events(), 1)
	if err == nil || !strings.Contains(err.Error(), "the trace is not whole") {
		t.Fatalf("report = %v; want the trace is not whole\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "the trace is whole") {
		t.Errorf("report printed the trace is whole:\n%s", out.String())
	}
}

func TestRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-engine", "rabbitmq"}, {"-orders", "0"}} {
		out, err := run(t, nil, args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(out, "-engine river, nats or kafka") {
			t.Errorf("jobs %v: %v, %q; want exit status 2 and the usage", args, err, out)
		}
	}
}

// noneLeftBehind fails t for each name in now that was not in before:
// something the program made on a server and did not remove.
func noneLeftBehind(t *testing.T, before, now map[string]bool) {
	t.Helper()
	for name := range now {
		if !before[name] {
			t.Errorf("%s is left behind", name)
		}
	}
}

// schemas lists the program's schemas in the PostgreSQL at url.
func schemas(t *testing.T, url string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'jobs\_%'`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return set(names)
}

// streams lists the program's streams in the NATS server at url.
func streams(t *testing.T, url string) map[string]bool {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	lister := js.StreamNames(context.Background())
	for n := range lister.Name() {
		if strings.HasPrefix(n, "ORDERS_") {
			names = append(names, n)
		}
	}
	if err := lister.Err(); err != nil {
		t.Fatal(err)
	}
	return set(names)
}

func set(names []string) map[string]bool {
	s := map[string]bool{}
	for _, n := range names {
		s[n] = true
	}
	return s
}
