package group

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// joinStable joins members to group g (subscribed to topic a) one by one,
// acknowledging until stable after each.
func joinStable(h *harness, g string, members ...string) {
	h.t.Helper()
	for _, m := range members {
		h.join(g, m, "a")
		h.ackAll(g)
	}
	if st := h.describe(g).State; st != StateStable {
		h.t.Fatalf("group %s is %v after joins", g, st)
	}
}

func TestJoinThreeMembersBalanced(t *testing.T) {
	h := newHarness(t, Config{}, "a:6")
	st := h.join("g", "m1", "a")
	if st.MemberEpoch != 1 || st.GroupEpoch != 1 || fmtTPs(st.Assigned) != "a:0,1,2,3,4,5" || len(st.Pending) != 0 {
		t.Fatalf("first member: %+v", st)
	}
	if st.Assignor != "uniform" || st.HeartbeatInterval != 5*time.Second || st.SessionTimeout != 45*time.Second {
		t.Fatalf("first member: %+v", st)
	}
	h.ackAll("g")
	h.join("g", "m2", "a")
	h.ackAll("g")
	h.join("g", "m3", "a")
	rounds := h.ackAll("g")
	if rounds > 3 {
		t.Errorf("took %d ack rounds", rounds)
	}
	d := h.describe("g")
	if d.State != StateStable || d.Epoch != 3 {
		t.Fatalf("state %v epoch %d", d.State, d.Epoch)
	}
	seen := map[TopicPartition]bool{}
	for _, m := range d.Members {
		if len(m.Assigned) != 2 || m.MemberEpoch != 3 || len(m.Pending) != 0 || len(m.Revoking) != 0 || !m.Connected {
			t.Errorf("member %+v", m)
		}
		for _, tp := range m.Assigned {
			seen[tp] = true
		}
		// The client was told the same thing.
		if st := h.state("g", m.MemberID); st.MemberEpoch != 3 || !slices.Equal(st.Assigned, m.Assigned) {
			t.Errorf("member %s was told %+v, server has %+v", m.MemberID, st, m)
		}
	}
	if len(seen) != 6 {
		t.Errorf("assigned %d partitions, want 6", len(seen))
	}
	if got := h.s.List(); len(got) != 1 || got[0] != (GroupListing{Group: "g", State: StateStable, Members: 3}) {
		t.Errorf("List = %+v", got)
	}
}

func TestSessionExpiryMovesOnlyItsPartitions(t *testing.T) {
	h := newHarness(t, Config{}, "a:6")
	joinStable(h, "g", "m1", "m2", "m3")
	before := h.owners("g")
	epoch := h.describe("g").Epoch

	// m2 and m3 heartbeat, m1 goes silent (its stream broke).
	h.s.Disconnected(h.now, "g", "m1")
	for range 10 {
		h.advance(5 * time.Second)
		for _, m := range []string{"m2", "m3"} {
			h.must(h.s.Heartbeat(h.now, "g", m, h.state("g", m).MemberEpoch))
		}
		h.tick()
	}
	if len(h.errs) != 1 || h.errs[0].MemberID != "m1" || h.errs[0].Err.Reason != ReasonUnknownMemberID {
		t.Fatalf("errs = %+v", h.errs)
	}
	if !strings.Contains(h.errs[0].Err.Error(), "session timed out") {
		t.Errorf("message %q", h.errs[0].Err)
	}
	if _, err := h.s.Heartbeat(h.now, "g", "m1", epoch); reasonOf(err) != ReasonUnknownMemberID {
		t.Fatalf("heartbeat of expired member: %v", err)
	}
	h.ackAll("g")
	after := h.owners("g")
	if len(after) != 2 {
		t.Fatalf("owners %v", after)
	}
	for _, m := range []string{"m2", "m3"} {
		if !subsetTPs(tps(before[m]), tps(after[m])) || len(tps(after[m])) != 3 {
			t.Errorf("%s had %s, now %s: something else moved", m, before[m], after[m])
		}
	}
	if d := h.describe("g"); d.State != StateStable || d.Epoch != epoch+1 {
		t.Errorf("state %v epoch %d", d.State, d.Epoch)
	}
}

