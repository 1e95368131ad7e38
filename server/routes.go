package server

import (
	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// routes is the whole API on one screen.
func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	// Client addresses come from the connection, not from headers anyone can set.
	_ = r.SetTrustedProxies(nil)
	r.Use(s.logRequests, gin.CustomRecovery(func(c *gin.Context, err any) {
		s.log.Error("panic", "request_id", requestID(c), "route", route(c), "panic", err)
		s.writeError(c, courses.Errorf(courses.Internal, "Internal error."))
	}), s.securityHeaders, s.crossOrigin, s.limitBody)
	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)

	r.GET("/healthz", s.handleHealthz)
	r.GET("/readyz", s.handleReadyz)
	r.GET("/metrics", s.handleMetrics)

	api := r.Group("/api/v1", s.authenticate)
	api.POST("/auth/login", s.handleLogin)
	api.POST("/auth/logout", s.handleLogout)
	api.POST("/auth/password-reset", s.handlePasswordResetRequest)
	api.POST("/auth/password-reset/:token", s.handlePasswordResetComplete)
	api.GET("/invitations/:token", s.handleInvitationGet)
	api.POST("/invitations/:token/accept", s.handleInvitationAccept)
	api.GET("/dev/mail", s.handleDevMailList)
	api.GET("/dev/mail/:id", s.handleDevMailGet)

	authed := api.Group("", s.requireAuth)
	authed.GET("/me", s.handleMe)

	admin := api.Group("/org", s.requireRole(courses.RoleOrgAdmin))
	admin.GET("/invitations", s.handleOrgInvitationList)
	admin.POST("/invitations", s.handleOrgInvitationCreate)
	return r
}
