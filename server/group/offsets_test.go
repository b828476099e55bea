package group

import (
	"strings"
	"testing"
	"time"
)

func co(tp string, off int64) CommitOffset {
	return CommitOffset{TopicPartition: tps(tp)[0], Offset: off, LeaderEpoch: 3, Metadata: "md"}
}

func (h *harness) commit(req CommitRequest) []Reason {
	h.t.Helper()
	errs, out, err := h.s.Commit(h.now, req)
	if err != nil {
		h.t.Fatalf("commit: %v", err)
	}
	h.apply(out)
	var rs []Reason
	for _, e := range errs {
		rs = append(rs, reasonOf(e))
	}
	return rs
}

func TestMemberCommits(t *testing.T) {
	h := newHarness(t, Config{MaxMetadataBytes: 8}, "a:4")
	joinStable(h, "g", "m1", "m2")
	st := h.state("g", "m1") // owns a:0,1
	if fmtTPs(st.Assigned) != "a:0,1" {
		t.Fatalf("m1 %+v", st)
	}
	big := co("a:1", 5)
	big.Metadata = "123456789"
	got := h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Offsets: []CommitOffset{
		co("a:0", 10), co("a:2", 10), co("a:9", 1), co("b:0", 1), co("a:1", -1), big, co("a:1", 5),
	}})
	want := []Reason{"", ReasonPartitionNotAssigned, ReasonUnknownTopicOrPartition, ReasonUnknownTopicOrPartition,
		ReasonInvalidCommitOffset, ReasonOffsetMetadataTooLarge, ""}
	if strings.Join(rs(got), " ") != strings.Join(rs(want), " ") {
		t.Fatalf("per partition: %v, want %v", got, want)
	}
	// Regression is per partition; an equal offset is fine.
	got = h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Offsets: []CommitOffset{
		co("a:0", 9), co("a:1", 5), co("a:0", 10), co("a:1", 6)}})
	if strings.Join(rs(got), " ") != "OFFSET_REGRESSION ok ok ok" {
		t.Fatalf("regression: %v", got)
	}
	fetched := h.s.FetchOffsets("g", tps("a:0 a:1 a:2"))
	if fetched[0].Offset != 10 || fetched[1].Offset != 6 || fetched[2].Offset != -1 || fetched[2].LeaderEpoch != -1 ||
		fetched[0].LeaderEpoch != 3 || fetched[0].Metadata != "md" || !fetched[0].CommitTime.Equal(h.now) {
		t.Fatalf("fetched %+v", fetched)
	}
	if all := h.s.FetchOffsets("g", nil); len(all) != 2 || all[0].Partition != 0 || all[1].Partition != 1 {
		t.Fatalf("all offsets %+v", all)
	}
	if got := h.s.FetchOffsets("nope", tps("a:0")); got[0].Offset != -1 {
		t.Fatalf("unknown group %+v", got)
	}
	if got := h.s.FetchOffsets("nope", nil); got != nil {
		t.Fatalf("unknown group %+v", got)
	}

	// Whole-request failures.
	for _, c := range []struct {
		req  CommitRequest
		want Reason
	}{
		{CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch - 1}, ReasonStaleMemberEpoch},
		{CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch + 1}, ReasonFencedMemberEpoch},
		{CommitRequest{Group: "g", MemberID: "zz", MemberEpoch: st.MemberEpoch}, ReasonUnknownMemberID},
		{CommitRequest{Group: "other", MemberID: "m1", MemberEpoch: 1}, ReasonUnknownMemberID},
		{CommitRequest{Group: "g"}, ReasonNonEmptyGroup},
		{CommitRequest{Group: ""}, ReasonInvalidGroupID},
	} {
		c.req.Offsets = []CommitOffset{co("a:0", 100)}
		if _, out, err := h.s.Commit(h.now, c.req); reasonOf(err) != c.want || len(out.Records) != 0 {
			t.Errorf("%+v: %v, want %s", c.req, err, c.want)
		}
	}
}

