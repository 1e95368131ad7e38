package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

type notificationListResponse struct {
	Items       []courses.Notification `json:"items"`
	NextCursor  string                 `json:"next_cursor"`
	UnreadCount int                    `json:"unread_count"`
}

func (s *Server) handleNotificationList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, unread, err := s.store.FindNotifications(c.Request.Context(), principal(c), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if items == nil {
		items = []courses.Notification{}
	}
	c.JSON(http.StatusOK, notificationListResponse{Items: items, NextCursor: next, UnreadCount: unread})
}

type notificationReadRequest struct {
	IDs []string `json:"ids" binding:"max=100"`
	All bool     `json:"all"`
}

type unreadResponse struct {
	UnreadCount int `json:"unread_count"`
}

func (s *Server) handleNotificationRead(c *gin.Context) {
	var req notificationReadRequest
	if !s.bind(c, &req) {
		return
	}
	unread, err := s.store.MarkNotificationsRead(c.Request.Context(), principal(c), req.IDs, req.All)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, unreadResponse{UnreadCount: unread})
}

type preferencesResponse struct {
	Preferences []courses.NotificationPreference `json:"preferences"`
}

func (s *Server) handlePreferencesGet(c *gin.Context) {
	prefs, err := s.store.FindNotificationPreferences(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, preferencesResponse{Preferences: prefs})
}

type preferencesRequest struct {
	// Preferences maps a kind of reminder to whether it is wanted; kinds left out keep their
	// setting.
	Preferences map[string]bool `json:"preferences" binding:"required,max=20"`
}

func (s *Server) handlePreferencesPut(c *gin.Context) {
	var req preferencesRequest
	if !s.bind(c, &req) {
		return
	}
	prefs, err := s.store.UpdateNotificationPreferences(c.Request.Context(), principal(c), req.Preferences)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, preferencesResponse{Preferences: prefs})
}

// handleUnsubscribeGet shows, to whoever holds the link from a digest, which reminders its
// person gets. It says nothing else about them.
func (s *Server) handleUnsubscribeGet(c *gin.Context) {
	prefs, err := s.store.FindUnsubscribe(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, preferencesResponse{Preferences: prefs})
}

// handleUnsubscribe turns off every optional reminder for the link's person, in one click.
func (s *Server) handleUnsubscribe(c *gin.Context) {
	prefs, err := s.store.Unsubscribe(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, preferencesResponse{Preferences: prefs})
}
