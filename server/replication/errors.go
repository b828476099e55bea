package replication

import (
	"errors"
	"fmt"
)

// Error classes. Test with errors.Is; the typed errors below wrap one of
// these and carry the partition and the offending values.
var (
	// ErrFencedLeaderEpoch: a request carries a leader epoch older than this
	// replica's (FENCED_LEADER_EPOCH). The sender must refresh metadata.
	ErrFencedLeaderEpoch = errors.New("replication: fenced leader epoch")
	// ErrUnknownLeaderEpoch: a request carries a leader epoch newer than this
	// replica knows (UNKNOWN_LEADER_EPOCH). Retriable: this replica has not
	// yet seen the metadata that made it (or someone else) leader.
	ErrUnknownLeaderEpoch = errors.New("replication: unknown leader epoch")
	// ErrNotLeader: the Leader was resigned (leadership moved). Anything
	// still waiting on it has an unknown outcome.
	ErrNotLeader = errors.New("replication: not leader")
	// ErrUnknownReplica: a fetch comes from a broker that is not a replica of
	// the partition.
	ErrUnknownReplica = errors.New("replication: not a replica of the partition")
	// ErrOffsetOutOfRange: a follower fetches past the leader's log end
	// offset (it has not truncated) or below zero.
	ErrOffsetOutOfRange = errors.New("replication: fetch offset out of range")
	// ErrNotEnoughReplicas: the ISR is smaller than min.insync.replicas, so
	// an acks=all produce is refused before it is appended.
	ErrNotEnoughReplicas = errors.New("replication: not enough in-sync replicas")
	// ErrNotEnoughReplicasAfterAppend: the batch reached the high watermark
	// but the ISR had shrunk below min.insync.replicas meanwhile
	// (NOT_ENOUGH_REPLICAS_AFTER_APPEND); the batch is stored.
	ErrNotEnoughReplicasAfterAppend = errors.New("replication: not enough in-sync replicas after append")
	// ErrUndefinedEpochOffset: the leader answered OffsetForLeaderEpoch with
	// UNDEFINED. The follower does not truncate; it retries (see doc.go).
	ErrUndefinedEpochOffset = errors.New("replication: leader answered undefined epoch end offset")
	// ErrInvalidEpochAnswer: the leader's OffsetForLeaderEpoch answer breaks
	// the protocol (an epoch above the one asked).
	ErrInvalidEpochAnswer = errors.New("replication: invalid epoch end offset answer")
	// ErrInvalidConfig: a LeaderConfig failed validation.
	ErrInvalidConfig = errors.New("replication: invalid configuration")
	// ErrInvalidOffset: the caller reported offsets that go backwards or
	// exceed the log end offset.
	ErrInvalidOffset = errors.New("replication: invalid offset")
)

// EpochError is a leader epoch mismatch on a fetch or OffsetForLeaderEpoch
// request. It wraps ErrFencedLeaderEpoch (Got < Current) or
// ErrUnknownLeaderEpoch (Got > Current).
type EpochError struct {
	Topic     string
	Partition int32
	Replica   int32 // sender
	Got       int32 // epoch in the request
	Current   int32 // this leader's epoch
}

func (e *EpochError) Error() string {
	kind := "fenced"
	if e.Got > e.Current {
		kind = "unknown"
	}
	return fmt.Sprintf("replication: %s leader epoch %d from replica %d for %s-%d (current %d)",
		kind, e.Got, e.Replica, e.Topic, e.Partition, e.Current)
}

// Unwrap returns ErrFencedLeaderEpoch or ErrUnknownLeaderEpoch.
func (e *EpochError) Unwrap() error {
	if e.Got > e.Current {
		return ErrUnknownLeaderEpoch
	}
	return ErrFencedLeaderEpoch
}

// NotEnoughReplicasError reports an ISR below min.insync.replicas. It wraps
// ErrNotEnoughReplicas, or ErrNotEnoughReplicasAfterAppend if AfterAppend.
type NotEnoughReplicasError struct {
	Topic       string
	Partition   int32
	ISR         int // in-sync replicas counted
	MinInSync   int
	AfterAppend bool
}

func (e *NotEnoughReplicasError) Error() string {
	when := ""
	if e.AfterAppend {
		when = " after append"
	}
	return fmt.Sprintf("replication: not enough in-sync replicas%s for %s-%d: %d < min.insync.replicas %d",
		when, e.Topic, e.Partition, e.ISR, e.MinInSync)
}

// Unwrap returns the error class.
func (e *NotEnoughReplicasError) Unwrap() error {
	if e.AfterAppend {
		return ErrNotEnoughReplicasAfterAppend
	}
	return ErrNotEnoughReplicas
}

// OffsetOutOfRangeError is a follower fetch offset outside [0, leader LEO].
type OffsetOutOfRangeError struct {
	Topic        string
	Partition    int32
	Replica      int32
	Offset       int64
	LogEndOffset int64
}

func (e *OffsetOutOfRangeError) Error() string {
	return fmt.Sprintf("replication: replica %d fetch offset %d out of range [0, %d] for %s-%d",
		e.Replica, e.Offset, e.LogEndOffset, e.Topic, e.Partition)
}

// Unwrap returns ErrOffsetOutOfRange.
func (e *OffsetOutOfRangeError) Unwrap() error { return ErrOffsetOutOfRange }
