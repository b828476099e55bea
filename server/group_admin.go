package server

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/metadata"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/group"
)

// This file holds the group administration the coordinator does beyond
// the group core: creating __consumer_offsets, describing a group with its
// lag, resetting offsets to positions asked of the partitions' leaders, and
// listing the groups of every broker.

// offsetsTopicMeta returns __consumer_offsets, creating it first when it
// does not exist: on the controller leader directly, otherwise by asking
// the controller leader's broker (a forwarded FindCoordinator creates it
// there), then waiting until this broker's image has it.
func (c *coordinator) offsetsTopicMeta(ctx context.Context, groupID string) (*cluster.TopicMeta, error) {
	if t, ok := c.b.ctl.image().Topic(offsetsTopic); ok {
		return t, nil
	}
	if !c.b.caughtUp(c.b.ctl.image()) {
		return nil, errorf(ReasonCoordinatorNotAvailable, "broker %d is still catching up on cluster metadata", c.b.id)
	}
	if err := c.createOffsetsTopic(ctx, groupID); err != nil {
		return nil, err
	}
	img, err := c.b.ctl.waitImage(ctx, func(img *cluster.Image) bool { _, ok := img.Topic(offsetsTopic); return ok })
	if err != nil {
		return nil, errorf(ReasonCoordinatorNotAvailable, "%s was created but broker %d has not seen it yet", offsetsTopic, c.b.id)
	}
	t, _ := img.Topic(offsetsTopic)
	return t, nil
}

// offsetsTopicSpec is how __consumer_offsets is created: compacted, and
// replicated on min(3, live brokers) unless configured.
func (c *coordinator) offsetsTopicSpec(img *cluster.Image) topicSpec {
	rf := c.rf
	if rf <= 0 {
		live := int32(0)
		for _, br := range img.Brokers() {
			if img.Alive(br.ID) {
				live++
			}
		}
		rf = max(min(3, live), 1)
	}
	return topicSpec{Name: offsetsTopic, Partitions: c.partitions, ReplicationFactor: rf, Internal: true, Configs: map[string]string{
		cfgCleanupPolicy:     "compact",
		cfgMinInsyncReplicas: strconv.Itoa(int(min(2, rf))),
	}}
}

func (c *coordinator) createOffsetsTopic(ctx context.Context, groupID string) error {
	c.createMu.Lock()
	defer c.createMu.Unlock()
	img := c.b.ctl.image()
	if _, ok := img.Topic(offsetsTopic); ok {
		return nil
	}
	unavailable := func(format string, args ...any) error {
		return errorf(ReasonCoordinatorNotAvailable, "cannot create %s yet: %s", offsetsTopic, fmt.Sprintf(format, args...))
	}
	if c.b.ctl.ctrl.IsLeader() {
		spec := c.offsetsTopicSpec(img)
		_, err := c.b.createTopic(ctx, spec, false)
		if err == nil || asError(err).Reason == ReasonTopicAlreadyExists {
			if err == nil {
				c.b.logger.Info("created the consumer offsets topic", "partitions", spec.Partitions, "replication_factor", spec.ReplicationFactor)
			}
			return nil
		}
		// The spec is ours, so any failure is the cluster's state (an
		// election, too few live brokers): the caller retries.
		return unavailable("%s", asError(err).Message)
	}
	if forwarded(ctx) {
		return unavailable("broker %d is not the controller leader any more", c.b.id)
	}
	cc, err := c.b.ctl.leaderConn()
	if err != nil {
		return unavailable("%s", asError(err).Message)
	}
	fctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, forwardHeader, "1"), forwardTimeout)
	defer cancel()
	_, err = fjordv1.NewGroupServiceClient(cc).FindCoordinator(fctx, &fjordv1.FindCoordinatorRequest{GroupId: groupID})
	if err == nil || !answeredByBroker(err) {
		if err != nil {
			return unavailable("the controller leader did not answer: %v", err)
		}
		return nil
	}
	switch e := asError(fromStatus(err)); e.Reason {
	case ReasonCoordinatorNotAvailable, ReasonCoordinatorLoadInProgress, ReasonNotCoordinator:
		// The topic may exist now, its partitions not led yet.
		return nil
	default:
		return unavailable("%s", e.Message)
	}
}