func TestCooperativeRevokeBeforeAssign(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1")
	st2 := h.join("g", "m2", "a")
	st1 := h.state("g", "m1")
	// m2 is at the new epoch but gets nothing until m1 released.
	if st2.MemberEpoch != 2 || len(st2.Assigned) != 0 || fmtTPs(st2.Pending) != "a:2,3" {
		t.Fatalf("m2 %+v", st2)
	}
	// m1 keeps epoch 1 while it revokes, so it can still commit at it.
	if st1.MemberEpoch != 1 || fmtTPs(st1.Assigned) != "a:0,1" {
		t.Fatalf("m1 %+v", st1)
	}
	d := h.describe("g")
	if d.State != StateReconciling || fmtTPs(d.Members[0].Revoking) != "a:2,3" {
		t.Fatalf("describe %+v", d)
	}
	// m2 acking its empty assignment changes nothing.
	if out := h.ack("g", "m2"); len(out.Records) != 0 || len(out.Effects) != 0 {
		t.Fatalf("m2's ack: %+v", out)
	}
	// A stale ack from m1 (not the last Assigned) is ignored.
	if out := h.must(h.s.Ack(h.now, "g", "m1", 1, tps("a:0,1,2,3"))); len(out.Records)+len(out.Effects) != 0 {
		t.Fatalf("stale ack: %+v", out)
	}
	// m1 commits what it releases at its old epoch, then acknowledges.
	if errs, out, err := h.s.Commit(h.now, CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: 1,
		Offsets: []CommitOffset{{TopicPartition: tps("a:3")[0], Offset: 7}}}); err != nil || errs[0] != nil {
		t.Fatalf("commit before revoke: %v %v", err, errs)
	} else {
		h.apply(out)
	}
	out := h.ack("g", "m1")
	// Now m1 moves to epoch 2 and m2 is given the released partitions.
	var got []string
	for _, e := range out.Effects {
		got = append(got, e.MemberID+"@"+fmtTPs(e.State.Assigned))
	}
	if strings.Join(got, " ") != "m1@a:0,1 m2@a:2,3" {
		t.Fatalf("pushes after revocation: %v", got)
	}
	if h.state("g", "m1").MemberEpoch != 2 || h.state("g", "m2").MemberEpoch != 2 {
		t.Fatalf("epochs %+v %+v", h.state("g", "m1"), h.state("g", "m2"))
	}
	// The old epoch is now stale for commits.
	if _, _, err := h.s.Commit(h.now, CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: 1,
		Offsets: []CommitOffset{{TopicPartition: tps("a:0")[0], Offset: 1}}}); reasonOf(err) != ReasonStaleMemberEpoch {
		t.Fatalf("commit at old epoch after revoking: %v", err)
	}
	h.ackAll("g")
	if d := h.describe("g"); d.State != StateStable {
		t.Fatalf("state %v", d.State)
	}
}

func staticJoin(h *harness, g, member, instance string) (Output, error) {
	return h.s.Join(h.now, JoinRequest{Group: g, MemberID: member, InstanceID: instance, Subscription: Subscription{Topics: []string{"a"}}})
}

