package group

import (
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// Shard holds every group of one __consumer_offsets partition: members,
// epochs, target assignments, reconciliation, timers and committed offsets.
// It is a pure state machine: methods take the time, return the records to
// append and the effects to deliver once they are committed, and never block.
// Not safe for concurrent use.
type Shard struct {
	cfg Config
	// topics is the cluster's topics as last given to SetTopics or Loaded.
	topics map[string]assign.Topic
	groups map[string]*group
	timers timerHeap
}

// group is one consumer group. Fields marked "persisted" are in the group
// record; the others are rebuilt by Loaded or are bookkeeping.
type group struct {
	id          string
	epoch       int32            // persisted: the group epoch
	assignor    string           // persisted: canonical assignor name, "" until a member joined
	targetEpoch int32            // persisted: the epoch the target was computed at
	meta        map[string]int32 // persisted: partition counts of the subscribed topics the target was computed for
	emptySince  time.Time        // persisted: when the group last became empty; zero while it has members

	members   map[string]*member
	instances map[string]string // static instance id -> member id
	offsets   map[TopicPartition]*CommittedOffset

	lastValue []byte              // the group record value last written or replayed
	touched   map[string]struct{} // members whose record may need writing in this operation
	timerAt   time.Time           // time of the earliest timer queued for the group (retention), zero if none
}

// member is one group member. Fields marked "persisted" are in the member
// record.
type member struct {
	id               string
	instanceID       string // persisted
	rack             string // persisted
	clientID         string // persisted
	clientHost       string // persisted
	sub              Subscription
	re               *regexp.Regexp // sub.Pattern compiled and anchored, nil for topic names
	resolved         []string       // persisted: the subscribed topic names, sorted (patterns resolved)
	sessionTimeout   time.Duration  // persisted (ms)
	rebalanceTimeout time.Duration  // persisted (ms)

	epoch    int32            // persisted: the member epoch
	target   []TopicPartition // persisted: the member's part of the group's target assignment
	assigned []TopicPartition // persisted: the last Assigned sent to the member
	revoking []TopicPartition // persisted: partitions the member may still consume and must release
	pending  []TopicPartition // persisted: target partitions others still own

	connected       bool      // the member has an open stream
	sessionDeadline time.Time // removed when reached
	revokeDeadline  time.Time // removed when reached while revoking is not empty
	timerAt         time.Time // time of the earliest timer queued for the member, zero if none

	lastValue []byte // the member record value last written or replayed
}

// NewShard returns an empty shard.
func NewShard(cfg Config) *Shard {
	return &Shard{cfg: cfg.EnsureDefaults(), groups: make(map[string]*group)}
}

func newGroup(id string) *group {
	return &group{
		id:        id,
		members:   make(map[string]*member),
		instances: make(map[string]string),
		offsets:   make(map[TopicPartition]*CommittedOffset),
	}
}

// op accumulates one operation's output.
type op struct {
	now time.Time
	out Output
}

func (o *op) record(key, value []byte) {
	o.out.Records = append(o.out.Records, Record{Key: key, Value: value})
}

func (o *op) push(g *group, m *member, hb time.Duration) {
	o.out.Effects = append(o.out.Effects, Effect{Group: g.id, MemberID: m.id, State: m.state(g, hb)})
}

func (o *op) fail(g *group, memberID string, err *Error) {
	o.out.Effects = append(o.out.Effects, Effect{Group: g.id, MemberID: memberID, Err: err})
}

// touch notes that the member's record may have to be written (or
// tombstoned, if the member is gone) when the operation ends.
func (g *group) touch(id string) {
	if g.touched == nil {
		g.touched = make(map[string]struct{})
	}
	g.touched[id] = struct{}{}
}

func (g *group) sortedMemberIDs() []string {
	return slices.Sorted(maps.Keys(g.members))
}

// state is the group's state as Describe and List report it.
func (g *group) state() GroupState {
	if len(g.members) == 0 {
		return StateEmpty
	}
	for _, m := range g.members {
		if len(m.revoking) > 0 || !equalTPs(m.assigned, m.target) {
			return StateReconciling
		}
	}
	return StateStable
}

// heartbeatInterval is the interval the member is told to heartbeat at.
func (s *Shard) heartbeatInterval(m *member) time.Duration {
	return min(s.cfg.HeartbeatInterval, m.sessionTimeout/3)
}

// state returns what the member's stream is told; the lists are copies.
func (m *member) state(g *group, hb time.Duration) *MemberState {
	return &MemberState{
		MemberID:          m.id,
		MemberEpoch:       m.epoch,
		GroupEpoch:        g.epoch,
		HeartbeatInterval: hb,
		SessionTimeout:    m.sessionTimeout,
		Assigned:          slices.Clone(m.assigned),
		Pending:           slices.Clone(m.pending),
		Assignor:          g.assignor,
	}
}

// owns reports whether the member may be consuming tp as far as the server
// knows: it was sent tp in an Assigned or is revoking it.
func (m *member) owns(tp TopicPartition) bool {
	return containsTP(m.assigned, tp) || containsTP(m.revoking, tp)
}

// Describe describes a group. A group that does not exist is described as
// StateDead along with a GROUP_ID_NOT_FOUND error.
func (s *Shard) Describe(groupID string) (GroupDescription, error) {
	g := s.groups[groupID]
	if g == nil {
		if err := ValidateGroupID(groupID); err != nil {
			return GroupDescription{Group: groupID, State: StateDead}, err
		}
		return GroupDescription{Group: groupID, State: StateDead}, errGroupNotFound(groupID)
	}
	d := GroupDescription{
		Group:    g.id,
		State:    g.state(),
		Epoch:    g.epoch,
		Assignor: g.assignor,
		Offsets:  g.sortedOffsets(),
	}
	for _, id := range g.sortedMemberIDs() {
		m := g.members[id]
		d.Members = append(d.Members, MemberDescription{
			MemberID:     m.id,
			InstanceID:   m.instanceID,
			ClientID:     m.clientID,
			ClientHost:   m.clientHost,
			Rack:         m.rack,
			MemberEpoch:  m.epoch,
			Subscription: Subscription{Topics: slices.Clone(m.sub.Topics), Pattern: m.sub.Pattern},
			Assigned:     slices.Clone(m.assigned),
			Pending:      slices.Clone(m.pending),
			Revoking:     slices.Clone(m.revoking),
			Connected:    m.connected,
		})
	}
	return d, nil
}

// List lists the shard's groups, sorted by id.
func (s *Shard) List() []GroupListing {
	out := make([]GroupListing, 0, len(s.groups))
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[id]
		out = append(out, GroupListing{Group: id, State: g.state(), Members: len(g.members)})
	}
	return out
}
