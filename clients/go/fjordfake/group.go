package fjordfake

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// The fake's consumer groups: broker 0 coordinates every group (the others
// answer Membership with NOT_COORDINATOR and forward nothing: the unary
// calls are served by whichever broker gets them, from the shared state).
// Assignment is sticky and balanced over the subscribed members,
// recomputed whenever membership changes, and moved cooperatively as the
// broker does: a partition goes to its new owner only once its previous
// owner acknowledged an assignment without it; while revoking, a member
// keeps its epoch. There are no session timeouts (see FenceMember) and no
// static membership.

// groups is the fake's group coordinator state.
type groups struct {
	mu     sync.Mutex // guards every field below; taken after Cluster.mu, never before
	groups map[string]*fakeGroup
}

type fakeGroup struct {
	id       string
	epoch    int32
	assignor string
	members  map[string]*fakeMember
	target   map[string][]tpKey // by member, from the last rebalance
	offsets  map[tpKey]*fjordv1.CommittedOffset
}

type fakeMember struct {
	id       string
	rack     string
	topics   []string
	pattern  *regexp.Regexp
	epoch    int32
	owned    map[tpKey]bool // acknowledged, sent, or being revoked
	sent     []tpKey        // the last assignment sent
	sentOnce bool
	stream   *memberStream // nil while disconnected
}

// memberStream is one open Membership stream.
type memberStream struct {
	notify  chan struct{} // cap 1
	pending *fjordv1.MembershipResponse
	end     error // set once: the stream ends with it (nil: OK)
	ended   bool
}

func (s *memberStream) push(r *fjordv1.MembershipResponse) {
	s.pending = r
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *memberStream) finish(err error) {
	if s.ended {
		return
	}
	s.ended, s.end = true, err
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// groupError is an RPC failure with the broker's reason details.
func groupError(reason, format string, args ...any) error {
	code := codes.FailedPrecondition
	retriable := false
	switch reason {
	case "INVALID_GROUP_ID", "INVALID_REQUEST":
		code = codes.InvalidArgument
	case "GROUP_ID_NOT_FOUND", "UNKNOWN_TOPIC_OR_PARTITION":
		code = codes.NotFound
	case "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS":
		code, retriable = codes.Unavailable, true
	case "NOT_COORDINATOR", "UNRELEASED_INSTANCE_ID", "STALE_MEMBER_EPOCH":
		retriable = true // as the broker says, although retrying the same commit cannot help
	}
	st := status.New(code, "fjordfake: "+fmt.Sprintf(format, args...))
	var err error
	if retriable {
		st, err = st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: "fjord"}, &errdetails.RetryInfo{RetryDelay: durationpb.New(time.Millisecond)})
	} else {
		st, err = st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: "fjord"})
	}
	if err != nil {
		panic(err)
	}
	return st.Err()
}

type groupServer struct {
	fjordv1.UnimplementedGroupServiceServer
	c  *Cluster
	id int32
}

func tpsFromWire(in []*fjordv1.TopicPartitions) []tpKey {
	var out []tpKey
	for _, t := range in {
		for _, p := range t.GetPartitions() {
			out = append(out, tpKey{t.GetTopic(), p})
		}
	}
	sortKeys(out)
	return out
}

func tpsToWire(in []tpKey) []*fjordv1.TopicPartitions {
	var out []*fjordv1.TopicPartitions
	for _, tp := range in {
		if n := len(out); n == 0 || out[n-1].GetTopic() != tp.topic {
			out = append(out, &fjordv1.TopicPartitions{Topic: tp.topic})
		}
		out[len(out)-1].Partitions = append(out[len(out)-1].Partitions, tp.partition)
	}
	return out
}

func sortKeys(tps []tpKey) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].topic != tps[j].topic {
			return tps[i].topic < tps[j].topic
		}
		return tps[i].partition < tps[j].partition
	})
}