func TestStaticMemberRestart(t *testing.T) {
	h := newHarness(t, Config{}, "a:6")
	for _, m := range []string{"1", "2", "3"} {
		h.must(staticJoin(h, "g", "m"+m, "i"+m))
		h.ackAll("g")
	}
	d := h.describe("g")
	before := h.owners("g")

	// i1 restarts: leaves temporarily (writes nothing, keeps its partitions).
	if out := h.leave("g", "m1", true); len(out.Records)+len(out.Effects) != 0 {
		t.Fatalf("temporary leave: %+v", out)
	}
	h.advance(10 * time.Second)
	h.tick()
	if got := h.owners("g"); got["m1"] != before["m1"] {
		t.Fatalf("temporary leave moved partitions: %v", got)
	}
	// While m2 is connected, its instance id cannot be taken.
	if _, err := staticJoin(h, "g", "x2", "i2"); reasonOf(err) != ReasonUnreleasedInstanceID {
		t.Fatalf("join with a held instance id: %v", err)
	}
	// The restarted process joins under a new member id within the timeout.
	out := h.must(staticJoin(h, "g", "m1b", "i1"))
	if len(out.Effects) != 2 || out.Effects[0].MemberID != "m1" || out.Effects[0].Err.Reason != ReasonFencedInstanceID ||
		out.Effects[1].MemberID != "m1b" || out.Effects[1].State == nil {
		t.Fatalf("takeover effects (no push to others expected): %+v", out.Effects)
	}
	st := out.Effects[1].State
	if fmtTPs(st.Assigned) != before["m1"] || st.MemberEpoch != d.Epoch || st.GroupEpoch != d.Epoch {
		t.Fatalf("taken over state %+v, before %v epoch %d", st, before, d.Epoch)
	}
	d2 := h.describe("g")
	if d2.Epoch != d.Epoch || d2.State != StateStable || len(d2.Members) != 3 {
		t.Fatalf("after takeover %+v", d2)
	}
	// The old member id is gone; resuming it says who holds the instance.
	if _, err := h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", InstanceID: "i1", MemberEpoch: d.Epoch,
		Subscription: Subscription{Topics: []string{"a"}}}); reasonOf(err) != ReasonFencedInstanceID {
		t.Fatalf("resume of the fenced member: %v", err)
	}
	h.ackAll("g")

	// A static member that leaves temporarily and does not come back is
	// removed at its session timeout and its partitions move.
	h.leave("g", "m3", true)
	for range 10 {
		h.advance(5 * time.Second)
		for _, m := range []string{"m1b", "m2"} {
			h.must(h.s.Heartbeat(h.now, "g", m, h.state("g", m).MemberEpoch))
		}
		h.tick()
	}
	h.ackAll("g")
	if got := h.owners("g"); len(got) != 2 || len(tps(got["m1b"])) != 3 || len(tps(got["m2"])) != 3 {
		t.Fatalf("after static expiry: %v", got)
	}
	// A permanent leave of a static member moves its partitions at once.
	h.leave("g", "m2", false)
	h.ackAll("g")
	if got := h.owners("g"); len(got) != 1 || len(tps(got["m1b"])) != 6 {
		t.Fatalf("after static leave: %v", got)
	}
	if _, ok := h.s.groups["g"].instances["i2"]; ok {
		t.Fatal("instance i2 still mapped")
	}
}

func TestDynamicLeaveIsImmediate(t *testing.T) {
	for _, temporary := range []bool{false, true} {
		h := newHarness(t, Config{}, "a:4")
		joinStable(h, "g", "m1", "m2")
		out := h.leave("g", "m1", temporary)
		if len(out.Records) == 0 {
			t.Fatalf("temporary=%v: leave wrote nothing", temporary)
		}
		h.ackAll("g")
		if got := h.owners("g"); len(got) != 1 || got["m2"] != "a:0,1,2,3" {
			t.Fatalf("temporary=%v: owners %v", temporary, got)
		}
		// The last member leaving with nothing committed: the group disappears.
		h.leave("g", "m2", temporary)
		if _, err := h.s.Describe("g"); reasonOf(err) != ReasonGroupIDNotFound {
			t.Fatalf("temporary=%v: describe after last leave: %v", temporary, err)
		}
		if s := h.replayed(); len(s.groups) != 0 {
			t.Fatalf("temporary=%v: replay keeps %d groups", temporary, len(s.groups))
		}
	}
}

func TestRebalanceTimeoutFencesMemberThatNeverAcks(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1")
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m2", Subscription: Subscription{Topics: []string{"a"}},
		RebalanceTimeout: time.Minute}))
	h.ack("g", "m2")
	// m1 heartbeats but never releases a:2,3 (its rebalance timeout is 5m).
	deadline, ok := h.s.NextDeadline()
	if !ok || deadline.After(h.now.Add(45*time.Second)) {
		t.Fatalf("next deadline %v %v", deadline, ok)
	}
	for i := range 70 {
		h.advance(5 * time.Second)
		for _, m := range []string{"m1", "m2"} {
			if h.state("g", m) != nil {
				h.must(h.s.Heartbeat(h.now, "g", m, h.state("g", m).MemberEpoch))
			}
		}
		h.tick()
		if i < 59 && len(h.errs) > 0 {
			t.Fatalf("fenced too early, after %v", time.Duration(i+1)*5*time.Second)
		}
	}
	if len(h.errs) != 1 || h.errs[0].MemberID != "m1" || h.errs[0].Err.Reason != ReasonUnknownMemberID ||
		!strings.Contains(h.errs[0].Err.Message, "rebalance timeout") {
		t.Fatalf("errs %+v", h.errs)
	}
	h.ackAll("g")
	if got := h.owners("g"); len(got) != 1 || got["m2"] != "a:0,1,2,3" {
		t.Fatalf("owners %v", got)
	}
}

