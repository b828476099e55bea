package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/group"
)

// groupOpts makes group tests fast: few __consumer_offsets partitions and
// short session timeouts allowed.
func groupOpts(o *Options) {
	o.OffsetsTopicPartitions = 3
	o.GroupMinSessionTimeout = 100 * time.Millisecond
	o.GroupHeartbeatInterval = 100 * time.Millisecond
}

func (tb *testBroker) groups() fjordv1.GroupServiceClient {
	return fjordv1.NewGroupServiceClient(tb.conn)
}

// retriable reports whether err is a status whose ErrorInfo reason a client
// retries (the coordinator is loading, moving or being created).
func retriable(err error) bool {
	st, ok := statusReason(err)
	return ok && slices.Contains([]string{string(ReasonCoordinatorLoadInProgress), string(ReasonCoordinatorNotAvailable),
		string(ReasonNotCoordinator), string(ReasonNotController), string(ReasonLeaderNotAvailable)}, st)
}

// statusReason returns a status error's ErrorInfo reason.
func statusReason(err error) (string, bool) {
	st, ok := status.FromError(err)
	if !ok || err == nil {
		return "", false
	}
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei.GetReason(), true
		}
	}
	return "", false
}

// retry calls fn until it succeeds or fails with a non-retriable error.
func retry[T any](t *testing.T, what string, fn func() (T, error)) (T, error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := fn()
		if err == nil || !retriable(err) {
			return v, err
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after 30s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// coordinatorOf finds a group's coordinator through tb.
func (tb *testBroker) coordinatorOf(t *testing.T, groupID string) *fjordv1.FindCoordinatorResponse {
	t.Helper()
	resp, err := retry(t, "FindCoordinator", func() (*fjordv1.FindCoordinatorResponse, error) {
		return tb.groups().FindCoordinator(ctx(t), &fjordv1.FindCoordinatorRequest{GroupId: groupID})
	})
	if err != nil {
		t.Fatalf("FindCoordinator(%s): %v", groupID, err)
	}
	return resp
}

func commitReq(groupID, member string, epoch int32, topic string, offsets map[int32]int64) *fjordv1.CommitOffsetsRequest {
	ct := &fjordv1.CommitOffsetsTopic{Topic: topic}
	for _, p := range slices.Sorted(mapKeys(offsets)) {
		ct.Partitions = append(ct.Partitions, &fjordv1.CommitOffsetsPartition{Partition: p, Offset: offsets[p], LeaderEpoch: -1, Metadata: "m"})
	}
	return &fjordv1.CommitOffsetsRequest{GroupId: groupID, MemberId: member, MemberEpoch: epoch, Topics: []*fjordv1.CommitOffsetsTopic{ct}}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// commit commits through tb (retrying while the coordinator loads) and
// returns the per-partition errors by partition.
func (tb *testBroker) commit(t *testing.T, req *fjordv1.CommitOffsetsRequest) (map[int32]*fjordv1.Error, error) {
	t.Helper()
	resp, err := retry(t, "CommitOffsets", func() (*fjordv1.CommitOffsetsResponse, error) { return tb.groups().CommitOffsets(ctx(t), req) })
	if err != nil {
		return nil, err
	}
	out := map[int32]*fjordv1.Error{}
	for _, tr := range resp.GetTopics() {
		for _, pr := range tr.GetPartitions() {
			out[pr.GetPartition()] = pr.GetError()
		}
	}
	return out, nil
}

// fetchOffsets returns a group's committed offsets of one topic by partition.
func (tb *testBroker) fetchOffsets(t *testing.T, groupID, topic string) map[int32]int64 {
	t.Helper()
	resp, err := retry(t, "FetchOffsets", func() (*fjordv1.FetchOffsetsResponse, error) {
		return tb.groups().FetchOffsets(ctx(t), &fjordv1.FetchOffsetsRequest{GroupId: groupID})
	})
	if err != nil {
		t.Fatalf("FetchOffsets: %v", err)
	}
	out := map[int32]int64{}
	for _, tr := range resp.GetTopics() {
		if tr.GetTopic() != topic {
			continue
		}
		for _, p := range tr.GetPartitions() {
			out[p.GetPartition()] = p.GetOffset()
		}
	}
	return out
}

// testMember is one member's raw Membership stream.
type testMember struct {
	t      *testing.T
	id     string
	stream grpc.BidiStreamingClient[fjordv1.MembershipRequest, fjordv1.MembershipResponse]
	cancel context.CancelFunc
	resps  chan *fjordv1.MembershipResponse
	done   chan struct{}
	err    error // the stream's end, once done is closed
	last   *fjordv1.MembershipResponse
}

// openMember opens a Membership stream on the broker tb over a connection
// of its own (so stopping tb does not close it from the client side) and
// sends join.
func openMember(t *testing.T, tb *testBroker, join *fjordv1.JoinGroup) *testMember {
	t.Helper()
	conn, err := grpc.NewClient(tb.srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(context.Background())
	stream, err := fjordv1.NewGroupServiceClient(conn).Membership(c)
	if err != nil {
		cancel()
		conn.Close()
		t.Fatalf("Membership: %v", err)
	}
	m := &testMember{t: t, id: join.GetMemberId(), stream: stream, cancel: func() { cancel(); conn.Close() },
		resps: make(chan *fjordv1.MembershipResponse, 256), done: make(chan struct{})}
	t.Cleanup(m.close)
	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) { // EOF: the server ended the stream with OK
					m.err = err
				}
				close(m.done)
				return
			}
			m.resps <- r
		}
	}()
	if err := stream.Send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Join{Join: join}}); err != nil {
		t.Fatalf("send join: %v", err)
	}
	return m
}

