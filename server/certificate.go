package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// certificateView is a certificate as its holder (or their organisation) sees it.
type certificateView struct {
	ID            string     `json:"id"`
	Number        string     `json:"number"`
	Status        string     `json:"status"`
	PersonName    string     `json:"person_name"`
	Course        courseRef  `json:"course"`
	Organisation  string     `json:"organisation"`
	Cycle         int        `json:"cycle"`
	IssuedAt      time.Time  `json:"issued_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
	RevokedReason string     `json:"revoked_reason"`
	VerifyURL     string     `json:"verify_url"`
	PDFURL        string     `json:"pdf_url"`
	CredentialURL string     `json:"credential_url"`
}

type courseRef struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Version int    `json:"version"`
}

func (s *Server) certificateView(c *courses.Certificate) certificateView {
	return certificateView{ID: c.ID, Number: c.Number, Status: c.Status(s.store.Now()), PersonName: c.PersonName,
		Course: courseRef{Slug: c.CourseSlug, Title: c.CourseTitle, Version: c.CourseVersion}, Organisation: c.OrgName,
		Cycle: c.Cycle, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, RevokedAt: c.RevokedAt, RevokedReason: c.RevokedReason,
		VerifyURL: s.verifyURL(c), PDFURL: "/api/v1/certificates/" + c.ID + ".pdf", CredentialURL: "/api/v1/certificates/" + c.ID + "/credential"}
}

func (s *Server) verifyURL(c *courses.Certificate) string {
	return strings.TrimRight(s.baseURL.String(), "/") + "/verify/" + c.VerifyCode
}

func (s *Server) handleMyCertificates(c *gin.Context) {
	p := principal(c)
	certs := []courses.Certificate{}
	// A platform operator belongs to no organisation, so holds no certificates.
	if p.Organisation != nil {
		var err error
		if certs, err = s.store.FindMyCertificates(c.Request.Context(), p); err != nil {
			s.writeError(c, err)
			return
		}
	}
	out := make([]certificateView, len(certs))
	for i := range certs {
		out[i] = s.certificateView(&certs[i])
	}
	c.JSON(http.StatusOK, listResponse[certificateView]{Items: out})
}

// findCertificate finds a certificate the caller may see: their own, or, for an org admin, any of
// the organisation's; a manager sees only their own teams' people's, as everywhere else.
// Anyone else is told it does not exist.
func (s *Server) findCertificate(c *gin.Context, id string) (*courses.Certificate, error) {
	p := principal(c)
	notFound := courses.Errorf(courses.NotFound, "There is no certificate %s.", id)
	if p.Organisation == nil {
		return nil, notFound
	}
	cert, err := s.store.FindCertificate(c.Request.Context(), p, id)
	if err != nil || cert.PersonID == p.Person.ID || p.Person.HasRole(courses.RoleOrgAdmin) {
		return cert, err
	}
	if _, err := s.store.FindOrgPerson(c.Request.Context(), p, cert.PersonID); err != nil {
		if courses.ErrorCode(err) == courses.NotFound {
			return nil, notFound
		}
		return nil, err
	}
	return cert, nil
}

// handleCertificateGet answers /certificates/{id} with the certificate, and /certificates/{id}.pdf
// with its PDF.
func (s *Server) handleCertificateGet(c *gin.Context) {
	id, pdf := strings.CutSuffix(c.Param("id"), ".pdf")
	cert, err := s.findCertificate(c, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if !pdf {
		c.JSON(http.StatusOK, s.certificateView(cert))
		return
	}
	if s.certificatePDF == nil {
		s.writeError(c, courses.Errorf(courses.Unavailable, "Certificates cannot be drawn by this server."))
		return
	}
	b, err := s.certificatePDF(cert, s.verifyURL(cert))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="peerpath-certificate-`+cert.Number+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", b)
}

// handleCertificateCredential answers with the signed credential, a JWT.
func (s *Server) handleCertificateCredential(c *gin.Context) {
	cert, err := s.findCertificate(c, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="peerpath-certificate-`+cert.Number+`.jwt"`)
	c.Data(http.StatusOK, "application/vc+jwt", []byte(cert.Credential))
}

type verifyResponse struct {
	Status        string     `json:"status"`
	Name          string     `json:"name"`
	Course        string     `json:"course"`
	CourseVersion int        `json:"course_version"`
	Organisation  string     `json:"organisation"`
	Number        string     `json:"number"`
	IssuedAt      time.Time  `json:"issued_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
}

// handleVerify is public: it says whether a certificate is valid, with only what the
// certificate itself shows. It is rate-limited per address, so codes cannot be guessed in bulk.
func (s *Server) handleVerify(c *gin.Context) {
	ctx := c.Request.Context()
	key := "verify:addr:" + c.ClientIP()
	if wait, err := s.verifyLimiter.blocked(ctx, key); err == nil && wait > 0 {
		c.Header("Retry-After", retryAfter(wait))
		s.writeError(c, courses.Errorf(courses.RateLimited, "Too many checks from your address. Try again in a minute."))
		return
	}
	if err := s.verifyLimiter.fail(ctx, key); err != nil {
		s.log.WarnContext(ctx, "verify rate limit unavailable", "request_id", requestID(c), "err", err)
	}
	cert, err := s.store.VerifyCertificate(ctx, c.Param("code"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, verifyResponse{Status: cert.Status(s.store.Now()), Name: cert.PersonName, Course: cert.CourseTitle,
		CourseVersion: cert.CourseVersion, Organisation: cert.OrgName, Number: cert.Number, IssuedAt: cert.IssuedAt,
		ExpiresAt: cert.ExpiresAt, RevokedAt: cert.RevokedAt})
}

func (s *Server) handleJWKS(c *gin.Context) {
	keys, err := s.store.FindSigningKeys(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
	}
	if keys == nil {
		keys = []json.RawMessage{}
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, gin.H{"keys": keys})
}

type revokeRequest struct {
	Reason string `json:"reason" binding:"required,max=500"`
}

func (s *Server) handleCertificateRevoke(c *gin.Context) {
	var req revokeRequest
	if !s.bind(c, &req) {
		return
	}
	cert, err := s.store.RevokeCertificate(c.Request.Context(), principal(c), c.Param("id"), req.Reason)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.certificateView(cert))
}