func TestResume(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1", "m2")
	epoch := h.describe("g").Epoch
	records := len(h.records)
	st := h.state("g", "m1")

	h.s.Disconnected(h.now, "g", "m1")
	req := JoinRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Owned: st.Assigned,
		Subscription: Subscription{Topics: []string{"a"}}}
	out := h.must(h.s.Join(h.now, req))
	if len(out.Effects) != 1 || out.Effects[0].State == nil || !slices.Equal(out.Effects[0].State.Assigned, st.Assigned) {
		t.Fatalf("resume effects %+v", out.Effects)
	}
	if len(h.records) != records || h.describe("g").Epoch != epoch {
		t.Fatalf("resume wrote %d records, epoch %d", len(h.records)-records, h.describe("g").Epoch)
	}
	// Resuming while the server thinks the old stream is open ends it first.
	out = h.must(h.s.Join(h.now, req))
	if len(out.Effects) != 2 || out.Effects[0].Err == nil || out.Effects[0].MemberID != "m1" || out.Effects[1].State == nil {
		t.Fatalf("resume over an open stream: %+v", out.Effects)
	}

	for _, c := range []struct {
		name string
		edit func(*JoinRequest)
		want Reason
	}{
		{"newer epoch", func(r *JoinRequest) { r.MemberEpoch = epoch + 1 }, ReasonFencedMemberEpoch},
		{"owns more", func(r *JoinRequest) { r.Owned = tps("a:0,1,2,3") }, ReasonFencedMemberEpoch},
		{"unknown member", func(r *JoinRequest) { r.MemberID = "zz" }, ReasonUnknownMemberID},
		{"unknown group", func(r *JoinRequest) { r.Group = "zz" }, ReasonUnknownMemberID},
		{"other instance", func(r *JoinRequest) { r.InstanceID = "i" }, ReasonInvalidRequest},
		{"other assignor", func(r *JoinRequest) { r.Assignor = "range" }, ReasonInconsistentGroupProtocol},
	} {
		r := req
		c.edit(&r)
		if _, err := h.s.Join(h.now, r); reasonOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	// An older epoch resumes and is told the current one.
	r := req
	r.MemberEpoch = 1
	r.Owned = nil
	out = h.must(h.s.Join(h.now, r))
	if st := out.Effects[len(out.Effects)-1].State; st.MemberEpoch != epoch {
		t.Fatalf("resume at old epoch: %+v", st)
	}
}

func TestResumeReleasesUnclaimedRevocations(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1")
	h.join("g", "m2", "a")
	// m1 was asked to revoke a:2,3; it released them, but its stream broke
	// before the ack arrived. It resumes owning a:0,1 only.
	h.s.Disconnected(h.now, "g", "m1")
	out := h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", MemberEpoch: 1, Owned: tps("a:0,1"),
		Subscription: Subscription{Topics: []string{"a"}}}))
	if st := h.state("g", "m1"); st.MemberEpoch != 2 || fmtTPs(st.Assigned) != "a:0,1" {
		t.Fatalf("m1 %+v", st)
	}
	if st := h.state("g", "m2"); fmtTPs(st.Assigned) != "a:2,3" {
		t.Fatalf("m2 %+v (effects %+v)", st, out.Effects)
	}
}

