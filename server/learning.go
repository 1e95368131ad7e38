package server

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

// The learning handlers answer with the store's learner views, which carry no answers: quiz
// answers and feedback leave the server only inside a submitted attempt's review.

type courseListResponse struct {
	Assigned  []courses.CourseCard `json:"assigned"`
	Catalogue []courses.CourseCard `json:"catalogue"`
}

func (s *Server) handleCourseList(c *gin.Context) {
	assigned, catalogue, err := s.store.FindCourses(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, courseListResponse{Assigned: assigned, Catalogue: catalogue})
}

func (s *Server) handleCourseGet(c *gin.Context) {
	d, err := s.store.FindCourseDetail(c.Request.Context(), principal(c), c.Param("slug"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) handleModuleGet(c *gin.Context) {
	m, err := s.store.FindModuleView(c.Request.Context(), principal(c), c.Param("slug"), c.Param("module"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	b, err := json.Marshal(m)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// The module's HTML comes encoded once per course version; splice it in as "html".
	out := make([]byte, 0, len(b)+len(m.HTMLJSON)+10)
	out = append(out, b[:len(b)-1]...)
	out = append(out, `,"html":`...)
	out = append(out, m.HTMLJSON...)
	out = append(out, '}')
	c.Data(http.StatusOK, "application/json; charset=utf-8", out)
}

func (s *Server) handleModuleComplete(c *gin.Context) {
	d, err := s.store.CompleteModule(c.Request.Context(), principal(c), c.Param("slug"), c.Param("module"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type reflectionResponse struct {
	Prompts []courses.ReflectionAnswer `json:"prompts"`
}

func (s *Server) handleReflectionGet(c *gin.Context) {
	r, err := s.store.FindReflection(c.Request.Context(), principal(c), c.Param("slug"), c.Param("module"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, reflectionResponse{Prompts: r})
}

type reflectionRequest struct {
	Answers map[string]string `json:"answers" binding:"required,max=20"`
}

func (s *Server) handleReflectionPut(c *gin.Context) {
	var req reflectionRequest
	if !s.bind(c, &req) {
		return
	}
	r, err := s.store.SaveReflection(c.Request.Context(), principal(c), c.Param("slug"), c.Param("module"), req.Answers)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, reflectionResponse{Prompts: r})
}

func (s *Server) handleReflectionDelete(c *gin.Context) {
	if err := s.store.DeleteReflection(c.Request.Context(), principal(c), c.Param("slug"), c.Param("module")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleAttemptStart(c *gin.Context) {
	a, started, err := s.store.StartAttempt(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	st := http.StatusOK
	if started {
		st = http.StatusCreated
	}
	c.JSON(st, a)
}

func (s *Server) handleAttemptList(c *gin.Context) {
	items, err := s.store.FindAttempts(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.AttemptSummary]{Items: items})
}

func (s *Server) handleAttemptGet(c *gin.Context) {
	a, err := s.store.FindAttempt(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

type answersRequest struct {
	Answers courses.Answers `json:"answers" binding:"max=200"`
}

func (s *Server) handleAnswersPut(c *gin.Context) {
	var req answersRequest
	if !s.bind(c, &req) {
		return
	}
	if req.Answers == nil {
		s.writeError(c, courses.FieldError("answers", "This field is required."))
		return
	}
	a, err := s.store.SaveAnswers(c.Request.Context(), principal(c), c.Param("id"), req.Answers)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) handleAttemptSubmit(c *gin.Context) {
	var req answersRequest
	if c.Request.ContentLength != 0 && !s.bind(c, &req) {
		return
	}
	r, err := s.store.SubmitAttempt(c.Request.Context(), principal(c), c.Param("id"), req.Answers)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) handleScenarioList(c *gin.Context) {
	items, err := s.store.FindScenarios(c.Request.Context(), principal(c), c.Param("slug"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, listResponse[courses.ScenarioListItem]{Items: items})
}

func (s *Server) handleScenarioGet(c *gin.Context) {
	v, err := s.store.FindScenario(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type choiceRequest struct {
	Node   string `json:"node" binding:"required,max=64"`
	Choice string `json:"choice" binding:"required,max=64"`
}

func (s *Server) handleScenarioChoice(c *gin.Context) {
	var req choiceRequest
	if !s.bind(c, &req) {
		return
	}
	r, err := s.store.ChooseInScenario(c.Request.Context(), principal(c), c.Param("id"), req.Node, req.Choice)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

type extraTimeRequest struct {
	Percent *int `json:"percent" binding:"required"`
}

type extraTimeResponse struct {
	PersonID string `json:"person_id"`
	Percent  int    `json:"percent"`
}

func (s *Server) handleExtraTimePut(c *gin.Context) {
	var req extraTimeRequest
	if !s.bind(c, &req) {
		return
	}
	if err := s.store.SetExtraTime(c.Request.Context(), principal(c), c.Param("id"), *req.Percent); err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, extraTimeResponse{PersonID: c.Param("id"), Percent: *req.Percent})
}