func (m *testMember) close() {
	m.cancel()
	<-m.done
}

// joinMember opens a member on the group's coordinator, retrying while it
// loads, and returns it with its first response.
func joinMember(t *testing.T, bs []*testBroker, join *fjordv1.JoinGroup) *testMember {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		coord := bs[0].coordinatorOf(t, join.GetGroupId()).GetCoordinator().GetId()
		var via *testBroker
		for _, tb := range bs {
			if tb.srv.opts.NodeID == coord {
				via = tb
			}
		}
		if via == nil {
			t.Fatalf("coordinator %d is not a test broker", coord)
		}
		m := openMember(t, via, join)
		r, err := m.next(10 * time.Second)
		if err == nil {
			return m
		}
		if !retriable(err) || time.Now().After(deadline) {
			t.Fatalf("join %s: %v", join.GetMemberId(), err)
		}
		time.Sleep(20 * time.Millisecond)
		_ = r
	}
}

// next returns the member's next response, or the stream's end.
func (m *testMember) next(timeout time.Duration) (*fjordv1.MembershipResponse, error) {
	m.t.Helper()
	select {
	case r := <-m.resps:
		m.last = r
		return r, nil
	case <-m.done:
		select {
		case r := <-m.resps:
			m.last = r
			return r, nil
		default:
		}
		return nil, m.err
	case <-time.After(timeout):
		m.t.Fatalf("member %s: no response within %s", m.id, timeout)
		return nil, nil
	}
}

// ended waits for the stream to end and returns its error.
func (m *testMember) ended(timeout time.Duration) error {
	m.t.Helper()
	select {
	case <-m.done:
		return m.err
	case <-time.After(timeout):
		m.t.Fatalf("member %s: stream still open after %s", m.id, timeout)
		return nil
	}
}

func (m *testMember) send(req *fjordv1.MembershipRequest) {
	m.t.Helper()
	if err := m.stream.Send(req); err != nil {
		m.t.Fatalf("member %s send: %v", m.id, err)
	}
}

func (m *testMember) ack(r *fjordv1.MembershipResponse) {
	m.send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Ack{Ack: &fjordv1.AcknowledgeAssignment{MemberEpoch: r.GetMemberEpoch(), Owned: r.GetAssigned()}}})
}

