package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/validator/v10"

	"peerpath/courses"
)

// status maps an error code to its HTTP status. It is the only such table.
var status = map[courses.Code]int{
	courses.Invalid:      http.StatusBadRequest,
	courses.Unauthorized: http.StatusUnauthorized,
	courses.Forbidden:    http.StatusForbidden,
	courses.NotFound:     http.StatusNotFound,
	courses.NotKept:      http.StatusNotFound,
	codeMethod:           http.StatusMethodNotAllowed,
	courses.Conflict:     http.StatusConflict,
	courses.Gone:         http.StatusGone,
	codeTooLarge:         http.StatusRequestEntityTooLarge,
	courses.RateLimited:  http.StatusTooManyRequests,
	courses.Unavailable:  http.StatusServiceUnavailable,
	courses.Internal:     http.StatusInternalServerError,
}

// Codes that only HTTP has.
const (
	codeMethod   courses.Code = "method_not_allowed"
	codeTooLarge courses.Code = "too_large"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    courses.Code      `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// writeError writes err as the JSON error envelope and aborts the request. Errors that are not
// domain errors are logged with the request id and shown as "Internal error.".
func (s *Server) writeError(c *gin.Context, err error) {
	var de *courses.Error
	if !errors.As(err, &de) {
		s.log.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "route", route(c), "err", err)
		de = &courses.Error{Code: courses.Internal, Message: "Internal error."}
	}
	st, ok := status[de.Code]
	if !ok {
		st = http.StatusInternalServerError
	}
	if de.Code == courses.Unavailable {
		c.Header("Retry-After", "5")
	}
	c.AbortWithStatusJSON(st, errorBody{Error: errorDetail{Code: de.Code, Message: de.Message, Fields: de.Fields}})
}

// bind decodes a JSON body into dst and checks its binding tags. On a bad body it writes the
// error envelope (400 naming each field, or 413) and returns false.
func (s *Server) bind(c *gin.Context, dst any) bool {
	err := c.ShouldBindJSON(dst)
	if err == nil {
		return true
	}
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
		verrs    validator.ValidationErrors
		domain   *courses.Error
	)
	switch {
	case errors.As(err, &domain):
		// A type that checks itself while decoding (quiz answers) names its own fields.
		s.writeError(c, domain)
	case errors.As(err, &tooLarge):
		s.writeError(c, &courses.Error{Code: codeTooLarge, Message: "The request body is too large."})
	case errors.Is(err, io.EOF):
		s.writeError(c, courses.Errorf(courses.Invalid, "The request body is empty; send a JSON object."))
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		s.writeError(c, courses.Errorf(courses.Invalid, "The request body is not valid JSON."))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			s.writeError(c, courses.Errorf(courses.Invalid, "The request body must be a JSON object."))
			return false
		}
		s.writeError(c, courses.FieldError(field, "Must be "+article(typ.Type.Kind())+"."))
	case errors.As(err, &verrs):
		f := courses.Fields{}
		for _, fe := range verrs {
			f.Add(fe.Field(), tagMessage(fe))
		}
		s.writeError(c, f.Err())
	default:
		s.writeError(c, courses.Errorf(courses.Invalid, "The request body could not be read."))
	}
	return false
}

func article(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "a number"
	}
}

func tagMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "This field is required."
	case "max":
		if fe.Kind() == reflect.Slice {
			return "Use at most " + fe.Param() + " items."
		}
		return "Use at most " + fe.Param() + " characters."
	case "min":
		return "Use at least " + fe.Param() + " characters."
	}
	return "This value is not valid."
}

func init() {
	// Field errors name fields as the JSON body does.
	if v, ok := binding.Validator.Engine().(*validator.Validate); ok {
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				return f.Name
			}
			return name
		})
	}
}
