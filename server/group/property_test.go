package group

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// The property tests drive a shard with random operations from a model of
// clients that follow the protocol (with random stale acks, disconnects,
// silences and restarts thrown in) and check, after every operation:
//
//   - safety: no partition is in two members' Assigned ∪ Revoking, and
//     what each connected client consumes (its last Assigned) is within what
//     the server counts it owning;
//   - durability: replaying every record emitted so far into a fresh shard
//     (also after compaction) gives the same groups, members and offsets;
//   - failover: a shard rebuilt from the records at a random point, and
//     loaded, behaves exactly like the original from then on (same records,
//     effects and errors for every operation);
//   - progress: once the chaos stops and every member acknowledges, each
//     group is Stable after one round of acknowledgements.

// slot is one client process; static slots keep their instance id across
// restarts under new member ids.
type slot struct {
	group, instance string
	gen             int
	memberID        string
	assignor        string
	sub             Subscription
	rebalance       time.Duration // rebalance timeout asked for
	slow            bool          // rarely acknowledges: hits its rebalance timeout
	state           *MemberState  // last state received on the current stream
	alive           bool          // the client believes it is a member
	connected       bool          // it has an open stream
}

type world struct {
	t      *testing.T
	rng    *rand.Rand
	now    time.Time
	a, b   *Shard // b: the twin rebuilt at the last failover, nil before
	r      *Shard // fed every record a emitted, nothing else
	topics map[string]assign.Topic
	// every record a emitted, in order
	records []Record
	slots   []*slot
	byID    map[string]*slot // group/member -> slot
	offset  int64            // commits use increasing offsets
	steps   int
	seed    uint64
	counts  map[Reason]int // what happened, to check the generator's reach
}

var propSubs = []Subscription{
	{Topics: []string{"a"}},
	{Topics: []string{"a", "b"}},
	{Topics: []string{"b", "c"}},
	{Topics: []string{"c", "missing"}},
	{Pattern: "a|c"},
	{Pattern: "[a-c]"},
	{Pattern: ".*"},
	{Pattern: "__.*"},
}

func newWorld(t *testing.T, seed uint64) *world {
	w := &world{
		t:      t,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now:    t0,
		a:      NewShard(Config{}),
		r:      NewShard(Config{}),
		topics: topics("a:3 b:2 __int:1"),
		byID:   map[string]*slot{},
		seed:   seed,
		counts: map[Reason]int{},
	}
	assignors := []string{"uniform", "range"}
	for gi, g := range []string{"g1", "g2"} {
		for i := range 5 {
			s := &slot{group: g, assignor: assignors[gi]}
			if i < 2 {
				s.instance = fmt.Sprintf("i%d", i)
			}
			s.slow = i == 4
			s.newID(i)
			w.slots = append(w.slots, s)
		}
	}
	w.do(nil, func(s *Shard) (Output, error) { return s.SetTopics(w.now, w.topics), nil })
	return w
}

func (s *slot) newID(i int) {
	s.gen++
	s.memberID = fmt.Sprintf("m%d.%d", i, s.gen)
}

func (w *world) key(g, m string) string { return g + "/" + m }

// do applies one operation to the shard (and its twin, comparing), keeps the
// records, delivers the effects to the clients and checks the invariants.
// joiner is the slot whose Join this is, if any.
func (w *world) do(joiner *slot, fn func(*Shard) (Output, error)) (Output, error) {
	w.t.Helper()
	w.steps++
	out, err := fn(w.a)
	if w.b != nil {
		outB, errB := fn(w.b)
		if !reflect.DeepEqual(out, outB) || fmt.Sprint(err) != fmt.Sprint(errB) {
			w.t.Fatalf("seed %d step %d: twin diverged:\n a: %+v %v\n b: %+v %v", w.seed, w.steps, out, err, outB, errB)
		}
	}
	w.keep(out.Records)
	w.deliver(out, joiner)
	w.check()
	return out, err
}

// keep appends records to the log and replays them into w.r.
func (w *world) keep(records []Record) {
	for _, rec := range records {
		if err := w.r.Replay(rec); err != nil {
			w.t.Fatalf("seed %d step %d: replay: %v", w.seed, w.steps, err)
		}
	}
	w.records = append(w.records, records...)
}

