package group

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// resolve returns the topics sub names, sorted: its names, or the existing
// topics its pattern matches. A pattern matches internal topics (names
// starting with "__") only if it starts with "__" itself.
func resolve(sub Subscription, re *regexp.Regexp, topics map[string]assign.Topic) []string {
	var out []string
	if re == nil {
		out = slices.Clone(sub.Topics)
		slices.Sort(out)
		return slices.Compact(out)
	}
	internal := strings.HasPrefix(sub.Pattern, "__")
	for name := range topics {
		if !internal && strings.HasPrefix(name, "__") {
			continue
		}
		if re.MatchString(name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// subscriptionMeta returns the partition counts of the existing topics some
// member subscribes to: what the target assignment depends on.
func (s *Shard) subscriptionMeta(g *group) map[string]int32 {
	var meta map[string]int32
	for _, m := range g.members {
		for _, t := range m.resolved {
			if tp, ok := s.topics[t]; ok && tp.Partitions > 0 {
				if meta == nil {
					meta = make(map[string]int32)
				}
				meta[t] = tp.Partitions
			}
		}
	}
	return meta
}

// settle brings a group up to date after a change: if bump is set, or the
// metadata of the subscribed topics changed, the group epoch moves and the
// target assignment is recomputed; then every member is reconciled towards
// its target, and the members whose (epoch, assigned, pending) changed are
// pushed their new state, except skip (the caller reports its state itself).
func (s *Shard) settle(o *op, g *group, bump bool, skip string) {
	meta := s.subscriptionMeta(g)
	if !maps.Equal(meta, g.meta) {
		g.meta = meta
		bump = true
	}
	if bump {
		g.epoch++
		g.targetEpoch = g.epoch
		s.computeTarget(g)
	}
	if len(g.members) == 0 {
		if g.emptySince.IsZero() {
			g.emptySince = msTime(o.now)
		}
		return
	}
	g.emptySince = time.Time{}
	s.reconcile(o, g, skip)
}

// computeTarget sets every member's target from the group's assignor, sticking
// to the previous target.
func (s *Shard) computeTarget(g *group) {
	if len(g.members) == 0 {
		return
	}
	a, err := assign.New(g.assignor)
	if err != nil {
		panic(fmt.Sprintf("group: group %q has assignor %q: %v", g.id, g.assignor, err))
	}
	in := assign.Input{
		Members: make([]assign.Member, 0, len(g.members)),
		Topics:  make(map[string]assign.Topic, len(g.meta)),
		Current: make(assign.Assignment, len(g.members)),
	}
	for _, id := range g.sortedMemberIDs() {
		m := g.members[id]
		in.Members = append(in.Members, assign.Member{ID: m.id, InstanceID: m.instanceID, Rack: m.rack, Topics: m.resolved})
		in.Current[m.id] = m.target
	}
	for t := range g.meta {
		in.Topics[t] = s.topics[t]
	}
	target, err := a.Assign(in)
	if err != nil {
		// Members have distinct ids and instance ids and topics come from
		// SetTopics: the assignor refusing them is a bug here.
		panic(fmt.Sprintf("group: group %q: assignor %s: %v", g.id, a.Name(), err))
	}
	for id, m := range g.members {
		t := nilIfEmpty(target[id])
		if !equalTPs(t, m.target) {
			m.target = t
			g.touch(id)
		}
	}
}

// reconcile computes one cooperative step for every member from what it owns
// (everything it was sent and has not released: assigned ∪ revoking) to its
// target. A member's epoch moves to the target epoch once it has nothing left
// to revoke; until then it keeps its old epoch so that it can still commit
// what it is releasing.
func (s *Shard) reconcile(o *op, g *group, skip string) {
	owned := make(assign.Assignment, len(g.members))
	target := make(assign.Assignment, len(g.members))
	for id, m := range g.members {
		owned[id] = unionTPs(m.assigned, m.revoking)
		target[id] = m.target
	}
	steps, err := assign.Reconcile(owned, target)
	if err != nil {
		panic(fmt.Sprintf("group: group %q: %v", g.id, err))
	}
	for _, id := range g.sortedMemberIDs() {
		m, st := g.members[id], steps[id]
		assigned := nilIfEmpty(st.Assigned)
		revoking := nilIfEmpty(st.PendingRevocation)
		pending := nilIfEmpty(st.PendingAssignment)
		epoch := m.epoch
		if len(revoking) == 0 {
			epoch = g.targetEpoch
		}
		changed := epoch != m.epoch || !equalTPs(assigned, m.assigned) || !equalTPs(pending, m.pending)
		if !subsetTPs(revoking, m.revoking) {
			// Every new revocation gets a full rebalance timeout.
			m.revokeDeadline = o.now.Add(m.rebalanceTimeout)
			s.schedule(g, m)
		}
		if changed || !equalTPs(revoking, m.revoking) {
			g.touch(id)
		}
		m.epoch, m.assigned, m.revoking, m.pending = epoch, assigned, revoking, pending
		if changed && id != skip {
			o.push(g, m, s.heartbeatInterval(m))
		}
	}
}

// flush ends an operation on a group: it writes the group record and the
// records of the members touched, if their content changed, or drops the
// group if it has neither members nor offsets left.
func (s *Shard) flush(o *op, g *group) {
	touched := slices.Sorted(maps.Keys(g.touched))
	g.touched = nil
	if len(g.members) == 0 && len(g.offsets) == 0 {
		for _, id := range touched {
			o.record(memberKey(g.id, id), nil)
		}
		if s.groups[g.id] == g {
			o.record(groupKey(g.id), nil)
			delete(s.groups, g.id)
		}
		return
	}
	if v := encodeGroup(g); string(v) != string(g.lastValue) {
		g.lastValue = v
		o.record(groupKey(g.id), v)
	}
	for _, id := range touched {
		m := g.members[id]
		if m == nil {
			o.record(memberKey(g.id, id), nil)
			continue
		}
		if v := encodeMember(m); string(v) != string(m.lastValue) {
			m.lastValue = v
			o.record(memberKey(g.id, id), v)
		}
	}
	s.schedule(g, nil)
}

// removeMember takes a member out of its group: its partitions are free at
// once. The caller settles the group with a bump.
func (s *Shard) removeMember(g *group, m *member) {
	delete(g.members, m.id)
	if m.instanceID != "" && g.instances[m.instanceID] == m.id {
		delete(g.instances, m.instanceID)
	}
	g.touch(m.id)
}