// groupStateProto maps the core's state to the API enum.
func groupStateProto(s group.GroupState) fjordv1.GroupState {
	switch s {
	case group.StateEmpty:
		return fjordv1.GroupState_GROUP_STATE_EMPTY
	case group.StateAssigning:
		return fjordv1.GroupState_GROUP_STATE_ASSIGNING
	case group.StateReconciling:
		return fjordv1.GroupState_GROUP_STATE_RECONCILING
	case group.StateStable:
		return fjordv1.GroupState_GROUP_STATE_STABLE
	case group.StateDead:
		return fjordv1.GroupState_GROUP_STATE_DEAD
	}
	return fjordv1.GroupState_GROUP_STATE_UNSPECIFIED
}

// offsetQuery asks a partition's leader for an offset.
type offsetQuery struct {
	tp   group.TopicPartition
	spec fjordv1.OffsetSpec
	ts   int64 // for OFFSET_SPEC_TIMESTAMP
}

// offsetAnswer is an offsetQuery's answer.
type offsetAnswer struct {
	offset int64
	err    *fjordv1.Error
}

// queryOffsets resolves offset specs on the partitions' leaders: from the
// local log when this broker leads, otherwise with one ListOffsets call per
// leader broker, in parallel.
func (b *broker) queryOffsets(ctx context.Context, qs []offsetQuery) []offsetAnswer {
	out := make([]offsetAnswer, len(qs))
	img := b.ctl.image()
	byLeader := map[int32][]int{}
	for i, q := range qs {
		out[i].offset = -1
		tp := topicPartition{q.tp.Topic, q.tp.Partition}
		pm, ok := img.Partition(q.tp.Topic, q.tp.Partition)
		switch {
		case !ok:
			out[i].err = toProto(errorf(ReasonUnknownTopicOrPartition, "partition %s does not exist", tp).withPartition(tp.topic, tp.partition))
		case pm.Leader == b.id:
			p, err := b.leaderFor(tp)
			if err == nil {
				out[i].offset, _, err = resolveOffset(p, q.spec, 0, q.ts)
			}
			out[i].err = toProto(err)
		case pm.Leader < 0:
			out[i].err = toProto(b.notLeader(tp, pm.Leader, pm.LeaderEpoch))
		default:
			byLeader[pm.Leader] = append(byLeader[pm.Leader], i)
		}
	}
	type answer struct {
		idx  []int
		resp *fjordv1.ListOffsetsResponse
		err  error
	}
	answers := make(chan answer, len(byLeader))
	for leader, idx := range byLeader {
		go func() {
			req := &fjordv1.ListOffsetsRequest{}
			for _, i := range idx {
				q := qs[i]
				req.Topics = append(req.Topics, &fjordv1.ListOffsetsTopic{Topic: q.tp.Topic,
					Partitions: []*fjordv1.ListOffsetsPartition{{Partition: q.tp.Partition, Spec: q.spec, TimestampMs: q.ts}}})
			}
			a := answer{idx: idx}
			bm, ok := img.Broker(leader)
			if !ok {
				a.err = errorf(ReasonBrokerNotAvailable, "broker %d is not registered", leader)
				answers <- a
				return
			}
			cc, err := b.ctl.peers.conn(leader, bm.Address)
			if err == nil {
				cctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, forwardHeader, "1"), 5*time.Second)
				a.resp, err = fjordv1.NewFetchServiceClient(cc).ListOffsets(cctx, req)
				cancel()
			}
			if err != nil {
				a.err = errorf(ReasonBrokerNotAvailable, "leader broker %d did not answer: %v", leader, err).with("broker_id", strconv.Itoa(int(leader)))
			}
			answers <- a
		}()
	}
	for range byLeader {
		a := <-answers
		for k, i := range a.idx {
			if a.err != nil {
				out[i].err = toProto(a.err)
				continue
			}
			if k >= len(a.resp.GetTopics()) || len(a.resp.GetTopics()[k].GetPartitions()) == 0 {
				out[i].err = toProto(errorf(ReasonInternal, "the leader's ListOffsets answer lacks %s-%d", qs[i].tp.Topic, qs[i].tp.Partition))
				continue
			}
			pr := a.resp.GetTopics()[k].GetPartitions()[0]
			out[i].offset, out[i].err = pr.GetOffset(), pr.GetError()
		}
	}
	return out
}

