package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type resetRequest struct {
	Email string `json:"email" binding:"required,max=254"`
}

// handlePasswordResetRequest answers 202 whether or not the account exists.
func (s *Server) handlePasswordResetRequest(c *gin.Context) {
	var req resetRequest
	if !s.bind(c, &req) {
		return
	}
	if err := s.store.RequestPasswordReset(c.Request.Context(), req.Email); err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message": "If an account exists for that email, a reset link is on its way."})
}

type resetCompleteRequest struct {
	Password string `json:"password" binding:"required"`
}

func (s *Server) handlePasswordResetComplete(c *gin.Context) {
	var req resetCompleteRequest
	if !s.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	email, _ := s.store.FindPasswordResetEmail(ctx, c.Param("token"))
	if err := s.store.CompletePasswordReset(ctx, c.Param("token"), req.Password); err != nil {
		s.writeError(c, err)
		return
	}
	// The lockout message sends people here: a new password ends the account's lockout.
	if email != "" {
		account, _ := loginKeys(email, "")
		if err := s.limiter.reset(ctx, account); err != nil {
			s.log.WarnContext(ctx, "login rate limit unavailable", "request_id", requestID(c), "err", err)
		}
	}
	c.Status(http.StatusNoContent)
}