func (m *testMember) heartbeat() {
	epoch := int32(0)
	if m.last != nil {
		epoch = m.last.GetMemberEpoch()
	}
	m.send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Heartbeat{Heartbeat: &fjordv1.Heartbeat{MemberEpoch: epoch}}})
}

func flat(tps []*fjordv1.TopicPartitions) []string {
	var out []string
	for _, t := range tps {
		for _, p := range t.GetPartitions() {
			out = append(out, fmt.Sprintf("%s-%d", t.GetTopic(), p))
		}
	}
	return out
}

// settle acknowledges every response the members get until their
// assignments are disjoint, nothing is pending, every member is at the
// group epoch, and together they own exactly want.
func settle(t *testing.T, want []string, members ...*testMember) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range members {
			for drained := false; !drained; {
				select {
				case r := <-m.resps:
					m.last = r
					m.ack(r)
				case <-m.done:
					t.Fatalf("member %s ended: %v", m.id, m.err)
				default:
					drained = true
				}
			}
		}
		// Stable: nothing pending, every member at the group epoch.
		var owned []string
		stable := true
		groupEpoch := int32(0)
		for _, m := range members {
			if m.last == nil {
				stable = false
				break
			}
			groupEpoch = max(groupEpoch, m.last.GetGroupEpoch())
		}
		for _, m := range members {
			if !stable || len(m.last.GetPending()) > 0 || m.last.GetMemberEpoch() != groupEpoch {
				stable = false
				break
			}
			owned = append(owned, flat(m.last.GetAssigned())...)
		}
		slices.Sort(owned)
		if stable && slices.Equal(owned, want) {
			return
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range members {
				got = append(got, fmt.Sprintf("%s: %v", m.id, m.last))
			}
			t.Fatalf("members did not settle on %v:\n%v", want, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func partitionNames(topic string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s-%d", topic, i))
	}
	slices.Sort(out)
	return out
}

func join(groupID, member string, topics ...string) *fjordv1.JoinGroup {
	return &fjordv1.JoinGroup{GroupId: groupID, MemberId: member, ClientId: "test", Subscription: &fjordv1.Subscription{Topics: topics}}
}

func wantStatus(t *testing.T, what string, err error, code codes.Code, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", what, reason)
	}
	gotCode, gotReason, _ := errorReason(t, err)
	if gotCode != code || gotReason != reason {
		t.Fatalf("%s: %v (code %s reason %s), want %s %s", what, err, gotCode, gotReason, code, reason)
	}
}

