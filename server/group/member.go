package group

import (
	"regexp"
	"slices"
	"time"
)

// Join opens a member's session on a new Membership stream. Its Output holds
// the joiner's State as an Effect (always, even when nothing changed), the
// pushes to other members whose state changed, and Err effects for streams
// that must end. An Err effect for req.MemberID itself (a member rejoining
// with epoch 0, or resuming while the server still counts its previous stream
// as open) comes before the joiner's State and is meant for the stream the
// member had before this join; the joiner's State is the first effect for the
// new stream.
//
//   - MemberEpoch 0, unknown member id: a new member; the group epoch moves.
//     If the instance id is held by another member: UNRELEASED_INSTANCE_ID if
//     that member's stream is open, else the joiner takes over its epoch and
//     assignment and the old member is fenced (FENCED_INSTANCE_ID), with no
//     rebalance unless the subscription differs.
//   - MemberEpoch 0, known member id: the previous incarnation is fenced
//     (FENCED_MEMBER_EPOCH) and its partitions freed; the group epoch moves.
//   - MemberEpoch > 0: resume, if the member exists, the epoch is not newer
//     than the server's and req.Owned is a subset of what the server records
//     the member owning (else FENCED_MEMBER_EPOCH, or UNKNOWN_MEMBER_ID /
//     FENCED_INSTANCE_ID if the member does not exist). Partitions the member
//     was revoking and no longer claims count as released. Resuming moves the
//     group epoch only if the subscription changed.
func (s *Shard) Join(now time.Time, req JoinRequest) (Output, error) {
	p, err := s.checkJoin(req)
	if err != nil {
		return Output{}, err
	}
	g := s.groups[req.Group]
	var m *member
	if g != nil {
		m = g.members[req.MemberID]
	}
	o := &op{now: now}

	if req.MemberEpoch > 0 {
		return s.resume(o, g, m, req, p)
	}

	// Epoch 0: a new member, a static takeover or a reset of a known member.
	var old *member // the static member taken over
	if m != nil {
		if m.instanceID != req.InstanceID {
			return Output{}, errMember(ReasonInvalidRequest, req.Group, req.MemberID,
				"instance id %q differs from the member's %q", req.InstanceID, m.instanceID)
		}
	} else if g != nil && req.InstanceID != "" {
		if id, ok := g.instances[req.InstanceID]; ok {
			old = g.members[id]
			if old.connected {
				return Output{}, errMember(ReasonUnreleasedInstanceID, req.Group, req.MemberID,
					"instance id %q is held by member %q, whose stream is open", req.InstanceID, old.id)
			}
		}
	}
	if err := checkAssignor(g, p.assignor, req.MemberID, old); err != nil {
		return Output{}, err
	}
	if g == nil {
		g = newGroup(req.Group)
		s.groups[g.id] = g
	}
	g.assignor = p.assignor

	bump := false
	switch {
	case m != nil:
		// A reset: the previous incarnation is fenced and owns nothing now.
		o.fail(g, m.id, errMember(ReasonFencedMemberEpoch, g.id, m.id, "member rejoined with epoch 0"))
		m.assigned, m.revoking, m.pending = nil, nil, nil
		m.revokeDeadline = time.Time{}
		bump = true
	case old != nil:
		// A static takeover: the joiner continues the old member's epoch and
		// assignment, target included, so the sticky assignors keep it.
		o.fail(g, old.id, errMember(ReasonFencedInstanceID, g.id, old.id,
			"instance id %q was taken over by member %q", old.instanceID, req.MemberID))
		s.removeMember(g, old)
		m = &member{
			id: req.MemberID, epoch: old.epoch,
			target: old.target, assigned: old.assigned, revoking: old.revoking, pending: old.pending,
			revokeDeadline: old.revokeDeadline, resolved: old.resolved,
		}
		g.members[m.id] = m
		g.instances[req.InstanceID] = m.id
	default:
		m = &member{id: req.MemberID}
		g.members[m.id] = m
		if req.InstanceID != "" {
			g.instances[req.InstanceID] = m.id
		}
		bump = true
	}
	if s.applyJoin(g, m, req, p) {
		bump = true
	}
	m.connected = true
	m.sessionDeadline = now.Add(m.sessionTimeout)
	g.touch(m.id)
	s.finishJoin(o, g, m, bump)
	return o.out, nil
}

