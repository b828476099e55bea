package cluster

import "slices"

// ReassignmentResult is the outcome of one Reassignment. Meta is the
// partition as applied, or as it stands when Err is set (zero for an
// unknown partition).
type ReassignmentResult struct {
	TopicPartition
	Meta PartitionMeta
	Err  error
}

// Reassigning returns the partitions with an ongoing reassignment, by topic
// name and partition.
func (img *Image) Reassigning() []TopicPartition {
	var out []TopicPartition
	for _, t := range img.Topics() {
		for i, p := range t.Partitions {
			if p.Reassigning() {
				out = append(out, TopicPartition{t.Name, int32(i)})
			}
		}
	}
	return out
}

func (img *Image) reassignPartitions(r *ReassignPartitions) (Result, bool, error) {
	if len(r.Partitions) == 0 {
		return Result{}, false, topicErr(ErrInvalidRecord, "", "no partitions to reassign")
	}
	var (
		res     Result
		changed bool
		seen    = make(map[TopicPartition]bool, len(r.Partitions))
	)
	for _, ra := range r.Partitions {
		out := ReassignmentResult{TopicPartition: ra.TopicPartition}
		if seen[ra.TopicPartition] {
			out.Err = partErr(ErrInvalidRecord, ra.Topic, ra.Partition, "partition listed twice")
		} else {
			seen[ra.TopicPartition] = true
			var ch bool
			out.Meta, ch, out.Err = img.reassign(ra)
			changed = changed || ch
		}
		res.Reassignments = append(res.Reassignments, out)
	}
	return res, changed, nil
}

// reassign starts, replaces or cancels one partition's reassignment.
//
// The new state is always computed from the original assignment O (the
// replicas before any ongoing reassignment) and the target T: adding is
// T\O, removing O\T, and Replicas T followed by removing. A new target
// thus replaces an ongoing reassignment, and a cancellation is a
// reassignment back to O. Replicas that leave the partition (adding
// replicas of a replaced or cancelled reassignment) leave the ISR, and
// leadership if they hold it, provided an in-sync replica and a live
// leader remain (else ErrUnsafeReassignment). Nothing to add or remove
// just reorders the replicas; otherwise the reassignment completes in the
// same step when its target is already in sync.
func (img *Image) reassign(ra Reassignment) (PartitionMeta, bool, error) {
	t, ok := img.topics[ra.Topic]
	if !ok {
		return PartitionMeta{}, false, topicErr(ErrUnknownTopic, ra.Topic, "")
	}
	if ra.Partition < 0 || int(ra.Partition) >= len(t.Partitions) {
		return PartitionMeta{}, false, partErr(ErrUnknownPartition, ra.Topic, ra.Partition, "")
	}
	cur := t.Partitions[ra.Partition]
	orig := cur.Original()
	target := ra.Replicas
	if len(target) == 0 {
		if !cur.Reassigning() {
			return cur, false, partErr(ErrNoReassignmentInProgress, ra.Topic, ra.Partition, "")
		}
		target = orig
	} else if problem := img.replicaListProblem(target); problem != "" {
		return cur, false, partErr(ErrInvalidAssignment, ra.Topic, ra.Partition, "target %v %s", target, problem)
	}
	if slices.Equal(target, cur.Target()) {
		return cur, false, nil
	}

	np := cur
	adding, removing := minus(target, orig), minus(orig, target)
	np.Replicas = append(slices.Clone(target), removing...)
	np.AddingReplicas, np.RemovingReplicas, np.OriginalReplicas = nil, nil, nil
	if len(adding) > 0 || len(removing) > 0 {
		np.AddingReplicas, np.RemovingReplicas, np.OriginalReplicas = adding, removing, slices.Clone(orig)
	}
	isr := make([]int32, 0, len(cur.ISR))
	for _, r := range np.Replicas { // replica order
		if slices.Contains(cur.ISR, r) {
			isr = append(isr, r)
		}
	}
	if len(isr) == 0 {
		return cur, false, partErr(ErrUnsafeReassignment, ra.Topic, ra.Partition, "every in-sync replica %v would leave the partition", cur.ISR)
	}
	np.ISR = isr
	if np.Leader != NoLeader && !slices.Contains(np.Replicas, np.Leader) {
		leader := NoLeader
		for _, r := range np.Replicas {
			if slices.Contains(isr, r) && img.Alive(r) {
				leader = r
				break
			}
		}
		if leader == NoLeader {
			return cur, false, partErr(ErrUnsafeReassignment, ra.Topic, ra.Partition, "leader %d would leave the partition and no replica of isr %v is alive", cur.Leader, isr)
		}
		np.Leader = leader
		np.LeaderEpoch++
	}
	img.maybeCompleteReassignment(&np)
	np.PartitionEpoch++
	nt := shallowTopic(t)
	nt.Partitions[ra.Partition] = np
	img.topics[ra.Topic] = nt
	return np, true, nil
}

// maybeCompleteReassignment finishes p's reassignment once every target
// replica is in the ISR: Replicas and ISR become the target, the
// reassignment fields are cleared, and leadership moves to the first live
// target replica if the leader is not one. Without a live target replica
// it waits. The caller bumps the partition epoch.
func (img *Image) maybeCompleteReassignment(p *PartitionMeta) {
	if !p.Reassigning() {
		return
	}
	target := p.Target()
	for _, r := range target {
		if !slices.Contains(p.ISR, r) {
			return
		}
	}
	leader := p.Leader
	if !slices.Contains(target, leader) {
		leader = NoLeader
		for _, r := range target {
			if img.Alive(r) {
				leader = r
				break
			}
		}
		if leader == NoLeader {
			return
		}
	}
	// Every target replica is in the ISR, so ISR ∩ target in replica
	// order is the target itself.
	p.Replicas, p.ISR = slices.Clone(target), slices.Clone(target)
	p.AddingReplicas, p.RemovingReplicas, p.OriginalReplicas = nil, nil, nil
	if leader != p.Leader {
		p.Leader = leader
		p.LeaderEpoch++
	}
}

// minus returns the members of a not in b, in a's order.
func minus(a, b []int32) []int32 {
	var out []int32
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}
