// Package server is Peerpath's HTTP API and the single-page app's host: routes, middleware
// (sessions, roles, origin checks, rate limits, security headers), handlers and the one JSON
// error writer. It holds no SQL: everything goes through courses.Store.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/server/rooms"
)

// Mailbox is the development mailbox: mail that would have been sent, kept for the operator to
// read. It is nil outside development.
type Mailbox interface {
	List(ctx context.Context) ([]MailSummary, error)
	Get(ctx context.Context, id string) (*MailMessage, error)
}

// MailSummary is one line of the development mailbox.
type MailSummary struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	SentAt  time.Time `json:"sent_at"`
}

// MailMessage is one message of the development mailbox.
type MailMessage struct {
	MailSummary
	Text string `json:"text"`
	HTML string `json:"html"`
}

// Config is what the server needs from its surroundings.
type Config struct {
	Store    *courses.Store
	Redis    *redis.Client
	Logger   *slog.Logger
	BaseURL  string
	Frontend fs.FS // the built app (frontend/dist); may hold only .gitkeep
	Mailbox  Mailbox
	Registry *prometheus.Registry
	// KeyPrefix starts every Redis key the server writes, so tests never share counters.
	KeyPrefix string
	// LoginFailures and LoginWindow bound failed sign-ins per account and per address.
	LoginFailures int
	LoginWindow   time.Duration
	// MaxBody bounds request bodies, in bytes.
	MaxBody int64
	// CertificatePDF draws a certificate; nil answers PDF downloads with 503.
	CertificatePDF func(c *courses.Certificate, verifyURL string) ([]byte, error)
	// VerifyPerMinute bounds public certificate checks per address (default 60).
	VerifyPerMinute int
	// CalendarICS draws a calendar (.ics) file; nil answers calendar downloads with 503.
	CalendarICS func(inv *courses.CalendarInvite) ([]byte, error)
	// Rooms tunes the live role-play hub; Store, Redis, Logger and KeyPrefix come from above.
	Rooms rooms.Config
}

// Server handles HTTP.
type Server struct {
	store    *courses.Store
	redis    *redis.Client
	log      *slog.Logger
	baseURL  *url.URL
	secure   bool
	frontend fs.FS
	mailbox  Mailbox
	registry *prometheus.Registry
	metrics  *metrics
	limiter  *limiter
	// verifyLimiter counts public verification requests per address.
	verifyLimiter  *limiter
	certificatePDF func(c *courses.Certificate, verifyURL string) ([]byte, error)
	calendarICS    func(inv *courses.CalendarInvite) ([]byte, error)
	maxBody        int64
	cop            *http.CrossOriginProtection
	engine         *gin.Engine
	hub            *rooms.Hub
	upgrader       websocket.Upgrader
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, courses.FieldError("PEERPATH_BASE_URL", "Use an absolute URL like https://peerpath.example.org.")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.LoginFailures == 0 {
		cfg.LoginFailures = 10
	}
	if cfg.LoginWindow == 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.VerifyPerMinute == 0 {
		cfg.VerifyPerMinute = 60
	}
	s := &Server{
		store:    cfg.Store,
		redis:    cfg.Redis,
		log:      cfg.Logger,
		baseURL:  u,
		secure:   u.Scheme == "https",
		frontend: cfg.Frontend,
		mailbox:  cfg.Mailbox,
		registry: cfg.Registry,
		maxBody:  cfg.MaxBody,
		cop:      http.NewCrossOriginProtection(),
		limiter: &limiter{rdb: cfg.Redis, prefix: cfg.KeyPrefix + "ratelimit:", max: cfg.LoginFailures,
			window: cfg.LoginWindow, now: cfg.Store.Now},
		verifyLimiter: &limiter{rdb: cfg.Redis, prefix: cfg.KeyPrefix + "ratelimit:", max: cfg.VerifyPerMinute,
			window: time.Minute, now: cfg.Store.Now},
		certificatePDF: cfg.CertificatePDF,
		calendarICS:    cfg.CalendarICS,
	}
	if err := s.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
		return nil, err
	}
	rc := cfg.Rooms
	if rc.Store == nil {
		rc.Store = cfg.Store
	}
	if rc.Redis == nil {
		rc.Redis = cfg.Redis
	}
	if rc.Logger == nil {
		rc.Logger = cfg.Logger
	}
	if rc.KeyPrefix == "" {
		rc.KeyPrefix = cfg.KeyPrefix
	}
	s.hub = rooms.NewHub(rc)
	s.upgrader = websocket.Upgrader{
		ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{},
		CheckOrigin: s.sameOrigin,
		Error:       s.upgradeError,
	}
	if err := s.registerRoomMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	s.metrics, err = newMetrics(cfg.Registry, cfg.Store, cfg.Redis)
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	s.engine = s.routes()
	return s, nil
}

// Close ends the live role-play connections, telling each client the server is going away, so
// they resume on another instance. http.Server.Shutdown does not reach hijacked connections.
func (s *Server) Close(ctx context.Context) { s.hub.Close(ctx) }

// Hub is the live role-play hub.
func (s *Server) Hub() *rooms.Hub { return s.hub }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// cookieName is the session cookie's name; over https it takes the __Host- prefix, which the
// browser only accepts for a Secure, host-only cookie on path /.
func (s *Server) cookieName() string {
	if s.secure {
		return "__Host-peerpath_session"
	}
	return "peerpath_session"
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") || path == "/api" }
