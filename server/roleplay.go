package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// handleRoleplayCards lists the scenario cards a session can use, without their private briefs.
func (s *Server) handleRoleplayCards(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": s.store.RoleplayCards()})
}

// handleRoleplayCandidates lists who may be invited: the organisation's trainees and teams.
func (s *Server) handleRoleplayCandidates(c *gin.Context) {
	out, err := s.store.FindRoleplayCandidates(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

type roleplaySessionRequest struct {
	Title             string   `json:"title"`
	StartsAt          string   `json:"starts_at"`
	TimeZone          string   `json:"time_zone"`
	DurationMinutes   int      `json:"duration_minutes"`
	PracticeSeconds   *int     `json:"practice_seconds"`
	FeedbackSeconds   *int     `json:"feedback_seconds"`
	CardIDs           []string `json:"card_ids" binding:"max=50"`
	PersonIDs         []string `json:"person_ids" binding:"max=500"`
	TeamIDs           []string `json:"team_ids" binding:"max=100"`
	TranscriptAllowed bool     `json:"transcript_allowed"`
	TrainerID         string   `json:"trainer_id"`
}

// handleRoleplaySessionCreate schedules a session and invites people.
func (s *Server) handleRoleplaySessionCreate(c *gin.Context) {
	var req roleplaySessionRequest
	if !s.bind(c, &req) {
		return
	}
	d, err := s.store.CreateRoleplaySession(c.Request.Context(), principal(c), courses.RoleplaySessionInput{
		Title: req.Title, StartsAt: req.StartsAt, TimeZone: req.TimeZone, DurationMinutes: req.DurationMinutes,
		PracticeSeconds: req.PracticeSeconds, FeedbackSeconds: req.FeedbackSeconds, CardIDs: req.CardIDs,
		PersonIDs: req.PersonIDs, TeamIDs: req.TeamIDs, TranscriptAllowed: req.TranscriptAllowed, TrainerID: req.TrainerID,
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/roleplay/sessions/"+d.ID)
	c.JSON(http.StatusCreated, d)
}

// handleRoleplaySessionList lists the sessions the caller may see, ?when=upcoming (default) or past.
func (s *Server) handleRoleplaySessionList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindRoleplaySessions(c.Request.Context(), principal(c),
		courses.RoleplaySessionFilter{When: c.Query("when")}, page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.RoleplaySessionSummary]{Items: items, NextCursor: next})
}

// handleRoleplaySessionGet answers a session's page, or its calendar file for …/{id}.ics.
func (s *Server) handleRoleplaySessionGet(c *gin.Context) {
	if id, ok := strings.CutSuffix(c.Param("id"), ".ics"); ok {
		s.roleplayICS(c, id)
		return
	}
	d, err := s.store.FindRoleplaySessionDetail(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) handleRoleplaySessionICS(c *gin.Context) { s.roleplayICS(c, c.Param("id")) }

// roleplayICS sends a session as a calendar file, for its trainer and invitees.
func (s *Server) roleplayICS(c *gin.Context, id string) {
	inv, err := s.store.RoleplayInvite(c.Request.Context(), principal(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if s.calendarICS == nil {
		s.writeError(c, courses.Errorf(courses.Unavailable, "Calendar files are not available on this server."))
		return
	}
	data, err := s.calendarICS(inv)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="peerpath-roleplay.ics"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", data)
}

// handleRoleplaySessionCancel cancels a session before it starts and tells the invitees.
func (s *Server) handleRoleplaySessionCancel(c *gin.Context) {
	d, err := s.store.CancelRoleplaySession(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// handleRoleplayFeedback answers a session's feedback as the caller may see it, and its debrief.
func (s *Server) handleRoleplayFeedback(c *gin.Context) {
	out, err := s.store.FindRoleplayFeedback(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// handleRoleplayTranscript pages through a session's kept chat, as much of it as the caller
// may read. A session that kept none answers 404 with code not_kept, so the page can say so.
func (s *Server) handleRoleplayTranscript(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindRoleplayTranscript(c.Request.Context(), principal(c), c.Param("id"), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.RoleplayTranscriptLine]{Items: items, NextCursor: next})
}

// handleMyRoleplayPortfolio lists the caller's role-play practice, latest round first.
func (s *Server) handleMyRoleplayPortfolio(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindRoleplayPortfolio(c.Request.Context(), principal(c), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.RoleplayPractice]{Items: items, NextCursor: next})
}
