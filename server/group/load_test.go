package group

import (
	"testing"
	"time"
)

func TestLoaded(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1", "m2")
	st := h.state("g", "m1")
	h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Offsets: []CommitOffset{co("a:0", 3)}})
	epoch := h.describe("g").Epoch

	// The coordinator moves: a new shard replays the log 30s later.
	h.advance(30 * time.Second)
	s := h.replayed()
	out := s.Loaded(h.now, topics("a:4"))
	if len(out.Records)+len(out.Effects) != 0 {
		t.Fatalf("loading unchanged state wrote %+v", out)
	}
	d, _ := s.Describe("g")
	if d.Epoch != epoch || d.State != StateStable || d.Members[0].Connected || d.Members[1].Connected {
		t.Fatalf("loaded %+v", d)
	}
	// Every member has a full session from the load, not from its last
	// message before the move.
	if next, ok := s.NextDeadline(); !ok || !next.Equal(h.now.Add(45*time.Second)) {
		t.Fatalf("next deadline %v", next)
	}
	if out := s.Tick(h.now.Add(44 * time.Second)); len(out.Effects) != 0 {
		t.Fatalf("expired early: %+v", out.Effects)
	}
	// Members resume with their epoch and ownership: no rebalance.
	out, err := s.Join(h.now.Add(10*time.Second), JoinRequest{Group: "g", MemberID: "m1", MemberEpoch: st.MemberEpoch, Owned: st.Assigned,
		Subscription: Subscription{Topics: []string{"a"}}})
	if err != nil || len(out.Records) != 0 || len(out.Effects) != 1 || out.Effects[0].State.MemberEpoch != epoch {
		t.Fatalf("resume after load: %v %+v", err, out)
	}
	out = s.Tick(h.now.Add(46 * time.Second))
	// m2, which did not come back, expires; its partitions go to m1.
	if len(out.Effects) != 2 || out.Effects[0].MemberID != "m2" || out.Effects[0].Err.Reason != ReasonUnknownMemberID ||
		out.Effects[1].MemberID != "m1" || fmtTPs(out.Effects[1].State.Assigned) != "a:0,1,2,3" {
		t.Fatalf("effects %+v", out.Effects)
	}
	if got := s.FetchOffsets("g", tps("a:0")); got[0].Offset != 3 {
		t.Fatalf("offsets %+v", got)
	}
}

func TestLoadedAfterMetadataChange(t *testing.T) {
	h := newHarness(t, Config{}, "a:4 b:1")
	joinStable(h, "g", "m1", "m2")
	h.must(h.s.ResetOffsets(h.now, "e", []CommitOffset{co("b:0", 1)}, false))
	epoch := h.describe("g").Epoch
	// While no coordinator was running, a grew and b was deleted.
	s := h.replayed()
	out := s.Loaded(h.now, topics("a:6"))
	d, _ := s.Describe("g")
	// New partitions are free: placed at once, nothing to revoke.
	if d.Epoch != epoch+1 || d.State != StateStable || len(d.Members[0].Assigned) != 3 || len(d.Members[1].Assigned) != 3 {
		t.Fatalf("loaded %+v", d)
	}
	if len(out.Effects) != 2 || out.Effects[0].State == nil || out.Effects[1].State == nil {
		t.Fatalf("effects %+v", out.Effects)
	}
	if _, err := s.Describe("e"); reasonOf(err) != ReasonGroupIDNotFound {
		t.Fatalf("group e, whose only offsets were of b, survived: %v", err)
	}
	// The records written make the next load agree.
	h.records = append(h.records, out.Records...)
	again := h.replayed()
	if out := again.Loaded(h.now, topics("a:6")); len(out.Records) != 0 {
		t.Fatalf("second load wrote %+v", out.Records)
	}
	compareShards(t, s, again, true)
}

func TestLoadedRepairsInconsistentLog(t *testing.T) {
	h := newHarness(t, Config{}, "a:4")
	joinStable(h, "g", "m1")
	oldM1 := h.records[len(h.records)-1] // m1 owning everything
	h.must(staticJoin(h, "g", "m2", "i"))
	h.ackAll("g")
	h.must(staticJoin(h, "g", "m3", "j"))
	h.ackAll("g")
	// A damaged log: m1's old record replayed after the others, and a
	// member claiming m2's instance id.
	bad := encodeMember(h.s.groups["g"].members["m3"])
	bad = []byte(string(bad[:len(bad)-1]) + `,"instance_id":"i"}`)
	h.records = append(h.records, oldM1, Record{Key: memberKey("g", "m4"), Value: bad})
	s := h.replayed()
	out := s.Loaded(h.now, topics("a:4"))
	if len(out.Records) == 0 {
		t.Fatal("repair wrote nothing")
	}
	// The log claims partitions for two members: neither may have them in
	// Assigned until both released them.
	seen := map[TopicPartition]string{}
	for _, m := range s.groups["g"].members {
		for _, tp := range m.assigned {
			if o, ok := seen[tp]; ok {
				t.Fatalf("%v assigned to %s and %s", tp, o, m.id)
			}
			seen[tp] = m.id
		}
	}
	// Acknowledging everything converges; the repaired log reloads equal.
	for round := 0; round < 3; round++ {
		for _, m := range s.groups["g"].sortedMemberIDs() {
			mm := s.groups["g"].members[m]
			o, err := s.Ack(h.now, "g", m, mm.epoch, mm.assigned)
			if err != nil {
				t.Fatal(err)
			}
			out.Records = append(out.Records, o.Records...)
		}
	}
	checkSafety(t, s)
	if d, _ := s.Describe("g"); d.State != StateStable || len(d.Members) != 4 {
		t.Fatalf("after repair %+v", d)
	}
	h.records = append(h.records, out.Records...)
	compareShards(t, s, h.replayed(), false)
}
