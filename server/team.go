package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

type teamRequest struct {
	Name string `json:"name" binding:"required,max=200"`
}

func (s *Server) handleOrgTeamList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindTeams(c.Request.Context(), principal(c), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.Team]{Items: items, NextCursor: next})
}

func (s *Server) handleOrgTeamCreate(c *gin.Context) {
	var req teamRequest
	if !s.bind(c, &req) {
		return
	}
	d, err := s.store.CreateTeam(c.Request.Context(), principal(c), req.Name)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

func (s *Server) handleOrgTeamGet(c *gin.Context) {
	d, err := s.store.FindTeam(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) handleOrgTeamPatch(c *gin.Context) {
	var req teamRequest
	if !s.bind(c, &req) {
		return
	}
	d, err := s.store.RenameTeam(c.Request.Context(), principal(c), c.Param("id"), req.Name)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) handleOrgTeamDelete(c *gin.Context) {
	if err := s.store.DeleteTeam(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type teamMemberRequest struct {
	Manager *bool `json:"manager" binding:"required"`
}

func (s *Server) handleOrgTeamMemberPut(c *gin.Context) {
	var req teamMemberRequest
	if !s.bind(c, &req) {
		return
	}
	d, err := s.store.PutTeamMember(c.Request.Context(), principal(c), c.Param("id"), c.Param("person"), *req.Manager)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) handleOrgTeamMemberDelete(c *gin.Context) {
	if err := s.store.DeleteTeamMember(c.Request.Context(), principal(c), c.Param("id"), c.Param("person")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
