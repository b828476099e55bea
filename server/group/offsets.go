package group

import (
	"maps"
	"slices"
	"time"
)

// msTime returns t at millisecond precision in UTC, as records store it; zero
// stays zero.
func msTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

func (g *group) sortedOffsets() []CommittedOffset {
	if len(g.offsets) == 0 {
		return nil
	}
	out := make([]CommittedOffset, 0, len(g.offsets))
	for _, tp := range slices.SortedFunc(maps.Keys(g.offsets), TopicPartition.Compare) {
		out = append(out, *g.offsets[tp])
	}
	return out
}

// lastCommit returns the latest commit time of the group's offsets.
func (g *group) lastCommit() time.Time {
	var t time.Time
	for _, c := range g.offsets {
		if c.CommitTime.After(t) {
			t = c.CommitTime
		}
	}
	return t
}

// expiry returns when an empty group's offsets expire: OffsetsRetention after
// its last commit or after it became empty, whichever is later. ok is false
// for a group with members or without offsets.
func (s *Shard) expiry(g *group) (time.Time, bool) {
	if len(g.members) > 0 || len(g.offsets) == 0 {
		return time.Time{}, false
	}
	base := g.lastCommit()
	if g.emptySince.After(base) {
		base = g.emptySince
	}
	return base.Add(s.cfg.OffsetsRetention), true
}

// partitionExists reports whether tp exists in the topics last given.
func (s *Shard) partitionExists(tp TopicPartition) bool {
	t, ok := s.topics[tp.Topic]
	return ok && tp.Partition >= 0 && tp.Partition < t.Partitions
}

// checkOffset validates one offset to store, leaving ownership and
// regression to the caller.
func (s *Shard) checkOffset(groupID string, c CommitOffset) *Error {
	switch {
	case c.Offset < 0:
		return errPartition(ReasonInvalidCommitOffset, groupID, c.TopicPartition, "negative offset %d", c.Offset)
	case len(c.Metadata) > s.cfg.MaxMetadataBytes:
		return errPartition(ReasonOffsetMetadataTooLarge, groupID, c.TopicPartition,
			"metadata of %d bytes exceeds %d", len(c.Metadata), s.cfg.MaxMetadataBytes)
	case !s.partitionExists(c.TopicPartition):
		return errPartition(ReasonUnknownTopicOrPartition, groupID, c.TopicPartition, "unknown topic or partition")
	}
	return nil
}

// store sets one committed offset and writes its record.
func (s *Shard) store(o *op, g *group, c CommitOffset) {
	co := &CommittedOffset{
		TopicPartition: c.TopicPartition,
		Offset:         c.Offset,
		LeaderEpoch:    c.LeaderEpoch,
		Metadata:       c.Metadata,
		CommitTime:     msTime(o.now),
	}
	g.offsets[c.TopicPartition] = co
	o.record(offsetKey(g.id, c.Topic, c.Partition), encodeOffset(co))
}

// Commit stores committed offsets. With a MemberID, the member must exist
// (UNKNOWN_MEMBER_ID), commit at its current epoch (older:
// STALE_MEMBER_EPOCH, newer: FENCED_MEMBER_EPOCH) and own each partition
// (assigned or revoking; else PARTITION_NOT_ASSIGNED for that partition).
// Without one, the group must have no members (NON_EMPTY_GROUP); the group is
// created if needed. Each partition fails on its own with
// INVALID_COMMIT_OFFSET, OFFSET_METADATA_TOO_LARGE,
// UNKNOWN_TOPIC_OR_PARTITION, PARTITION_NOT_ASSIGNED or OFFSET_REGRESSION (an
// offset below the committed one). The []error is aligned with req.Offsets,
// nil for partitions stored; the error fails the whole request.
func (s *Shard) Commit(now time.Time, req CommitRequest) ([]error, Output, error) {
	if err := ValidateGroupID(req.Group); err != nil {
		return nil, Output{}, err
	}
	g := s.groups[req.Group]
	var m *member
	if req.MemberID != "" {
		var err error
		if g, m, err = s.lookup(req.Group, req.MemberID); err != nil {
			return nil, Output{}, err
		}
		switch {
		case req.MemberEpoch < m.epoch:
			return nil, Output{}, errMember(ReasonStaleMemberEpoch, g.id, m.id,
				"commit at epoch %d, older than the member's epoch %d", req.MemberEpoch, m.epoch)
		case req.MemberEpoch > m.epoch:
			return nil, Output{}, errMember(ReasonFencedMemberEpoch, g.id, m.id,
				"commit at epoch %d, newer than the member's epoch %d", req.MemberEpoch, m.epoch)
		}
	} else if g != nil && len(g.members) > 0 {
		return nil, Output{}, errGroup(ReasonNonEmptyGroup, g.id,
			"group has %d members: only members may commit", len(g.members))
	}

	o := &op{now: now}
	errs := make([]error, len(req.Offsets))
	for i, c := range req.Offsets {
		if err := s.checkOffset(req.Group, c); err != nil {
			errs[i] = err
			continue
		}
		if m != nil && !m.owns(c.TopicPartition) {
			errs[i] = errPartition(ReasonPartitionNotAssigned, req.Group, c.TopicPartition,
				"not assigned to member %q", m.id)
			continue
		}
		if g != nil {
			if prev := g.offsets[c.TopicPartition]; prev != nil && c.Offset < prev.Offset {
				errs[i] = errPartition(ReasonOffsetRegression, req.Group, c.TopicPartition,
					"offset %d is below the committed offset %d", c.Offset, prev.Offset)
				continue
			}
		}
		if g == nil {
			g = s.createEmpty(now, req.Group)
		}
		s.store(o, g, c)
	}
	if g != nil {
		s.flush(o, g)
	}
	return errs, o.out, nil
}

