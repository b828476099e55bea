package avro

import (
	"errors"
	"fmt"
)

// ErrInvalidLevel is returned (wrapped) by ParseLevel for an unknown compatibility level.
var ErrInvalidLevel = errors.New("avro: invalid compatibility level")

// SchemaError reports an invalid schema. Path locates the problem in the schema's JSON as a
// JSON-pointer-like path ("/fields/1/type"; empty for the whole schema); Reason says what is wrong.
type SchemaError struct {
	Path   string
	Reason string
}

func (e *SchemaError) Error() string {
	if e.Path == "" {
		return "avro: invalid schema: " + e.Reason
	}
	return "avro: invalid schema at " + e.Path + ": " + e.Reason
}

func errorf(path, format string, args ...any) *SchemaError {
	return &SchemaError{Path: path, Reason: fmt.Sprintf(format, args...)}
}
