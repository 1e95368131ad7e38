package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// handleMyExport answers everything Peerpath holds about the caller, as a JSON download.
func (s *Server) handleMyExport(c *gin.Context) {
	d, err := s.store.ExportMyData(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="my-peerpath-data.json"`)
	c.JSON(http.StatusOK, d)
}

type deletionRequest struct {
	Password string `json:"password" binding:"required,max=1024"`
}

// handleDeletionRequest deletes the caller's own content and de-identifies them, then signs
// them out.
func (s *Server) handleDeletionRequest(c *gin.Context) {
	var req deletionRequest
	if !s.bind(c, &req) {
		return
	}
	if err := s.store.RequestDeletion(c.Request.Context(), principal(c), req.Password); err != nil {
		s.writeError(c, err)
		return
	}
	s.clearCookie(c)
	c.Status(http.StatusNoContent)
}
