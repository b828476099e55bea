package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Confluent error codes. The REST API answers with HTTP status = the first
// three digits; the gRPC API puts the code in ErrorInfo metadata
// "error_code" beside a reason.
const (
	CodeSubjectNotFound           = 40401
	CodeVersionNotFound           = 40402
	CodeSchemaNotFound            = 40403
	CodeSubjectSoftDeleted        = 40404
	CodeSubjectNotSoftDeleted     = 40405
	CodeVersionSoftDeleted        = 40406
	CodeVersionNotSoftDeleted     = 40407
	CodeSubjectConfigNotFound     = 40408
	CodeSubjectModeNotFound       = 40409
	CodeIncompatibleSchema        = 409
	CodeInvalidSchema             = 42201
	CodeInvalidVersion            = 42202
	CodeInvalidCompatibilityLevel = 42203
	CodeInvalidMode               = 42204
	CodeOperationNotPermitted     = 42205
	CodeReferenceExists           = 42206
	CodeStoreError                = 50001
	CodeTimeout                   = 50002
	CodeForwardingError           = 50003

	// Generic HTTP-level codes (no Confluent subcode).
	codeBadRequest           = 400
	codeNotFound             = 404
	codeMethodNotAllowed     = 405
	codeUnsupportedMediaType = 415
)

// ErrNotLeader is what a Backend returns (wrapped) when this broker does
// not lead _schemas-0, or not in the leader epoch asked for: nothing was
// written.
var ErrNotLeader = errors.New("schemaregistry: this broker does not lead " + Topic + "-0")

// ErrUnavailable is what a Backend returns (wrapped) when _schemas-0 has
// no reachable leader right now (being created, electing): retry later.
var ErrUnavailable = errors.New("schemaregistry: " + Topic + "-0 is not available")

// ErrorDomain is the google.rpc.ErrorInfo domain of registry errors (the
// broker's).
const ErrorDomain = "fjord"

// codeClass is one row of the error table.
type codeClass struct {
	reason    string
	grpc      codes.Code
	retriable bool
}

// codeTable maps Confluent codes to published gRPC reasons and codes.
// Published reasons are never renamed.
var codeTable = map[int]codeClass{
	CodeSubjectNotFound:           {"SUBJECT_NOT_FOUND", codes.NotFound, false},
	CodeVersionNotFound:           {"VERSION_NOT_FOUND", codes.NotFound, false},
	CodeSchemaNotFound:            {"SCHEMA_NOT_FOUND", codes.NotFound, false},
	CodeSubjectSoftDeleted:        {"SUBJECT_SOFT_DELETED", codes.FailedPrecondition, false},
	CodeSubjectNotSoftDeleted:     {"SUBJECT_NOT_SOFT_DELETED", codes.FailedPrecondition, false},
	CodeVersionSoftDeleted:        {"VERSION_SOFT_DELETED", codes.FailedPrecondition, false},
	CodeVersionNotSoftDeleted:     {"VERSION_NOT_SOFT_DELETED", codes.FailedPrecondition, false},
	CodeSubjectConfigNotFound:     {"SUBJECT_CONFIG_NOT_FOUND", codes.NotFound, false},
	CodeSubjectModeNotFound:       {"SUBJECT_MODE_NOT_FOUND", codes.NotFound, false},
	CodeIncompatibleSchema:        {"INCOMPATIBLE_SCHEMA", codes.FailedPrecondition, false},
	CodeInvalidSchema:             {"INVALID_SCHEMA", codes.InvalidArgument, false},
	CodeInvalidVersion:            {"INVALID_VERSION", codes.InvalidArgument, false},
	CodeInvalidCompatibilityLevel: {"INVALID_COMPATIBILITY_LEVEL", codes.InvalidArgument, false},
	CodeInvalidMode:               {"INVALID_MODE", codes.InvalidArgument, false},
	CodeOperationNotPermitted:     {"OPERATION_NOT_PERMITTED", codes.FailedPrecondition, false},
	CodeReferenceExists:           {"REFERENCE_EXISTS", codes.FailedPrecondition, false},
	CodeStoreError:                {"SCHEMA_STORE_ERROR", codes.Unavailable, true},
	CodeTimeout:                   {"SCHEMA_STORE_TIMEOUT", codes.Unavailable, true},
	CodeForwardingError:           {"SCHEMA_FORWARDING_ERROR", codes.Unavailable, true},
	codeBadRequest:                {"INVALID_REQUEST", codes.InvalidArgument, false},
	codeNotFound:                  {"NOT_FOUND", codes.NotFound, false},
	codeMethodNotAllowed:          {"INVALID_REQUEST", codes.Unimplemented, false},
	codeUnsupportedMediaType:      {"INVALID_REQUEST", codes.InvalidArgument, false},
}

