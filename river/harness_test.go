package sentrytaskriver_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite"
)

// postgresEnv names the PostgreSQL the tests also run on, when it is set
// (.ci/run sets it): postgres://user@host:port/database.
const postgresEnv = "SENTRYTASK_POSTGRES_URL"

// riverClient is what the tests use of a *river.Client, whatever its
// driver's transaction type.
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// database is one River database, migrated, that clients share: a producer
// and a worker, as two processes would.
type database struct {
	name      string
	newClient func(t *testing.T, cfg *river.Config) riverClient
}

// databases returns River on SQLite, in a temporary directory, and on the
// PostgreSQL named by postgresEnv if it is set, in a schema of the test's
// own that is dropped when the test ends.
func databases(t *testing.T) []database {
	t.Helper()
	dbs := []database{sqliteDatabase(t)}
	if url := os.Getenv(postgresEnv); url != "" {
		dbs = append(dbs, postgresDatabase(t, url))
	}
	return dbs
}

func sqliteDatabase(t *testing.T) database {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "river.db"))
	if err != nil {
		t.Fatal(err)
	}
	// SQLite runs one statement at a time; River's driver asks for one
	// connection (riversqlite's doc).
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	driver := riversqlite.New(db)
	migrate(t, driver, nil)
	return database{name: "sqlite", newClient: func(t *testing.T, cfg *river.Config) riverClient {
		return newClient(t, driver, cfg)
	}}
}

func postgresDatabase(t *testing.T, url string) database {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	t.Cleanup(pool.Close)
	schema := "sentrytask_" + randomName()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	driver := riverpgxv5.New(pool)
	migrate(t, driver, &rivermigrate.Config{Schema: schema})
	return database{name: "postgres", newClient: func(t *testing.T, cfg *river.Config) riverClient {
		cfg.Schema = schema
		return newClient(t, driver, cfg)
	}}
}

func migrate[TTx any](t *testing.T, driver riverdriver.Driver[TTx], cfg *rivermigrate.Config) {
	t.Helper()
	if cfg == nil {
		cfg = &rivermigrate.Config{}
	}
	cfg.Logger = quiet
	migrator, err := rivermigrate.New(driver, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrator.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
		t.Fatalf("migrating River: %v", err)
	}
}

// newClient makes a River client for the tests: quick to fetch, quick to
// retry, quiet, stopped when the test ends.
func newClient[TTx any](t *testing.T, driver riverdriver.Driver[TTx], cfg *river.Config) riverClient {
	t.Helper()
	cfg.Logger = quiet
	cfg.TestOnly = true
	cfg.FetchCooldown = 5 * time.Millisecond
	cfg.FetchPollInterval = 20 * time.Millisecond
	cfg.RetryPolicy = retrySoon{}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// retrySoon retries a failed job after 100 ms, within River's scheduler
// interval, so that it is made available at once.
type retrySoon struct{}

func (retrySoon) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// withHub binds hub to a background context, as a worker process binds its
// hub to the context it starts River with.
func withHub(hub *sentry.Hub) context.Context {
	return sentry.SetHubOnContext(context.Background(), hub)
}