// resume continues a member's session on a new stream.
func (s *Shard) resume(o *op, g *group, m *member, req JoinRequest, p joinParams) (Output, error) {
	if m == nil {
		if g != nil && req.InstanceID != "" {
			if id, ok := g.instances[req.InstanceID]; ok {
				return Output{}, errMember(ReasonFencedInstanceID, req.Group, req.MemberID,
					"instance id %q is now held by member %q", req.InstanceID, id)
			}
		}
		return Output{}, errUnknownMember(req.Group, req.MemberID)
	}
	if m.instanceID != req.InstanceID {
		return Output{}, errMember(ReasonInvalidRequest, req.Group, req.MemberID,
			"instance id %q differs from the member's %q", req.InstanceID, m.instanceID)
	}
	if req.MemberEpoch > m.epoch {
		return Output{}, errMember(ReasonFencedMemberEpoch, req.Group, req.MemberID,
			"epoch %d is newer than the member's epoch %d; rejoin with epoch 0", req.MemberEpoch, m.epoch)
	}
	for _, tp := range p.owned {
		if !m.owns(tp) {
			return Output{}, errMember(ReasonFencedMemberEpoch, req.Group, req.MemberID,
				"resumed owning %s/%d, which is not assigned to it; rejoin with epoch 0", clip(tp.Topic), tp.Partition)
		}
	}
	if err := checkAssignor(g, p.assignor, m.id, nil); err != nil {
		return Output{}, err
	}
	g.assignor = p.assignor
	if m.connected {
		o.fail(g, m.id, errMember(ReasonFencedMemberEpoch, g.id, m.id, "member resumed on another stream"))
	}
	// What the member was revoking and no longer claims, it has released.
	if r := intersectTPs(m.revoking, p.owned); !equalTPs(r, m.revoking) {
		m.revoking = r
		if len(r) == 0 {
			m.revokeDeadline = time.Time{}
		}
	}
	bump := s.applyJoin(g, m, req, p)
	m.connected = true
	m.sessionDeadline = o.now.Add(m.sessionTimeout)
	g.touch(m.id)
	s.finishJoin(o, g, m, bump)
	return o.out, nil
}

// checkAssignor refuses an assignor other than the group's while the group
// has members other than the joiner (and than the static member it takes
// over).
func checkAssignor(g *group, assignor, memberID string, old *member) error {
	if g == nil || g.assignor == assignor {
		return nil
	}
	for id := range g.members {
		if id != memberID && (old == nil || id != old.id) {
			return errMember(ReasonInconsistentGroupProtocol, g.id, memberID,
				"assignor %q differs from the group's %q", assignor, g.assignor)
		}
	}
	return nil
}

// applyJoin copies the request's member fields and reports whether the
// member's resolved subscription changed.
func (s *Shard) applyJoin(g *group, m *member, req JoinRequest, p joinParams) bool {
	m.instanceID, m.rack, m.clientID, m.clientHost = req.InstanceID, req.Rack, req.ClientID, req.ClientHost
	m.sessionTimeout, m.rebalanceTimeout = p.sessionTimeout, p.rebalanceTimeout
	return s.setSubscription(m, p.sub, p.re)
}

// setSubscription sets the member's subscription and reports whether the
// topics it resolves to changed.
func (s *Shard) setSubscription(m *member, sub Subscription, re *regexp.Regexp) bool {
	m.sub, m.re = sub, re
	resolved := resolve(sub, re, s.topics)
	if slices.Equal(resolved, m.resolved) {
		return false
	}
	m.resolved = resolved
	return true
}

// finishJoin settles the group, writes its records and adds the joiner's
// State after any Err effects already queued for it.
func (s *Shard) finishJoin(o *op, g *group, m *member, bump bool) {
	s.settle(o, g, bump, m.id)
	s.flush(o, g)
	s.schedule(g, m)
	st := Effect{Group: g.id, MemberID: m.id, State: m.state(g, s.heartbeatInterval(m))}
	// Effects so far: Err effects from the join itself, then pushes to others.
	i := 0
	for i < len(o.out.Effects) && o.out.Effects[i].Err != nil {
		i++
	}
	o.out.Effects = slices.Insert(o.out.Effects, i, st)
}

