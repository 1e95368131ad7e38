package server

import (
	"math"
	"net/http"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// meResponse is who the caller is.
type meResponse struct {
	ID           string                `json:"id"`
	Name         string                `json:"name"`
	Email        string                `json:"email"`
	Roles        []string              `json:"roles"`
	Organisation *courses.Organisation `json:"organisation"`
	Operator     bool                  `json:"operator"`
}

func newMe(p *courses.Principal) meResponse {
	roles := []string(p.Person.Roles)
	if roles == nil {
		roles = []string{}
	}
	return meResponse{ID: p.Person.ID, Name: p.Person.Name, Email: p.Person.Email, Roles: roles,
		Organisation: p.Organisation, Operator: p.Person.Operator}
}

func (s *Server) handleMe(c *gin.Context) {
	c.JSON(http.StatusOK, newMe(principal(c)))
}

type loginRequest struct {
	Email    string `json:"email" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=1024"`
}

// handleLogin signs a person in. Failures count against the account and the client address;
// past the limit every attempt, right or wrong, gets 429 until the window moves on.
func (s *Server) handleLogin(c *gin.Context) {
	var req loginRequest
	if !s.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	account, client := loginKeys(req.Email, c.ClientIP())
	// The attempt counts as a failure from the start and is taken back if the password is right,
	// so a burst of attempts at once cannot get past the limit.
	attempt, wait, err := s.limiter.reserve(ctx, account, client)
	if err != nil {
		// Redis is only a counter store: without it, sign-in still works, unthrottled.
		s.log.WarnContext(ctx, "login rate limit unavailable", "request_id", requestID(c), "err", err)
	}
	if wait > 0 {
		c.Header("Retry-After", retryAfter(wait))
		s.writeError(c, courses.Errorf(courses.RateLimited,
			"Too many failed sign-in attempts. Try again in %d minutes, or reset your password.", int(math.Ceil(wait.Minutes()))))
		return
	}
	p, err := s.store.Authenticate(ctx, req.Email, req.Password)
	if err != nil {
		if courses.ErrorCode(err) != courses.Unauthorized {
			// Not a wrong password (the database is away, say): not a failure to count.
			if rerr := s.limiter.release(ctx, attempt, account, client); rerr != nil {
				s.log.WarnContext(ctx, "login rate limit unavailable", "request_id", requestID(c), "err", rerr)
			}
		}
		s.writeError(c, err)
		return
	}
	if err := s.limiter.release(ctx, attempt, account, client); err != nil {
		s.log.WarnContext(ctx, "login rate limit unavailable", "request_id", requestID(c), "err", err)
	}
	if err := s.limiter.reset(ctx, account); err != nil {
		s.log.WarnContext(ctx, "login rate limit unavailable", "request_id", requestID(c), "err", err)
	}
	s.startSession(c, p, http.StatusOK)
}

// startSession replaces any session the browser had with a new one (a new token at every
// sign-in) and answers with who the person is.
func (s *Server) startSession(c *gin.Context, p *courses.Principal, status int) {
	ctx := c.Request.Context()
	if old, err := c.Cookie(s.cookieName()); err == nil && old != "" {
		if err := s.store.DeleteSession(ctx, old); err != nil {
			s.writeError(c, err)
			return
		}
	}
	token, err := s.store.CreateSession(ctx, p.Person.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.setCookie(c, token, int(courses.SessionAbsolute.Seconds()))
	c.JSON(status, newMe(p))
}

func (s *Server) handleLogout(c *gin.Context) {
	if token, err := c.Cookie(s.cookieName()); err == nil && token != "" {
		if err := s.store.DeleteSession(c.Request.Context(), token); err != nil {
			s.writeError(c, err)
			return
		}
	}
	s.clearCookie(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) setCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.cookieName(), Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c *gin.Context) { s.setCookie(c, "", -1) }
