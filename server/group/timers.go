package group

import (
	"container/heap"
	"maps"
	"slices"
	"time"
)

// Timers. Each member has a due time, the earlier of its session deadline and
// (while it is revoking) its rebalance deadline; each empty group with offsets
// has one, its offsets' expiry. Due times change often (every heartbeat moves
// a session deadline), so the heap is lazy: an entity has at most one entry
// that matters, at timerAt <= its due time; later entries are stale. An entry
// is pushed only when the due time moves before timerAt; when an entry
// fires, Tick checks the entity and queues its real due time. NextDeadline
// may therefore name a time at which Tick has nothing to do, never a time
// later than the first real deadline.

// timer is one heap entry; member "" stands for the group's retention.
type timer struct {
	at     time.Time
	group  string
	member string
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// due returns when the member must be looked at.
func (m *member) due() time.Time {
	d := m.sessionDeadline
	if len(m.revoking) > 0 && !m.revokeDeadline.IsZero() && (d.IsZero() || m.revokeDeadline.Before(d)) {
		d = m.revokeDeadline
	}
	return d
}

// schedule queues the member's due time (m != nil) or the group's retention
// (m == nil) if it comes before the entry already queued.
func (s *Shard) schedule(g *group, m *member) {
	if m != nil {
		if d := m.due(); !d.IsZero() && (m.timerAt.IsZero() || d.Before(m.timerAt)) {
			m.timerAt = d
			heap.Push(&s.timers, timer{at: d, group: g.id, member: m.id})
		}
		return
	}
	if d, ok := s.expiry(g); ok && (g.timerAt.IsZero() || d.Before(g.timerAt)) {
		g.timerAt = d
		heap.Push(&s.timers, timer{at: d, group: g.id})
	}
}

// NextDeadline returns when Tick should next be called; false if never
// (until another call changes the shard). It may be earlier than needed.
func (s *Shard) NextDeadline() (time.Time, bool) {
	// Drop entries nothing waits for any more (their entity is gone or has an
	// earlier entry), so that they do not cause useless ticks.
	for len(s.timers) > 0 && s.stale(s.timers[0]) {
		heap.Pop(&s.timers)
	}
	if len(s.timers) == 0 {
		return time.Time{}, false
	}
	return s.timers[0].at, true
}

// stale reports whether t is not the entry its entity waits on.
func (s *Shard) stale(t timer) bool {
	g := s.groups[t.group]
	if g == nil {
		return true
	}
	if t.member == "" {
		return !g.timerAt.Equal(t.at)
	}
	m := g.members[t.member]
	return m == nil || !m.timerAt.Equal(t.at)
}

// Tick applies what is due at now: members whose session expired, or who
// have been revoking for longer than their rebalance timeout, are removed
// (their streams end with UNKNOWN_MEMBER_ID) and their partitions move; the
// offsets of empty groups whose retention passed are deleted, and the groups
// with them.
func (s *Shard) Tick(now time.Time) Output {
	// Collect what fired, per group.
	due := make(map[string][]string) // group -> members ("" = retention)
	for len(s.timers) > 0 && !s.timers[0].at.After(now) {
		t := heap.Pop(&s.timers).(timer)
		if s.stale(t) {
			continue
		}
		g := s.groups[t.group]
		if t.member == "" {
			g.timerAt = time.Time{}
		} else {
			g.members[t.member].timerAt = time.Time{}
		}
		due[g.id] = append(due[g.id], t.member)
	}

	o := &op{now: now}
	for _, id := range slices.Sorted(maps.Keys(due)) {
		g := s.groups[id]
		ids := due[id]
		slices.Sort(ids)
		removed := false
		for _, mid := range ids {
			if mid == "" {
				continue
			}
			m := g.members[mid]
			var err *Error
			switch {
			case !m.sessionDeadline.After(now):
				err = errMember(ReasonUnknownMemberID, g.id, m.id, "session timed out after %v", m.sessionTimeout)
			case len(m.revoking) > 0 && !m.revokeDeadline.After(now):
				err = errMember(ReasonUnknownMemberID, g.id, m.id,
					"did not release revoked partitions within the rebalance timeout %v", m.rebalanceTimeout)
			default:
				s.schedule(g, m)
				continue
			}
			s.removeMember(g, m)
			o.fail(g, m.id, err)
			removed = true
		}
		if removed {
			s.settle(o, g, true, "")
		}
		if d, ok := s.expiry(g); ok && !d.After(now) {
			s.dropOffsets(o, g, func(TopicPartition) bool { return true })
		}
		s.flush(o, g)
	}
	return o.out
}