func TestGroupMembersShareCommitAndFence(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 6, nil)
	bs := []*testBroker{tb}
	ms := []*testMember{
		joinMember(t, bs, join("g", "m1", "t")),
		joinMember(t, bs, join("g", "m2", "t")),
		joinMember(t, bs, join("g", "m3", "t")),
	}
	settle(t, partitionNames("t", 6), ms...)
	for _, m := range ms {
		if n := len(flat(m.last.GetAssigned())); n != 2 {
			t.Errorf("member %s owns %d partitions, want 2: %v", m.id, n, m.last)
		}
		if m.last.GetHeartbeatIntervalMs() <= 0 || m.last.GetSessionTimeoutMs() <= 0 || m.last.GetMemberId() != m.id {
			t.Errorf("member %s response lacks its id or timers: %v", m.id, m.last)
		}
	}

	// A member commits what it owns; the others' partitions are refused.
	m1 := ms[0]
	mine := m1.last.GetAssigned()[0].GetPartitions()
	offsets := map[int32]int64{}
	for _, p := range mine {
		offsets[p] = int64(10 + p)
	}
	perr, err := tb.commit(t, commitReq("g", "m1", m1.last.GetMemberEpoch(), "t", offsets))
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	for p, e := range perr {
		if e != nil {
			t.Errorf("commit partition %d: %v", p, e)
		}
	}
	if got := tb.fetchOffsets(t, "g", "t"); len(got) != len(offsets) || got[mine[0]] != offsets[mine[0]] {
		t.Fatalf("fetched %v, committed %v", got, offsets)
	}
	other := ms[1].last.GetAssigned()[0].GetPartitions()[0]
	perr, err = tb.commit(t, commitReq("g", "m1", m1.last.GetMemberEpoch(), "t", map[int32]int64{other: 1}))
	if err != nil || perr[other].GetReason() != string(ReasonPartitionNotAssigned) {
		t.Fatalf("commit of another member's partition: %v %v", perr, err)
	}
	// A commit never moves an offset backwards.
	perr, err = tb.commit(t, commitReq("g", "m1", m1.last.GetMemberEpoch(), "t", map[int32]int64{mine[0]: 1}))
	if err != nil || perr[mine[0]].GetReason() != string(ReasonOffsetRegression) {
		t.Fatalf("backwards commit: %v %v", perr, err)
	}

	// Epoch checks: newer is fenced, older is stale, unknown members and
	// outside commits to a group with members are refused.
	_, err = tb.commit(t, commitReq("g", "m1", m1.last.GetMemberEpoch()+1, "t", offsets))
	wantStatus(t, "commit with a future epoch", err, codes.FailedPrecondition, string(ReasonFencedMemberEpoch))
	// Three joins moved the group epoch, and m1's with it.
	if e := m1.last.GetMemberEpoch(); e <= 1 {
		t.Fatalf("m1 still at epoch %d after three joins", e)
	}
	_, err = tb.commit(t, commitReq("g", "m1", m1.last.GetMemberEpoch()-1, "t", offsets))
	wantStatus(t, "commit with an old epoch", err, codes.FailedPrecondition, string(ReasonStaleMemberEpoch))
	_, err = tb.commit(t, commitReq("g", "nobody", 1, "t", offsets))
	wantStatus(t, "commit by an unknown member", err, codes.FailedPrecondition, string(ReasonUnknownMemberID))
	_, err = tb.commit(t, commitReq("g", "", 0, "t", offsets))
	wantStatus(t, "outside commit to a group with members", err, codes.FailedPrecondition, string(ReasonNonEmptyGroup))

	// A newer stream for the same member ends the older one.
	again := join("g", "m3", "t")
	again.MemberEpoch, again.Owned = ms[2].last.GetMemberEpoch(), ms[2].last.GetAssigned()
	m3b := openMember(t, tb, again)
	if r, err := m3b.next(10 * time.Second); err != nil || !slices.Equal(flat(r.GetAssigned()), flat(ms[2].last.GetAssigned())) {
		t.Fatalf("resumed stream: %v %v", r, err)
	}
	wantStatus(t, "superseded stream", ms[2].ended(10*time.Second), codes.FailedPrecondition, string(ReasonFencedMemberEpoch))

	// A leave ends the stream with OK and the others take over.
	m1.send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Leave{Leave: &fjordv1.LeaveGroup{}}})
	if err := m1.ended(10 * time.Second); err != nil {
		t.Fatalf("leave ended the stream with %v", err)
	}
	settle(t, partitionNames("t", 6), ms[1], m3b)

	// The group is described with members, owners and offsets.
	d, err := tb.groups().DescribeGroup(ctx(t), &fjordv1.DescribeGroupRequest{GroupId: "g"})
	if err != nil {
		t.Fatalf("DescribeGroup: %v", err)
	}
	if len(d.GetMembers()) != 2 || d.GetCoordinatorId() != 1 || d.GetState() != fjordv1.GroupState_GROUP_STATE_STABLE || len(d.GetPartitions()) != 6 {
		t.Fatalf("description: %v", d)
	}
	for _, gm := range d.GetMembers() {
		if !gm.GetConnected() || gm.GetClientHost() != "127.0.0.1" || gm.GetClientId() != "test" {
			t.Errorf("member description: %v", gm)
		}
	}
}

