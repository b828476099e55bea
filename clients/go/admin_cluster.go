package fjord

import (
	"context"
	"slices"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// Reasons of the cluster administration calls (ElectPreferredLeaders,
// AlterPartitionReassignments).
const (
	ReasonPreferredLeaderNotAvailable = "PREFERRED_LEADER_NOT_AVAILABLE"
	ReasonInvalidReplicaAssignment    = "INVALID_REPLICA_ASSIGNMENT"
	ReasonNoReassignmentInProgress    = "NO_REASSIGNMENT_IN_PROGRESS"
	ReasonUnsafeReassignment          = "UNSAFE_REASSIGNMENT"
)

// Sentinels for errors.Is on the results of the cluster administration
// calls.
var (
	// ErrPreferredLeaderNotAvailable: the preferred replica is not alive or
	// not in the ISR, so it cannot be elected; retry once it has caught up.
	ErrPreferredLeaderNotAvailable = &Error{Reason: ReasonPreferredLeaderNotAvailable}
	// ErrInvalidReplicaAssignment: a target replica list is empty, names a
	// broker twice or names an unregistered broker.
	ErrInvalidReplicaAssignment = &Error{Reason: ReasonInvalidReplicaAssignment}
	// ErrNoReassignmentInProgress: a cancellation named a partition that is
	// not being reassigned.
	ErrNoReassignmentInProgress = &Error{Reason: ReasonNoReassignmentInProgress}
	// ErrUnsafeReassignment: replacing or cancelling a reassignment would
	// drop every in-sync replica, or the leader with no live in-sync
	// replica to take over. Nothing changed; retry once the remaining
	// replicas have caught up.
	ErrUnsafeReassignment = &Error{Reason: ReasonUnsafeReassignment}
)

// TopicPartitions names partitions of one topic. No Partitions means every
// partition of the topic.
type TopicPartitions struct {
	Topic      string
	Partitions []int32
}

// ElectionResult is the outcome of one partition's preferred-leader
// election.
type ElectionResult struct {
	Topic string
	// Partition is -1 when Err is about the whole topic (it does not exist).
	Partition int32
	// Leader is the leader after the election (the current one when Err is
	// set), or -1 when the partition has none.
	Leader int32
	// LeaderEpoch is the leader epoch after the election.
	LeaderEpoch int32
	// Err is nil when the preferred replica leads, now or already. It is
	// ErrPreferredLeaderNotAvailable when the preferred replica is not
	// alive or not in the ISR, ErrUnknownTopicOrPartition for a partition
	// that does not exist.
	Err error
}

// ElectPreferredLeaders moves the leadership of partitions to their
// preferred replica (the first of their replicas) where it is alive and in
// the ISR. With no topics it elects every partition whose leader is not its
// preferred replica, and returns only those. Each partition succeeds or
// fails on its own: the error is for the call as a whole, the results
// carry per-partition failures. Electing a partition twice is harmless, so
// the call is retried like any other.
func (a *Admin) ElectPreferredLeaders(ctx context.Context, topics ...TopicPartitions) ([]ElectionResult, error) {
	req := &fjordv1.ElectLeadersRequest{ElectionType: fjordv1.ElectionType_ELECTION_TYPE_PREFERRED}
	for _, tp := range topics {
		req.Topics = append(req.Topics, &fjordv1.ElectLeadersTopic{Topic: tp.Topic, Partitions: tp.Partitions})
	}
	var resp *fjordv1.ElectLeadersResponse
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		var err error
		resp, err = ac.ElectLeaders(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []ElectionResult
	for _, tr := range resp.GetTopics() {
		if e := errorFromProto(tr.GetError(), tr.GetTopic(), -1); e != nil {
			out = append(out, ElectionResult{Topic: tr.GetTopic(), Partition: -1, Leader: -1, Err: e})
			continue
		}
		for _, pr := range tr.GetPartitions() {
			r := ElectionResult{Topic: tr.GetTopic(), Partition: pr.GetPartition(), Leader: pr.GetLeaderId(), LeaderEpoch: pr.GetLeaderEpoch()}
			if e := errorFromProto(pr.GetError(), tr.GetTopic(), pr.GetPartition()); e != nil {
				r.Err = e
			}
			out = append(out, r)
		}
	}
	for _, tp := range topics {
		a.c.markStale(tp.Topic)
	}
	return out, nil
}

// Reassignment asks to move one partition to the replica list Replicas
// (preferred leader first; distinct registered broker ids), or, with
// Cancel set and no Replicas, to cancel the partition's ongoing
// reassignment and restore its original replicas.
//
// A reassignment adds the target replicas that are new, waits until every
// target replica is in the ISR, then removes the replicas outside the
// target, whose brokers delete their copy. A new target replaces an
// ongoing reassignment.
type Reassignment struct {
	Topic     string
	Partition int32
	Replicas  []int32
	Cancel    bool
}

// ReassignmentResult is the outcome of one Reassignment.
type ReassignmentResult struct {
	Topic     string
	Partition int32
	// Replicas is the partition's replica list after the change: while
	// the reassignment is ongoing, the target followed by the replicas
	// being removed.
	Replicas []int32
	// Ongoing is the reassignment in progress after the change, or nil
	// when none is (it was cancelled, completed at once because the target
	// was already in sync, or only reordered the replicas).
	Ongoing *fjordv1.OngoingPartitionReassignment
	// Err is nil when the change was made. ErrInvalidReplicaAssignment,
	// ErrUnknownTopicOrPartition, ErrNoReassignmentInProgress,
	// ErrUnsafeReassignment or ErrInvalidRequest (Replicas and Cancel
	// both set) mean nothing changed.
	Err error
}

// AlterPartitionReassignments starts, replaces or cancels partition
// reassignments and returns one result per Reassignment, in order. Each
// partition succeeds or fails on its own: the error is for the call as a
// whole. A partition may appear once per call.
//
// The call is retried on retriable failures like any other. Repeating a
// target is a no-op, but a cancellation whose first attempt took effect
// before the failure reports ErrNoReassignmentInProgress on the retry.
func (a *Admin) AlterPartitionReassignments(ctx context.Context, rs ...Reassignment) ([]ReassignmentResult, error) {
	req := &fjordv1.AlterPartitionReassignmentsRequest{}
	topicIdx := make(map[string]int)
	for _, r := range rs {
		i, ok := topicIdx[r.Topic]
		if !ok {
			i = len(req.Topics)
			topicIdx[r.Topic] = i
			req.Topics = append(req.Topics, &fjordv1.AlterPartitionReassignmentsTopic{Topic: r.Topic})
		}
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, &fjordv1.AlterPartitionReassignmentsPartition{
			Partition: r.Partition, Replicas: r.Replicas, Cancel: r.Cancel})
	}
	var resp *fjordv1.AlterPartitionReassignmentsResponse
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		var err error
		resp, err = ac.AlterPartitionReassignments(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Results come back grouped by topic in request order; hand them out
	// in the caller's order.
	next := make(map[string][]*fjordv1.AlterPartitionReassignmentsPartitionResult, len(resp.GetTopics()))
	for _, tr := range resp.GetTopics() {
		next[tr.GetTopic()] = tr.GetPartitions()
	}
	out := make([]ReassignmentResult, len(rs))
	for i, r := range rs {
		out[i] = ReassignmentResult{Topic: r.Topic, Partition: r.Partition}
		prs := next[r.Topic]
		if len(prs) == 0 || prs[0].GetPartition() != r.Partition {
			out[i].Err = &Error{Reason: ReasonInternal, Message: "partition missing from response", Topic: r.Topic, Partition: r.Partition}
			continue
		}
		pr := prs[0]
		next[r.Topic] = prs[1:]
		out[i].Replicas, out[i].Ongoing = pr.GetReplicas(), pr.GetReassignment()
		if e := errorFromProto(pr.GetError(), r.Topic, r.Partition); e != nil {
			out[i].Err = e
		}
	}
	for t := range topicIdx {
		a.c.markStale(t)
	}
	return out, nil
}

// ListPartitionReassignments returns the ongoing reassignments of the
// given topics' partitions (of every topic when none are given), by topic
// name; a topic with no ongoing reassignment is absent. A named topic or
// partition that does not exist fails the call with
// ErrUnknownTopicOrPartition.
func (a *Admin) ListPartitionReassignments(ctx context.Context, topics ...TopicPartitions) (map[string][]*fjordv1.OngoingPartitionReassignment, error) {
	req := &fjordv1.ListPartitionReassignmentsRequest{}
	for _, tp := range topics {
		req.Topics = append(req.Topics, &fjordv1.ListPartitionReassignmentsTopic{Topic: tp.Topic, Partitions: slices.Clone(tp.Partitions)})
	}
	var resp *fjordv1.ListPartitionReassignmentsResponse
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		var err error
		resp, err = ac.ListPartitionReassignments(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*fjordv1.OngoingPartitionReassignment, len(resp.GetTopics()))
	for _, tr := range resp.GetTopics() {
		if e := errorFromProto(tr.GetError(), tr.GetTopic(), -1); e != nil {
			return nil, e
		}
		out[tr.GetTopic()] = tr.GetPartitions()
	}
	return out, nil
}
