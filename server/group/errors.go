package group

import (
	"fmt"
)

// Reason is the published cause of an *Error. The server maps each reason to
// a gRPC code, an ErrorInfo reason (this string) and a retriable flag.
// Published reasons are never renamed.
type Reason string

// The reasons an *Error may carry.
const (
	ReasonInvalidGroupID            Reason = "INVALID_GROUP_ID"            // empty / > 255 bytes / control characters
	ReasonInvalidRequest            Reason = "INVALID_REQUEST"             // bad member id, both topics and pattern, bad regex, bad timeouts...
	ReasonUnknownMemberID           Reason = "UNKNOWN_MEMBER_ID"           // member not in the group (expired, removed): rejoin with epoch 0
	ReasonFencedMemberEpoch         Reason = "FENCED_MEMBER_EPOCH"         // epoch newer than the server's, or resumed with inconsistent ownership: rejoin with epoch 0
	ReasonStaleMemberEpoch          Reason = "STALE_MEMBER_EPOCH"          // commit with an older epoch: retriable with the current epoch
	ReasonFencedInstanceID          Reason = "FENCED_INSTANCE_ID"          // another member took over this static instance id
	ReasonUnreleasedInstanceID      Reason = "UNRELEASED_INSTANCE_ID"      // the instance id is held by a member with an open stream (retriable)
	ReasonInconsistentGroupProtocol Reason = "INCONSISTENT_GROUP_PROTOCOL" // assignor differs from the group's while it has members
	ReasonUnknownAssignor           Reason = "UNSUPPORTED_ASSIGNOR"        // the assignor name is not known
	ReasonGroupIDNotFound           Reason = "GROUP_ID_NOT_FOUND"          // no such group
	ReasonNonEmptyGroup             Reason = "NON_EMPTY_GROUP"             // delete/reset/outside commit while members exist
	ReasonOffsetRegression          Reason = "OFFSET_REGRESSION"           // commit below the committed offset (per partition)
	ReasonPartitionNotAssigned      Reason = "PARTITION_NOT_ASSIGNED"      // member commits a partition it does not own (per partition)
	ReasonUnknownTopicOrPartition   Reason = "UNKNOWN_TOPIC_OR_PARTITION"  // per partition
	ReasonOffsetMetadataTooLarge    Reason = "OFFSET_METADATA_TOO_LARGE"   // per partition
	ReasonInvalidCommitOffset       Reason = "INVALID_COMMIT_OFFSET"       // negative offset (per partition)
)

// Error is a typed failure with a published reason. Topic and Partition name
// the partition involved in per-partition failures ("" and -1 otherwise).
type Error struct {
	Reason    Reason
	Message   string
	Topic     string
	Partition int32
}

// Error returns the message, prefixed "group: ".
func (e *Error) Error() string { return "group: " + e.Message }

// errorf returns an *Error with no partition.
func errorf(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Message: fmt.Sprintf(format, args...), Partition: -1}
}

// clip shortens a name quoted in a message: ids that fail validation, or
// unknown topic names, may be megabytes long, and the server sends the
// message in the gRPC trailers, where it would break the connection.
func clip(s string) string {
	if len(s) <= maxIDBytes {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:64], len(s))
}

func errGroup(r Reason, groupID, format string, args ...any) *Error {
	return errorf(r, "group %q: "+format, append([]any{clip(groupID)}, args...)...)
}

func errMember(r Reason, groupID, memberID, format string, args ...any) *Error {
	return errorf(r, "group %q member %q: "+format, append([]any{clip(groupID), clip(memberID)}, args...)...)
}

func errPartition(r Reason, groupID string, tp TopicPartition, format string, args ...any) *Error {
	e := errorf(r, "group %q partition %s/%d: "+format, append([]any{clip(groupID), clip(tp.Topic), tp.Partition}, args...)...)
	e.Topic, e.Partition = tp.Topic, tp.Partition
	return e
}

func errGroupNotFound(groupID string) *Error {
	return errGroup(ReasonGroupIDNotFound, groupID, "no such group")
}

func errUnknownMember(groupID, memberID string) *Error {
	return errMember(ReasonUnknownMemberID, groupID, memberID, "unknown member id; rejoin with epoch 0")
}