func rs(rr []Reason) []string {
	var out []string
	for _, r := range rr {
		if r == "" {
			out = append(out, "ok")
		} else {
			out = append(out, string(r))
		}
	}
	return out
}

func TestCommitFromOutside(t *testing.T) {
	h := newHarness(t, Config{}, "a:2")
	// Creates the group, which is Empty.
	if got := h.commit(CommitRequest{Group: "g", Offsets: []CommitOffset{co("a:0", 5)}}); got[0] != "" {
		t.Fatalf("commit: %v", got)
	}
	if d := h.describe("g"); d.State != StateEmpty || len(d.Offsets) != 1 || d.Assignor != "" {
		t.Fatalf("describe %+v", d)
	}
	if got := h.commit(CommitRequest{Group: "g", Offsets: []CommitOffset{co("a:0", 4)}}); got[0] != ReasonOffsetRegression {
		t.Fatalf("regression from outside: %v", got)
	}
	// A commit that fails everywhere does not create a group.
	if got := h.commit(CommitRequest{Group: "h", Offsets: []CommitOffset{co("a:7", 5)}}); got[0] != ReasonUnknownTopicOrPartition {
		t.Fatalf("commit: %v", got)
	}
	if len(h.s.List()) != 1 {
		t.Fatalf("list %+v", h.s.List())
	}
	// Not while the group has members, static ones away included.
	h.must(staticJoin(h, "g", "m1", "i1"))
	h.leave("g", "m1", true)
	if _, _, err := h.s.Commit(h.now, CommitRequest{Group: "g", Offsets: []CommitOffset{co("a:0", 6)}}); reasonOf(err) != ReasonNonEmptyGroup {
		t.Fatalf("outside commit to a group with members: %v", err)
	}
}

func TestResetOffsets(t *testing.T) {
	h := newHarness(t, Config{}, "a:2")
	joinStable(h, "g", "m1")
	st := h.state("g", "m1")
	h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Offsets: []CommitOffset{co("a:0", 50)}})
	if _, err := h.s.ResetOffsets(h.now, "g", []CommitOffset{co("a:0", 1)}, false); reasonOf(err) != ReasonNonEmptyGroup {
		t.Fatalf("reset with members: %v", err)
	}
	// Forced: backwards is fine.
	h.must(h.s.ResetOffsets(h.now, "g", []CommitOffset{co("a:0", 1)}, true))
	if got := h.s.FetchOffsets("g", tps("a:0")); got[0].Offset != 1 {
		t.Fatalf("after forced reset %+v", got)
	}
	// All or nothing.
	out, err := h.s.ResetOffsets(h.now, "g", []CommitOffset{co("a:1", 3), co("a:5", 1)}, true)
	if reasonOf(err) != ReasonUnknownTopicOrPartition || len(out.Records) != 0 || h.s.FetchOffsets("g", tps("a:1"))[0].Offset != -1 {
		t.Fatalf("partial reset: %v %+v", err, out)
	}
	if _, err := h.s.ResetOffsets(h.now, "g", []CommitOffset{co("a:1", -3)}, true); reasonOf(err) != ReasonInvalidCommitOffset {
		t.Fatalf("negative reset: %v", err)
	}
	// Creates a group; backwards without force once empty.
	h.must(h.s.ResetOffsets(h.now, "new", []CommitOffset{co("a:1", 9)}, false))
	h.must(h.s.ResetOffsets(h.now, "new", []CommitOffset{co("a:1", 2)}, false))
	if got := h.s.FetchOffsets("new", nil); len(got) != 1 || got[0].Offset != 2 {
		t.Fatalf("new group offsets %+v", got)
	}
	if out := h.must(h.s.ResetOffsets(h.now, "none", nil, false)); len(out.Records) != 0 || len(h.s.List()) != 2 {
		t.Fatalf("empty reset created a group: %+v", h.s.List())
	}
}

