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
// target. The shard keeps a copy of the map, not of the Racks slices: the
// caller must not modify those afterwards. Rack lists whose length differs
// from the partition count are ignored (racks unknown).
func (s *Shard) SetTopics(now time.Time, topics map[string]assign.Topic) Output {
	o := &op{now: now}
	s.applyTopics(o, topics, nil, false)
	return o.out
}

// applyTopics sets the topics and updates every group: those in bumps get a
// new epoch; with all set, every group is reconciled, else only those whose
// target changes (after each operation a group's reconciliation is a fixed
// point unless its target moves).
func (s *Shard) applyTopics(o *op, topics map[string]assign.Topic, bumps map[string]bool, all bool) {
	s.topics = make(map[string]assign.Topic, len(topics))
	for name, t := range topics {
		if t.Partitions < 0 {
			t.Partitions = 0
		}
		if t.Racks != nil && len(t.Racks) != int(t.Partitions) {
			t.Racks = nil
		}
		s.topics[name] = t
	}
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[id]
		bump := bumps[id]
		for _, mid := range g.sortedMemberIDs() {
			m := g.members[mid]
			if m.re != nil && s.setSubscription(m, m.sub, m.re) {
				g.touch(mid)
				bump = true
			}
		}
		if len(g.members) > 0 && (all || bump || !maps.Equal(s.subscriptionMeta(g), g.meta)) {
			s.settle(o, g, bump, "")
		}
		s.dropOffsets(o, g, func(tp TopicPartition) bool { return !s.partitionExists(tp) })
		s.flush(o, g)
	}
}

// Loaded ends loading, after the partition's log has been replayed: every
// member is counted disconnected and gets a full session (and, if revoking, a
// full rebalance timeout) from now; then topics are applied as by SetTopics.
// State a damaged log may leave inconsistent (two members with one instance
// id, overlapping targets, an unknown assignor) is repaired, with records,
// rather than trusted.
func (s *Shard) Loaded(now time.Time, topics map[string]assign.Topic) Output {
	o := &op{now: now}
	s.timers = s.timers[:0]
	bumps := make(map[string]bool)
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[id]
		g.timerAt = time.Time{}
		if s.repair(g) {
			bumps[id] = true
		}
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
	s.applyTopics(o, topics, bumps, true)
	return o.out
}

// repair makes a replayed group acceptable to the assignors and Reconcile and
// reports whether its target must be recomputed. A log written by this
// package never needs it.
func (s *Shard) repair(g *group) bool {
	bump := false
	if len(g.members) > 0 {
		if a, err := assign.New(g.assignor); err != nil || a.Name() != g.assignor {
			g.assignor = assign.Default
			bump = true
		}
	}
	seen := make(map[TopicPartition]bool)
	for _, id := range g.sortedMemberIDs() {
		m := g.members[id]
		if badID(id) != "" {
			s.removeMember(g, m)
			bump = true
			continue
		}
		if m.instanceID != "" && g.instances[m.instanceID] != id {
			m.instanceID = ""
			g.touch(id)
			bump = true
		}
		for _, tp := range m.target {
			if seen[tp] {
				bump = true
			}
			seen[tp] = true
		}
		if r := m.revoking; len(intersectTPs(r, m.assigned)) > 0 {
			m.revoking = nil
			for _, tp := range r {
				if !containsTP(m.assigned, tp) {
					m.revoking = append(m.revoking, tp)
				}
			}
			g.touch(id)
		}
	}
	return bump
}
