package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

func (s *Server) handleOrgPeopleList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	f := courses.PeopleFilter{Q: c.Query("q"), Role: c.Query("role"), TeamID: c.Query("team"), Status: c.Query("status")}
	items, next, err := s.store.FindPeople(c.Request.Context(), principal(c), f, page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.OrgPerson]{Items: items, NextCursor: next})
}

func (s *Server) handleOrgPersonGet(c *gin.Context) {
	op, err := s.store.FindOrgPerson(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, op)
}

type personPatchRequest struct {
	Roles []string `json:"roles" binding:"required,max=4"`
}

func (s *Server) handleOrgPersonPatch(c *gin.Context) {
	var req personPatchRequest
	if !s.bind(c, &req) {
		return
	}
	op, err := s.store.UpdatePersonRoles(c.Request.Context(), principal(c), c.Param("id"), req.Roles)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, op)
}

func (s *Server) handleOrgPersonDeactivate(c *gin.Context) { s.setPersonActive(c, false) }

func (s *Server) handleOrgPersonReactivate(c *gin.Context) { s.setPersonActive(c, true) }

func (s *Server) setPersonActive(c *gin.Context, active bool) {
	op, err := s.store.SetPersonActive(c.Request.Context(), principal(c), c.Param("id"), active)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, op)
}

// handleOrgPeopleImport previews (?dry_run=true) or runs a CSV import. The body is the CSV file
// itself (text/csv), not JSON.
func (s *Server) handleOrgPeopleImport(c *gin.Context) {
	dry := true
	switch c.Query("dry_run") {
	case "", "true", "1":
	case "false", "0":
		dry = false
	default:
		s.writeError(c, courses.FieldError("dry_run", "Use true for a preview or false to import."))
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, courses.MaxImportBytes+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || len(body) > courses.MaxImportBytes:
		s.writeError(c, &courses.Error{Code: codeTooLarge, Message: "The file is larger than 1 MB. Split it into smaller files."})
		return
	case err != nil:
		s.writeError(c, courses.FieldError("file", "The file could not be read. Try again."))
		return
	}
	res, err := s.store.ImportPeople(c.Request.Context(), principal(c), body, dry)
	if err != nil {
		s.writeError(c, err)
		return
	}
	st := http.StatusOK
	if !dry {
		st = http.StatusCreated
	}
	c.Header("X-Import-Rows", strconv.Itoa(len(res.Rows)))
	c.JSON(st, res)
}