func TestRejoinWithEpochZeroResets(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1", "m2")
	epoch := h.describe("g").Epoch
	out := h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", Subscription: Subscription{Topics: []string{"a"}}}))
	if len(out.Effects) < 2 || out.Effects[0].MemberID != "m1" || out.Effects[0].Err.Reason != ReasonFencedMemberEpoch ||
		out.Effects[1].MemberID != "m1" || out.Effects[1].State == nil {
		t.Fatalf("effects %+v", out.Effects)
	}
	st := out.Effects[1].State
	// Same partitions (sticky), new epoch, so the old incarnation's commits are fenced.
	if st.MemberEpoch != epoch+1 || len(st.Assigned) != 2 {
		t.Fatalf("state %+v", st)
	}
	if _, _, err := h.s.Commit(h.now, CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: epoch,
		Offsets: []CommitOffset{{TopicPartition: st.Assigned[0], Offset: 1}}}); reasonOf(err) != ReasonStaleMemberEpoch {
		t.Fatalf("old incarnation's commit: %v", err)
	}
}

func TestJoinValidation(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1")
	ok := JoinRequest{Group: "g", MemberID: "m2", Subscription: Subscription{Topics: []string{"a"}}}
	for _, c := range []struct {
		name string
		edit func(*JoinRequest)
		want Reason
	}{
		{"empty group", func(r *JoinRequest) { r.Group = "" }, ReasonInvalidGroupID},
		{"long group", func(r *JoinRequest) { r.Group = strings.Repeat("g", 256) }, ReasonInvalidGroupID},
		{"control group", func(r *JoinRequest) { r.Group = "g\n" }, ReasonInvalidGroupID},
		{"empty member", func(r *JoinRequest) { r.MemberID = "" }, ReasonInvalidRequest},
		{"long member", func(r *JoinRequest) { r.MemberID = strings.Repeat("m", 256) }, ReasonInvalidRequest},
		{"huge member", func(r *JoinRequest) { r.MemberID = strings.Repeat("m", 1<<20) }, ReasonInvalidRequest},
		{"huge assignor", func(r *JoinRequest) { r.Assignor = strings.Repeat("a", 1<<20) }, ReasonUnknownAssignor},
		{"bad instance", func(r *JoinRequest) { r.InstanceID = "i\x00" }, ReasonInvalidRequest},
		{"both", func(r *JoinRequest) { r.Subscription.Pattern = "a" }, ReasonInvalidRequest},
		{"neither", func(r *JoinRequest) { r.Subscription.Topics = nil }, ReasonInvalidRequest},
		{"empty topic", func(r *JoinRequest) { r.Subscription.Topics = []string{""} }, ReasonInvalidRequest},
		{"bad regex", func(r *JoinRequest) { r.Subscription = Subscription{Pattern: "a("} }, ReasonInvalidRequest},
		{"long rack", func(r *JoinRequest) { r.Rack = strings.Repeat("r", 256) }, ReasonInvalidRequest},
		{"long client id", func(r *JoinRequest) { r.ClientID = strings.Repeat("c", 256) }, ReasonInvalidRequest},
		{"long pattern", func(r *JoinRequest) { r.Subscription = Subscription{Pattern: "a|" + strings.Repeat("b", 256<<10)} }, ReasonInvalidRequest},
		{"many topics", func(r *JoinRequest) {
			r.Subscription.Topics = append(r.Subscription.Topics, slices.Repeat([]string{strings.Repeat("t", 249)}, 1100)...)
		}, ReasonInvalidRequest},
		{"session too short", func(r *JoinRequest) { r.SessionTimeout = time.Second }, ReasonInvalidRequest},
		{"session too long", func(r *JoinRequest) { r.SessionTimeout = time.Hour }, ReasonInvalidRequest},
		{"negative rebalance", func(r *JoinRequest) { r.RebalanceTimeout = -time.Second }, ReasonInvalidRequest},
		{"negative epoch", func(r *JoinRequest) { r.MemberEpoch = -1 }, ReasonInvalidRequest},
		{"unknown assignor", func(r *JoinRequest) { r.Assignor = "magic" }, ReasonUnknownAssignor},
		{"other assignor", func(r *JoinRequest) { r.Assignor = "range" }, ReasonInconsistentGroupProtocol},
	} {
		r := ok
		r.Subscription.Topics = slices.Clone(ok.Subscription.Topics)
		c.edit(&r)
		out, err := h.s.Join(h.now, r)
		if reasonOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
			continue
		}
		if len(out.Records)+len(out.Effects) != 0 {
			t.Errorf("%s: failed join has output %+v", c.name, out)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "group: ") || strings.ToLower(msg[:8]) != msg[:8] {
			t.Errorf("%s: message %q", c.name, msg)
		}
		// Messages go in gRPC trailers: megabyte ids are not quoted whole.
		if n := len(err.Error()); n > 1024 {
			t.Errorf("%s: message of %d bytes", c.name, n)
		}
	}
	// "cooperative-sticky" is another name for uniform.
	r := ok
	r.Assignor = "cooperative-sticky"
	h.must(h.s.Join(h.now, r))
	// Failed joins left no trace.
	if d := h.describe("g"); len(d.Members) != 2 {
		t.Fatalf("members %+v", d.Members)
	}
}

