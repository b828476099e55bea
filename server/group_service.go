package server

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/group"
)

// groupService implements fjord.v1.GroupService. Membership streams must be
// opened on the group's coordinator; unary calls reaching another broker
// are forwarded to the coordinator once (the fjord-forwarded header stops
// loops).
type groupService struct {
	fjordv1.UnimplementedGroupServiceServer
	b    *broker
	opts *Options
}

var _ fjordv1.GroupServiceServer = (*groupService)(nil)

// forwardTimeout bounds a unary group call forwarded to the coordinator.
const forwardTimeout = 30 * time.Second

// route returns the local loaded shard coordinating groupID, creating
// __consumer_offsets first if needed. A group coordinated elsewhere is
// NOT_COORDINATOR naming the coordinator.
func (c *coordinator) route(ctx context.Context, groupID string) (*coordShard, error) {
	if err := group.ValidateGroupID(groupID); err != nil {
		return nil, err
	}
	t, err := c.offsetsTopicMeta(ctx, groupID)
	if err != nil {
		return nil, err
	}
	part := group.Partition(groupID, int32(len(t.Partitions)))
	if s := c.shard(part); s != nil {
		if !s.loaded.Load() {
			return nil, errorf(ReasonCoordinatorLoadInProgress, "broker %d is loading the groups of %s-%d", c.b.id, offsetsTopic, part).
				with("group_id", groupID, "coordinator_id", strconv.Itoa(int(c.b.id)))
		}
		return s, nil
	}
	pm := t.Partitions[part]
	switch {
	case pm.Leader < 0:
		return nil, errorf(ReasonCoordinatorNotAvailable, "%s-%d, which holds group %q, has no leader", offsetsTopic, part, groupID).with("group_id", groupID)
	case pm.Leader == c.b.id:
		return nil, errorf(ReasonCoordinatorLoadInProgress, "broker %d is becoming the coordinator of group %q", c.b.id, groupID).
			with("group_id", groupID, "coordinator_id", strconv.Itoa(int(c.b.id)))
	}
	return nil, c.b.errNotCoordinatorFor(groupID, part, pm)
}

// answeredByBroker reports whether err is a Fjord broker's own answer
// (with ErrorInfo) rather than a transport failure.
func answeredByBroker(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
			return true
		}
	}
	return false
}

// forwardGroup sends a unary call to the coordinator named by a
// NOT_COORDINATOR routing error; any other error, or a call that was
// already forwarded, is returned as it is. A forward that gets no answer is
// COORDINATOR_NOT_AVAILABLE (retriable), indefinite for writes.
func forwardGroup[Resp any](g *groupService, ctx context.Context, routeErr error, write bool,
	call func(fjordv1.GroupServiceClient, context.Context) (Resp, error)) (Resp, error) {
	var zero Resp
	e := asError(routeErr)
	addr := e.Metadata["coordinator_address"]
	if e.Reason != ReasonNotCoordinator || forwarded(ctx) || addr == "" {
		return zero, toStatus(routeErr)
	}
	id, _ := strconv.Atoi(e.Metadata["coordinator_id"])
	cc, err := g.b.ctl.peers.conn(int32(id), addr)
	if err != nil {
		return zero, toStatus(errorf(ReasonCoordinatorNotAvailable, "cannot reach coordinator broker %d at %s: %v", id, addr, err))
	}
	fctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, forwardHeader, "1"), forwardTimeout)
	defer cancel()
	resp, err := call(fjordv1.NewGroupServiceClient(cc), fctx)
	if err == nil {
		return resp, nil
	}
	if answeredByBroker(err) {
		return zero, err
	}
	fe := errorf(ReasonCoordinatorNotAvailable, "coordinator broker %d at %s did not answer: %s", id, addr, status.Convert(err).Message()).
		with("coordinator_id", strconv.Itoa(id))
	if write {
		fe.Indefinite = true
		fe.Message += " (the change may or may not have been applied)"
	}
	return zero, toStatus(fe)
}

