package fjord

import (
	"context"
	"errors"
	"slices"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// Reasons of the consumer group calls (GroupService).
const (
	// ReasonCoordinatorNotAvailable: no broker coordinates the group right
	// now (its __consumer_offsets partition has no leader). Retriable.
	ReasonCoordinatorNotAvailable = "COORDINATOR_NOT_AVAILABLE"
	// ReasonCoordinatorLoadInProgress: the coordinator is still loading the
	// group's state. Retriable.
	ReasonCoordinatorLoadInProgress = "COORDINATOR_LOAD_IN_PROGRESS"
	// ReasonNotCoordinator: the broker does not coordinate the group (a
	// Membership stream was opened elsewhere, or the coordinator moved).
	// Retriable after FindCoordinator.
	ReasonNotCoordinator = "NOT_COORDINATOR"
	// ReasonInvalidGroupID: the group id is empty, too long or has control
	// characters.
	ReasonInvalidGroupID = "INVALID_GROUP_ID"
	// ReasonUnknownMemberID: the member is not in the group (its session
	// expired, or it was removed): it must rejoin as a new member.
	ReasonUnknownMemberID = "UNKNOWN_MEMBER_ID"
	// ReasonFencedMemberEpoch: the member's epoch is ahead of the
	// coordinator's, or it resumed claiming partitions it does not own: it
	// must rejoin as a new member.
	ReasonFencedMemberEpoch = "FENCED_MEMBER_EPOCH"
	// ReasonStaleMemberEpoch: a commit carried an older member epoch;
	// retriable with the current one.
	ReasonStaleMemberEpoch = "STALE_MEMBER_EPOCH"
	// ReasonFencedInstanceID: another member took over this static
	// instance id.
	ReasonFencedInstanceID = "FENCED_INSTANCE_ID"
	// ReasonUnreleasedInstanceID: the static instance id is held by a
	// member with an open stream. Retriable.
	ReasonUnreleasedInstanceID = "UNRELEASED_INSTANCE_ID"
	// ReasonInconsistentGroupProtocol: the member names an assignor other
	// than the group's while the group has members.
	ReasonInconsistentGroupProtocol = "INCONSISTENT_GROUP_PROTOCOL"
	// ReasonUnsupportedAssignor: the broker has no assignor of that name.
	ReasonUnsupportedAssignor = "UNSUPPORTED_ASSIGNOR"
	// ReasonGroupIDNotFound: the group does not exist.
	ReasonGroupIDNotFound = "GROUP_ID_NOT_FOUND"
	// ReasonNonEmptyGroup: the operation (delete, reset, a commit from
	// outside the group) needs a group without members.
	ReasonNonEmptyGroup = "NON_EMPTY_GROUP"
	// ReasonOffsetRegression: a commit below the committed offset (per
	// partition; use ResetOffsets to move an offset backwards).
	ReasonOffsetRegression = "OFFSET_REGRESSION"
	// ReasonPartitionNotAssigned: a member committed a partition it does
	// not own (per partition).
	ReasonPartitionNotAssigned = "PARTITION_NOT_ASSIGNED"
	// ReasonOffsetMetadataTooLarge: commit metadata above the broker's
	// limit (per partition).
	ReasonOffsetMetadataTooLarge = "OFFSET_METADATA_TOO_LARGE"
	// ReasonInvalidCommitOffset: a negative committed offset (per
	// partition).
	ReasonInvalidCommitOffset = "INVALID_COMMIT_OFFSET"
)

// Sentinels for errors.Is on consumer group failures.
var (
	ErrCoordinatorNotAvailable   = &Error{Reason: ReasonCoordinatorNotAvailable}
	ErrCoordinatorLoadInProgress = &Error{Reason: ReasonCoordinatorLoadInProgress}
	ErrNotCoordinator            = &Error{Reason: ReasonNotCoordinator}
	ErrInvalidGroupID            = &Error{Reason: ReasonInvalidGroupID}
	ErrUnknownMemberID           = &Error{Reason: ReasonUnknownMemberID}
	ErrFencedMemberEpoch         = &Error{Reason: ReasonFencedMemberEpoch}
	ErrStaleMemberEpoch          = &Error{Reason: ReasonStaleMemberEpoch}
	ErrFencedInstanceID          = &Error{Reason: ReasonFencedInstanceID}
	ErrUnreleasedInstanceID      = &Error{Reason: ReasonUnreleasedInstanceID}
	ErrInconsistentGroupProtocol = &Error{Reason: ReasonInconsistentGroupProtocol}
	ErrUnsupportedAssignor       = &Error{Reason: ReasonUnsupportedAssignor}
	ErrGroupIDNotFound           = &Error{Reason: ReasonGroupIDNotFound}
	ErrNonEmptyGroup             = &Error{Reason: ReasonNonEmptyGroup}
	ErrOffsetRegression          = &Error{Reason: ReasonOffsetRegression}
	ErrPartitionNotAssigned      = &Error{Reason: ReasonPartitionNotAssigned}
	ErrOffsetMetadataTooLarge    = &Error{Reason: ReasonOffsetMetadataTooLarge}
	ErrInvalidCommitOffset       = &Error{Reason: ReasonInvalidCommitOffset}
)

// coordinatorReasons are the failures that a retry resolves once the
// group's coordinator is known and loaded.
var coordinatorReasons = []string{ReasonCoordinatorNotAvailable, ReasonCoordinatorLoadInProgress, ReasonNotCoordinator}

// coordinatorRetriable marks the coordinator errors retriable whatever
// the broker said: any broker forwards group calls to the coordinator, so
// retrying reaches the new one once it is known and loaded.
func coordinatorRetriable(err error) error {
	var fe *Error
	if errors.As(err, &fe) && slices.Contains(coordinatorReasons, fe.Reason) {
		fe.Retriable = true
	}
	return err
}

// groupCall sends fn to any broker (each forwards group calls to the
// coordinator), retrying retriable failures, coordinator changes included,
// like every other admin call.
func (c *Client) groupCall(ctx context.Context, fn func(ctx context.Context, gc fjordv1.GroupServiceClient) error) error {
	return c.do(ctx, false, 0, func(actx context.Context) error {
		cc, err := c.anyConn()
		if err != nil {
			return err
		}
		if err := fn(actx, fjordv1.NewGroupServiceClient(cc)); err != nil {
			return coordinatorRetriable(errorFromRPC(ctx, err, false))
		}
		return nil
	})
}

// toProtoTPs converts TopicPartitions to their wire form.
func toProtoTPs(tps []TopicPartitions) []*fjordv1.TopicPartitions {
	out := make([]*fjordv1.TopicPartitions, 0, len(tps))
	for _, tp := range tps {
		out = append(out, &fjordv1.TopicPartitions{Topic: tp.Topic, Partitions: slices.Clone(tp.Partitions)})
	}
	return out
}

// FindCoordinator returns the broker coordinating a group and the
// __consumer_offsets partition holding it. The first group call of a
// cluster creates __consumer_offsets.
func (a *Admin) FindCoordinator(ctx context.Context, group string) (*fjordv1.FindCoordinatorResponse, error) {
	return a.c.findCoordinator(ctx, group)
}

func (c *Client) findCoordinator(ctx context.Context, group string) (*fjordv1.FindCoordinatorResponse, error) {
	var out *fjordv1.FindCoordinatorResponse
	err := c.groupCall(ctx, func(ctx context.Context, gc fjordv1.GroupServiceClient) error {
		var err error
		out, err = gc.FindCoordinator(ctx, &fjordv1.FindCoordinatorRequest{GroupId: group})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListGroups lists the groups of the cluster, sorted by id, only those in
// the given states if any are given. When some brokers could not be asked
// their groups are missing: the groups found are returned together with an
// error naming the failures.
func (a *Admin) ListGroups(ctx context.Context, states ...fjordv1.GroupState) ([]*fjordv1.GroupListing, error) {
	var resp *fjordv1.ListGroupsResponse
	err := a.c.groupCall(ctx, func(ctx context.Context, gc fjordv1.GroupServiceClient) error {
		var err error
		resp, err = gc.ListGroups(ctx, &fjordv1.ListGroupsRequest{States: states})
		return err
	})
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, pe := range resp.GetErrors() {
		if e := errorFromProto(pe, "", -1); e != nil {
			errs = append(errs, e)
		}
	}
	return resp.GetGroups(), errors.Join(errs...)
}

// DescribeGroup returns a group's state, epoch, assignor, members with
// their assignments, and for every partition with a committed offset or an
// owner its committed offset, log end offset and lag. A group that does
// not exist fails with ErrGroupIDNotFound.
func (a *Admin) DescribeGroup(ctx context.Context, group string) (*fjordv1.DescribeGroupResponse, error) {
	var out *fjordv1.DescribeGroupResponse
	err := a.c.groupCall(ctx, func(ctx context.Context, gc fjordv1.GroupServiceClient) error {
		var err error
		out, err = gc.DescribeGroup(ctx, &fjordv1.DescribeGroupRequest{GroupId: group})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteGroup deletes a group without members and its committed offsets.
// It fails with ErrGroupIDNotFound or ErrNonEmptyGroup. A retry after a
// lost response may report ErrGroupIDNotFound for a group the first attempt
// deleted.
func (a *Admin) DeleteGroup(ctx context.Context, group string) error {
	return a.c.groupCall(ctx, func(ctx context.Context, gc fjordv1.GroupServiceClient) error {
		_, err := gc.DeleteGroup(ctx, &fjordv1.DeleteGroupRequest{GroupId: group})
		return err
	})
}

// FetchOffsets returns a group's committed offsets for the given
// partitions (a TopicPartitions without Partitions means every partition
// of the topic), or every committed offset of the group when none are
// given. A requested partition without a committed offset has Offset -1.
func (a *Admin) FetchOffsets(ctx context.Context, group string, topics ...TopicPartitions) ([]*fjordv1.CommittedOffsetsTopic, error) {
	return a.c.fetchOffsets(ctx, group, toProtoTPs(topics))
}

func (c *Client) fetchOffsets(ctx context.Context, group string, topics []*fjordv1.TopicPartitions) ([]*fjordv1.CommittedOffsetsTopic, error) {
	var out []*fjordv1.CommittedOffsetsTopic
	err := c.groupCall(ctx, func(ctx context.Context, gc fjordv1.GroupServiceClient) error {
		resp, err := gc.FetchOffsets(ctx, &fjordv1.FetchOffsetsRequest{GroupId: group, Topics: topics})
		out = resp.GetTopics()
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CommitOffsets commits offsets (topic -> partition -> next offset to
// consume) for a group from outside it, which the broker allows only while
// the group has no members (ErrNonEmptyGroup otherwise); it creates the
// group if needed. Offsets never move backwards this way
// (ErrOffsetRegression; see ResetOffsets). Each partition succeeds or
// fails on its own: the error joins one *Error per failed partition, each
// naming its topic and partition.
func (a *Admin) CommitOffsets(ctx context.Context, group string, offsets map[string]map[int32]int64) error {
	req := &fjordv1.CommitOffsetsRequest{GroupId: group}
	topics := make([]string, 0, len(offsets))
	for t := range offsets {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	for _, t := range topics {
		ct := &fjordv1.CommitOffsetsTopic{Topic: t}
		parts := make([]int32, 0, len(offsets[t]))
		for p := range offsets[t] {
			parts = append(parts, p)
		}
		slices.Sort(parts)
		for _, p := range parts {
			ct.Partitions = append(ct.Partitions, &fjordv1.CommitOffsetsPartition{Partition: p, Offset: offsets[t][p], LeaderEpoch: -1})
		}
		req.Topics = append(req.Topics, ct)
	}
	_, err := a.c.commitOffsets(ctx, req)
	return err
}

// commitOffsets sends a commit, retrying failures of the whole request
// that are retriable, and returns the per-partition failures both as a map
// and joined into the error.
func (c *Client) commitOffsets(ctx context.Context, req *fjordv1.CommitOffsetsRequest) (map[topicPartition]*Error, error) {
	var resp *fjordv1.CommitOffsetsResponse
	err := c.groupCall(ctx, func(actx context.Context, gc fjordv1.GroupServiceClient) error {
		var err error
		if resp, err = gc.CommitOffsets(actx, req); err != nil {
			// The same request would be stale again: the member's commit
			// loop retries it with the newer epoch.
			err = errorFromRPC(ctx, err, false)
			var fe *Error
			if errors.As(err, &fe) && fe.Reason == ReasonStaleMemberEpoch {
				fe.Retriable = false
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	failed := map[topicPartition]*Error{}
	var errs []error
	for _, tr := range resp.GetTopics() {
		for _, pr := range tr.GetPartitions() {
			if e := errorFromProto(pr.GetError(), tr.GetTopic(), pr.GetPartition()); e != nil {
				failed[topicPartition{tr.GetTopic(), pr.GetPartition()}] = e
				errs = append(errs, e)
			}
		}
	}
	return failed, errors.Join(errs...)
}

// ResetOffsets sets a group's committed offsets to the position req
// chooses (earliest, latest, an offset, a timestamp, or a shift from the
// committed offset), backwards too; only while the group has no members
// unless req.Force is set (ErrNonEmptyGroup). With req.DryRun it only
// computes them. Each partition succeeds or fails on its own: the response
// holds every result, and the error joins one *Error per failed partition,
// each naming its topic and partition.
func (a *Admin) ResetOffsets(ctx context.Context, req *fjordv1.ResetOffsetsRequest) (*fjordv1.ResetOffsetsResponse, error) {
	var resp *fjordv1.ResetOffsetsResponse
	err := a.c.groupCall(ctx, func(ctx context.Context, gc fjordv1.GroupServiceClient) error {
		var err error
		resp, err = gc.ResetOffsets(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, tr := range resp.GetTopics() {
		for _, pr := range tr.GetPartitions() {
			if e := errorFromProto(pr.GetError(), tr.GetTopic(), pr.GetPartition()); e != nil {
				errs = append(errs, e)
			}
		}
	}
	return resp, errors.Join(errs...)
}