func TestGroupFirstMessageMustBeJoin(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	stream, err := tb.groups().Membership(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Heartbeat{Heartbeat: &fjordv1.Heartbeat{}}}); err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	wantStatus(t, "heartbeat first", err, codes.InvalidArgument, string(ReasonInvalidRequest))
	_, err = tb.groups().FindCoordinator(ctx(t), &fjordv1.FindCoordinatorRequest{GroupId: ""})
	wantStatus(t, "empty group id", err, codes.InvalidArgument, string(ReasonInvalidGroupID))
}

func TestGroupSessionTimeoutRemovesMember(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 2, nil)
	j := join("g", "m1", "t")
	j.SessionTimeoutMs = 300
	m := joinMember(t, []*testBroker{tb}, j)
	settle(t, partitionNames("t", 2), m)
	// Silent for longer than its session: the member is removed and told.
	wantStatus(t, "expired member's stream", m.ended(10*time.Second), codes.FailedPrecondition, string(ReasonUnknownMemberID))
	_, err := tb.commit(t, commitReq("g", "m1", m.last.GetMemberEpoch(), "t", map[int32]int64{0: 1}))
	wantStatus(t, "commit by an expired member", err, codes.FailedPrecondition, string(ReasonUnknownMemberID))

	// Heartbeats keep a member alive past its session timeout.
	m2 := joinMember(t, []*testBroker{tb}, j)
	settle(t, partitionNames("t", 2), m2)
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		m2.heartbeat()
	}
	select {
	case <-m2.done:
		t.Fatalf("heartbeating member ended: %v", m2.err)
	default:
	}
}