func (g *groupService) FindCoordinator(ctx context.Context, req *fjordv1.FindCoordinatorRequest) (*fjordv1.FindCoordinatorResponse, error) {
	id := req.GetGroupId()
	if err := group.ValidateGroupID(id); err != nil {
		return nil, toStatus(err)
	}
	t, err := g.b.coord.offsetsTopicMeta(ctx, id)
	if err != nil {
		return nil, toStatus(err)
	}
	part := group.Partition(id, int32(len(t.Partitions)))
	pm := t.Partitions[part]
	bm, ok := g.b.ctl.image().Broker(pm.Leader)
	if pm.Leader < 0 || !ok {
		return nil, toStatus(errorf(ReasonCoordinatorNotAvailable, "%s-%d, which holds group %q, has no leader", offsetsTopic, part, id).with("group_id", id))
	}
	return &fjordv1.FindCoordinatorResponse{GroupId: id, Partition: part,
		Coordinator: &fjordv1.Broker{Id: bm.ID, Address: bm.Address, Rack: bm.Rack}}, nil
}

// clientHost is the host part of the caller's address.
func clientHost(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	addr := p.Addr.String()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func joinRequestOf(j *fjordv1.JoinGroup, host string) group.JoinRequest {
	return group.JoinRequest{
		Group: j.GetGroupId(), MemberID: j.GetMemberId(), InstanceID: j.GetInstanceId(), Rack: j.GetRack(),
		ClientID: j.GetClientId(), ClientHost: host,
		Subscription:     subscriptionOf(j.GetSubscription()),
		Assignor:         j.GetAssignor(),
		RebalanceTimeout: time.Duration(j.GetRebalanceTimeoutMs()) * time.Millisecond,
		SessionTimeout:   time.Duration(j.GetSessionTimeoutMs()) * time.Millisecond,
		MemberEpoch:      j.GetMemberEpoch(),
		Owned:            topicPartitionsOf(j.GetOwned()),
	}
}

func subscriptionOf(s *fjordv1.Subscription) group.Subscription {
	return group.Subscription{Topics: s.GetTopics(), Pattern: s.GetPattern()}
}

func subscriptionProto(s group.Subscription) *fjordv1.Subscription {
	return &fjordv1.Subscription{Topics: s.Topics, Pattern: s.Pattern}
}

// topicPartitionsOf flattens the API's per-topic lists.
func topicPartitionsOf(tps []*fjordv1.TopicPartitions) []group.TopicPartition {
	var out []group.TopicPartition
	for _, t := range tps {
		for _, p := range t.GetPartitions() {
			out = append(out, group.TopicPartition{Topic: t.GetTopic(), Partition: p})
		}
	}
	return out
}

// topicPartitionsProto groups partitions by topic, topics by name and
// partitions ascending.
func topicPartitionsProto(tps []group.TopicPartition) []*fjordv1.TopicPartitions {
	sorted := slices.SortedFunc(slices.Values(tps), group.TopicPartition.Compare)
	var out []*fjordv1.TopicPartitions
	for _, tp := range sorted {
		if n := len(out); n == 0 || out[n-1].Topic != tp.Topic {
			out = append(out, &fjordv1.TopicPartitions{Topic: tp.Topic})
		}
		last := out[len(out)-1]
		last.Partitions = append(last.Partitions, tp.Partition)
	}
	return out
}

func memberStateProto(st *group.MemberState) *fjordv1.MembershipResponse {
	return &fjordv1.MembershipResponse{
		MemberId: st.MemberID, MemberEpoch: st.MemberEpoch, GroupEpoch: st.GroupEpoch,
		HeartbeatIntervalMs: int32(st.HeartbeatInterval / time.Millisecond),
		SessionTimeoutMs:    int32(st.SessionTimeout / time.Millisecond),
		Assigned:            topicPartitionsProto(st.Assigned),
		Pending:             topicPartitionsProto(st.Pending),
		Assignor:            st.Assignor,
	}
}

// Membership runs one member's session on the coordinator: the join binds
// the stream to the member (a newer stream for the same member ends this
// one), later messages become shard operations, and the shard's effects
// come back as responses or as the stream's end.
func (g *groupService) Membership(stream grpc.BidiStreamingServer[fjordv1.MembershipRequest, fjordv1.MembershipResponse]) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	j := first.GetJoin()
	if j == nil {
		return toStatus(errorf(ReasonInvalidRequest, "the first Membership message must be a join"))
	}
	sh, err := g.b.coord.route(ctx, j.GetGroupId())
	if err != nil {
		return toStatus(err)
	}
	key := memberKey{j.GetGroupId(), j.GetMemberId()}
	ms := newMemberStream(key)
	req := joinRequestOf(j, clientHost(ctx))
	err = sh.submit(ctx, func(now time.Time) shardStep {
		out, err := sh.shard.Join(now, req)
		if err != nil {
			return shardStep{out: out, done: func(cerr error) { ms.finish(cmp.Or(cerr, err)) }}
		}
		return shardStep{out: out, bind: ms, done: func(cerr error) {
			if cerr != nil {
				ms.finish(cerr)
			}
		}}
	})
	if err != nil {
		return toStatus(err)
	}
	defer func() {
		// A broken stream is not a leave: the member keeps its partitions
		// until its session expires. Only the member's current stream
		// counts (not one superseded or left).
		_ = sh.enqueue(context.Background(), func(now time.Time) shardStep {
			if sh.streams[key] == ms {
				delete(sh.streams, key)
				sh.shard.Disconnected(now, key.group, key.member)
			}
			return shardStep{}
		})
	}()

	// hbAck is signalled from the shard goroutine when it took a
	// heartbeat: the answer tells the member the coordinator is alive (a
	// frozen coordinator keeps its connections open, so only silence
	// shows it).
	hbAck := make(chan struct{}, 1)
	msgs := make(chan *fjordv1.MembershipRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			m, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ms.wake:
			st, ended, endErr := ms.take()
			if ended {
				return toStatus(endErr)
			}
			if st != nil {
				if err := stream.Send(memberStateProto(st)); err != nil {
					return err
				}
			}
		case <-hbAck:
			if err := stream.Send(&fjordv1.MembershipResponse{MemberId: key.member, HeartbeatAck: true}); err != nil {
				return err
			}
		case m := <-msgs:
			ev, err := g.memberEvent(sh, ms, hbAck, m)
			if err == nil {
				err = sh.enqueue(ctx, ev)
			}
			if err != nil {
				return toStatus(err)
			}
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		case <-sh.done:
			return toStatus(sh.stopErr())
		case <-g.b.quit:
			return toStatus(errorf(ReasonNotCoordinator, "broker %d is shutting down; find the new coordinator", g.b.id))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// memberEvent turns a message after the join into a shard operation. An
// operation that fails ends the stream with its error.
func (g *groupService) memberEvent(sh *coordShard, ms *memberStream, hbAck chan<- struct{}, m *fjordv1.MembershipRequest) (shardEvent, error) {
	key := ms.key
	endOnError := func(out group.Output, err error) shardStep {
		return shardStep{out: out, done: func(cerr error) {
			if cerr = cmp.Or(cerr, err); cerr != nil {
				ms.finish(cerr)
			}
		}}
	}
	switch k := m.GetKind().(type) {
	case *fjordv1.MembershipRequest_Heartbeat:
		return func(now time.Time) shardStep {
			out, err := sh.shard.Heartbeat(now, key.group, key.member, k.Heartbeat.GetMemberEpoch())
			if err == nil {
				// Answered at once, not behind pending batches: it reports
				// that this coordinator runs, not that writes commit.
				select {
				case hbAck <- struct{}{}:
				default:
				}
			}
			return endOnError(out, err)
		}, nil
	case *fjordv1.MembershipRequest_Ack:
		owned := topicPartitionsOf(k.Ack.GetOwned())
		return func(now time.Time) shardStep {
			return endOnError(sh.shard.Ack(now, key.group, key.member, k.Ack.GetMemberEpoch(), owned))
		}, nil
	case *fjordv1.MembershipRequest_Subscribe:
		sub := subscriptionOf(k.Subscribe)
		return func(now time.Time) shardStep {
			return endOnError(sh.shard.Subscribe(now, key.group, key.member, sub))
		}, nil
	case *fjordv1.MembershipRequest_Leave:
		temporary := k.Leave.GetTemporary()
		return func(now time.Time) shardStep {
			out, err := sh.shard.Leave(now, key.group, key.member, temporary)
			step := shardStep{out: out, done: func(cerr error) { ms.finish(cmp.Or(cerr, err)) }}
			if err == nil {
				step.unbind = ms
			}
			return step
		}, nil
	case *fjordv1.MembershipRequest_Join:
		return nil, errorf(ReasonInvalidRequest, "a Membership stream joins once, with its first message; open a new stream to join again")
	}
	return nil, errorf(ReasonInvalidRequest, "empty Membership message")
}

func (g *groupService) CommitOffsets(ctx context.Context, req *fjordv1.CommitOffsetsRequest) (*fjordv1.CommitOffsetsResponse, error) {
	sh, err := g.b.coord.route(ctx, req.GetGroupId())
	if err != nil {
		return forwardGroup(g, ctx, err, true, func(c fjordv1.GroupServiceClient, ctx context.Context) (*fjordv1.CommitOffsetsResponse, error) {
			return c.CommitOffsets(ctx, req)
		})
	}
	creq := group.CommitRequest{Group: req.GetGroupId(), MemberID: req.GetMemberId(), MemberEpoch: req.GetMemberEpoch()}
	for _, t := range req.GetTopics() {
		for _, p := range t.GetPartitions() {
			creq.Offsets = append(creq.Offsets, group.CommitOffset{
				TopicPartition: group.TopicPartition{Topic: t.GetTopic(), Partition: p.GetPartition()},
				Offset:         p.GetOffset(), LeaderEpoch: p.GetLeaderEpoch(), Metadata: p.GetMetadata()})
		}
	}
	var perr []error
	err = sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
		var out group.Output
		var err error
		perr, out, err = s.Commit(now, creq)
		return out, err
	})
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &fjordv1.CommitOffsetsResponse{}
	i := 0
	for _, t := range req.GetTopics() {
		tr := &fjordv1.CommitOffsetsTopicResult{Topic: t.GetTopic()}
		for _, p := range t.GetPartitions() {
			pr := &fjordv1.CommitOffsetsPartitionResult{Partition: p.GetPartition()}
			if i < len(perr) && perr[i] != nil {
				pr.Error = toProto(perr[i])
			}
			i++
			tr.Partitions = append(tr.Partitions, pr)
		}
		resp.Topics = append(resp.Topics, tr)
	}
	return resp, nil
}

