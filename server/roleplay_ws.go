package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"peerpath/courses"
)

// handleRoleplaySocket upgrades to the live role-play protocol (docs/roleplay-protocol.md). Who may
// join is settled before the upgrade, so refusals are ordinary JSON errors.
func (s *Server) handleRoleplaySocket(c *gin.Context) {
	p := principal(c)
	member, err := s.hub.Member(c.Request.Context(), p.OrgID(), c.Param("id"), p.Person.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if !websocket.IsWebSocketUpgrade(c.Request) {
		s.writeError(c, courses.Errorf(courses.Invalid, "This address speaks WebSocket only."))
		return
	}
	ws, err := s.upgrader.Upgrade(c.Writer, c.Request, nil)
	if err != nil {
		return // the upgrader has answered
	}
	// The request is over once the connection is hijacked: its goroutine, grown deep through the
	// middleware, returns, and the connection lives on in small goroutines of the hub's.
	go s.hub.Serve(context.WithoutCancel(c.Request.Context()), ws, p.OrgID(), c.Param("id"), member)
}

// sameOrigin accepts a WebSocket upgrade only from pages served at the configured base URL: a
// browser sends cookies with cross-site upgrades, so this is the socket's CSRF check.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin != "" && origin == s.baseURL.Scheme+"://"+s.baseURL.Host
}

func (s *Server) upgradeError(w http.ResponseWriter, _ *http.Request, status int, reason error) {
	code := courses.Invalid
	msg := "The WebSocket upgrade failed: " + reason.Error()
	if status == http.StatusForbidden {
		code, msg = courses.Forbidden, "This page's origin may not open the session."
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// registerRoomMetrics reports the live rooms and connections this instance holds.
func (s *Server) registerRoomMetrics(reg *prometheus.Registry) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "peerpath_roleplay_rooms", Help: "Live role-play rooms loaded on this instance.",
		}, func() float64 { n, _ := s.hub.Stats(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "peerpath_roleplay_connections", Help: "Live role-play WebSocket connections on this instance.",
		}, func() float64 { _, n := s.hub.Stats(); return float64(n) }),
	} {
		if err := reg.Register(c); err != nil {
			if _, dup := err.(prometheus.AlreadyRegisteredError); !dup {
				return err
			}
		}
	}
	return nil
}