// FindCoordinator implements fjordv1.GroupServiceServer: broker 0.
func (s *groupServer) FindCoordinator(_ context.Context, req *fjordv1.FindCoordinatorRequest) (*fjordv1.FindCoordinatorResponse, error) {
	if req.GetGroupId() == "" {
		return nil, groupError("INVALID_GROUP_ID", "empty group id")
	}
	return &fjordv1.FindCoordinatorResponse{GroupId: req.GetGroupId(), Coordinator: &fjordv1.Broker{Id: 0, Address: s.c.brokers[0].addr}}, nil
}

// subscribes reports whether m consumes topic.
func (m *fakeMember) subscribes(topic string) bool {
	if m.pattern != nil {
		return m.pattern.MatchString(topic) && (!strings.HasPrefix(topic, "__") || strings.HasPrefix(m.pattern.String(), "^(?:__"))
	}
	return slices.Contains(m.topics, topic)
}

// rebalanceLocked bumps the group epoch and computes a new target,
// stickily: each member keeps up to ceil(partitions/members) of its
// previous target, and the rest go to the least loaded subscribers.
func (c *Cluster) rebalanceLocked(g *fakeGroup) {
	g.epoch++
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	names := make([]string, 0, len(c.topics))
	for n := range c.topics {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []tpKey
	for _, n := range names {
		for _, id := range ids {
			if g.members[id].subscribes(n) {
				for p := range c.topics[n].parts {
					parts = append(parts, tpKey{n, int32(p)})
				}
				break
			}
		}
	}
	prev := g.target
	g.target = map[string][]tpKey{}
	if len(ids) == 0 {
		return
	}
	limit := (len(parts) + len(ids) - 1) / len(ids)
	exists := map[tpKey]bool{}
	for _, tp := range parts {
		exists[tp] = true
	}
	taken := map[tpKey]bool{}
	for _, id := range ids {
		for _, tp := range prev[id] {
			if exists[tp] && !taken[tp] && g.members[id].subscribes(tp.topic) && len(g.target[id]) < limit {
				g.target[id] = append(g.target[id], tp)
				taken[tp] = true
			}
		}
	}
	for _, tp := range parts {
		if taken[tp] {
			continue
		}
		best := ""
		for _, id := range ids {
			if g.members[id].subscribes(tp.topic) && (best == "" || len(g.target[id]) < len(g.target[best])) {
				best = id
			}
		}
		g.target[best] = append(g.target[best], tp)
	}
	for _, id := range ids {
		sortKeys(g.target[id])
	}
}

// reconcileLocked moves every member towards the target and pushes the
// changed states; force names a member to push to in any case.
func (c *Cluster) reconcileLocked(g *fakeGroup, force string) {
	owner := map[tpKey]string{}
	for id, m := range g.members {
		for tp := range m.owned {
			owner[tp] = id
		}
	}
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m := g.members[id]
		want := map[tpKey]bool{}
		for _, tp := range g.target[id] {
			want[tp] = true
		}
		var assigned []tpKey
		revoking := false
		for tp := range m.owned {
			if want[tp] {
				assigned = append(assigned, tp)
			} else {
				revoking = true
			}
		}
		for _, tp := range g.target[id] {
			if _, taken := owner[tp]; !taken {
				assigned = append(assigned, tp)
				owner[tp] = id
			}
		}
		sortKeys(assigned)
		epoch := m.epoch
		if !revoking {
			epoch = g.epoch
		}
		if epoch == m.epoch && slices.Equal(assigned, m.sent) && m.sentOnce && id != force {
			continue
		}
		m.epoch, m.sent, m.sentOnce = epoch, assigned, true
		for _, tp := range assigned {
			m.owned[tp] = true
		}
		if m.stream != nil {
			m.stream.push(&fjordv1.MembershipResponse{
				MemberId: id, MemberEpoch: epoch, HeartbeatIntervalMs: 1000, SessionTimeoutMs: 45000,
				Assigned: tpsToWire(assigned), Assignor: g.assignor, GroupEpoch: g.epoch,
			})
		}
	}
}