func TestDeleteGroup(t *testing.T) {
	h := newHarness(t, Config{}, "a:2 b:1")
	joinStable(h, "g", "m1")
	st := h.state("g", "m1")
	h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Offsets: []CommitOffset{co("a:0", 5), co("a:1", 6)}})
	if _, err := h.s.Delete(h.now, "g"); reasonOf(err) != ReasonNonEmptyGroup {
		t.Fatalf("delete with members: %v", err)
	}
	h.leave("g", "m1", false)
	if d := h.describe("g"); d.State != StateEmpty || len(d.Offsets) != 2 {
		t.Fatalf("after leave %+v", d)
	}
	out := h.must(h.s.Delete(h.now, "g"))
	var keys []string
	for _, r := range out.Records {
		if r.Value != nil {
			t.Fatalf("delete wrote a value %q", r.Value)
		}
		keys = append(keys, string(r.Key))
	}
	want := []string{string(offsetKey("g", "a", 0)), string(offsetKey("g", "a", 1)), string(groupKey("g"))}
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Fatalf("tombstones %q, want %q", keys, want)
	}
	if d, err := h.s.Describe("g"); reasonOf(err) != ReasonGroupIDNotFound || d.State != StateDead {
		t.Fatalf("describe deleted: %v %v", d.State, err)
	}
	if _, err := h.s.Delete(h.now, "g"); reasonOf(err) != ReasonGroupIDNotFound {
		t.Fatalf("second delete: %v", err)
	}
	// Every key the group ever wrote is tombstoned: the log replays to nothing.
	if s := h.replayed(); len(s.groups) != 0 {
		t.Fatalf("replayed groups %v", s.List())
	}
	// Compaction keeps only the last record per key: same result.
	if s := compactedReplay(t, h); len(s.groups) != 0 {
		t.Fatalf("compacted replay groups %v", s.List())
	}
}

// compactedReplay replays only the last record of every key, in log order.
func compactedReplay(t *testing.T, h *harness) *Shard {
	last := map[string]int{}
	for i, r := range h.records {
		last[string(r.Key)] = i
	}
	s := NewShard(h.s.cfg)
	for i, r := range h.records {
		if last[string(r.Key)] == i {
			if err := s.Replay(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

func TestOffsetsRetention(t *testing.T) {
	const day = 24 * time.Hour
	h := newHarness(t, Config{OffsetsRetention: 2 * day}, "a:2")
	joinStable(h, "g", "m1")
	st := h.state("g", "m1")
	h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Offsets: []CommitOffset{co("a:0", 5)}})
	// Offsets of a group with members never expire.
	for range 5 * 24 {
		h.advance(time.Hour)
		h.must(h.s.Heartbeat(h.now, "g", "m1", st.MemberEpoch))
		h.tick()
	}
	if got := h.s.FetchOffsets("g", nil); len(got) != 1 {
		t.Fatalf("offsets expired with members: %+v", got)
	}
	// Once empty, they expire OffsetsRetention after it became empty (the
	// last commit is older).
	h.leave("g", "m1", false)
	left := h.now
	if d, ok := h.s.NextDeadline(); !ok || !d.Equal(left.Add(2*day)) {
		t.Fatalf("next deadline %v %v, want %v", d, ok, left.Add(2*day))
	}
	h.advance(day)
	h.commit(CommitRequest{Group: "g", Offsets: []CommitOffset{co("a:1", 1)}}) // last commit now
	h.advance(day)
	if out := h.tick(); len(out.Records) != 0 {
		t.Fatalf("expired early: %+v", out)
	}
	h.advance(day - time.Millisecond)
	if out := h.tick(); len(out.Records) != 0 {
		t.Fatalf("expired early: %+v", out)
	}
	h.advance(time.Millisecond)
	out := h.tick()
	if len(out.Records) != 3 || out.Records[2].Value != nil || string(out.Records[2].Key) != string(groupKey("g")) {
		t.Fatalf("retention records %+v", out.Records)
	}
	if len(h.s.List()) != 0 {
		t.Fatalf("group survived retention: %+v", h.s.List())
	}
	if d, ok := h.s.NextDeadline(); ok {
		t.Fatalf("a deadline remains with no group: %v", d)
	}
}