// lookup returns the group and member or UNKNOWN_MEMBER_ID.
func (s *Shard) lookup(groupID, memberID string) (*group, *member, error) {
	if err := ValidateGroupID(groupID); err != nil {
		return nil, nil, err
	}
	g := s.groups[groupID]
	if g == nil {
		return nil, nil, errUnknownMember(groupID, memberID)
	}
	m := g.members[memberID]
	if m == nil {
		return nil, nil, errUnknownMember(groupID, memberID)
	}
	return g, m, nil
}

// alive notes a message from the member on its stream.
func (s *Shard) alive(now time.Time, g *group, m *member) {
	m.connected = true
	m.sessionDeadline = now.Add(m.sessionTimeout)
	s.schedule(g, m)
}

func checkEpoch(g *group, m *member, epoch int32) error {
	if epoch > m.epoch {
		return errMember(ReasonFencedMemberEpoch, g.id, m.id,
			"epoch %d is newer than the member's epoch %d; rejoin with epoch 0", epoch, m.epoch)
	}
	return nil
}

// Heartbeat keeps a member's session alive. An epoch older than the member's
// is fine (a push may be on its way); a newer one is fenced. It writes
// nothing.
func (s *Shard) Heartbeat(now time.Time, groupID, memberID string, epoch int32) (Output, error) {
	g, m, err := s.lookup(groupID, memberID)
	if err != nil {
		return Output{}, err
	}
	if err := checkEpoch(g, m, epoch); err != nil {
		return Output{}, err
	}
	s.alive(now, g, m)
	return Output{}, nil
}

// Ack records that the member owns exactly owned, which must be the last
// Assigned sent to it at this epoch: its revocations are done, and the
// partitions it released go to their new owners. Any other ack is stale and
// ignored (it still counts as a heartbeat).
func (s *Shard) Ack(now time.Time, groupID, memberID string, epoch int32, owned []TopicPartition) (Output, error) {
	g, m, err := s.lookup(groupID, memberID)
	if err != nil {
		return Output{}, err
	}
	if err := checkEpoch(g, m, epoch); err != nil {
		return Output{}, err
	}
	s.alive(now, g, m)
	if epoch != m.epoch || len(m.revoking) == 0 || !equalTPs(normTPs(owned), m.assigned) {
		return Output{}, nil
	}
	o := &op{now: now}
	m.revoking = nil
	m.revokeDeadline = time.Time{}
	g.touch(m.id)
	s.settle(o, g, false, "")
	s.flush(o, g)
	return o.out, nil
}

// Subscribe replaces a member's subscription. The group epoch moves if the
// topics it resolves to changed.
func (s *Shard) Subscribe(now time.Time, groupID, memberID string, sub Subscription) (Output, error) {
	g, m, err := s.lookup(groupID, memberID)
	if err != nil {
		return Output{}, err
	}
	re, err := compileSubscription(groupID, memberID, sub)
	if err != nil {
		return Output{}, err
	}
	s.alive(now, g, m)
	o := &op{now: now}
	sub = Subscription{Topics: slices.Clone(sub.Topics), Pattern: sub.Pattern}
	if len(sub.Topics) == 0 {
		sub.Topics = nil
	}
	bump := s.setSubscription(m, sub, re)
	g.touch(m.id)
	s.settle(o, g, bump, "")
	s.flush(o, g)
	return o.out, nil
}

// Leave removes a member at once, freeing its partitions, except a static
// member leaving temporarily: it keeps its assignment, disconnected, until
// its session times out or its instance id joins again.
func (s *Shard) Leave(now time.Time, groupID, memberID string, temporary bool) (Output, error) {
	g, m, err := s.lookup(groupID, memberID)
	if err != nil {
		return Output{}, err
	}
	if temporary && m.instanceID != "" {
		m.connected = false
		m.sessionDeadline = now.Add(m.sessionTimeout)
		s.schedule(g, m)
		return Output{}, nil
	}
	o := &op{now: now}
	s.removeMember(g, m)
	s.settle(o, g, true, "")
	s.flush(o, g)
	return o.out, nil
}

// Disconnected notes that a member's stream ended without a leave. The
// member keeps its partitions until its session times out.
func (s *Shard) Disconnected(now time.Time, groupID, memberID string) {
	if g := s.groups[groupID]; g != nil {
		if m := g.members[memberID]; m != nil {
			m.connected = false
		}
	}
}
