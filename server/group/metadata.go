package group

import (
	"maps"
	"slices"
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// SetTopics sets the topics that exist: every topic of the cluster, internal
// ones too, with partition counts and replica racks. topics must be complete:
// the offsets of a topic missing from it (or of partitions beyond its count)
// are deleted, and an empty group left without offsets disappears. Pattern
// subscriptions are resolved again; a group whose members' resolved topics or
// whose subscribed topics' partition counts changed gets a new epoch and
// target. The shard keeps the map (not its Racks slices' content) as given:
// the caller must not modify it afterwards.
func (s *Shard) SetTopics(now time.Time, topics map[string]assign.Topic) Output {
	s.topics = maps.Clone(topics)
	o := &op{now: now}
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[id]
		bump := false
		for _, mid := range g.sortedMemberIDs() {
			m := g.members[mid]
			if m.re != nil && s.setSubscription(m, m.sub, m.re) {
				g.touch(mid)
				bump = true
			}
		}
		if len(g.members) > 0 {
			s.settle(o, g, bump, "")
		}
		s.dropOffsets(o, g, func(tp TopicPartition) bool { return !s.partitionExists(tp) })
		s.flush(o, g)
	}
	return o.out
}

// Loaded ends loading, after the partition's log has been replayed: every
// member is counted disconnected and gets a full session (and, if revoking, a
// full rebalance timeout) from now; then topics are applied as by SetTopics.
func (s *Shard) Loaded(now time.Time, topics map[string]assign.Topic) Output {
	s.timers = s.timers[:0]
	for _, g := range s.groups {
		g.timerAt = time.Time{}
		for _, m := range g.members {
			m.connected = false
			m.sessionDeadline = now.Add(m.sessionTimeout)
			m.revokeDeadline = time.Time{}
			if len(m.revoking) > 0 {
				m.revokeDeadline = now.Add(m.rebalanceTimeout)
			}
			m.timerAt = time.Time{}
			s.schedule(g, m)
		}
		s.schedule(g, nil)
	}
	return s.SetTopics(now, topics)
}
