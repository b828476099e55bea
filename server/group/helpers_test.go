package group

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// t0 is the tests' epoch; clocks are plain values advanced by hand.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// tps parses "a:0,1 b:2" into a sorted partition list.
func tps(s string) []TopicPartition {
	var out []TopicPartition
	for _, f := range strings.Fields(s) {
		topic, parts, ok := strings.Cut(f, ":")
		if !ok {
			panic("tps: " + f)
		}
		for _, p := range strings.Split(parts, ",") {
			if lo, hi, ok := strings.Cut(p, "-"); ok {
				a, _ := strconv.Atoi(lo)
				b, _ := strconv.Atoi(hi)
				for i := a; i <= b; i++ {
					out = append(out, TopicPartition{Topic: topic, Partition: int32(i)})
				}
				continue
			}
			n, err := strconv.Atoi(p)
			if err != nil {
				panic("tps: " + f)
			}
			out = append(out, TopicPartition{Topic: topic, Partition: int32(n)})
		}
	}
	return normTPs(out)
}

// fmtTPs formats a partition list as tps parses it.
func fmtTPs(l []TopicPartition) string {
	var b strings.Builder
	for i, tp := range l {
		if i > 0 && l[i-1].Topic == tp.Topic {
			fmt.Fprintf(&b, ",%d", tp.Partition)
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%d", tp.Topic, tp.Partition)
	}
	return b.String()
}

// topics builds a topics map from "a:3 b:6".
func topics(s string) map[string]assign.Topic {
	out := map[string]assign.Topic{}
	for _, f := range strings.Fields(s) {
		name, n, _ := strings.Cut(f, ":")
		c, err := strconv.Atoi(n)
		if err != nil {
			panic(f)
		}
		out[name] = assign.Topic{Partitions: int32(c)}
	}
	return out
}

func reasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	if err != nil {
		return "OTHER"
	}
	return ""
}

// harness drives one shard with a manual clock and keeps every record it
// emitted, plus a model of what each member's client was last told.
type harness struct {
	t       *testing.T
	s       *Shard
	now     time.Time
	records []Record
	// last state pushed to each member (group/member)
	states map[string]*MemberState
	// Err effects delivered, in order
	errs []Effect
}

func newHarness(t *testing.T, cfg Config, tops string) *harness {
	h := &harness{t: t, s: NewShard(cfg), now: t0, states: map[string]*MemberState{}}
	h.apply(h.s.SetTopics(h.now, topics(tops)))
	return h
}

func (h *harness) advance(d time.Duration) { h.now = h.now.Add(d) }

// apply keeps an output's records and delivers its effects to the model.
func (h *harness) apply(out Output) Output {
	h.t.Helper()
	h.records = append(h.records, out.Records...)
	for _, e := range out.Effects {
		k := e.Group + "/" + e.MemberID
		if e.Err != nil {
			h.errs = append(h.errs, e)
			delete(h.states, k)
			continue
		}
		h.states[k] = e.State
	}
	checkSafety(h.t, h.s)
	return out
}

func (h *harness) must(out Output, err error) Output {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("unexpected error: %v", err)
	}
	return h.apply(out)
}

func (h *harness) join(group, member string, topics ...string) *MemberState {
	h.t.Helper()
	h.must(h.s.Join(h.now, JoinRequest{Group: group, MemberID: member, Subscription: Subscription{Topics: topics}}))
	return h.states[group+"/"+member]
}

// leave makes the member leave; its client forgets its state.
func (h *harness) leave(group, member string, temporary bool) Output {
	h.t.Helper()
	out := h.must(h.s.Leave(h.now, group, member, temporary))
	delete(h.states, group+"/"+member)
	return out
}

func (h *harness) state(group, member string) *MemberState { return h.states[group+"/"+member] }

// ack acknowledges the last state pushed to the member.
func (h *harness) ack(group, member string) Output {
	h.t.Helper()
	st := h.state(group, member)
	if st == nil {
		h.t.Fatalf("no state for %s/%s", group, member)
	}
	return h.must(h.s.Ack(h.now, group, member, st.MemberEpoch, st.Assigned))
}

// ackAll acknowledges every member's last state until nothing changes, and
// returns the number of rounds it took.
func (h *harness) ackAll(group string) int {
	h.t.Helper()
	for round := 1; round <= 10; round++ {
		n := len(h.records)
		for _, k := range slices.Sorted(maps.Keys(h.states)) {
			g, m, _ := strings.Cut(k, "/")
			if g == group {
				h.ack(g, m)
			}
		}
		if len(h.records) == n {
			return round
		}
	}
	h.t.Fatalf("group %s did not settle in 10 ack rounds", group)
	return 0
}

func (h *harness) describe(group string) GroupDescription {
	h.t.Helper()
	d, err := h.s.Describe(group)
	if err != nil {
		h.t.Fatalf("describe %s: %v", group, err)
	}
	return d
}

// owners maps member id -> assigned partitions (as the server records them).
func (h *harness) owners(group string) map[string]string {
	out := map[string]string{}
	for _, m := range h.describe(group).Members {
		out[m.MemberID] = fmtTPs(m.Assigned)
	}
	return out
}

func (h *harness) tick() Output {
	h.t.Helper()
	return h.apply(h.s.Tick(h.now))
}

// replayed rebuilds a shard from every record the harness kept.
func (h *harness) replayed() *Shard {
	h.t.Helper()
	s := NewShard(h.s.cfg)
	for i, r := range h.records {
		if err := s.Replay(r); err != nil {
			h.t.Fatalf("replay record %d: %v", i, err)
		}
	}
	return s
}

// checkSafety fails if a partition is in two members' Assigned ∪ Revoking,
// or the server's internal invariants do not hold.
func checkSafety(t testing.TB, s *Shard) {
	t.Helper()
	for _, gid := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[gid]
		owner := map[TopicPartition]string{}
		for _, id := range g.sortedMemberIDs() {
			m := g.members[id]
			for _, tp := range unionTPs(m.assigned, m.revoking) {
				if o, ok := owner[tp]; ok {
					t.Fatalf("group %s: %s/%d owned by %s and %s", gid, tp.Topic, tp.Partition, o, id)
				}
				owner[tp] = id
			}
			if len(intersectTPs(m.assigned, m.revoking)) > 0 {
				t.Fatalf("group %s member %s: assigned %v and revoking %v overlap", gid, id, m.assigned, m.revoking)
			}
			if m.epoch > g.epoch {
				t.Fatalf("group %s member %s: epoch %d > group epoch %d", gid, id, m.epoch, g.epoch)
			}
			if m.instanceID != "" && g.instances[m.instanceID] != id {
				t.Fatalf("group %s member %s: instance %s maps to %q", gid, id, m.instanceID, g.instances[m.instanceID])
			}
		}
		if len(g.instances) > len(g.members) {
			t.Fatalf("group %s: %d instances for %d members", gid, len(g.instances), len(g.members))
		}
		if len(g.members) == 0 && len(g.offsets) == 0 {
			t.Fatalf("group %s: exists with neither members nor offsets", gid)
		}
	}
}
