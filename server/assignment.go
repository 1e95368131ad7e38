package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

type assignmentRequest struct {
	CourseSlug    string     `json:"course_slug" binding:"required,max=63"`
	PersonIDs     []string   `json:"person_ids" binding:"max=500"`
	TeamID        string     `json:"team_id" binding:"max=64"`
	DueAt         *time.Time `json:"due_at"`
	DueWithinDays *int       `json:"due_within_days"`
	RecertMonths  *int       `json:"recert_months"`
}

func (s *Server) handleOrgAssignmentCreate(c *gin.Context) {
	var req assignmentRequest
	if !s.bind(c, &req) {
		return
	}
	res, err := s.store.CreateAssignments(c.Request.Context(), principal(c), courses.AssignmentInput{
		CourseSlug: req.CourseSlug, PersonIDs: req.PersonIDs, TeamID: req.TeamID, DueAt: req.DueAt,
		DueWithinDays: req.DueWithinDays, RecertMonths: req.RecertMonths})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, res)
}

func (s *Server) handleOrgAssignmentList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	f := courses.AssignmentFilter{PersonID: c.Query("person"), TeamID: c.Query("team"), CourseSlug: c.Query("course")}
	items, next, err := s.store.FindAssignments(c.Request.Context(), principal(c), f, page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.Assignment]{Items: items, NextCursor: next})
}

func (s *Server) handleOrgAssignmentDelete(c *gin.Context) {
	if err := s.store.DeleteAssignment(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleOrgAssignmentRuleDelete(c *gin.Context) {
	if err := s.store.DeleteAssignmentRule(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