// requestedPartitions expands the API's partition lists: a topic without
// partitions means all of its partitions (none if it does not exist).
func (b *broker) requestedPartitions(topics []*fjordv1.TopicPartitions) []group.TopicPartition {
	img := b.ctl.image()
	var out []group.TopicPartition
	for _, t := range topics {
		if len(t.GetPartitions()) > 0 {
			for _, p := range t.GetPartitions() {
				out = append(out, group.TopicPartition{Topic: t.GetTopic(), Partition: p})
			}
			continue
		}
		if tm, ok := img.Topic(t.GetTopic()); ok {
			for i := range tm.Partitions {
				out = append(out, group.TopicPartition{Topic: t.GetTopic(), Partition: int32(i)})
			}
		}
	}
	return out
}

func (g *groupService) FetchOffsets(ctx context.Context, req *fjordv1.FetchOffsetsRequest) (*fjordv1.FetchOffsetsResponse, error) {
	sh, err := g.b.coord.route(ctx, req.GetGroupId())
	if err != nil {
		return forwardGroup(g, ctx, err, false, func(c fjordv1.GroupServiceClient, ctx context.Context) (*fjordv1.FetchOffsetsResponse, error) {
			return c.FetchOffsets(ctx, req)
		})
	}
	var tps []group.TopicPartition
	if len(req.GetTopics()) > 0 {
		if tps = g.b.requestedPartitions(req.GetTopics()); len(tps) == 0 {
			return &fjordv1.FetchOffsetsResponse{GroupId: req.GetGroupId()}, nil
		}
	}
	var offsets []group.CommittedOffset
	err = sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
		offsets = s.FetchOffsets(req.GetGroupId(), tps)
		return group.Output{}, nil
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &fjordv1.FetchOffsetsResponse{GroupId: req.GetGroupId(), Topics: committedOffsetsProto(offsets)}, nil
}

