// Package testdb gives each test its own freshly migrated PostgreSQL database, cloned from a
// template in milliseconds, and its own Redis key space.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/peterldowns/pgtestdb"
	"github.com/redis/go-redis/v9"

	"peerpath/migrations"
)

type migrator struct{}

func (migrator) Hash() (string, error) { return migrations.Hash() }

// Migrate runs as pgtestdb's own login, which owns the test databases but, like a production
// owner, may not create roles: the server's superuser makes the application's roles and lets
// that login work as them first, as a database administrator would.
func (migrator) Migrate(ctx context.Context, db *sql.DB, conf pgtestdb.Config) error {
	admin, err := sql.Open("postgres", Config().URL())
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, role := range []string{appRole, "peerpath_system"} {
		if _, err := admin.ExecContext(ctx, `DO $$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+role+`') THEN CREATE ROLE `+role+` NOLOGIN; END IF;
			END $$`); err != nil {
			return err
		}
		if _, err := admin.ExecContext(ctx, `GRANT `+role+` TO `+pq.QuoteIdentifier(conf.User)); err != nil {
			return err
		}
	}
	return migrations.Up(db)
}

// Config is the server the test databases live on: TEST_DATABASE_* variables override the
// local defaults.
func Config() pgtestdb.Config {
	return pgtestdb.Config{
		DriverName: "postgres",
		Host:       env("TEST_DATABASE_HOST", "127.0.0.1"),
		Port:       env("TEST_DATABASE_PORT", "5432"),
		User:       env("TEST_DATABASE_USER", "postgres"),
		Password:   env("TEST_DATABASE_PASSWORD", ""),
		Database:   env("TEST_DATABASE_NAME", "postgres"),
		Options:    "sslmode=disable",
	}
}

// New returns a connection to a new database with every migration applied; it is dropped when
// the test passes. The connection works as the application's role (peerpath_app), so row-level
// security applies to the store under test just as in production; Owner gives the test a way
// past it for setting up and checking rows. An unreachable server fails the test: it is never
// skipped.
func New(tb testing.TB) *sqlx.DB {
	tb.Helper()
	db, _ := NewURL(tb)
	return db
}

// NewURL is New and also returns the database's URL as its owner, for tests that start the
// binary (which migrates as the owner and then works as the application's role).
func NewURL(tb testing.TB) (*sqlx.DB, string) {
	tb.Helper()
	conf := pgtestdb.Custom(tb, Config(), migrator{})
	// The tables' owner obeys row-level security too (FORCE); the superuser does not.
	su := Config()
	su.Database = conf.Database
	owner, err := sqlx.Open("postgres", su.URL())
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	db, err := sqlx.Open("postgres", conf.URL()+"&role="+appRole)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	owners.Store(db, owner)
	tb.Cleanup(func() {
		owners.Delete(db)
		db.Close()
		owner.Close()
	})
	return db, conf.URL()
}

// appRole is courses.AppRole; this package cannot import courses.
const appRole = "peerpath_app"

// owners maps each database New returned to a connection to it as its owner.
var owners sync.Map

// Owner returns a connection to db's database as the server's superuser, which row-level
// security does not restrict: for a test's own setup and checks, never for the code under test.
func Owner(db *sqlx.DB) *sqlx.DB {
	o, ok := owners.Load(db)
	if !ok {
		panic("testdb.Owner: not a database from testdb.New")
	}
	return o.(*sqlx.DB)
}

// RedisURL is the Redis the tests use (TEST_REDIS_URL, default database 15 on the local server,
// so `make run` data in database 0 is never touched).
func RedisURL() string { return env("TEST_REDIS_URL", "redis://127.0.0.1:6379/15") }

// Prefix returns a unique name for this test's Redis keys and queues, and deletes the keys that
// start with it when the test ends. Tests never share Redis state.
func Prefix(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	p := "t" + hex.EncodeToString(b)
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		tb.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("Redis at %s is not reachable (start it with `make services`): %v", RedisURL(), err)
	}
	tb.Cleanup(func() {
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, "*"+p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return p
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