func TestAssignorOfTheGroup(t *testing.T) {
	h := newHarness(t, Config{}, "a:4 b:4")
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", Assignor: "range", Subscription: Subscription{Topics: []string{"a", "b"}}}))
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m2", Assignor: "range", Subscription: Subscription{Topics: []string{"a", "b"}}}))
	h.ackAll("g")
	if got := h.owners("g"); got["m1"] != "a:0,1 b:0,1" || got["m2"] != "a:2,3 b:2,3" {
		t.Fatalf("range owners %v", got)
	}
	if d := h.describe("g"); d.Assignor != "range" || h.state("g", "m1").Assignor != "range" {
		t.Fatalf("assignor %q", d.Assignor)
	}
	// The only member may switch the assignor by rejoining.
	h.leave("g", "m2", false)
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", Assignor: "roundrobin", Subscription: Subscription{Topics: []string{"a", "b"}}}))
	if d := h.describe("g"); d.Assignor != "roundrobin" {
		t.Fatalf("assignor %q", d.Assignor)
	}
}

func TestHeartbeat(t *testing.T) {
	h := newHarness(t, Config{HeartbeatInterval: 10 * time.Second}, "a:4")
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", SessionTimeout: 6 * time.Second, Subscription: Subscription{Topics: []string{"a"}}}))
	st := h.state("g", "m1")
	if st.HeartbeatInterval != 2*time.Second || st.SessionTimeout != 6*time.Second {
		t.Fatalf("state %+v", st)
	}
	for range 10 {
		h.advance(5 * time.Second)
		out := h.must(h.s.Heartbeat(h.now, "g", "m1", st.MemberEpoch))
		if len(out.Records)+len(out.Effects) != 0 {
			t.Fatalf("heartbeat output %+v", out)
		}
		h.tick()
	}
	if len(h.errs) != 0 {
		t.Fatalf("expired despite heartbeats: %+v", h.errs)
	}
	if _, err := h.s.Heartbeat(h.now, "g", "m1", st.MemberEpoch+1); reasonOf(err) != ReasonFencedMemberEpoch {
		t.Fatalf("heartbeat with a newer epoch: %v", err)
	}
	if _, err := h.s.Heartbeat(h.now, "g", "m1", 0); err != nil {
		t.Fatalf("heartbeat with an older epoch: %v", err)
	}
	if _, err := h.s.Ack(h.now, "g", "m1", st.MemberEpoch+1, nil); reasonOf(err) != ReasonFencedMemberEpoch {
		t.Fatalf("ack with a newer epoch: %v", err)
	}
	if _, err := h.s.Ack(h.now, "g", "zz", 1, nil); reasonOf(err) != ReasonUnknownMemberID {
		t.Fatalf("ack from unknown member: %v", err)
	}
	if _, err := h.s.Leave(h.now, "g", "zz", false); reasonOf(err) != ReasonUnknownMemberID {
		t.Fatalf("leave of unknown member: %v", err)
	}
	if _, err := h.s.Subscribe(h.now, "g", "zz", Subscription{Topics: []string{"a"}}); reasonOf(err) != ReasonUnknownMemberID {
		t.Fatalf("subscribe of unknown member: %v", err)
	}
	h.advance(6 * time.Second)
	h.tick()
	if len(h.errs) != 1 {
		t.Fatalf("no expiry after the session timeout: %+v", h.errs)
	}
}

