package server

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// brokerByID returns the running test broker with the given id.
func brokerByID(t *testing.T, bs []*testBroker, id int32) *testBroker {
	t.Helper()
	for _, tb := range bs {
		if tb.srv.opts.NodeID == id {
			return tb
		}
	}
	t.Fatalf("no broker %d", id)
	return nil
}

// TestGroupCallsForwardedAndListedAcrossBrokers: __consumer_offsets is
// created through a broker that does not lead the controller; unary calls
// sent to a broker that does not coordinate the group are forwarded;
// Membership there is refused with NOT_COORDINATOR naming the
// coordinator; ListGroups from any broker lists every broker's groups.
func TestGroupCallsForwardedAndListedAcrossBrokers(t *testing.T) {
	bs := startCluster(t, 3, func(o *Options) {
		groupOpts(o)
		o.OffsetsTopicPartitions = 6
	})
	via := notControllerLeader(t, bs)
	via.createReplicated("t", 3, 2, nil)
	for p := range int32(3) {
		for i := 0; i < 5; {
			leader := via.partition("t", p).Leader
			if leader < 0 {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			pr := brokerByID(t, bs, leader).produceOne("t", p, fjordv1.Acks_ACKS_ALL, batch("v"))
			if e := pr.GetError(); e != nil {
				if !e.GetRetriable() {
					t.Fatalf("produce: %v", e)
				}
				time.Sleep(20 * time.Millisecond)
				continue
			}
			i++
		}
	}
	// Groups until every broker coordinates one.
	coordOf := map[string]int32{}
	covered := map[int32]bool{}
	for i := 0; len(covered) < 3 && i < 100; i++ {
		g := "group-" + strconv.Itoa(i)
		id := via.coordinatorOf(t, g).GetCoordinator().GetId()
		if !covered[id] {
			covered[id] = true
			coordOf[g] = id
		}
	}
	if len(covered) < 3 {
		t.Fatalf("coordinators cover only brokers %v", covered)
	}
	if td, ok := via.srv.ctl.image().Topic(offsetsTopic); !ok || len(td.Partitions) != 6 || td.ReplicationFactor() != 3 || td.Configs[cfgMinInsyncReplicas] != "2" {
		t.Fatalf("offsets topic: %+v", td)
	}
	for g, coord := range coordOf {
		other := brokerByID(t, bs, coord%3+1) // not the coordinator
		if perr, err := other.commit(t, commitReq(g, "", 0, "t", map[int32]int64{0: 1, 1: 2, 2: 3})); err != nil || perr[0] != nil || perr[2] != nil {
			t.Fatalf("commit %s through broker %d: %v %v", g, other.srv.opts.NodeID, perr, err)
		}
		if got := other.fetchOffsets(t, g, "t"); !mapsEqual(got, map[int32]int64{0: 1, 1: 2, 2: 3}) {
			t.Fatalf("fetch %s through broker %d: %v", g, other.srv.opts.NodeID, got)
		}
		// The lag needs high watermarks from partitions led anywhere.
		d, err := other.groups().DescribeGroup(ctx(t), &fjordv1.DescribeGroupRequest{GroupId: g})
		if err != nil || d.GetCoordinatorId() != coord || len(d.GetPartitions()) != 3 {
			t.Fatalf("describe %s: %v %v", g, d, err)
		}
		for _, gp := range d.GetPartitions() {
			// At least 5: a retried produce may have been written twice.
			if gp.GetLogEndOffset() < 5 || gp.GetLag() != gp.GetLogEndOffset()-gp.GetCommittedOffset() {
				t.Fatalf("describe %s: partition %v", g, gp)
			}
		}
		// Membership must be opened on the coordinator.
		m := openMember(t, other, join(g, "m", "t"))
		_, err = m.next(10 * time.Second)
		wantStatus(t, "membership on a broker that does not coordinate", err, codes.FailedPrecondition, string(ReasonNotCoordinator))
		_, _, md := errorReason(t, err)
		if md["coordinator_id"] != strconv.Itoa(int(coord)) || md["coordinator_address"] != brokerByID(t, bs, coord).srv.Addr().String() {
			t.Fatalf("NOT_COORDINATOR hint: %v", md)
		}
	}
	for _, tb := range bs {
		lg, err := tb.groups().ListGroups(ctx(t), &fjordv1.ListGroupsRequest{})
		if err != nil || len(lg.GetErrors()) != 0 {
			t.Fatalf("ListGroups via %d: %v %v", tb.srv.opts.NodeID, lg, err)
		}
		var got []string
		for _, l := range lg.GetGroups() {
			got = append(got, fmt.Sprintf("%s@%d", l.GetGroupId(), l.GetCoordinatorId()))
		}
		var want []string
		for g, c := range coordOf {
			want = append(want, fmt.Sprintf("%s@%d", g, c))
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("ListGroups via %d: %v, want %v", tb.srv.opts.NodeID, got, want)
		}
	}
}

// TestGroupCoordinatorFailover stops the coordinator broker: its member
// stream ends with NOT_COORDINATOR, another broker takes over the group
// from the replicated __consumer_offsets with the committed offsets, and
// the member resumes there with its epoch and assignment, without a
// rebalance.
func TestGroupCoordinatorFailover(t *testing.T) {
	bs := startCluster(t, 3, groupOpts)
	bs[0].createReplicated("t", 4, 3, nil)
	m := joinMember(t, bs, join("g", "m1", "t"))
	settle(t, partitionNames("t", 4), m)
	state := m.last
	offsets := map[int32]int64{0: 0, 1: 0, 2: 0, 3: 0}
	coord := bs[0].coordinatorOf(t, "g").GetCoordinator().GetId()
	if perr, err := bs[0].commit(t, commitReq("g", "m1", state.GetMemberEpoch(), "t", offsets)); err != nil || perr[0] != nil {
		t.Fatalf("commit: %v %v", perr, err)
	}

	brokerByID(t, bs, coord).stop()
	wantStatus(t, "member stream of a stopped coordinator", m.ended(20*time.Second), codes.FailedPrecondition, string(ReasonNotCoordinator))
	var alive []*testBroker
	for _, tb := range bs {
		if tb.srv.opts.NodeID != coord {
			alive = append(alive, tb)
		}
	}
	waitUntil(t, "a new coordinator", func() bool {
		fc, err := alive[0].groups().FindCoordinator(ctx(t), &fjordv1.FindCoordinatorRequest{GroupId: "g"})
		return err == nil && fc.GetCoordinator().GetId() != coord
	})
	if got := alive[0].fetchOffsets(t, "g", "t"); !mapsEqual(got, offsets) {
		t.Fatalf("offsets on the new coordinator: %v, want %v", got, offsets)
	}
	resume := join("g", "m1", "t")
	resume.MemberEpoch, resume.Owned = state.GetMemberEpoch(), state.GetAssigned()
	m2 := joinMember(t, alive, resume)
	if m2.last.GetMemberEpoch() != state.GetMemberEpoch() || !slices.Equal(flat(m2.last.GetAssigned()), flat(state.GetAssigned())) ||
		m2.last.GetGroupEpoch() != state.GetGroupEpoch() {
		t.Fatalf("resumed on the new coordinator as %v, was %v", m2.last, state)
	}
	offsets[0] = 1
	if perr, err := alive[1].commit(t, commitReq("g", "m1", state.GetMemberEpoch(), "t", offsets)); err != nil || perr[0] != nil {
		t.Fatalf("commit after failover: %v %v", perr, err)
	}
}
