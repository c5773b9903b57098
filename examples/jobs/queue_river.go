package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	sentrytaskriver "github.com/sentrytask/sentrytask/river"
	_ "modernc.org/sqlite"
)

// fulfilArgs is the River job that fulfils an order.
type fulfilArgs struct {
	Order order `json:"order"`
}

// Kind names the job, and its transaction in the worker.
func (fulfilArgs) Kind() string { return "order.fulfil" }

// riverQueue is River on SQLite in a temporary directory, or on the
// PostgreSQL named by DATABASE_URL, in a schema of its own that the shop
// drops when it is done.
type riverQueue struct {
	addr   string
	client interface {
		Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
		Start(ctx context.Context) error
		Stop(ctx context.Context) error
		Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	}
	// fulfil is what the worker's jobs call, set by work.
	fulfil  func(context.Context, order) error
	cleanup []func()
}

// quiet keeps River's logs out of the example's output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openRiver makes the shop's queue: a new database or schema, migrated,
// and a client for it, configured by configure after the defaults.
func openRiver(configure ...func(*river.Config)) (*riverQueue, error) {
	if dbURL := os.Getenv("DATABASE_URL"); dbURL != "" {
		schema := "jobs_" + randomName()
		q, err := riverOnPostgres(dbURL, schema, true, configure...)
		if err != nil {
			return nil, err
		}
		q.addr = dbURL + "#" + schema
		return q, nil
	}
	dir, err := os.MkdirTemp("", "jobs")
	if err != nil {
		return nil, err
	}
	q, err := riverOnSQLite(filepath.Join(dir, "river.db"), true, configure...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	q.cleanup = append(q.cleanup, func() { os.RemoveAll(dir) })
	return q, nil
}

// connectRiver connects the worker to the shop's queue at addr: a SQLite
// file, or a PostgreSQL URL with "#schema".
func connectRiver(addr string, configure ...func(*river.Config)) (*riverQueue, error) {
	if dbURL, schema, ok := strings.Cut(addr, "#"); ok {
		return riverOnPostgres(dbURL, schema, false, configure...)
	}
	return riverOnSQLite(addr, false, configure...)
}

func riverOnSQLite(path string, create bool, configure ...func(*river.Config)) (*riverQueue, error) {
	// Two processes share the file: each waits for the other's writes
	// rather than failing with SQLITE_BUSY.
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // riversqlite's doc: SQLite runs one statement at a time
	q := &riverQueue{addr: path, cleanup: []func(){func() { db.Close() }}}
	if err := setUp(q, riversqlite.New(db), "", create, configure); err != nil {
		q.close()
		return nil, err
	}
	return q, nil
}

func riverOnPostgres(dbURL, schema string, create bool, configure ...func(*river.Config)) (*riverQueue, error) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := &riverQueue{cleanup: []func(){pool.Close}}
	if create {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			q.close()
			return nil, fmt.Errorf("creating schema %s: %w", schema, err)
		}
		q.cleanup = append(q.cleanup, func() {
			_, _ = pool.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		})
	}
	if err := setUp(q, riverpgxv5.New(pool), schema, create, configure); err != nil {
		q.close()
		return nil, err
	}
	return q, nil
}

// setUp migrates the database, for the shop, and makes the River client:
// one that inserts, for the shop, or one that works jobs, for the worker.
// Both have sentrytaskriver's middleware, which carries the trace;
// configure changes the rest.
func setUp[TTx any](q *riverQueue, driver riverdriver.Driver[TTx], schema string, create bool, configure []func(*river.Config)) error {
	if create {
		migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: quiet})
		if err != nil {
			return err
		}
		if _, err := migrator.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("migrating River: %w", err)
		}
	}
	cfg := &river.Config{
		Middleware: []rivertype.Middleware{sentrytaskriver.NewMiddleware()},
		Schema:     schema,
		Logger:     quiet,
	}
	if !create {
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[fulfilArgs]) error {
			return q.fulfil(ctx, job.Args.Order)
		}))
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
		// SQLite has no LISTEN: the worker polls for new jobs.
		cfg.FetchCooldown, cfg.FetchPollInterval = 20*time.Millisecond, 50*time.Millisecond
	}
	for _, f := range configure {
		f(cfg)
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return err
	}
	q.client = client
	return nil
}

func (q *riverQueue) address() string { return q.addr }

func (q *riverQueue) enqueue(ctx context.Context, o order) error {
	_, err := q.client.Insert(ctx, fulfilArgs{Order: o}, nil)
	return err
}

// work starts the worker's River client with the global hub, which each
// job's transaction forks, and stops it once n jobs have completed.
func (q *riverQueue) work(ctx context.Context, n int, fulfil func(context.Context, order) error) error {
	q.fulfil = fulfil
	completed, unsubscribe := q.client.Subscribe(river.EventKindJobCompleted)
	defer unsubscribe()
	if err := q.client.Start(sentry.SetHubOnContext(context.Background(), sentry.CurrentHub())); err != nil {
		return err
	}
	var err error
	for done := 0; done < n && err == nil; {
		select {
		case <-completed:
			done++
		case <-ctx.Done():
			err = fmt.Errorf("%d of %d orders fulfilled: %w", done, n, ctx.Err())
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(err, q.client.Stop(stopCtx))
}

func (q *riverQueue) close() {
	for i := len(q.cleanup) - 1; i >= 0; i-- {
		q.cleanup[i]()
	}
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