// partitionBounds returns each partition's log start offset and high
// watermark as its leader reports them.
func (b *broker) partitionBounds(ctx context.Context, tps []group.TopicPartition) (starts, hws []offsetAnswer) {
	qs := make([]offsetQuery, 0, 2*len(tps))
	for _, tp := range tps {
		qs = append(qs, offsetQuery{tp: tp, spec: fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST}, offsetQuery{tp: tp, spec: fjordv1.OffsetSpec_OFFSET_SPEC_LATEST})
	}
	as := b.queryOffsets(ctx, qs)
	for i := range tps {
		starts, hws = append(starts, as[2*i]), append(hws, as[2*i+1])
	}
	return starts, hws
}

// describeGroup describes a group and, for every partition with a committed
// offset or an owner, its high watermark and lag.
func (b *broker) describeGroup(ctx context.Context, sh *coordShard, groupID string) (*fjordv1.DescribeGroupResponse, error) {
	var d group.GroupDescription
	err := sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
		var err error
		d, err = s.Describe(groupID)
		return group.Output{}, err
	})
	if err != nil {
		return nil, err
	}
	resp := &fjordv1.DescribeGroupResponse{GroupId: groupID, State: groupStateProto(d.State), GroupEpoch: d.Epoch, Assignor: d.Assignor, CoordinatorId: b.id}
	owner := map[group.TopicPartition]string{}
	for _, m := range d.Members {
		resp.Members = append(resp.Members, &fjordv1.GroupMember{MemberId: m.MemberID, InstanceId: m.InstanceID, ClientId: m.ClientID,
			ClientHost: m.ClientHost, Rack: m.Rack, MemberEpoch: m.MemberEpoch, Subscription: subscriptionProto(m.Subscription),
			Assigned: topicPartitionsProto(m.Assigned), Pending: topicPartitionsProto(m.Pending), Revoking: topicPartitionsProto(m.Revoking),
			Connected: m.Connected})
		for _, tp := range m.Revoking {
			owner[tp] = m.MemberID
		}
		for _, tp := range m.Assigned {
			owner[tp] = m.MemberID
		}
	}
	committed := map[group.TopicPartition]group.CommittedOffset{}
	for _, o := range d.Offsets {
		committed[o.TopicPartition] = o
	}
	var tps []group.TopicPartition
	for tp := range owner {
		tps = append(tps, tp)
	}
	for tp := range committed {
		if _, ok := owner[tp]; !ok {
			tps = append(tps, tp)
		}
	}
	slices.SortFunc(tps, group.TopicPartition.Compare)
	starts, hws := b.partitionBounds(ctx, tps)
	for i, tp := range tps {
		gp := &fjordv1.GroupPartition{Topic: tp.Topic, Partition: tp.Partition, CommittedOffset: -1, LogEndOffset: -1, Lag: -1, MemberId: owner[tp]}
		from := starts[i].offset
		if starts[i].err != nil {
			from = -1
		}
		if o, ok := committed[tp]; ok && o.Offset >= 0 {
			gp.CommittedOffset, gp.Metadata = o.Offset, o.Metadata
			from = o.Offset
		}
		if hws[i].err == nil && hws[i].offset >= 0 {
			gp.LogEndOffset = hws[i].offset
			if from >= 0 {
				gp.Lag = max(gp.LogEndOffset-from, 0)
			}
		}
		resp.Partitions = append(resp.Partitions, gp)
	}
	return resp, nil
}

