package assign

import "cmp"

// Default is the assignor a group uses when it names none.
const Default = "uniform"

// TopicPartition identifies one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Compare orders partitions by topic name, then partition number: the order
// of every list this package returns.
func (tp TopicPartition) Compare(o TopicPartition) int {
	if c := cmp.Compare(tp.Topic, o.Topic); c != 0 {
		return c
	}
	return cmp.Compare(tp.Partition, o.Partition)
}

// Member is one group member as an assignor sees it.
type Member struct {
	// ID identifies the member within the group. Required and unique.
	ID string
	// InstanceID is the static membership id, "" for a dynamic member. Unique
	// when set. Static members sort before dynamic ones, by InstanceID, so a
	// static member that restarts under a new ID keeps its place.
	InstanceID string
	// Rack is the member's rack, "" if unknown. Only rack-aware assignors
	// (range, uniform) look at it.
	Rack string
	// Topics lists the topics the member subscribes to, regular expressions
	// already resolved. Order and duplicates do not matter. Topics missing from
	// Input.Topics are ignored: they may not exist yet.
	Topics []string
}

// Topic describes one topic.
type Topic struct {
	// Partitions is the number of partitions, 0 to Partitions-1.
	Partitions int32
	// Racks, if not nil, holds one entry per partition: the racks of that
	// partition's replicas. Nil means unknown; rack-aware assignors then treat
	// the topic as local to no rack.
	Racks [][]string
}

// Input is everything an assignor looks at. Assignors do not modify it.
type Input struct {
	// Members of the group. Their order does not matter.
	Members []Member
	// Topics maps topic names to their metadata. Topics no member subscribes to
	// are ignored.
	Topics map[string]Topic
	// Current is the assignment now in force, member ID -> partitions; sticky
	// assignors (sticky, uniform) keep as much of it as balance allows, the
	// others ignore it. It may be stale: entries for members that left, topics
	// or partitions that no longer exist, topics a member no longer subscribes
	// to, and partitions listed under several members are tolerated (a
	// partition listed twice counts as owned by the member that sorts first).
	Current Assignment
}

// Assignment maps member IDs to the partitions they own.
type Assignment map[string][]TopicPartition

// An Assignor computes a target assignment for a group. Implementations are
// pure: the result depends only on the Input's content, never on map
// iteration order, the order of Members or of any list, or on previous calls.
// Safe for concurrent use.
type Assignor interface {
	// Name returns the name New accepts for this assignor.
	Name() string
	// Assign returns the target assignment: an entry for every member
	// (possibly empty), each sorted by TopicPartition.Compare. Every partition
	// of a topic that at least one member subscribes to is assigned to exactly
	// one member subscribed to that topic; nothing else is assigned. It fails
	// only with an *InputError.
	Assign(in Input) (Assignment, error)
}

// Names returns the canonical assignor names New accepts, sorted.
func Names() []string { return []string{"range", "roundrobin", "sticky", "uniform"} }

// New returns the assignor called name: "range", "roundrobin", "sticky" or
// "uniform"; "" means Default and "cooperative-sticky" (the Kafka client's
// name for the same goals) means "uniform". Any other name fails with an
// *UnknownAssignorError.
func New(name string) (Assignor, error) {
	switch name {
	case "range":
		return rangeAssignor{}, nil
	case "roundrobin":
		return roundRobinAssignor{}, nil
	case "sticky":
		return stickyAssignor{name: "sticky"}, nil
	case "uniform", "cooperative-sticky", "":
		return stickyAssignor{name: "uniform", rackAware: true}, nil
	}
	return nil, &UnknownAssignorError{Name: name}
}

var (
	_ Assignor = rangeAssignor{}
	_ Assignor = roundRobinAssignor{}
	_ Assignor = stickyAssignor{}
)