func TestSubscriptions(t *testing.T) {
	h := newHarness(t, Config{}, "orders.eu:2 orders.us:2 ordersx:2 __orders.internal:1 pay:2")
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "m1", Subscription: Subscription{Pattern: `orders\..*`}}))
	h.ackAll("g")
	if got := h.owners("g")["m1"]; got != "orders.eu:0,1 orders.us:0,1" {
		t.Fatalf("pattern resolved to %s", got)
	}
	epoch := h.describe("g").Epoch
	// A pattern matches whole names: "pay" does not match "pay.*x".
	// A new matching topic bumps the epoch; a non-matching one does not.
	h.apply(h.s.SetTopics(h.now, topics("orders.eu:2 orders.us:2 ordersx:2 __orders.internal:1 pay:2 other:3")))
	if h.describe("g").Epoch != epoch {
		t.Fatal("unrelated topic bumped the epoch")
	}
	h.apply(h.s.SetTopics(h.now, topics("orders.eu:2 orders.us:2 orders.asia:1 ordersx:2 __orders.internal:1 pay:2 other:3")))
	h.ackAll("g")
	if d := h.describe("g"); d.Epoch != epoch+1 || fmtTPs(d.Members[0].Assigned) != "orders.asia:0 orders.eu:0,1 orders.us:0,1" {
		t.Fatalf("after new topic: %+v", d)
	}
	// Internal topics match only patterns starting with "__".
	h.must(h.s.Subscribe(h.now, "g", "m1", Subscription{Pattern: `.*orders.*`}))
	h.ackAll("g")
	if got := h.owners("g")["m1"]; strings.Contains(got, "__") {
		t.Fatalf(".*orders.* matched an internal topic: %s", got)
	}
	h.must(h.s.Subscribe(h.now, "g", "m1", Subscription{Pattern: `__.*`}))
	h.ackAll("g")
	if got := h.owners("g")["m1"]; got != "__orders.internal:0" {
		t.Fatalf("__.* resolved to %s", got)
	}
	// Changing the pattern without changing what it resolves to: no bump,
	// but the new subscription is stored.
	epoch = h.describe("g").Epoch
	h.must(h.s.Subscribe(h.now, "g", "m1", Subscription{Pattern: `__orders\..*`}))
	if d := h.describe("g"); d.Epoch != epoch || d.Members[0].Subscription.Pattern != `__orders\..*` {
		t.Fatalf("same resolution: %+v", d)
	}
	if _, err := h.s.Subscribe(h.now, "g", "m1", Subscription{Pattern: "("}); reasonOf(err) != ReasonInvalidRequest {
		t.Fatalf("bad pattern: %v", err)
	}
	if _, err := h.s.Subscribe(h.now, "g", "m1", Subscription{Topics: slices.Repeat([]string{strings.Repeat("t", 249)}, 1100)}); reasonOf(err) != ReasonInvalidRequest {
		t.Fatalf("subscription larger than a record may hold: %v", err)
	}
	// Explicit names may subscribe to topics that do not exist yet.
	h.must(h.s.Subscribe(h.now, "g", "m1", Subscription{Topics: []string{"later", "pay"}}))
	h.ackAll("g")
	if got := h.owners("g")["m1"]; got != "pay:0,1" {
		t.Fatalf("names resolved to %s", got)
	}
	h.apply(h.s.SetTopics(h.now, topics("later:1 pay:2")))
	h.ackAll("g")
	if got := h.owners("g")["m1"]; got != "later:0 pay:0,1" {
		t.Fatalf("after topic creation: %s", got)
	}
}