func (w *world) deliver(out Output, joiner *slot) {
	for _, e := range out.Effects {
		if e.Err != nil {
			w.counts[e.Err.Reason]++
			if strings.Contains(e.Err.Message, "rebalance timeout") {
				w.counts["rebalance timeout"]++
			}
		}
		s := w.byID[w.key(e.Group, e.MemberID)]
		if s == nil || s.memberID != e.MemberID {
			continue
		}
		if joiner == s {
			// Err effects before the joiner's State are for its old stream.
			if e.State != nil {
				s.state, s.alive, s.connected = e.State, true, true
			}
			continue
		}
		if !s.connected {
			continue // no stream: the runtime drops it
		}
		if e.Err != nil {
			s.alive, s.connected, s.state = false, false, nil
			continue
		}
		s.state = e.State
	}
}

func (w *world) check() {
	w.t.Helper()
	checkSafety(w.t, w.a)
	// A connected client consumes its last Assigned: the server must count
	// it as owned by that member.
	for _, s := range w.slots {
		if !s.alive || !s.connected || s.state == nil {
			continue
		}
		g := w.a.groups[s.group]
		if g == nil {
			w.t.Fatalf("seed %d step %d: client %s/%s alive in a missing group", w.seed, w.steps, s.group, s.memberID)
		}
		m := g.members[s.memberID]
		if m == nil {
			w.t.Fatalf("seed %d step %d: connected client %s/%s unknown to the server", w.seed, w.steps, s.group, s.memberID)
		}
		for _, tp := range s.state.Assigned {
			if !m.owns(tp) {
				w.t.Fatalf("seed %d step %d: client %s/%s consumes %v, server has %v + %v", w.seed, w.steps, s.group, s.memberID, tp, m.assigned, m.revoking)
			}
		}
	}
	if w.b != nil {
		compareShards(w.t, w.a, w.b, true)
	}
	compareShards(w.t, w.a, w.r, false)
}

func replayAll(t *testing.T, cfg Config, records []Record, compact bool) *Shard {
	t.Helper()
	last := map[string]int{}
	for i, r := range records {
		last[string(r.Key)] = i
	}
	s := NewShard(cfg)
	for i, r := range records {
		if compact && last[string(r.Key)] != i {
			continue
		}
		if err := s.Replay(r); err != nil {
			t.Fatalf("replay record %d: %v", i, err)
		}
	}
	return s
}

// compareShards compares what the API shows of two shards; connected
// flags only if withConn (a replayed, unloaded shard has no streams).
func compareShards(t *testing.T, a, b *Shard, withConn bool) {
	t.Helper()
	la, lb := a.List(), b.List()
	if !reflect.DeepEqual(la, lb) {
		t.Fatalf("List differs:\n%+v\n%+v", la, lb)
	}
	for _, l := range la {
		da, _ := a.Describe(l.Group)
		db, _ := b.Describe(l.Group)
		if !withConn {
			for i := range da.Members {
				da.Members[i].Connected = false
			}
			for i := range db.Members {
				db.Members[i].Connected = false
			}
		}
		if !reflect.DeepEqual(da, db) {
			t.Fatalf("Describe(%s) differs:\n%+v\n%+v", l.Group, da, db)
		}
		if fa, fb := a.FetchOffsets(l.Group, nil), b.FetchOffsets(l.Group, nil); !reflect.DeepEqual(fa, fb) {
			t.Fatalf("FetchOffsets(%s) differs:\n%+v\n%+v", l.Group, fa, fb)
		}
	}
}

// expect fails the test unless err is nil or has one of the reasons.
func (w *world) expect(what string, err error, ok ...Reason) Reason {
	w.t.Helper()
	r := reasonOf(err)
	w.counts[Reason(what)+" "+r]++
	if r != "" && !slices.Contains(ok, r) {
		w.t.Fatalf("seed %d step %d: %s: unexpected %v", w.seed, w.steps, what, err)
	}
	return r
}

