package assign

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrUnknownAssignor marks an *UnknownAssignorError.
	ErrUnknownAssignor = errors.New("assign: unknown assignor")
	// ErrInvalidInput marks an *InputError.
	ErrInvalidInput = errors.New("assign: invalid input")
)

// UnknownAssignorError reports an assignor name New does not know.
type UnknownAssignorError struct {
	Name string
}

func (e *UnknownAssignorError) Error() string {
	return fmt.Sprintf("assign: unknown assignor %q (known: %s)", e.Name, strings.Join(Names(), ", "))
}

// Unwrap returns ErrUnknownAssignor.
func (e *UnknownAssignorError) Unwrap() error { return ErrUnknownAssignor }

// InputError reports input an assignor or Reconcile cannot use: a member
// without an ID, two members with one ID or instance ID, a negative partition
// count, rack lists that do not match the partition count, or a target
// assignment that gives one partition to two members.
type InputError struct {
	Member    string // the member involved, "" if none
	Topic     string // the topic involved, "" if none
	Partition int32  // the partition involved, -1 if none
	Reason    string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString("assign: ")
	if e.Member != "" {
		fmt.Fprintf(&b, "member %q: ", e.Member)
	}
	if e.Topic != "" {
		if e.Partition >= 0 {
			fmt.Fprintf(&b, "partition %s/%d: ", e.Topic, e.Partition)
		} else {
			fmt.Fprintf(&b, "topic %q: ", e.Topic)
		}
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns ErrInvalidInput.
func (e *InputError) Unwrap() error { return ErrInvalidInput }