func TestMetadataChanges(t *testing.T) {
	h := newHarness(t, Config{}, "a:2 b:2")
	joinStable(h, "g", "m1", "m2")
	epoch := h.describe("g").Epoch
	// More partitions: new epoch, new partitions placed, nothing else moves.
	before := h.owners("g")
	h.apply(h.s.SetTopics(h.now, topics("a:4 b:2")))
	h.ackAll("g")
	d := h.describe("g")
	if d.Epoch != epoch+1 || d.State != StateStable {
		t.Fatalf("after growth %+v", d)
	}
	for _, m := range d.Members {
		if !subsetTPs(tps(before[m.MemberID]), m.Assigned) || len(m.Assigned) != 2 {
			t.Errorf("%s had %s, now %s", m.MemberID, before[m.MemberID], fmtTPs(m.Assigned))
		}
	}
	// Same metadata again: nothing happens.
	if out := h.apply(h.s.SetTopics(h.now, topics("a:4 b:2"))); len(out.Records)+len(out.Effects) != 0 {
		t.Fatalf("no-op SetTopics: %+v", out)
	}

	// Offsets of a deleted topic are tombstoned.
	h2 := newHarness(t, Config{}, "a:2 b:2")
	h2.must(h2.s.ResetOffsets(h2.now, "e", []CommitOffset{{TopicPartition: tps("a:0")[0], Offset: 1}, {TopicPartition: tps("b:1")[0], Offset: 2}}, false))
	out := h2.apply(h2.s.SetTopics(h2.now, topics("a:2")))
	if len(out.Records) != 1 || out.Records[0].Value != nil || string(out.Records[0].Key) != string(offsetKey("e", "b", 1)) {
		t.Fatalf("records %+v", out.Records)
	}
	if got := h2.s.FetchOffsets("e", nil); len(got) != 1 || got[0].Topic != "a" {
		t.Fatalf("offsets %+v", got)
	}
	// An empty group whose offsets were all deleted disappears.
	out = h2.apply(h2.s.SetTopics(h2.now, topics("c:1")))
	if len(out.Records) != 2 || string(out.Records[1].Key) != string(groupKey("e")) || out.Records[1].Value != nil {
		t.Fatalf("records %+v", out.Records)
	}
	if len(h2.s.List()) != 0 {
		t.Fatalf("list %+v", h2.s.List())
	}
}

func TestErrorType(t *testing.T) {
	h := newHarness(t, Config{}, "a:1")
	_, err := h.s.Heartbeat(h.now, "g", "m", 1)
	var e *Error
	if !errors.As(err, &e) || e.Reason != ReasonUnknownMemberID || e.Partition != -1 {
		t.Fatalf("%#v", err)
	}
	if got := err.Error(); got != `group: group "g" member "m": unknown member id; rejoin with epoch 0` {
		t.Fatalf("message %q", got)
	}
	errs, _, _ := h.s.Commit(h.now, CommitRequest{Group: "g", Offsets: []CommitOffset{{TopicPartition: TopicPartition{Topic: "x", Partition: 3}}}})
	if !errors.As(errs[0], &e) || e.Topic != "x" || e.Partition != 3 ||
		e.Error() != `group: group "g" partition x/3: unknown topic or partition` {
		t.Fatalf("%v", errs[0])
	}
}

func TestStaticTakeoverWhileRevoking(t *testing.T) {
	h := newHarness(t, Config{}, "a:4 b:2")
	h.must(staticJoin(h, "g", "s1", "i1"))
	h.ackAll("g")
	h.join("g", "m2", "a")
	// s1 is asked to release a:2,3 but restarts before acknowledging.
	if d := h.describe("g"); fmtTPs(d.Members[1].Revoking) != "a:2,3" {
		t.Fatalf("describe %+v", d)
	}
	h.s.Disconnected(h.now, "g", "s1")
	delete(h.states, "g/s1")
	out := h.must(staticJoin(h, "g", "s1b", "i1"))
	if len(out.Records) == 0 || h.describe("g").Epoch != 2 {
		t.Fatalf("takeover: %+v", out)
	}
	// The new incarnation inherits the revocation: m2 still waits.
	d := h.describe("g")
	if fmtTPs(d.Members[1].Revoking) != "a:2,3" || d.Members[1].MemberID != "s1b" || len(d.Members[0].Assigned) != 0 {
		t.Fatalf("after takeover %+v", d)
	}
	h.ackAll("g")
	if got := h.owners("g"); got["s1b"] != "a:0,1" || got["m2"] != "a:2,3" {
		t.Fatalf("owners %v", got)
	}
	// A takeover with another subscription is a rebalance.
	h.s.Disconnected(h.now, "g", "s1b")
	delete(h.states, "g/s1b")
	h.must(h.s.Join(h.now, JoinRequest{Group: "g", MemberID: "s1c", InstanceID: "i1", Subscription: Subscription{Topics: []string{"a", "b"}}}))
	h.ackAll("g")
	if d := h.describe("g"); d.Epoch != 3 || d.State != StateStable || len(d.Members) != 2 {
		t.Fatalf("after takeover with new subscription %+v", d)
	}
}
