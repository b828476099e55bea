package cluster

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Match them with errors.Is; the *Error that wraps them
// carries the topic, partition and broker involved.
var (
	// ErrUnknownBroker: the broker id is not registered.
	ErrUnknownBroker = errors.New("cluster: unknown broker")
	// ErrStaleBrokerEpoch: the broker epoch in a request is not the one the
	// registered incarnation holds (the broker restarted or was replaced).
	ErrStaleBrokerEpoch = errors.New("cluster: stale broker epoch")
	// ErrDuplicateBroker: another live incarnation holds the broker id.
	ErrDuplicateBroker = errors.New("cluster: broker id is held by another live incarnation")
	// ErrInvalidTransition: the broker state does not allow the request
	// (for example unfencing a broker in controlled shutdown).
	ErrInvalidTransition = errors.New("cluster: invalid broker state transition")
	// ErrTopicExists: a topic with the name already exists.
	ErrTopicExists = errors.New("cluster: topic already exists")
	// ErrUnknownTopic: no such topic (or the topic id does not match).
	ErrUnknownTopic = errors.New("cluster: unknown topic")
	// ErrUnknownPartition: the topic has no such partition.
	ErrUnknownPartition = errors.New("cluster: unknown partition")
	// ErrInvalidReplicationFactor: the replication factor cannot be met.
	ErrInvalidReplicationFactor = errors.New("cluster: invalid replication factor")
	// ErrInvalidPartitions: the partition count is invalid.
	ErrInvalidPartitions = errors.New("cluster: invalid partition count")
	// ErrInvalidAssignment: a replica assignment is malformed or names
	// unknown brokers.
	ErrInvalidAssignment = errors.New("cluster: invalid replica assignment")
	// ErrPartitionCountChanged: CreatePartitions saw a different partition
	// count than the image holds when applied (a concurrent change won).
	ErrPartitionCountChanged = errors.New("cluster: partition count changed concurrently")
	// ErrStalePartitionEpoch: a ChangePartition was built against an older
	// partition epoch; re-read the image and retry if still needed.
	ErrStalePartitionEpoch = errors.New("cluster: stale partition epoch")
	// ErrFencedLeaderEpoch: the proposer's leader epoch is not current.
	ErrFencedLeaderEpoch = errors.New("cluster: fenced leader epoch")
	// ErrNotPartitionLeader: a broker proposed a change for a partition it
	// does not lead.
	ErrNotPartitionLeader = errors.New("cluster: broker is not the partition leader")
	// ErrIneligibleReplica: a proposed ISR member or leader is not a live
	// replica, or an ISR omits its leader.
	ErrIneligibleReplica = errors.New("cluster: ineligible replica")
	// ErrPreferredLeaderNotAvailable: the preferred replica is not alive
	// or not in the ISR.
	ErrPreferredLeaderNotAvailable = errors.New("cluster: preferred leader not available")
	// ErrNoReassignmentInProgress: a cancellation named a partition that
	// is not being reassigned.
	ErrNoReassignmentInProgress = errors.New("cluster: no reassignment in progress")
	// ErrUnsafeReassignment: replacing or cancelling a reassignment would
	// drop every in-sync replica, or drop the leader with no live in-sync
	// replica left to take over. Nothing changed; retry once the remaining
	// replicas have caught up, or let the reassignment complete.
	ErrUnsafeReassignment = errors.New("cluster: reassignment change would leave no in-sync replica or live leader")
	// ErrInvalidRecord: a record is malformed, of an unknown type or of a
	// newer format version.
	ErrInvalidRecord = errors.New("cluster: invalid metadata record")
	// ErrNotLeader: this node is not the controller leader. The *NotLeaderError
	// wrapping it names the leader when one is known.
	ErrNotLeader = errors.New("cluster: not the controller leader")
	// ErrIndeterminate: the proposal may or may not have been committed
	// (leadership lost or the context ended after it was submitted). Callers
	// re-read the image to learn the outcome.
	ErrIndeterminate = errors.New("cluster: proposal outcome unknown")
	// ErrClosed: the controller is closed.
	ErrClosed = errors.New("cluster: controller closed")
)

// Error is a state machine rejection with its context. Unwrap returns the
// sentinel; Topic is empty and Partition/Broker are -1 when not relevant.
type Error struct {
	Err       error
	Topic     string
	Partition int32
	Broker    int32
	Detail    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Topic != "" {
		fmt.Fprintf(&b, ": topic %q", e.Topic)
		if e.Partition >= 0 {
			fmt.Fprintf(&b, " partition %d", e.Partition)
		}
	}
	if e.Broker >= 0 {
		fmt.Fprintf(&b, ": broker %d", e.Broker)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func topicErr(err error, topic string, format string, args ...any) *Error {
	return &Error{Err: err, Topic: topic, Partition: -1, Broker: -1, Detail: fmt.Sprintf(format, args...)}
}

func partErr(err error, topic string, p int32, format string, args ...any) *Error {
	return &Error{Err: err, Topic: topic, Partition: p, Broker: -1, Detail: fmt.Sprintf(format, args...)}
}

func brokerErr(err error, id int32, format string, args ...any) *Error {
	return &Error{Err: err, Partition: -1, Broker: id, Detail: fmt.Sprintf(format, args...)}
}

// NotLeaderError reports that this node cannot accept proposals. LeaderID is
// the controller leader's node id and LeaderAddr its raft address, or -1 and
// "" when no leader is known (an election is in progress).
type NotLeaderError struct {
	LeaderID   int32
	LeaderAddr string
}

func (e *NotLeaderError) Error() string {
	if e.LeaderID < 0 {
		return "cluster: not the controller leader; no leader known"
	}
	return fmt.Sprintf("cluster: not the controller leader; leader is node %d at %s", e.LeaderID, e.LeaderAddr)
}

// Unwrap returns ErrNotLeader.
func (e *NotLeaderError) Unwrap() error { return ErrNotLeader }