// createEmpty creates a group without members (for commits from outside).
func (s *Shard) createEmpty(now time.Time, groupID string) *group {
	g := newGroup(groupID)
	g.emptySince = msTime(now)
	s.groups[groupID] = g
	return g
}

// FetchOffsets returns the group's committed offsets: for tps nil, every one,
// sorted; else one per element of tps, in its order, with Offset and
// LeaderEpoch -1 for partitions without a committed offset.
func (s *Shard) FetchOffsets(groupID string, tps []TopicPartition) []CommittedOffset {
	g := s.groups[groupID]
	if tps == nil {
		if g == nil {
			return nil
		}
		return g.sortedOffsets()
	}
	out := make([]CommittedOffset, len(tps))
	for i, tp := range tps {
		var c *CommittedOffset
		if g != nil {
			c = g.offsets[tp]
		}
		if c == nil {
			out[i] = CommittedOffset{TopicPartition: tp, Offset: -1, LeaderEpoch: -1}
		} else {
			out[i] = *c
		}
	}
	return out
}

// ResetOffsets sets committed offsets, backwards too, creating the group if
// needed. Unless force is set, the group must have no members
// (NON_EMPTY_GROUP); members are not told. Every offset is checked first
// (INVALID_COMMIT_OFFSET, OFFSET_METADATA_TOO_LARGE,
// UNKNOWN_TOPIC_OR_PARTITION, each naming its partition): either all are
// stored or none.
func (s *Shard) ResetOffsets(now time.Time, groupID string, offsets []CommitOffset, force bool) (Output, error) {
	if err := ValidateGroupID(groupID); err != nil {
		return Output{}, err
	}
	g := s.groups[groupID]
	if g != nil && len(g.members) > 0 && !force {
		return Output{}, errGroup(ReasonNonEmptyGroup, groupID,
			"group has %d members: reset offsets with force or after they leave", len(g.members))
	}
	for _, c := range offsets {
		if err := s.checkOffset(groupID, c); err != nil {
			return Output{}, err
		}
	}
	if len(offsets) == 0 {
		return Output{}, nil
	}
	o := &op{now: now}
	if g == nil {
		g = s.createEmpty(now, groupID)
	}
	for _, c := range offsets {
		s.store(o, g, c)
	}
	s.flush(o, g)
	return o.out, nil
}

// Delete deletes a group without members and every record of it
// (tombstones): GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP.
func (s *Shard) Delete(now time.Time, groupID string) (Output, error) {
	if err := ValidateGroupID(groupID); err != nil {
		return Output{}, err
	}
	g := s.groups[groupID]
	if g == nil {
		return Output{}, errGroupNotFound(groupID)
	}
	if len(g.members) > 0 {
		return Output{}, errGroup(ReasonNonEmptyGroup, groupID, "cannot delete a group with %d members; stop them or wait for their sessions to expire", len(g.members))
	}
	o := &op{now: now}
	s.dropOffsets(o, g, func(TopicPartition) bool { return true })
	s.flush(o, g)
	return o.out, nil
}

// dropOffsets deletes the offsets for which drop is true, in order, writing
// tombstones.
func (s *Shard) dropOffsets(o *op, g *group, drop func(TopicPartition) bool) {
	for _, tp := range slices.SortedFunc(maps.Keys(g.offsets), TopicPartition.Compare) {
		if drop(tp) {
			delete(g.offsets, tp)
			o.record(offsetKey(g.id, tp.Topic, tp.Partition), nil)
		}
	}
}
