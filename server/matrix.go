package server

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

func completionFilter(c *gin.Context) courses.CompletionFilter {
	return courses.CompletionFilter{TeamID: c.Query("team"), Course: c.Query("course"), TrainingType: c.Query("training_type"),
		Status: c.Query("status"), Sort: c.Query("sort"), Order: c.Query("order")}
}

// handleCompletion answers one page of the completion matrix with its totals.
func (s *Server) handleCompletion(c *gin.Context) {
	page, ok := s.page(c)
	if !ok {
		return
	}
	m, err := s.store.FindCompletion(c.Request.Context(), principal(c), completionFilter(c), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// csvFlushEvery is how many rows the export writes between flushes: the download starts at once
// and memory stays flat.
const csvFlushEvery = 500

// csvHeader's last column, kind, came after the others so that readers of the first nine keep
// working: "course" or "external" (then course is empty and course_title the training's name).
var csvHeader = []string{"name", "email", "teams", "course", "course_title", "status", "due_at", "completed_at", "expires_at", "kind"}

// handleCompletionCSV streams the matrix with the page's filters as CSV, row by row from the
// database. The export is recorded in the audit log before the first byte is sent.
func (s *Server) handleCompletionCSV(c *gin.Context) {
	ctx := c.Request.Context()
	p := principal(c)
	f := completionFilter(c)
	if err := s.store.AuditCompletionExport(ctx, p, f); err != nil {
		s.writeError(c, err)
		return
	}
	started := false
	var w *csv.Writer
	n := 0
	err := s.store.EachCompletion(ctx, p, f, func(r *courses.MatrixRow) error {
		if !started {
			started = true
			h := c.Writer.Header()
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="completion-`+s.store.Now().Format("2006-01-02")+`.csv"`)
			c.Status(http.StatusOK)
			w = csv.NewWriter(c.Writer)
			if err := w.Write(csvHeader); err != nil {
				return err
			}
		}
		if err := w.Write([]string{csvCell(r.Name), csvCell(r.Email), csvCell(strings.Join(r.Teams, "; ")),
			csvCell(r.Course), csvCell(r.CourseTitle), r.Status, csvTime(r.DueAt), csvTime(r.CompletedAt),
			csvTime(r.ExpiresAt), r.Kind}); err != nil {
			return err
		}
		if n++; n%csvFlushEvery == 0 {
			w.Flush()
			if err := w.Error(); err != nil {
				return err
			}
			c.Writer.Flush()
		}
		return nil
	})
	if err != nil && !started {
		s.writeError(c, err)
		return
	}
	if err != nil {
		// The status is sent; all that is left is to stop and say why in the log. A client
		// sees a truncated file (no final newline), not a wrong one.
		var de *courses.Error
		if !errors.As(err, &de) {
			s.log.ErrorContext(ctx, "completion export", "request_id", requestID(c), "rows", n, "err", err)
		}
		return
	}
	if !started {
		c.Writer.Header().Set("Content-Type", "text/csv; charset=utf-8")
		c.Writer.Header().Set("Content-Disposition", `attachment; filename="completion-`+s.store.Now().Format("2006-01-02")+`.csv"`)
		c.Status(http.StatusOK)
		w = csv.NewWriter(c.Writer)
		_ = w.Write(csvHeader)
	}
	w.Flush()
}

// csvCell keeps a spreadsheet from running what a person typed: a cell that starts like a
// formula is prefixed with a quote.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// handlePersonRecord answers one person's training record for an org admin or their manager.
func (s *Server) handlePersonRecord(c *gin.Context) {
	r, err := s.store.FindPersonRecord(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// handleCourseReport answers the printable audit report of one course.
func (s *Server) handleCourseReport(c *gin.Context) {
	r, err := s.store.FindCourseReport(c.Request.Context(), principal(c), c.Param("slug"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// handleCharts answers the completion charts.
func (s *Server) handleCharts(c *gin.Context) {
	ch, err := s.store.FindCharts(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, ch)
}