// committedOffsetsProto groups offsets by topic, in the order given.
func committedOffsetsProto(offsets []group.CommittedOffset) []*fjordv1.CommittedOffsetsTopic {
	var out []*fjordv1.CommittedOffsetsTopic
	for _, o := range offsets {
		if n := len(out); n == 0 || out[n-1].Topic != o.Topic {
			out = append(out, &fjordv1.CommittedOffsetsTopic{Topic: o.Topic})
		}
		co := &fjordv1.CommittedOffset{Partition: o.Partition, Offset: o.Offset, LeaderEpoch: o.LeaderEpoch, Metadata: o.Metadata}
		if !o.CommitTime.IsZero() {
			co.CommitTimeMs = o.CommitTime.UnixMilli()
		}
		last := out[len(out)-1]
		last.Partitions = append(last.Partitions, co)
	}
	return out
}

func (g *groupService) DeleteGroup(ctx context.Context, req *fjordv1.DeleteGroupRequest) (*fjordv1.DeleteGroupResponse, error) {
	sh, err := g.b.coord.route(ctx, req.GetGroupId())
	if err != nil {
		return forwardGroup(g, ctx, err, true, func(c fjordv1.GroupServiceClient, ctx context.Context) (*fjordv1.DeleteGroupResponse, error) {
			return c.DeleteGroup(ctx, req)
		})
	}
	err = sh.do(ctx, func(s *group.Shard, now time.Time) (group.Output, error) {
		return s.Delete(now, req.GetGroupId())
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &fjordv1.DeleteGroupResponse{}, nil
}

func (g *groupService) DescribeGroup(ctx context.Context, req *fjordv1.DescribeGroupRequest) (*fjordv1.DescribeGroupResponse, error) {
	sh, err := g.b.coord.route(ctx, req.GetGroupId())
	if err != nil {
		return forwardGroup(g, ctx, err, false, func(c fjordv1.GroupServiceClient, ctx context.Context) (*fjordv1.DescribeGroupResponse, error) {
			return c.DescribeGroup(ctx, req)
		})
	}
	resp, err := g.b.describeGroup(ctx, sh, req.GetGroupId())
	return resp, toStatus(err)
}

func (g *groupService) ResetOffsets(ctx context.Context, req *fjordv1.ResetOffsetsRequest) (*fjordv1.ResetOffsetsResponse, error) {
	sh, err := g.b.coord.route(ctx, req.GetGroupId())
	if err != nil {
		return forwardGroup(g, ctx, err, !req.GetDryRun(), func(c fjordv1.GroupServiceClient, ctx context.Context) (*fjordv1.ResetOffsetsResponse, error) {
			return c.ResetOffsets(ctx, req)
		})
	}
	resp, err := g.b.resetOffsets(ctx, sh, req)
	return resp, toStatus(err)
}

func (g *groupService) ListGroups(ctx context.Context, req *fjordv1.ListGroupsRequest) (*fjordv1.ListGroupsResponse, error) {
	resp, err := g.b.listGroups(ctx, req, !forwarded(ctx))
	return resp, toStatus(err)
}