func (w *world) join(s *slot) {
	req := JoinRequest{Group: s.group, MemberID: s.memberID, InstanceID: s.instance, Assignor: s.assignor,
		Subscription: s.sub, RebalanceTimeout: s.rebalance}
	w.byID[w.key(s.group, s.memberID)] = s
	_, err := w.do(s, func(sh *Shard) (Output, error) { return sh.Join(w.now, req) })
	if w.expect("join", err, ReasonUnreleasedInstanceID) != "" {
		s.alive = false
	}
}

func (w *world) resume(s *slot) {
	req := JoinRequest{Group: s.group, MemberID: s.memberID, InstanceID: s.instance, Assignor: s.assignor,
		Subscription: s.sub, RebalanceTimeout: s.rebalance, MemberEpoch: s.state.MemberEpoch, Owned: s.state.Assigned}
	_, err := w.do(s, func(sh *Shard) (Output, error) { return sh.Join(w.now, req) })
	if w.expect("resume", err, ReasonUnknownMemberID, ReasonFencedMemberEpoch, ReasonFencedInstanceID) != "" {
		s.alive, s.state = false, nil
	}
}

func (w *world) lost(what string, err error, s *slot) {
	if w.expect(what, err, ReasonUnknownMemberID, ReasonFencedMemberEpoch) != "" {
		s.alive, s.connected, s.state = false, false, nil
	}
}

func (w *world) disconnect(s *slot) {
	s.connected = false
	w.do(nil, func(sh *Shard) (Output, error) { sh.Disconnected(w.now, s.group, s.memberID); return Output{}, nil })
}

func (w *world) ack(s *slot) {
	st := s.state
	_, err := w.do(nil, func(sh *Shard) (Output, error) {
		return sh.Ack(w.now, s.group, s.memberID, st.MemberEpoch, st.Assigned)
	})
	w.lost("ack", err, s)
}

func (w *world) pick(subs []*slot) *slot { return subs[w.rng.IntN(len(subs))] }

func (w *world) tps(g string) []TopicPartition {
	var out []TopicPartition
	for _, name := range slices.Sorted(maps.Keys(w.topics)) {
		for p := range w.topics[name].Partitions {
			out = append(out, TopicPartition{Topic: name, Partition: p})
		}
	}
	return out
}