// Membership implements fjordv1.GroupServiceServer.
func (s *groupServer) Membership(ss fjordv1.GroupService_MembershipServer) error {
	if s.id != 0 {
		return groupError("NOT_COORDINATOR", "broker %d does not coordinate groups", s.id)
	}
	first, err := ss.Recv()
	if err != nil {
		return err
	}
	join := first.GetJoin()
	if join == nil {
		return groupError("INVALID_REQUEST", "first message must be a join")
	}
	c := s.c
	st := &memberStream{notify: make(chan struct{}, 1)}
	g, m, err := c.join(join, st)
	if err != nil {
		return err
	}
	memberID := m.id
	defer c.disconnect(g.id, memberID, st)

	recvd := make(chan *fjordv1.MembershipRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req, err := ss.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case recvd <- req:
			case <-ss.Context().Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ss.Context().Done():
			return status.FromContextError(ss.Context().Err()).Err()
		case <-recvErr:
			return nil // the client went away: not a leave
		case <-st.notify:
			c.groups.mu.Lock()
			resp, ended, end := st.pending, st.ended, st.end
			st.pending = nil
			c.groups.mu.Unlock()
			if resp != nil {
				if err := ss.Send(resp); err != nil {
					return err
				}
			}
			if ended {
				return end
			}
		case req := <-recvd:
			if err := c.memberRequest(g.id, memberID, st, req); err != nil {
				return err
			}
			if req.GetHeartbeat() != nil {
				// As the broker does: the member tells a live coordinator
				// from a frozen one by these answers.
				if err := ss.Send(&fjordv1.MembershipResponse{MemberId: memberID, HeartbeatAck: true}); err != nil {
					return err
				}
			}
		}
	}
}

// join admits a member (new with epoch 0, resuming otherwise) and attaches
// its stream.
func (c *Cluster) join(j *fjordv1.JoinGroup, st *memberStream) (*fakeGroup, *fakeMember, error) {
	if j.GetGroupId() == "" {
		return nil, nil, groupError("INVALID_GROUP_ID", "empty group id")
	}
	if j.GetMemberId() == "" {
		return nil, nil, groupError("INVALID_REQUEST", "empty member id")
	}
	sub := j.GetSubscription()
	re, err := subscriptionPattern(sub)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[j.GetGroupId()]
	if g == nil {
		g = &fakeGroup{id: j.GetGroupId(), members: map[string]*fakeMember{}, offsets: map[tpKey]*fjordv1.CommittedOffset{}, target: map[string][]tpKey{}}
		c.groups.groups[g.id] = g
	}
	if a := j.GetAssignor(); a != "" && len(g.members) > 0 && g.assignor != "" && a != g.assignor {
		return nil, nil, groupError("INCONSISTENT_GROUP_PROTOCOL", "group uses assignor %q", g.assignor)
	}
	m := g.members[j.GetMemberId()]
	if j.GetMemberEpoch() > 0 {
		if m == nil {
			return nil, nil, groupError("UNKNOWN_MEMBER_ID", "member %s unknown", j.GetMemberId())
		}
		for _, tp := range tpsFromWire(j.GetOwned()) {
			if !m.owned[tp] {
				return nil, nil, groupError("FENCED_MEMBER_EPOCH", "member %s does not own %s/%d", m.id, tp.topic, tp.partition)
			}
		}
		if j.GetMemberEpoch() > m.epoch {
			return nil, nil, groupError("FENCED_MEMBER_EPOCH", "epoch %d ahead of %d", j.GetMemberEpoch(), m.epoch)
		}
		if m.stream != nil {
			m.stream.finish(groupError("FENCED_MEMBER_EPOCH", "member resumed on another stream"))
		}
		m.stream = st
		c.reconcileLocked(g, m.id)
		return g, m, nil
	}
	if m != nil && m.stream != nil {
		m.stream.finish(groupError("FENCED_MEMBER_EPOCH", "member rejoined"))
	}
	if len(g.members) == 0 && j.GetAssignor() != "" {
		g.assignor = j.GetAssignor()
	}
	if g.assignor == "" {
		g.assignor = "range"
	}
	m = &fakeMember{id: j.GetMemberId(), rack: j.GetRack(), topics: sub.GetTopics(), pattern: re, owned: map[tpKey]bool{}, stream: st}
	g.members[m.id] = m
	c.rebalanceLocked(g)
	c.reconcileLocked(g, m.id)
	return g, m, nil
}