func TestGroupDescribeLagAndDelete(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 2, nil)
	for range 10 {
		tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("v"))
	}
	tb.produceOne("t", 1, fjordv1.Acks_ACKS_ALL, batch("a", "b", "c"))
	// A client outside the group commits for an empty group.
	if perr, err := tb.commit(t, commitReq("lag", "", 0, "t", map[int32]int64{0: 4})); err != nil || perr[0] != nil {
		t.Fatalf("outside commit: %v %v", perr, err)
	}
	d, err := tb.groups().DescribeGroup(ctx(t), &fjordv1.DescribeGroupRequest{GroupId: "lag"})
	if err != nil {
		t.Fatal(err)
	}
	if d.GetState() != fjordv1.GroupState_GROUP_STATE_EMPTY || len(d.GetPartitions()) != 1 {
		t.Fatalf("description: %v", d)
	}
	gp := d.GetPartitions()[0]
	if gp.GetCommittedOffset() != 4 || gp.GetLogEndOffset() != 10 || gp.GetLag() != 6 || gp.GetMetadata() != "m" {
		t.Fatalf("partition lag: %v", gp)
	}

	// ListGroups shows it, filtered by state.
	lg, err := tb.groups().ListGroups(ctx(t), &fjordv1.ListGroupsRequest{})
	if err != nil || len(lg.GetGroups()) != 1 || lg.GetGroups()[0].GetGroupId() != "lag" || len(lg.GetErrors()) != 0 {
		t.Fatalf("ListGroups: %v %v", lg, err)
	}
	lg, err = tb.groups().ListGroups(ctx(t), &fjordv1.ListGroupsRequest{States: []fjordv1.GroupState{fjordv1.GroupState_GROUP_STATE_STABLE}})
	if err != nil || len(lg.GetGroups()) != 0 {
		t.Fatalf("ListGroups stable: %v %v", lg, err)
	}

	// Deleting a group with members fails; once empty it succeeds.
	m := joinMember(t, []*testBroker{tb}, join("lag", "m1", "t"))
	settle(t, partitionNames("t", 2), m)
	_, err = tb.groups().DeleteGroup(ctx(t), &fjordv1.DeleteGroupRequest{GroupId: "lag"})
	wantStatus(t, "delete a group with members", err, codes.FailedPrecondition, string(ReasonNonEmptyGroup))
	m.send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Leave{Leave: &fjordv1.LeaveGroup{}}})
	if err := m.ended(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.groups().DeleteGroup(ctx(t), &fjordv1.DeleteGroupRequest{GroupId: "lag"}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got := tb.fetchOffsets(t, "lag", "t"); len(got) != 0 {
		t.Fatalf("offsets after delete: %v", got)
	}
	_, err = tb.groups().DeleteGroup(ctx(t), &fjordv1.DeleteGroupRequest{GroupId: "lag"})
	wantStatus(t, "delete a missing group", err, codes.NotFound, string(ReasonGroupIDNotFound))
	_, err = tb.groups().DescribeGroup(ctx(t), &fjordv1.DescribeGroupRequest{GroupId: "lag"})
	wantStatus(t, "describe a missing group", err, codes.NotFound, string(ReasonGroupIDNotFound))
}

func TestGroupResetOffsets(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 2, nil)
	for range 10 {
		tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("v"))
	}
	for range 4 {
		tb.produceOne("t", 1, fjordv1.Acks_ACKS_ALL, batch("v"))
	}
	if perr, err := tb.commit(t, commitReq("r", "", 0, "t", map[int32]int64{0: 5, 1: 2})); err != nil || perr[0] != nil || perr[1] != nil {
		t.Fatalf("commit: %v %v", perr, err)
	}
	reset := func(req *fjordv1.ResetOffsetsRequest) (map[int32]int64, error) {
		req.GroupId = "r"
		resp, err := tb.groups().ResetOffsets(ctx(t), req)
		if err != nil {
			return nil, err
		}
		out := map[int32]int64{}
		for _, tr := range resp.GetTopics() {
			for _, pr := range tr.GetPartitions() {
				if pr.GetError() != nil {
					t.Fatalf("reset %d: %v", pr.GetPartition(), pr.GetError())
				}
				out[pr.GetPartition()] = pr.GetOffset()
			}
		}
		return out, nil
	}
	all := []*fjordv1.TopicPartitions{{Topic: "t"}}
	cases := []struct {
		name string
		req  *fjordv1.ResetOffsetsRequest
		want map[int32]int64
	}{
		{"dry run earliest", &fjordv1.ResetOffsetsRequest{Topics: all, To: &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}, DryRun: true}, map[int32]int64{0: 0, 1: 0}},
		{"latest", &fjordv1.ResetOffsetsRequest{Topics: all, To: &fjordv1.ResetOffsetsRequest_Latest{Latest: true}}, map[int32]int64{0: 10, 1: 4}},
		{"shift back, clamped", &fjordv1.ResetOffsetsRequest{To: &fjordv1.ResetOffsetsRequest_ShiftBy{ShiftBy: -7}}, map[int32]int64{0: 3, 1: 0}},
		// 3 + MaxInt64 overflows: the shift saturates at the end, not the start.
		{"shift forward by the most, clamped", &fjordv1.ResetOffsetsRequest{To: &fjordv1.ResetOffsetsRequest_ShiftBy{ShiftBy: math.MaxInt64}, DryRun: true}, map[int32]int64{0: 10, 1: 4}},
		{"shift back by the most, clamped", &fjordv1.ResetOffsetsRequest{To: &fjordv1.ResetOffsetsRequest_ShiftBy{ShiftBy: math.MinInt64}, DryRun: true}, map[int32]int64{0: 0, 1: 0}},
		{"offset, clamped, one partition", &fjordv1.ResetOffsetsRequest{Topics: []*fjordv1.TopicPartitions{{Topic: "t", Partitions: []int32{1}}},
			To: &fjordv1.ResetOffsetsRequest_Offset{Offset: 99}}, map[int32]int64{1: 4}},
		{"timestamp in the future", &fjordv1.ResetOffsetsRequest{Topics: all, To: &fjordv1.ResetOffsetsRequest_TimestampMs{TimestampMs: time.Now().Add(time.Hour).UnixMilli()}}, map[int32]int64{0: 10, 1: 4}},
		{"timestamp in the past", &fjordv1.ResetOffsetsRequest{Topics: all, To: &fjordv1.ResetOffsetsRequest_TimestampMs{TimestampMs: 1}}, map[int32]int64{0: 0, 1: 0}},
	}
	committed := map[int32]int64{0: 5, 1: 2}
	for _, c := range cases {
		got, err := reset(c.req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !mapsEqual(got, c.want) {
			t.Fatalf("%s: reset to %v, want %v", c.name, got, c.want)
		}
		if !c.req.GetDryRun() {
			for p, o := range c.want {
				committed[p] = o
			}
		}
		if f := tb.fetchOffsets(t, "r", "t"); !mapsEqual(f, committed) {
			t.Fatalf("%s: committed %v, want %v", c.name, f, committed)
		}
	}
	_, err := tb.groups().ResetOffsets(ctx(t), &fjordv1.ResetOffsetsRequest{GroupId: "r"})
	wantStatus(t, "reset without a target", err, codes.InvalidArgument, string(ReasonInvalidRequest))

	m := joinMember(t, []*testBroker{tb}, join("r", "m1", "t"))
	settle(t, partitionNames("t", 2), m)
	_, err = reset(&fjordv1.ResetOffsetsRequest{Topics: all, To: &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}})
	wantStatus(t, "reset with members", err, codes.FailedPrecondition, string(ReasonNonEmptyGroup))
	if got, err := reset(&fjordv1.ResetOffsetsRequest{Topics: all, To: &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}, Force: true}); err != nil || !mapsEqual(got, map[int32]int64{0: 0, 1: 0}) {
		t.Fatalf("forced reset: %v %v", got, err)
	}
}