// step does one random operation.
func (w *world) step() {
	s := w.pick(w.slots)
	switch n := w.rng.IntN(100); {
	case n < 12: // time passes
		d := time.Duration(w.rng.IntN(8000)) * time.Millisecond
		if w.rng.IntN(15) == 0 {
			d = 50 * time.Second
		}
		if w.rng.IntN(60) == 0 {
			d = 6 * time.Minute
		}
		w.now = w.now.Add(d)
		w.do(nil, func(sh *Shard) (Output, error) { return sh.Tick(w.now), nil })
	case n < 20: // a client that is not a member joins (static ones may restart under a new id)
		if s.alive && s.connected {
			if s.instance == "" || w.rng.IntN(3) != 0 {
				return
			}
			// A static member's process crashes and restarts before the
			// broker noticed its stream died: its instance id is still held.
			old := s.memberID
			s.connected, s.state = false, nil
			s.newID(slices.Index(w.slots, s) % 5)
			w.join(s)
			if s.alive {
				w.t.Fatalf("seed %d step %d: took over instance %s from a connected member", w.seed, w.steps, s.instance)
			}
			// The broker notices; the client's retry takes the instance over.
			w.do(nil, func(sh *Shard) (Output, error) { sh.Disconnected(w.now, s.group, old); return Output{}, nil })
			w.join(s)
			return
		}
		if s.alive && s.instance == "" {
			return
		}
		if s.instance != "" && w.rng.IntN(2) == 0 || !s.alive && w.rng.IntN(3) == 0 {
			s.newID(slices.Index(w.slots, s) % 5)
		}
		s.sub = propSubs[w.rng.IntN(len(propSubs))]
		s.rebalance = []time.Duration{0, 10 * time.Second, 20 * time.Second}[w.rng.IntN(3)]
		s.state = nil
		w.join(s)
	case n < 28: // reconnect
		if s.alive && !s.connected && s.state != nil {
			w.resume(s)
		}
	case n < 55: // acknowledge (sometimes something stale)
		if !s.alive || !s.connected || s.slow && w.rng.IntN(4) != 0 {
			return
		}
		if w.rng.IntN(8) == 0 {
			all := w.tps(s.group)
			owned := slices.Clone(all[:w.rng.IntN(len(all)+1)])
			_, err := w.do(nil, func(sh *Shard) (Output, error) {
				return sh.Ack(w.now, s.group, s.memberID, s.state.MemberEpoch, owned)
			})
			w.lost("stale ack", err, s)
			return
		}
		w.ack(s)
	case n < 65: // heartbeat
		if s.alive && s.connected {
			_, err := w.do(nil, func(sh *Shard) (Output, error) {
				return sh.Heartbeat(w.now, s.group, s.memberID, s.state.MemberEpoch)
			})
			w.lost("heartbeat", err, s)
		}
	case n < 69: // subscription change
		if s.alive && s.connected {
			s.sub = propSubs[w.rng.IntN(len(propSubs))]
			_, err := w.do(nil, func(sh *Shard) (Output, error) { return sh.Subscribe(w.now, s.group, s.memberID, s.sub) })
			w.lost("subscribe", err, s)
		}
	case n < 73: // leave
		if s.alive && s.connected {
			// The client stops consuming, then leaves.
			temporary := w.rng.IntN(2) == 0
			s.connected = false
			if !temporary || s.instance == "" {
				s.alive, s.state = false, nil
			}
			_, err := w.do(nil, func(sh *Shard) (Output, error) { return sh.Leave(w.now, s.group, s.memberID, temporary) })
			w.lost("leave", err, s)
		}
	case n < 77: // stream breaks
		if s.alive && s.connected {
			w.disconnect(s)
		}
	case n < 86: // a member commits what it was told it owns
		if !s.alive || !s.connected || len(s.state.Assigned) == 0 {
			return
		}
		tp := s.state.Assigned[w.rng.IntN(len(s.state.Assigned))]
		w.offset++
		req := CommitRequest{Group: s.group, MemberID: s.memberID, MemberEpoch: s.state.MemberEpoch,
			Offsets: []CommitOffset{{TopicPartition: tp, Offset: w.offset}}}
		var errs []error
		_, err := w.do(nil, func(sh *Shard) (Output, error) {
			e, out, err := sh.Commit(w.now, req)
			errs = e
			return out, err
		})
		if w.expect("commit", err, ReasonStaleMemberEpoch, ReasonUnknownMemberID) == "" {
			w.expect("commit partition", errs[0], ReasonOffsetRegression)
		}
	case n < 89: // admin: commit from outside, reset, delete
		g := s.group
		all := w.tps(g)
		tp := all[w.rng.IntN(len(all))]
		switch w.rng.IntN(3) {
		case 0:
			w.offset++
			_, err := w.do(nil, func(sh *Shard) (Output, error) {
				_, out, err := sh.Commit(w.now, CommitRequest{Group: g, Offsets: []CommitOffset{{TopicPartition: tp, Offset: w.offset}}})
				return out, err
			})
			w.expect("outside commit", err, ReasonNonEmptyGroup)
		case 1:
			off := int64(w.rng.IntN(10))
			force := w.rng.IntN(2) == 0
			_, err := w.do(nil, func(sh *Shard) (Output, error) {
				return sh.ResetOffsets(w.now, g, []CommitOffset{{TopicPartition: tp, Offset: off}}, force)
			})
			w.expect("reset", err, ReasonNonEmptyGroup)
		case 2:
			_, err := w.do(nil, func(sh *Shard) (Output, error) { return sh.Delete(w.now, g) })
			w.expect("delete", err, ReasonNonEmptyGroup, ReasonGroupIDNotFound)
		}
	case n < 94: // metadata changes
		t := maps.Clone(w.topics)
		switch w.rng.IntN(4) {
		case 0:
			a := t["a"]
			if a.Partitions < 6 {
				a.Partitions++
				t["a"] = a
			}
		case 1:
			if _, ok := t["c"]; ok {
				delete(t, "c")
			} else {
				t["c"] = assign.Topic{Partitions: int32(1 + w.rng.IntN(3))}
			}
		case 2:
			b := t["b"]
			b.Racks = nil
			if w.rng.IntN(2) == 0 {
				b.Racks = make([][]string, b.Partitions)
				for i := range b.Racks {
					b.Racks[i] = []string{fmt.Sprintf("r%d", w.rng.IntN(2))}
				}
			}
			t["b"] = b
		case 3:
			if _, ok := t["__int"]; ok {
				delete(t, "__int")
			} else {
				t["__int"] = assign.Topic{Partitions: 1}
			}
		}
		w.topics = t
		w.do(nil, func(sh *Shard) (Output, error) { return sh.SetTopics(w.now, t), nil })
	case n < 96: // coordinator failover: rebuild a twin from the records
		w.failover()
	default:
		w.calm()
	}
}