// subscriptionPattern checks a subscription and compiles its pattern (nil
// for topic names).
func subscriptionPattern(sub *fjordv1.Subscription) (*regexp.Regexp, error) {
	if (len(sub.GetTopics()) == 0) == (sub.GetPattern() == "") {
		return nil, groupError("INVALID_REQUEST", "subscribe to topics or a pattern")
	}
	if sub.GetPattern() == "" {
		return nil, nil
	}
	re, err := regexp.Compile("^(?:" + sub.GetPattern() + ")$")
	if err != nil {
		return nil, groupError("INVALID_REQUEST", "bad pattern: %v", err)
	}
	return re, nil
}

// disconnect detaches a stream that ended; the member stays.
func (c *Cluster) disconnect(group, member string, st *memberStream) {
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	if g := c.groups.groups[group]; g != nil {
		if m := g.members[member]; m != nil && m.stream == st {
			m.stream = nil
		}
	}
}

// memberRequest handles a heartbeat, ack, subscribe or leave.
func (c *Cluster) memberRequest(group, member string, st *memberStream, req *fjordv1.MembershipRequest) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[group]
	var m *fakeMember
	if g != nil {
		m = g.members[member]
	}
	if m == nil || m.stream != st {
		return groupError("UNKNOWN_MEMBER_ID", "member %s unknown", member)
	}
	switch k := req.GetKind().(type) {
	case *fjordv1.MembershipRequest_Heartbeat:
	case *fjordv1.MembershipRequest_Ack:
		owned := tpsFromWire(k.Ack.GetOwned())
		if k.Ack.GetMemberEpoch() != m.epoch || !slices.Equal(owned, m.sent) {
			return nil // stale
		}
		m.owned = map[tpKey]bool{}
		for _, tp := range owned {
			m.owned[tp] = true
		}
		c.reconcileLocked(g, "")
	case *fjordv1.MembershipRequest_Subscribe:
		re, err := subscriptionPattern(k.Subscribe)
		if err != nil {
			return err
		}
		m.topics, m.pattern = k.Subscribe.GetTopics(), re
		c.rebalanceLocked(g)
		c.reconcileLocked(g, "")
	case *fjordv1.MembershipRequest_Leave:
		delete(g.members, member)
		st.finish(nil)
		c.rebalanceLocked(g)
		c.reconcileLocked(g, "")
	default:
		return groupError("INVALID_REQUEST", "unexpected message")
	}
	return nil
}

// FenceMember removes a member as an expired session would: its stream ends
// with UNKNOWN_MEMBER_ID, its partitions move to the others. It reports
// whether the member existed.
func (c *Cluster) FenceMember(group, member string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[group]
	if g == nil || g.members[member] == nil {
		return false
	}
	if st := g.members[member].stream; st != nil {
		st.finish(groupError("UNKNOWN_MEMBER_ID", "member %s expired", member))
	}
	delete(g.members, member)
	c.rebalanceLocked(g)
	c.reconcileLocked(g, "")
	return true
}

// BreakMembership ends every open Membership stream with UNAVAILABLE, as a
// dropped connection would; the members stay and may resume.
func (c *Cluster) BreakMembership() {
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	for _, g := range c.groups.groups {
		for _, m := range g.members {
			if m.stream != nil {
				m.stream.finish(status.Error(codes.Unavailable, "fjordfake: connection dropped"))
				m.stream = nil
			}
		}
	}
}

