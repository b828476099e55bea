package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// A join whose member record could not fit in a __consumer_offsets batch
// is refused as INVALID_REQUEST; before, its append failed, the shard
// reloaded (every group on it saw COORDINATOR_NOT_AVAILABLE) and the
// retrying client made it fail again.
func TestGroupJoinTooLargeIsRefused(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 2, nil)
	bs := []*testBroker{tb}
	m1 := joinMember(t, bs, join("g", "m1", "t"))
	settle(t, partitionNames("t", 2), m1)

	huge := strings.Repeat("x", 2<<20)
	for name, j := range map[string]*fjordv1.JoinGroup{
		"client id": {GroupId: "g", MemberId: "m2", ClientId: huge, Subscription: &fjordv1.Subscription{Topics: []string{"t"}}},
		"rack":      {GroupId: "g", MemberId: "m2", Rack: huge, Subscription: &fjordv1.Subscription{Topics: []string{"t"}}},
		"topic":     {GroupId: "g", MemberId: "m2", Subscription: &fjordv1.Subscription{Topics: []string{"t", huge}}},
		"pattern":   {GroupId: "g", MemberId: "m2", Subscription: &fjordv1.Subscription{Pattern: "t|" + huge}},
		"topics": {GroupId: "g", MemberId: "m2", Subscription: &fjordv1.Subscription{
			Topics: strings.Split(strings.Repeat(strings.Repeat("y", 240)+",", 8000), ",")[:8000]}},
	} {
		m := openMember(t, tb, j)
		_, err := m.next(10 * time.Second)
		wantStatus(t, "join with a huge "+name, err, codes.InvalidArgument, string(ReasonInvalidRequest))
	}
	// The member already in the group was not disturbed.
	m1.heartbeat()
	if _, err := m1.next(5 * time.Second); err != nil {
		t.Fatalf("member in the group after the refused joins: %v", err)
	}
}

// Errors about ids, topics and assignors megabytes long quote only their
// start: the message travels in the gRPC trailers, and one of megabytes
// broke the connection (COMPRESSION_ERROR) instead of answering.
func TestGroupHugeNamesGetClearErrors(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("t", 2, nil)
	joinMember(t, []*testBroker{tb}, join("g", "m1", "t"))
	huge := strings.Repeat("m", 20<<20)

	for name, c := range map[string]struct {
		j      *fjordv1.JoinGroup
		code   codes.Code
		reason Reason
	}{
		"member id":   {join("g", huge, "t"), codes.InvalidArgument, ReasonInvalidRequest},
		"instance id": {&fjordv1.JoinGroup{GroupId: "g", MemberId: "m2", InstanceId: huge, Subscription: &fjordv1.Subscription{Topics: []string{"t"}}}, codes.InvalidArgument, ReasonInvalidRequest},
		"assignor":    {&fjordv1.JoinGroup{GroupId: "g", MemberId: "m2", Assignor: huge, Subscription: &fjordv1.Subscription{Topics: []string{"t"}}}, codes.InvalidArgument, ReasonUnsupportedAssignor},
		"owned topic": {&fjordv1.JoinGroup{GroupId: "g", MemberId: "m1", MemberEpoch: 1, Subscription: &fjordv1.Subscription{Topics: []string{"t"}},
			Owned: []*fjordv1.TopicPartitions{{Topic: huge, Partitions: []int32{0}}}}, codes.FailedPrecondition, ReasonFencedMemberEpoch},
	} {
		m := openMember(t, tb, c.j)
		_, err := m.next(10 * time.Second)
		wantStatus(t, "join with a huge "+name, err, c.code, string(c.reason))
	}
	_, err := tb.groups().CommitOffsets(ctx(t), commitReq("g", huge, 1, "t", map[int32]int64{0: 1}))
	wantStatus(t, "commit by a huge member id", err, codes.FailedPrecondition, string(ReasonUnknownMemberID))
}

// The broker and the group core apply one group id rule: FindCoordinator
// refused only C0 controls, so a group id with a C1 control found a
// coordinator whose every join then failed.
func TestGroupIDRuleIsTheCore(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	for _, id := range []string{"", "g\n", "g\u0085", strings.Repeat("g", 256), strings.Repeat("g", 1<<20)} {
		_, err := tb.groups().FindCoordinator(ctx(t), &fjordv1.FindCoordinatorRequest{GroupId: id})
		wantStatus(t, fmt.Sprintf("FindCoordinator(%.20q)", id), err, codes.InvalidArgument, string(ReasonInvalidGroupID))
		_, err = tb.groups().FetchOffsets(ctx(t), &fjordv1.FetchOffsetsRequest{GroupId: id})
		wantStatus(t, fmt.Sprintf("FetchOffsets(%.20q)", id), err, codes.InvalidArgument, string(ReasonInvalidGroupID))
	}
}