// failover rebuilds a twin from every record and loads it; the original is
// loaded too (as if it had been rebuilt), so both must agree from now on.
func (w *world) failover() {
	b := replayAll(w.t, w.a.cfg, w.records, w.rng.IntN(2) == 0)
	compareShards(w.t, w.a, b, false)
	outB := b.Loaded(w.now, w.topics)
	outA := w.a.Loaded(w.now, w.topics)
	if !reflect.DeepEqual(outA, outB) {
		w.t.Fatalf("seed %d step %d: Loaded differs:\n%+v\n%+v", w.seed, w.steps, outA, outB)
	}
	w.b = b
	w.counts["failover"]++
	for _, s := range w.slots {
		s.connected = false // every stream ended with NOT_COORDINATOR
	}
	w.keep(outA.Records)
	w.check()
}

// calm stops the chaos: every client that believes it is a member
// reconnects, then all acknowledge once; each group must then be Stable,
// with every client told its target.
func (w *world) calm() {
	for _, s := range w.slots {
		if s.alive && !s.connected && s.state != nil {
			w.resume(s)
		}
	}
	for _, s := range w.slots {
		if s.alive && s.connected {
			w.ack(s)
		}
	}
	for _, l := range w.a.List() {
		if l.State != StateStable && l.State != StateEmpty {
			d, _ := w.a.Describe(l.Group)
			w.t.Fatalf("seed %d step %d: not stable after a round of acks: %+v", w.seed, w.steps, d)
		}
	}
	for _, s := range w.slots {
		if !s.alive || !s.connected {
			continue
		}
		g := w.a.groups[s.group]
		m := g.members[s.memberID]
		if s.state.MemberEpoch != g.epoch || !slices.Equal(s.state.Assigned, m.target) || len(s.state.Pending) != 0 {
			w.t.Fatalf("seed %d step %d: stable, but client %s/%s was told %+v; target %v epoch %d", w.seed, w.steps, s.group, s.memberID, s.state, m.target, g.epoch)
		}
	}
}

func TestRandomOperations(t *testing.T) {
	seeds, steps := 150, 400
	if testing.Short() {
		seeds, steps = 30, 300
	}
	total := map[Reason]int{}
	for seed := range uint64(seeds) {
		w := newWorld(t, seed)
		for range steps {
			w.step()
		}
		w.calm()
		// After compaction the log still rebuilds the same shard.
		compareShards(t, w.a, replayAll(t, w.a.cfg, w.records, true), false)
		for k, v := range w.counts {
			total[k] += v
		}
	}
	t.Logf("events: %v", total)
	// The generator must keep reaching the interesting paths.
	for _, k := range []Reason{
		"failover",
		ReasonUnknownMemberID,   // session expiries
		"rebalance timeout",     // members fenced for not releasing
		ReasonFencedInstanceID,  // static takeovers
		ReasonFencedMemberEpoch, // rejoins with epoch 0
		"join " + ReasonUnreleasedInstanceID,
		"resume " + ReasonUnknownMemberID,
		"stale ack ",
		"commit partition " + ReasonOffsetRegression,
		"delete ",
		"reset ",
	} {
		if total[k] == 0 {
			t.Errorf("no %q in %d random sequences", k, seeds)
		}
	}
}
