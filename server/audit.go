package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// auditView is one audit log entry: who (a person, or an API token), did what, to what, when.
type auditView struct {
	ID      int64           `json:"id"`
	At      time.Time       `json:"at"`
	Actor   auditActor      `json:"actor"`
	Action  string          `json:"action"`
	Subject auditSubject    `json:"subject"`
	Detail  json.RawMessage `json:"detail"`
}

type auditActor struct {
	Kind string  `json:"kind"`
	ID   *string `json:"id"`
	Name string  `json:"name"`
}

type auditSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func (s *Server) handleOrgAuditList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindAuditLog(c.Request.Context(), principal(c), courses.AuditFilter{Action: c.Query("action")}, page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := make([]auditView, len(items))
	for i, e := range items {
		v := auditView{ID: e.ID, At: e.At.UTC(), Action: e.Action, Detail: e.Detail,
			Actor:   auditActor{Kind: e.ActorKind, Name: e.ActorName},
			Subject: auditSubject{Type: e.SubjectType, ID: e.SubjectID}}
		if e.ActorID.Valid {
			id := e.ActorID.String
			v.Actor.ID = &id
		}
		out[i] = v
	}
	c.JSON(http.StatusOK, listResponse[auditView]{Items: out, NextCursor: next})
}