func mapsEqual(a, b map[int32]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestConsumerOffsetsTopicIsProtected(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.coordinatorOf(t, "g") // creates it
	td, err := tb.admin.DescribeTopics(ctx(t), &fjordv1.DescribeTopicsRequest{Names: []string{offsetsTopic}})
	if err != nil || td.GetTopics()[0].GetError() != nil {
		t.Fatalf("describe: %v %v", td, err)
	}
	desc := td.GetTopics()[0]
	cfg := map[string]string{}
	for _, c := range desc.GetConfigs() {
		cfg[c.GetName()] = c.GetValue()
	}
	if !desc.GetInternal() || len(desc.GetPartitions()) != 3 || cfg["cleanup.policy"] != "compact" || cfg["min.insync.replicas"] != "1" {
		t.Fatalf("offsets topic: internal %v, %d partitions, configs %v", desc.GetInternal(), len(desc.GetPartitions()), cfg)
	}
	if pr := tb.produceOne(offsetsTopic, 0, fjordv1.Acks_ACKS_ALL, batch("x")); pr.GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("produce to the offsets topic: %v", pr)
	}
	dr, err := tb.admin.DeleteTopics(ctx(t), &fjordv1.DeleteTopicsRequest{Names: []string{offsetsTopic}})
	if err != nil || dr.GetResults()[0].GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("delete the offsets topic: %v %v", dr, err)
	}
	cr, err := tb.admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: offsetsTopic, Partitions: 1}}})
	if err != nil || cr.GetResults()[0].GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("create the offsets topic: %v %v", cr, err)
	}
	pr, err := tb.admin.CreatePartitions(ctx(t), &fjordv1.CreatePartitionsRequest{Topics: []*fjordv1.PartitionIncrease{{Topic: offsetsTopic, TotalCount: 9}}})
	if err != nil || pr.GetResults()[0].GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("grow the offsets topic: %v %v", pr, err)
	}
	// Reads are allowed: a commit shows up as a record.
	tb.createTopic("t", 1, nil)
	if _, err := tb.commit(t, commitReq("g", "", 0, "t", map[int32]int64{0: 0})); err != nil {
		t.Fatal(err)
	}
	part := group.Partition("g", 3)
	if fr := tb.fetchOne(fetchReq(offsetsTopic, part, 0)); fr.GetError() != nil || len(fr.GetBatches()) == 0 {
		t.Fatalf("read the offsets topic: %v", fr)
	}
}

