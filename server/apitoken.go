package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

type apiTokenRequest struct {
	Name  string `json:"name" binding:"required,max=100"`
	Scope string `json:"scope" binding:"required"`
}

// apiTokenCreated is a new token with its secret, the only time the secret is ever sent.
type apiTokenCreated struct {
	courses.APIToken
	Token string `json:"token"`
}

func (s *Server) handleAPITokenCreate(c *gin.Context) {
	var req apiTokenRequest
	if !s.bind(c, &req) {
		return
	}
	t, secret, err := s.store.CreateAPIToken(c.Request.Context(), principal(c), req.Name, req.Scope)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, apiTokenCreated{APIToken: *t, Token: secret})
}

func (s *Server) handleAPITokenList(c *gin.Context) {
	ts, err := s.store.FindAPITokens(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.APIToken]{Items: ts})
}

func (s *Server) handleAPITokenRevoke(c *gin.Context) {
	if _, err := s.store.RevokeAPIToken(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// bearerPaths are where an organisation API token is accepted: the organisation endpoints,
// except token management itself, which needs a person.
func bearerAccepted(path string) bool {
	return strings.HasPrefix(path, "/api/v1/org/") && !strings.HasPrefix(path, "/api/v1/org/api-tokens")
}

// authenticateBearer handles an Authorization header. It reports whether the request should go
// on; a token that is not valid is refused rather than ignored, so an integration learns at once.
func (s *Server) authenticateBearer(c *gin.Context) bool {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !bearerAccepted(c.Request.URL.Path) {
		// Not ours to judge: on other paths the header is ignored and the cookie decides.
		return true
	}
	p, err := s.store.FindAPIToken(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		s.writeError(c, err)
		return false
	}
	if p.APIToken.Scope != courses.ScopeWrite && c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		s.writeError(c, courses.Errorf(courses.Forbidden, "This API token can only read. Create a write token to make changes."))
		return false
	}
	c.Set(keyPrincipal, p)
	return true
}
