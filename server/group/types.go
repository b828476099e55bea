package group

import (
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// TopicPartition identifies one partition of a topic.
type TopicPartition = assign.TopicPartition

// Subscription is what a member consumes: topic names or one pattern (an RE2
// expression matched against whole topic names), not both.
type Subscription struct {
	Topics  []string
	Pattern string
}

// JoinRequest is the first message of a member's Membership stream.
type JoinRequest struct {
	Group, MemberID, InstanceID, Rack, ClientID, ClientHost string

	Subscription     Subscription
	Assignor         string
	RebalanceTimeout time.Duration // 0 = Config.DefaultRebalanceTimeout
	SessionTimeout   time.Duration // 0 = Config.DefaultSessionTimeout
	MemberEpoch      int32         // 0 = new member; >0 = resume
	Owned            []TopicPartition
}

// MemberState is the content of one MembershipResponse.
type MemberState struct {
	MemberID                string
	MemberEpoch, GroupEpoch int32
	HeartbeatInterval       time.Duration
	SessionTimeout          time.Duration
	Assigned, Pending       []TopicPartition // sorted
	Assignor                string
}

// Record is one key/value of __consumer_offsets; a nil Value is a tombstone.
type Record struct {
	Key, Value []byte
}

// Effect is delivered to a member's Membership stream once the records of
// the Output holding it are committed: State != nil -> send it; Err != nil ->
// end the stream with this error.
type Effect struct {
	Group, MemberID string
	State           *MemberState
	Err             *Error
}

// Output is what an operation asks the runtime to do: append Records as one
// batch, then, once committed, deliver Effects in order.
type Output struct {
	Records []Record
	Effects []Effect
}

// CommitOffset is one partition's offset to commit.
type CommitOffset struct {
	TopicPartition
	Offset      int64
	LeaderEpoch int32
	Metadata    string
}

// CommitRequest commits offsets for a group, from a member (MemberID set) or
// from outside the group (MemberID empty).
type CommitRequest struct {
	Group, MemberID string
	MemberEpoch     int32
	Offsets         []CommitOffset
}

// CommittedOffset is one partition's committed offset.
type CommittedOffset struct {
	TopicPartition
	Offset      int64
	LeaderEpoch int32
	Metadata    string
	CommitTime  time.Time
}

// GroupState is a consumer group's state.
type GroupState int

// The group states.
const (
	// StateEmpty: no members; offsets may remain.
	StateEmpty GroupState = iota
	// StateAssigning: a new target is being computed. Transient; the core
	// computes targets synchronously and never reports it.
	StateAssigning
	// StateReconciling: some member's assignment differs from its target or
	// it is still revoking partitions.
	StateReconciling
	// StateStable: every member owns its target.
	StateStable
	// StateDead: the group does not exist (deleted).
	StateDead
)

// String returns the state's name as Kafka spells it.
func (s GroupState) String() string {
	switch s {
	case StateEmpty:
		return "Empty"
	case StateAssigning:
		return "Assigning"
	case StateReconciling:
		return "Reconciling"
	case StateStable:
		return "Stable"
	case StateDead:
		return "Dead"
	}
	return "Unknown"
}

// MemberDescription describes one member.
type MemberDescription struct {
	MemberID, InstanceID, ClientID, ClientHost, Rack string
	MemberEpoch                                      int32
	Subscription                                     Subscription
	Assigned, Pending, Revoking                      []TopicPartition
	Connected                                        bool
}

// GroupDescription describes one group.
type GroupDescription struct {
	Group    string
	State    GroupState
	Epoch    int32
	Assignor string
	Members  []MemberDescription // sorted by member id
	Offsets  []CommittedOffset   // sorted
}

// GroupListing is one group in List.
type GroupListing struct {
	Group   string
	State   GroupState
	Members int
}
