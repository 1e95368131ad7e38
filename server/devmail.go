package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

var errNoMailbox = courses.Errorf(courses.NotFound, "The development mailbox is only available in development.")

func (s *Server) handleDevMailList(c *gin.Context) {
	if s.mailbox == nil {
		s.writeError(c, errNoMailbox)
		return
	}
	items, err := s.mailbox.List(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []MailSummary{}
	}
	c.JSON(http.StatusOK, listResponse[MailSummary]{Items: items})
}

func (s *Server) handleDevMailGet(c *gin.Context) {
	if s.mailbox == nil {
		s.writeError(c, errNoMailbox)
		return
	}
	m, err := s.mailbox.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