// resetOffsets computes the new committed offsets from the partitions'
// leaders and, unless dry_run, stores them.
func (b *broker) resetOffsets(ctx context.Context, sh *coordShard, req *fjordv1.ResetOffsetsRequest) (*fjordv1.ResetOffsetsResponse, error) {
	groupID := req.GetGroupId()
	if req.GetTo() == nil {
		return nil, errorf(ReasonInvalidRequest, "reset offsets needs a target: earliest, latest, offset, timestamp_ms or shift_by")
	}
	for _, t := range req.GetTopics() {
		if _, ok := b.ctl.image().Topic(t.GetTopic()); !ok && len(t.GetPartitions()) == 0 {
			return nil, errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", t.GetTopic()).with("topic", t.GetTopic())
		}
	}
	// The partitions: as asked, or every partition of the topics the group
	// has offsets for; and their committed offsets.
	var tps []group.TopicPartition
	var prev []group.CommittedOffset
	var members int
	err := sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
		if len(req.GetTopics()) > 0 {
			tps = b.requestedPartitions(req.GetTopics())
		} else {
			img := b.ctl.image()
			seen := map[string]bool{}
			for _, o := range s.FetchOffsets(groupID, nil) {
				if seen[o.Topic] || o.Offset < 0 {
					continue
				}
				seen[o.Topic] = true
				if t, ok := img.Topic(o.Topic); ok {
					for i := range t.Partitions {
						tps = append(tps, group.TopicPartition{Topic: o.Topic, Partition: int32(i)})
					}
				}
			}
		}
		if len(tps) > 0 {
			prev = s.FetchOffsets(groupID, tps)
		}
		if d, err := s.Describe(groupID); err == nil {
			members = len(d.Members)
		}
		return group.Output{}, nil
	})
	if err != nil {
		return nil, err
	}
	if members > 0 && !req.GetForce() {
		return nil, errorf(ReasonNonEmptyGroup, "group %q has %d members; stop them or reset with force", groupID, members).with("group_id", groupID)
	}
	prevOf := map[group.TopicPartition]int64{}
	for _, o := range prev {
		prevOf[o.TopicPartition] = o.Offset
	}
	starts, hws := b.partitionBounds(ctx, tps)
	var byTime []offsetAnswer
	if ts, ok := req.GetTo().(*fjordv1.ResetOffsetsRequest_TimestampMs); ok {
		qs := make([]offsetQuery, len(tps))
		for i, tp := range tps {
			qs[i] = offsetQuery{tp: tp, spec: fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP, ts: ts.TimestampMs}
		}
		byTime = b.queryOffsets(ctx, qs)
	}
	type result struct {
		tp  group.TopicPartition
		res *fjordv1.ResetOffsetsPartitionResult
	}
	results := make([]result, len(tps))
	var offsets []group.CommitOffset
	for i, tp := range tps {
		pr := &fjordv1.ResetOffsetsPartitionResult{Partition: tp.Partition, PreviousOffset: -1, Offset: -1}
		results[i] = result{tp, pr}
		if o, ok := prevOf[tp]; ok {
			pr.PreviousOffset = o
		}
		if e := cmpError(starts[i].err, hws[i].err); e != nil {
			pr.Error = e
			continue
		}
		start, hw := starts[i].offset, hws[i].offset
		clamp := func(o int64) int64 { return min(max(o, start), hw) }
		switch to := req.GetTo().(type) {
		case *fjordv1.ResetOffsetsRequest_Earliest:
			pr.Offset = start
		case *fjordv1.ResetOffsetsRequest_Latest:
			pr.Offset = hw
		case *fjordv1.ResetOffsetsRequest_Offset:
			pr.Offset = clamp(to.Offset)
		case *fjordv1.ResetOffsetsRequest_TimestampMs:
			if byTime[i].err != nil {
				pr.Error = byTime[i].err
				continue
			}
			pr.Offset = clamp(byTime[i].offset)
		case *fjordv1.ResetOffsetsRequest_ShiftBy:
			base := hw
			if pr.PreviousOffset >= 0 {
				base = pr.PreviousOffset
			}
			// base >= 0, so only a forward shift can overflow; it ends at hw.
			if to.ShiftBy > math.MaxInt64-base {
				pr.Offset = hw
			} else {
				pr.Offset = clamp(base + to.ShiftBy)
			}
		}
		offsets = append(offsets, group.CommitOffset{TopicPartition: tp, Offset: pr.Offset, LeaderEpoch: -1})
	}
	if !req.GetDryRun() && len(offsets) > 0 {
		err := sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
			return s.ResetOffsets(now, groupID, offsets, req.GetForce())
		})
		if err != nil {
			return nil, err
		}
	}
	resp := &fjordv1.ResetOffsetsResponse{}
	for _, r := range results {
		if n := len(resp.Topics); n == 0 || resp.Topics[n-1].Topic != r.tp.Topic {
			resp.Topics = append(resp.Topics, &fjordv1.ResetOffsetsTopicResult{Topic: r.tp.Topic})
		}
		last := resp.Topics[len(resp.Topics)-1]
		last.Partitions = append(last.Partitions, r.res)
	}
	return resp, nil
}

