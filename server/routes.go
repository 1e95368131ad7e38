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
	api.GET("/openapi.json", s.handleOpenAPI)
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
	authed.GET("/me/export", s.handleMyExport)
	authed.POST("/me/deletion-request", s.handleDeletionRequest)
	authed.GET("/certificates/:id", s.handleCertificateGet)
	authed.GET("/certificates/:id/credential", s.handleCertificateCredential)
	authed.GET("/roleplay/sessions/:id/ws", s.handleRoleplaySocket)
	authed.GET("/roleplay/sessions", s.handleRoleplaySessionList)
	authed.GET("/roleplay/sessions/:id", s.handleRoleplaySessionGet) // also …/{id}.ics
	authed.GET("/roleplay/sessions/:id/ics", s.handleRoleplaySessionICS)
	authed.GET("/roleplay/sessions/:id/feedback", s.handleRoleplayFeedback)
	authed.GET("/roleplay/sessions/:id/transcript", s.handleRoleplayTranscript)
	authed.GET("/me/roleplay/portfolio", s.handleMyRoleplayPortfolio)

	roleplay := api.Group("/roleplay", s.requireRole(courses.RoleTrainer, courses.RoleOrgAdmin))
	roleplay.GET("/cards", s.handleRoleplayCards)
	roleplay.GET("/candidates", s.handleRoleplayCandidates)
	roleplay.POST("/sessions", s.handleRoleplaySessionCreate)
	roleplay.POST("/sessions/:id/cancel", s.handleRoleplaySessionCancel)

	api.PUT("/org/people/:id/extra-time", s.requireRole(courses.RoleOrgAdmin, courses.RoleTrainer), s.handleExtraTimePut)

	admin := api.Group("/org", s.requireRole(courses.RoleOrgAdmin))
	admin.GET("/invitations", s.handleOrgInvitationList)
	admin.POST("/invitations", s.handleOrgInvitationCreate)
	admin.POST("/certificates/:id/revoke", s.handleCertificateRevoke)
	admin.GET("/settings", s.handleOrgSettingsGet)
	admin.PUT("/settings/time-zone", s.handleOrgTimeZonePut)
	admin.PUT("/courses/:slug/certificate-period", s.handleCertificatePeriodPut)
	admin.GET("/api-tokens", s.handleAPITokenList)
	admin.POST("/api-tokens", s.handleAPITokenCreate)
	admin.DELETE("/api-tokens/:id", s.handleAPITokenRevoke)

	// People, teams and assignments: org admins change them; managers read their own teams'
	// people (the store answers 404 for everyone else's, and 403 for writes it can see).
	org := api.Group("/org", s.requireRole(courses.RoleOrgAdmin, courses.RoleManager))
	org.GET("/people", s.handleOrgPeopleList)
	org.POST("/people/import", s.handleOrgPeopleImport)
	org.GET("/people/:id", s.handleOrgPersonGet)
	org.PATCH("/people/:id", s.handleOrgPersonPatch)
	org.POST("/people/:id/deactivate", s.handleOrgPersonDeactivate)
	org.POST("/people/:id/reactivate", s.handleOrgPersonReactivate)
	org.GET("/teams", s.handleOrgTeamList)
	org.POST("/teams", s.handleOrgTeamCreate)
	org.GET("/teams/:id", s.handleOrgTeamGet)
	org.PATCH("/teams/:id", s.handleOrgTeamPatch)
	org.DELETE("/teams/:id", s.handleOrgTeamDelete)
	org.PUT("/teams/:id/members/:person", s.handleOrgTeamMemberPut)
	org.DELETE("/teams/:id/members/:person", s.handleOrgTeamMemberDelete)
	org.GET("/assignments", s.handleOrgAssignmentList)
	org.POST("/assignments", s.handleOrgAssignmentCreate)
	org.DELETE("/assignments/:id", s.handleOrgAssignmentDelete)
	org.DELETE("/assignment-rules/:id", s.handleOrgAssignmentRuleDelete)
	org.GET("/audit", s.handleOrgAuditList)
	// Completion: the matrix, its export, a person's record, a course's audit report, charts.
	org.GET("/completion", s.handleCompletion)
	org.GET("/completion.csv", s.handleCompletionCSV)
	org.GET("/people/:id/record", s.handlePersonRecord)
	org.GET("/courses/:slug/report", s.handleCourseReport)
	org.GET("/charts", s.handleCharts)
	// External training (first aid, ASIST…): types, records and their evidence files. Writes are
	// for org admins (the store says 403 to a manager); anyone records their own under /me.
	org.GET("/training-types", s.handleTrainingTypeList)
	org.POST("/training-types", s.handleTrainingTypeCreate)
	org.DELETE("/training-types/:id", s.handleTrainingTypeDelete)
	org.GET("/training-records", s.handleTrainingRecordList)
	org.POST("/training-records", s.handleTrainingRecordCreate)
	org.DELETE("/training-records/:id", s.handleTrainingRecordDelete)
	org.GET("/training-records/:id/evidence", s.handleTrainingEvidence)
	authed.GET("/me/training-types", s.handleTrainingTypeList)
	authed.GET("/me/training-records", s.handleMyTrainingRecordList)
	authed.POST("/me/training-records", s.handleMyTrainingRecordCreate)
	authed.GET("/me/training-records/:id/evidence", s.handleTrainingEvidence)

	// Reminders: the bell, reminder settings, and the one-click unsubscribe link in a digest.
	authed.GET("/me/notifications", s.handleNotificationList)
	authed.POST("/me/notifications/read", s.handleNotificationRead)
	authed.GET("/me/notification-preferences", s.handlePreferencesGet)
	authed.PUT("/me/notification-preferences", s.handlePreferencesPut)
	api.GET("/unsubscribe/:token", s.handleUnsubscribeGet)
	api.POST("/unsubscribe/:token", s.handleUnsubscribe)

	// Operations: read-only, for platform operators; everyone else gets 404.
	ops := api.Group("/ops", s.requireOperator)
	ops.GET("/queues", s.handleOpsQueues)
	ops.GET("/queues/:queue/archived", s.handleOpsArchived)
	return r
}
