// Package testdb gives each test its own freshly migrated PostgreSQL database, cloned from a
// template in milliseconds, and its own Redis key space.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver the tests use
	"github.com/peterldowns/pgtestdb"
	"github.com/redis/go-redis/v9"

	"peerpath/migrations"
)

type migrator struct{}

func (migrator) Hash() (string, error) { return migrations.Hash() }

func (migrator) Migrate(_ context.Context, db *sql.DB, _ pgtestdb.Config) error {
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
// the test passes. An unreachable server fails the test: it is never skipped.
func New(tb testing.TB) *sqlx.DB {
	tb.Helper()
	db, _ := NewURL(tb)
	return db
}

// NewURL is New and also returns the database's URL, for tests that start the binary.
func NewURL(tb testing.TB) (*sqlx.DB, string) {
	tb.Helper()
	conf := pgtestdb.Custom(tb, Config(), migrator{})
	db, err := sqlx.Open("postgres", conf.URL())
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, conf.URL()
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