// GroupMembers returns the ids of a group's members, sorted.
func (c *Cluster) GroupMembers(group string) []string {
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	var out []string
	if g := c.groups.groups[group]; g != nil {
		for id := range g.members {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// CommitOffsets implements fjordv1.GroupServiceServer.
func (s *groupServer) CommitOffsets(_ context.Context, req *fjordv1.CommitOffsetsRequest) (*fjordv1.CommitOffsetsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[req.GetGroupId()]
	var m *fakeMember
	if req.GetMemberId() != "" {
		if g != nil {
			m = g.members[req.GetMemberId()]
		}
		switch {
		case m == nil:
			return nil, groupError("UNKNOWN_MEMBER_ID", "member %s unknown", req.GetMemberId())
		case req.GetMemberEpoch() < m.epoch:
			return nil, groupError("STALE_MEMBER_EPOCH", "epoch %d older than %d", req.GetMemberEpoch(), m.epoch)
		case req.GetMemberEpoch() > m.epoch:
			return nil, groupError("FENCED_MEMBER_EPOCH", "epoch %d ahead of %d", req.GetMemberEpoch(), m.epoch)
		}
	} else {
		if g != nil && len(g.members) > 0 {
			return nil, groupError("NON_EMPTY_GROUP", "group %s has members", g.id)
		}
		if g == nil {
			g = &fakeGroup{id: req.GetGroupId(), members: map[string]*fakeMember{}, offsets: map[tpKey]*fjordv1.CommittedOffset{}, target: map[string][]tpKey{}}
			c.groups.groups[g.id] = g
		}
	}
	resp := &fjordv1.CommitOffsetsResponse{}
	for _, t := range req.GetTopics() {
		tr := &fjordv1.CommitOffsetsTopicResult{Topic: t.GetTopic()}
		for _, p := range t.GetPartitions() {
			k := tpKey{t.GetTopic(), p.GetPartition()}
			r := &fjordv1.CommitOffsetsPartitionResult{Partition: p.GetPartition()}
			tp, ok := c.topics[k.topic]
			switch {
			case !ok || k.partition < 0 || int(k.partition) >= len(tp.parts):
				r.Error = perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown partition %s/%d", k.topic, k.partition)
			case m != nil && !m.owned[k]:
				r.Error = perr("PARTITION_NOT_ASSIGNED", "member %s does not own %s/%d", m.id, k.topic, k.partition)
			case p.GetOffset() < 0:
				r.Error = perr("INVALID_COMMIT_OFFSET", "negative offset")
			case g.offsets[k] != nil && p.GetOffset() < g.offsets[k].GetOffset():
				r.Error = perr("OFFSET_REGRESSION", "offset %d below committed %d", p.GetOffset(), g.offsets[k].GetOffset())
			default:
				g.offsets[k] = &fjordv1.CommittedOffset{Partition: k.partition, Offset: p.GetOffset(), LeaderEpoch: p.GetLeaderEpoch(), Metadata: p.GetMetadata(), CommitTimeMs: nowMillis()}
			}
			tr.Partitions = append(tr.Partitions, r)
		}
		resp.Topics = append(resp.Topics, tr)
	}
	return resp, nil
}

// FetchOffsets implements fjordv1.GroupServiceServer.
func (s *groupServer) FetchOffsets(_ context.Context, req *fjordv1.FetchOffsetsRequest) (*fjordv1.FetchOffsetsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[req.GetGroupId()]
	resp := &fjordv1.FetchOffsetsResponse{GroupId: req.GetGroupId()}
	want := tpsFromWire(req.GetTopics())
	if len(req.GetTopics()) == 0 && g != nil {
		for k := range g.offsets {
			want = append(want, k)
		}
		sortKeys(want)
	}
	for _, t := range req.GetTopics() {
		if tp, ok := c.topics[t.GetTopic()]; ok && len(t.GetPartitions()) == 0 {
			for p := range tp.parts {
				want = append(want, tpKey{t.GetTopic(), int32(p)})
			}
		}
	}
	sortKeys(want)
	var out []*fjordv1.CommittedOffsetsTopic
	for _, k := range want {
		co := &fjordv1.CommittedOffset{Partition: k.partition, Offset: -1, LeaderEpoch: -1}
		if g != nil && g.offsets[k] != nil {
			co = g.offsets[k]
		}
		if n := len(out); n == 0 || out[n-1].GetTopic() != k.topic {
			out = append(out, &fjordv1.CommittedOffsetsTopic{Topic: k.topic})
		}
		out[len(out)-1].Partitions = append(out[len(out)-1].Partitions, co)
	}
	resp.Topics = out
	return resp, nil
}

// DescribeGroup implements fjordv1.GroupServiceServer (without lag).
func (s *groupServer) DescribeGroup(_ context.Context, req *fjordv1.DescribeGroupRequest) (*fjordv1.DescribeGroupResponse, error) {
	c := s.c
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[req.GetGroupId()]
	if g == nil {
		return nil, groupError("GROUP_ID_NOT_FOUND", "group %s not found", req.GetGroupId())
	}
	resp := &fjordv1.DescribeGroupResponse{GroupId: g.id, State: g.state(), GroupEpoch: g.epoch, Assignor: g.assignor}
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m := g.members[id]
		pattern := ""
		if m.pattern != nil {
			pattern = strings.TrimSuffix(strings.TrimPrefix(m.pattern.String(), "^(?:"), ")$")
		}
		resp.Members = append(resp.Members, &fjordv1.GroupMember{MemberId: id, MemberEpoch: m.epoch, Assigned: tpsToWire(m.sent), Connected: m.stream != nil,
			Rack: m.rack, Subscription: &fjordv1.Subscription{Topics: m.topics, Pattern: pattern}})
	}
	return resp, nil
}

func (g *fakeGroup) state() fjordv1.GroupState {
	if len(g.members) == 0 {
		return fjordv1.GroupState_GROUP_STATE_EMPTY
	}
	for _, m := range g.members {
		if m.epoch != g.epoch {
			return fjordv1.GroupState_GROUP_STATE_RECONCILING
		}
	}
	return fjordv1.GroupState_GROUP_STATE_STABLE
}

// ListGroups implements fjordv1.GroupServiceServer.
func (s *groupServer) ListGroups(_ context.Context, req *fjordv1.ListGroupsRequest) (*fjordv1.ListGroupsResponse, error) {
	c := s.c
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	resp := &fjordv1.ListGroupsResponse{}
	for _, g := range c.groups.groups {
		if st := g.state(); len(req.GetStates()) == 0 || slices.Contains(req.GetStates(), st) {
			resp.Groups = append(resp.Groups, &fjordv1.GroupListing{GroupId: g.id, State: st, Members: int32(len(g.members))})
		}
	}
	sort.Slice(resp.Groups, func(i, j int) bool { return resp.Groups[i].GetGroupId() < resp.Groups[j].GetGroupId() })
	return resp, nil
}

// DeleteGroup implements fjordv1.GroupServiceServer.
func (s *groupServer) DeleteGroup(_ context.Context, req *fjordv1.DeleteGroupRequest) (*fjordv1.DeleteGroupResponse, error) {
	c := s.c
	c.groups.mu.Lock()
	defer c.groups.mu.Unlock()
	g := c.groups.groups[req.GetGroupId()]
	switch {
	case g == nil:
		return nil, groupError("GROUP_ID_NOT_FOUND", "group %s not found", req.GetGroupId())
	case len(g.members) > 0:
		return nil, groupError("NON_EMPTY_GROUP", "group %s has members", g.id)
	}
	delete(c.groups.groups, g.id)
	return &fjordv1.DeleteGroupResponse{}, nil
}
