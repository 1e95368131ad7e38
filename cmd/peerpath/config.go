package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // PostgreSQL driver
	"github.com/redis/go-redis/v9"

	"peerpath/migrations"
)

// config is read from the environment; DESIGN.md §3 and the README list the variables.
type config struct {
	DatabaseURL  string
	RedisURL     string
	Addr         string
	BaseURL      string
	SMTPURL      string
	SigningKey   string
	Env          string
	DataDir      string
	DemoPassword string
	Queue        string
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := config{
		DatabaseURL:  get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peerpath?sslmode=disable"),
		RedisURL:     get("REDIS_URL", "redis://127.0.0.1:6379/0"),
		Addr:         get("PEERPATH_ADDR", "127.0.0.1:8080"),
		SMTPURL:      get("SMTP_URL", ""),
		SigningKey:   get("PEERPATH_SIGNING_KEY", ""),
		Env:          get("PEERPATH_ENV", "development"),
		DataDir:      get("PEERPATH_DATA_DIR", ".data"),
		DemoPassword: get("PEERPATH_DEMO_PASSWORD", "peerpath-demo-2026"),
		Queue:        get("PEERPATH_QUEUE", "default"),
	}
	c.BaseURL = strings.TrimRight(get("PEERPATH_BASE_URL", "http://"+c.Addr), "/")
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("PEERPATH_ENV: must be development or production, not %q", c.Env)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, fmt.Errorf("PEERPATH_ADDR: must be host:port, like 127.0.0.1:8080 (%v)", err)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("PEERPATH_BASE_URL: must be an absolute http(s) URL, like https://peerpath.example.org")
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return c, fmt.Errorf("DATABASE_URL: must be a URL like postgres://user:password@host:5432/peerpath?sslmode=disable")
	}
	if _, err := redis.ParseURL(c.RedisURL); err != nil {
		return c, fmt.Errorf("REDIS_URL: must be a URL like redis://127.0.0.1:6379/0 (%v)", err)
	}
	if c.Env == "production" {
		if c.SMTPURL == "" {
			return c, fmt.Errorf("SMTP_URL: required when PEERPATH_ENV=production (mail would go nowhere)")
		}
		if c.SigningKey == "" {
			return c, fmt.Errorf("PEERPATH_SIGNING_KEY: required when PEERPATH_ENV=production (a key file for signing certificates)")
		}
	}
	return c, nil
}

// redacted hides a URL's password so it can be printed.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// openDB connects to PostgreSQL as the login in DATABASE_URL. With role set, every connection
// then works as that role (a startup parameter, so no connection is ever used before it is set):
// the application's pool uses courses.AppRole, which owns nothing and is bound by row-level
// security; migrations use the login itself.
func openDB(ctx context.Context, c config, role string) (*sqlx.DB, error) {
	dsn := c.DatabaseURL
	if role != "" {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %v", err)
		}
		q := u.Query()
		q.Set("role", role)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %v", err)
	}
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(25)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if role != "" && strings.Contains(err.Error(), "role") {
			return nil, fmt.Errorf("DATABASE_URL: the login cannot work as %s (run `peerpath migrate`, which creates it and grants it to the login): %v", role, err)
		}
		return nil, fmt.Errorf("DATABASE_URL: cannot reach PostgreSQL at %s: %v", redacted(c.DatabaseURL), err)
	}
	return db, nil
}

// migrate applies the migrations as the login in DATABASE_URL, which owns the schema.
func migrate(ctx context.Context, c config) error {
	db, err := openDB(ctx, c, "")
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Up(db.DB)
}

// quietRedis drops go-redis's own log lines: connection failures reach the operator as errors
// naming REDIS_URL instead.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

func openRedis(ctx context.Context, c config) (*redis.Client, asynq.RedisConnOpt, error) {
	opt, err := redis.ParseURL(c.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, nil, fmt.Errorf("REDIS_URL: cannot reach Redis at %s: %v", redacted(c.RedisURL), err)
	}
	aopt, err := asynq.ParseRedisURI(c.RedisURL)
	if err != nil {
		rdb.Close()
		return nil, nil, fmt.Errorf("REDIS_URL: %v", err)
	}
	return rdb, aopt, nil
}