// cmpError returns the first non-nil error.
func cmpError(errs ...*fjordv1.Error) *fjordv1.Error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// localGroups lists the groups of this broker's loaded shards; shards
// still loading are reported as errors.
func (b *broker) localGroups(ctx context.Context, states []fjordv1.GroupState) ([]*fjordv1.GroupListing, []*fjordv1.Error) {
	loaded, loading := b.coord.loadedShards()
	var out []*fjordv1.GroupListing
	var errs []*fjordv1.Error
	for _, part := range loading {
		errs = append(errs, toProto(errorf(ReasonCoordinatorLoadInProgress, "broker %d is loading the groups of %s-%d", b.id, offsetsTopic, part).
			with("coordinator_id", strconv.Itoa(int(b.id)), "partition", strconv.Itoa(int(part)))))
	}
	for _, sh := range loaded {
		var ls []group.GroupListing
		err := sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
			ls = s.List()
			return group.Output{}, nil
		})
		if err != nil {
			errs = append(errs, toProto(asError(err).with("coordinator_id", strconv.Itoa(int(b.id)), "partition", strconv.Itoa(int(sh.part)))))
			continue
		}
		for _, l := range ls {
			st := groupStateProto(l.State)
			if len(states) > 0 && !slices.Contains(states, st) {
				continue
			}
			out = append(out, &fjordv1.GroupListing{GroupId: l.Group, State: st, Members: int32(l.Members), CoordinatorId: b.id})
		}
	}
	return out, errs
}

// listGroups lists this broker's groups and, with all, every other live
// broker's (asked in parallel); brokers that do not answer are listed in
// the errors.
func (b *broker) listGroups(ctx context.Context, req *fjordv1.ListGroupsRequest, all bool) (*fjordv1.ListGroupsResponse, error) {
	groups, errs := b.localGroups(ctx, req.GetStates())
	if all {
		img := b.ctl.image()
		type answer struct {
			id   int32
			resp *fjordv1.ListGroupsResponse
			err  error
		}
		var asked []cluster.Broker
		for _, br := range img.Brokers() {
			if br.ID != b.id && img.Alive(br.ID) {
				asked = append(asked, br)
			}
		}
		answers := make(chan answer, len(asked))
		for _, br := range asked {
			go func() {
				a := answer{id: br.ID}
				cc, err := b.ctl.peers.conn(br.ID, br.Address)
				if err == nil {
					cctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, forwardHeader, "1"), 10*time.Second)
					a.resp, err = fjordv1.NewGroupServiceClient(cc).ListGroups(cctx, req)
					cancel()
				}
				a.err = err
				answers <- a
			}()
		}
		for range asked {
			a := <-answers
			if a.err != nil {
				msg := a.err.Error()
				if answeredByBroker(a.err) {
					msg = asError(fromStatus(a.err)).Message
				}
				errs = append(errs, toProto(errorf(ReasonBrokerNotAvailable, "broker %d did not list its groups: %s", a.id, strings.TrimPrefix(msg, "server: ")).
					with("broker_id", strconv.Itoa(int(a.id)))))
				continue
			}
			groups = append(groups, a.resp.GetGroups()...)
			errs = append(errs, a.resp.GetErrors()...)
		}
	}
	slices.SortFunc(groups, func(x, y *fjordv1.GroupListing) int { return strings.Compare(x.GetGroupId(), y.GetGroupId()) })
	return &fjordv1.ListGroupsResponse{Groups: groups, Errors: errs}, nil
}
