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
	r.GET("/.well-known/jwks.json", s.handleJWKS)

	api := r.Group("/api/v1", s.authenticate)
	api.POST("/auth/login", s.handleLogin)
	api.POST("/auth/logout", s.handleLogout)
	api.POST("/auth/password-reset", s.handlePasswordResetRequest)
	api.POST("/auth/password-reset/:token", s.handlePasswordResetComplete)
	api.GET("/invitations/:token", s.handleInvitationGet)
	api.POST("/invitations/:token/accept", s.handleInvitationAccept)
	api.GET("/verify/:code", s.handleVerify)
	api.GET("/dev/mail", s.handleDevMailList)
	api.GET("/dev/mail/:id", s.handleDevMailGet)

	authed := api.Group("", s.requireAuth)
	authed.GET("/me", s.handleMe)
	authed.GET("/courses", s.handleCourseList)
	authed.GET("/courses/:slug", s.handleCourseGet)
	authed.GET("/courses/:slug/modules/:module", s.handleModuleGet)
	authed.POST("/courses/:slug/modules/:module/complete", s.handleModuleComplete)
	authed.GET("/courses/:slug/modules/:module/reflection", s.handleReflectionGet)
	authed.PUT("/courses/:slug/modules/:module/reflection", s.handleReflectionPut)
	authed.DELETE("/courses/:slug/modules/:module/reflection", s.handleReflectionDelete)
	authed.GET("/courses/:slug/scenarios", s.handleScenarioList)
	authed.POST("/quizzes/:id/attempts", s.handleAttemptStart)
	authed.GET("/quizzes/:id/attempts", s.handleAttemptList)
	authed.GET("/attempts/:id", s.handleAttemptGet)
	authed.PUT("/attempts/:id/answers", s.handleAnswersPut)
	authed.POST("/attempts/:id/submit", s.handleAttemptSubmit)
	authed.GET("/scenarios/:id", s.handleScenarioGet)
	authed.POST("/scenarios/:id/choices", s.handleScenarioChoice)
	authed.GET("/me/certificates", s.handleMyCertificates)
	authed.GET("/certificates/:id", s.handleCertificateGet)
	authed.GET("/certificates/:id/credential", s.handleCertificateCredential)

	api.PUT("/org/people/:id/extra-time", s.requireRole(courses.RoleOrgAdmin, courses.RoleTrainer), s.handleExtraTimePut)

	admin := api.Group("/org", s.requireRole(courses.RoleOrgAdmin))
	admin.GET("/invitations", s.handleOrgInvitationList)
	admin.POST("/invitations", s.handleOrgInvitationCreate)
	admin.POST("/certificates/:id/revoke", s.handleCertificateRevoke)
	return r
}
