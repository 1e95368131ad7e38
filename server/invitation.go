package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

type invitationPreview struct {
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Organisation orgName   `json:"organisation"`
	Roles        []string  `json:"roles"`
	ExpiresAt    time.Time `json:"expires_at"`
}

type orgName struct {
	Name string `json:"name"`
}

func (s *Server) handleInvitationGet(c *gin.Context) {
	inv, err := s.store.FindInvitationByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, invitationPreview{Email: inv.Email, Name: inv.Name, Organisation: orgName{inv.OrgName},
		Roles: inv.Roles, ExpiresAt: inv.ExpiresAt.UTC()})
}

type invitationAcceptRequest struct {
	Name     string `json:"name" binding:"required,max=200"`
	Password string `json:"password" binding:"required"`
}

// handleInvitationAccept creates the invited person and signs them in.
func (s *Server) handleInvitationAccept(c *gin.Context) {
	var req invitationAcceptRequest
	if !s.bind(c, &req) {
		return
	}
	p, err := s.store.AcceptInvitation(c.Request.Context(), c.Param("token"), req.Name, req.Password)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.startSession(c, p, http.StatusOK)
}

type invitationCreateRequest struct {
	Email string   `json:"email" binding:"required,max=254"`
	Name  string   `json:"name" binding:"max=200"`
	Roles []string `json:"roles" binding:"required,max=4"`
}

func (s *Server) handleOrgInvitationCreate(c *gin.Context) {
	var req invitationCreateRequest
	if !s.bind(c, &req) {
		return
	}
	p := principal(c)
	inv, _, err := s.store.CreateInvitation(c.Request.Context(), p.OrgID(), p.Person.ID,
		courses.InvitationInput{Email: req.Email, Name: req.Name, Roles: req.Roles})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, inv)
}

func (s *Server) handleOrgInvitationList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindInvitations(c.Request.Context(), principal(c).OrgID(), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []courses.Invitation{}
	}
	c.JSON(http.StatusOK, listResponse[courses.Invitation]{Items: items, NextCursor: next})
}

type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// page reads ?limit= and ?cursor=.
func (s *Server) page(c *gin.Context) (courses.Page, bool) {
	p := courses.Page{Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > courses.MaxPageSize {
			s.writeError(c, courses.FieldError("limit", "Use a whole number from 1 to 100."))
			return p, false
		}
		p.Limit = n
	}
	return p, true
}
