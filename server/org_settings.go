package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// handleOrgSettingsGet answers the organisation's time zone and each course's certificate period,
// as the settings page shows them.
func (s *Server) handleOrgSettingsGet(c *gin.Context) {
	st, err := s.store.FindOrgSettings(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

type timeZoneRequest struct {
	TimeZone string `json:"time_zone"`
}

// handleOrgTimeZonePut sets the time zone the organisation's daily reminder digests follow.
func (s *Server) handleOrgTimeZonePut(c *gin.Context) {
	var req timeZoneRequest
	if !s.bind(c, &req) {
		return
	}
	if err := s.store.SetTimeZone(c.Request.Context(), principal(c).OrgID(), req.TimeZone); err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, req)
}

type certificatePeriodRequest struct {
	// ValidityMonths is how long the organisation's certificates for the course last: 0 never
	// expire, null goes back to the course's own period.
	ValidityMonths *int `json:"validity_months"`
}

// handleCertificatePeriodPut sets the organisation's own certificate period for a course, for
// certificates issued from now on.
func (s *Server) handleCertificatePeriodPut(c *gin.Context) {
	var req certificatePeriodRequest
	if !s.bind(c, &req) {
		return
	}
	if err := s.store.SetCourseValidity(c.Request.Context(), principal(c), c.Param("slug"), req.ValidityMonths); err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, req)
}
