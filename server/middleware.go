package server

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

const (
	keyRequestID = "request_id"
	keyPrincipal = "principal"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// logRequests gives each request an id and logs it when done. It logs the route pattern, never
// the raw path: invitation and reset tokens travel in paths.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-ID")
	if !requestIDRE.MatchString(id) {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(keyRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
	took := time.Since(start)
	st := c.Writer.Status()
	s.metrics.observe(route(c), c.Request.Method, st, took)
	attrs := []any{"request_id", id, "method", c.Request.Method, "route", route(c), "status", st,
		"ms", float64(took.Microseconds()) / 1000, "bytes", c.Writer.Size()}
	if p := principal(c); p != nil {
		attrs = append(attrs, "person_id", p.Person.ID)
	}
	s.log.InfoContext(c.Request.Context(), "request", attrs...)
}

func requestID(c *gin.Context) string { return c.GetString(keyRequestID) }

func route(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	if isAPI(c.Request.URL.Path) {
		return "unmatched"
	}
	return "app"
}

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "+
		"form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// Tokens travel in invitation and reset links: never leak them to another site.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	if isAPI(c.Request.URL.Path) {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

// crossOrigin refuses state-changing requests that a browser says come from another site.
func (s *Server) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		s.writeError(c, courses.Errorf(courses.Forbidden, "Cross-origin request refused."))
		return
	}
	c.Next()
}

// limitBody bounds every request body (evidence uploads a little more: see bodyLimit).
func (s *Server) limitBody(c *gin.Context) {
	limit := s.bodyLimit(c)
	if c.Request.ContentLength > limit {
		s.writeError(c, &courses.Error{Code: codeTooLarge, Message: "The request body is too large."})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// authenticate loads the caller from an organisation API token (on /org endpoints) or from the
// session cookie, when there is one. It refuses only a bad token: requireAuth does the rest.
func (s *Server) authenticate(c *gin.Context) {
	if c.GetHeader("Authorization") != "" {
		if !s.authenticateBearer(c) {
			return
		}
		if principal(c) != nil {
			c.Next()
			return
		}
	}
	token, err := c.Cookie(s.cookieName())
	if err != nil || token == "" {
		c.Next()
		return
	}
	p, err := s.store.FindSession(c.Request.Context(), token)
	switch courses.ErrorCode(err) {
	case courses.Internal:
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Set(keyPrincipal, p)
	case courses.Unauthorized:
		s.clearCookie(c)
	default:
		s.writeError(c, err)
		return
	}
	c.Next()
}

func principal(c *gin.Context) *courses.Principal {
	v, ok := c.Get(keyPrincipal)
	if !ok {
		return nil
	}
	return v.(*courses.Principal)
}

// requireAuth refuses callers without a live session.
func (s *Server) requireAuth(c *gin.Context) {
	if principal(c) == nil {
		s.writeError(c, courses.Errorf(courses.Unauthorized, "Please sign in."))
		return
	}
	c.Next()
}

// requireRole refuses callers who hold none of roles in an organisation.
func (s *Server) requireRole(roles ...courses.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		if p == nil {
			s.writeError(c, courses.Errorf(courses.Unauthorized, "Please sign in."))
			return
		}
		if p.Organisation == nil || !p.Person.HasRole(roles...) {
			s.writeError(c, courses.Errorf(courses.Forbidden, "You do not have access to this."))
			return
		}
		c.Next()
	}
}
