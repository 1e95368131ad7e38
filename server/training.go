package server

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// maxEvidenceRequest bounds an upload of training evidence: the file plus room for the form's
// other fields and multipart headers. Every other request keeps the server's usual limit.
const maxEvidenceRequest = courses.MaxEvidenceBytes + 64<<10

// bodyLimit is the most a request to the matched route may send.
func (s *Server) bodyLimit(c *gin.Context) int64 {
	if c.Request.Method == http.MethodPost {
		switch c.FullPath() {
		case "/api/v1/org/training-records", "/api/v1/me/training-records":
			return max(s.maxBody, maxEvidenceRequest)
		}
	}
	return s.maxBody
}

type trainingTypeRequest struct {
	Name           string `json:"name" binding:"max=200"`
	ValidityMonths *int   `json:"validity_months"`
}

func (s *Server) handleTrainingTypeList(c *gin.Context) {
	items, err := s.store.FindTrainingTypes(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.TrainingType]{Items: items})
}

func (s *Server) handleTrainingTypeCreate(c *gin.Context) {
	var req trainingTypeRequest
	if !s.bind(c, &req) {
		return
	}
	t, err := s.store.CreateTrainingType(c.Request.Context(), principal(c), req.Name, req.ValidityMonths)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, t)
}

func (s *Server) handleTrainingTypeDelete(c *gin.Context) {
	if err := s.store.DeleteTrainingType(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleTrainingRecordList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	f := courses.TrainingRecordFilter{PersonID: c.Query("person"), TrainingTypeID: c.Query("type")}
	items, next, err := s.store.FindTrainingRecords(c.Request.Context(), principal(c), f, page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.TrainingRecord]{Items: items, NextCursor: next})
}

func (s *Server) handleMyTrainingRecordList(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	items, next, err := s.store.FindMyTrainingRecords(c.Request.Context(), principal(c), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.TrainingRecord]{Items: items, NextCursor: next})
}

// readTrainingRecord reads a multipart/form-data training record. On a bad form it writes the
// error envelope and returns false; the fields themselves are checked by the store.
func (s *Server) readTrainingRecord(c *gin.Context) (courses.TrainingRecordInput, bool) {
	var in courses.TrainingRecordInput
	const tooBigMessage = "The file is larger than 5 MB. Try a smaller scan or photo."
	tooBig := courses.FieldError("evidence", tooBigMessage)
	// Small parts stay in memory; a large file goes to a temporary file that RemoveAll deletes.
	err := c.Request.ParseMultipartForm(1 << 20)
	if c.Request.MultipartForm != nil {
		defer c.Request.MultipartForm.RemoveAll()
	}
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &maxBytes):
		// A body sent without its length ran past the request limit: 413, as when the length
		// said so up front and limitBody refused it.
		s.writeError(c, &courses.Error{Code: codeTooLarge, Message: tooBigMessage, Fields: tooBig.Fields})
		return in, false
	case errors.Is(err, http.ErrNotMultipart), errors.Is(err, http.ErrMissingBoundary):
		s.writeError(c, courses.Errorf(courses.Invalid, "Send the record as a multipart/form-data form."))
		return in, false
	case err != nil:
		s.writeError(c, courses.Errorf(courses.Invalid, "The form could not be read. Please try again."))
		return in, false
	}
	form := c.Request.MultipartForm
	first := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	in.PersonID, in.TrainingTypeID, in.CompletedOn = first("person_id"), first("training_type_id"), first("completed_on")
	if files := form.File["evidence"]; len(files) > 0 {
		fh := files[0]
		if fh.Size > courses.MaxEvidenceBytes {
			s.writeError(c, tooBig)
			return in, false
		}
		f, err := fh.Open()
		if err != nil {
			s.writeError(c, courses.FieldError("evidence", "The file could not be read. Please try again."))
			return in, false
		}
		defer f.Close()
		if in.Evidence, err = io.ReadAll(io.LimitReader(f, courses.MaxEvidenceBytes+1)); err != nil {
			s.writeError(c, courses.FieldError("evidence", "The file could not be read. Please try again."))
			return in, false
		}
		in.EvidenceName = fh.Filename
	}
	return in, true
}

func (s *Server) handleTrainingRecordCreate(c *gin.Context) {
	in, ok := s.readTrainingRecord(c)
	if !ok {
		return
	}
	rec, err := s.store.CreateTrainingRecord(c.Request.Context(), principal(c), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, rec)
}

// handleMyTrainingRecordCreate records the caller's own training: the person is always the
// caller, whatever the form says.
func (s *Server) handleMyTrainingRecordCreate(c *gin.Context) {
	in, ok := s.readTrainingRecord(c)
	if !ok {
		return
	}
	in.PersonID = principal(c).Person.ID
	rec, err := s.store.CreateTrainingRecord(c.Request.Context(), principal(c), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, rec)
}

func (s *Server) handleTrainingRecordDelete(c *gin.Context) {
	if err := s.store.DeleteTrainingRecord(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleTrainingEvidence sends an evidence file as a download, never for the browser to show
// in place: its type was checked when it arrived, and nosniff keeps the browser to that type.
func (s *Server) handleTrainingEvidence(c *gin.Context) {
	e, err := s.store.FindTrainingEvidence(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": e.Name})
	if disposition == "" {
		disposition = "attachment"
	}
	c.Header("Content-Disposition", disposition)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, e.ContentType, e.Data)
}