// Error is a registry error with its Confluent code.
type Error struct {
	// Code is the Confluent error code, e.g. 40401.
	Code int
	// Message is the human-readable message (Confluent's wording where it
	// has one, so clients matching on it keep working).
	Message string
	// Err is the cause, if any.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the HTTP status of the error: the first three digits of its
// code.
func (e *Error) HTTPStatus() int {
	c := e.Code
	for c >= 1000 {
		c /= 10
	}
	if c < 100 || c > 599 {
		return 500
	}
	return c
}

// Reason is the published gRPC ErrorInfo reason of the error.
func (e *Error) Reason() string {
	if c, ok := codeTable[e.Code]; ok {
		return c.reason
	}
	return "SCHEMA_STORE_ERROR"
}

// Retriable reports whether the same request may succeed later.
func (e *Error) Retriable() bool { return codeTable[e.Code].retriable }

func errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errors with Confluent's messages.

func errSubjectNotFound(subject string) *Error {
	return errorf(CodeSubjectNotFound, "Subject '%s' not found.", subject)
}

func errVersionNotFound(subject string, version int32) *Error {
	return errorf(CodeVersionNotFound, "Version %d not found for subject '%s'.", version, subject)
}

func errSchemaNotFound(format string, args ...any) *Error {
	if format == "" {
		return errorf(CodeSchemaNotFound, "Schema not found")
	}
	return errorf(CodeSchemaNotFound, format, args...)
}

func errInvalidVersion(v string) *Error {
	return errorf(CodeInvalidVersion, "The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", v)
}

func errInvalidSchema(err error) *Error {
	return &Error{Code: CodeInvalidSchema, Message: "Invalid schema: " + err.Error(), Err: err}
}

func errReadOnly(subject string) *Error {
	if subject == "" {
		return errorf(CodeOperationNotPermitted, "The registry is in read-only mode")
	}
	return errorf(CodeOperationNotPermitted, "Subject %s is in read-only mode", subject)
}

// asError classifies any error: registry errors pass through, context
// errors are timeouts, anything else a store error.
func asError(err error) *Error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeTimeout, Message: "Operation timed out: " + err.Error(), Err: err}
	}
	return &Error{Code: CodeStoreError, Message: "Error in the schema store: " + err.Error(), Err: err}
}

// toStatus converts an error into a gRPC status with ErrorInfo carrying the
// reason and the Confluent code.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	e := asError(err)
	c, ok := codeTable[e.Code]
	if !ok {
		c = codeTable[CodeStoreError]
	}
	st := status.New(c.grpc, e.Message)
	info := &errdetails.ErrorInfo{Reason: c.reason, Domain: ErrorDomain,
		Metadata: map[string]string{"error_code": strconv.Itoa(e.Code)}}
	if d, derr := st.WithDetails(info); derr == nil {
		st = d
	}
	return st.Err()
}

// fromStatus recovers an *Error from a registry's gRPC status. ok is false
// when err carries no registry error code (a transport failure).
func fromStatus(err error) (*Error, bool) {
	st, isStatus := status.FromError(err)
	if !isStatus {
		return nil, false
	}
	for _, d := range st.Details() {
		info, isInfo := d.(*errdetails.ErrorInfo)
		if !isInfo || info.GetDomain() != ErrorDomain {
			continue
		}
		if code, cerr := strconv.Atoi(info.GetMetadata()["error_code"]); cerr == nil {
			return &Error{Code: code, Message: st.Message()}, true
		}
	}
	return nil, false
}