// TestGroupDefaultOffsetsTopicAndRestart uses the default 50 partitions
// and restarts the broker: offsets survive, and while the coordinator
// loads the broker answers a retriable error, never a wrong offset.
func TestGroupDefaultOffsetsTopicAndRestart(t *testing.T) {
	dir := t.TempDir()
	tb := startBroker(t, dir)
	tb.createTopic("t", 4, nil)
	fc := tb.coordinatorOf(t, "group-a")
	if fc.GetCoordinator().GetId() != 1 || fc.GetPartition() != group.Partition("group-a", 50) || fc.GetCoordinator().GetAddress() != tb.srv.Addr().String() {
		t.Fatalf("FindCoordinator: %v", fc)
	}
	if t50, _ := tb.srv.ctl.image().Topic(offsetsTopic); len(t50.Partitions) != 50 {
		t.Fatalf("offsets topic has %d partitions", len(t50.Partitions))
	}
	want := map[int32]int64{0: 3, 1: 0, 2: 7, 3: 1}
	for i := range 3 {
		g := fmt.Sprintf("group-%c", 'a'+i)
		if perr, err := tb.commit(t, commitReq(g, "", 0, "t", want)); err != nil || perr[0] != nil {
			t.Fatalf("commit %s: %v %v", g, perr, err)
		}
	}
	tb.stop()
	tb = startBroker(t, dir)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := tb.groups().FetchOffsets(ctx(t), &fjordv1.FetchOffsetsRequest{GroupId: "group-b"})
		if err != nil {
			if !retriable(err) {
				t.Fatalf("FetchOffsets while loading: %v", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("coordinator never loaded: %v", err)
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		got := map[int32]int64{}
		for _, tr := range resp.GetTopics() {
			for _, p := range tr.GetPartitions() {
				got[p.GetPartition()] = p.GetOffset()
			}
		}
		if !mapsEqual(got, want) {
			t.Fatalf("offsets after restart: %v, want %v", got, want)
		}
		break
	}
}

// TestGroupLoadInProgress holds a coordinator shard in loading after it
// failed: group calls get COORDINATOR_LOAD_IN_PROGRESS (retriable), then
// the reloaded shard answers with the committed state.
func TestGroupLoadInProgress(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 1, nil)
	if perr, err := tb.commit(t, commitReq("g", "", 0, "t", map[int32]int64{0: 7})); err != nil || perr[0] != nil {
		t.Fatalf("commit: %v %v", perr, err)
	}
	coord := tb.srv.broker.coord
	part := group.Partition("g", 3)
	gate := make(chan struct{})
	hook := func(p int32) {
		if p == part {
			<-gate
		}
	}
	coord.beforeLoad.Store(&hook)
	coord.shard(part).halt(errorf(ReasonCoordinatorNotAvailable, "test: reload the shard"))

	waitUntil(t, "COORDINATOR_LOAD_IN_PROGRESS", func() bool {
		_, err := tb.groups().FetchOffsets(ctx(t), &fjordv1.FetchOffsetsRequest{GroupId: "g"})
		if err != nil && !retriable(err) {
			t.Fatalf("FetchOffsets during a reload: %v", err)
		}
		r, _ := statusReason(err)
		return r == string(ReasonCoordinatorLoadInProgress)
	})
	_, err := tb.groups().FetchOffsets(ctx(t), &fjordv1.FetchOffsetsRequest{GroupId: "g"})
	wantStatus(t, "fetch while loading", err, codes.Unavailable, string(ReasonCoordinatorLoadInProgress))
	m := openMember(t, tb, join("g", "m1", "t"))
	_, err = m.next(10 * time.Second)
	wantStatus(t, "join while loading", err, codes.Unavailable, string(ReasonCoordinatorLoadInProgress))

	close(gate)
	if got := tb.fetchOffsets(t, "g", "t"); !mapsEqual(got, map[int32]int64{0: 7}) {
		t.Fatalf("offsets after the reload: %v", got)
	}
}
