package courses

import (
	"errors"
	"fmt"
)

// Code classifies an error for the people who see it; the server maps each to one HTTP status.
type Code string

// Error codes.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Gone         Code = "gone"
	RateLimited  Code = "rate_limited"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// Error is a domain error: a code, a message fit to show a person, and optionally the fields at
// fault.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error naming one field.
func FieldError(field, message string) *Error {
	return &Error{Code: Invalid, Message: "Check the highlighted fields.", Fields: map[string]string{field: message}}
}

// Fields collects problems with named fields; Err returns nil when there are none.
type Fields map[string]string

// Add records a problem with a field, keeping the first one.
func (f Fields) Add(field, message string) {
	if _, ok := f[field]; !ok {
		f[field] = message
	}
}

// Err returns the collected problems as an Invalid error, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "Check the highlighted fields.", Fields: f}
}

// ErrorCode returns the code of the first *Error in err's chain, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
