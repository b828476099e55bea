package replication_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fjordlog/fjord/server/replication"
)

// TestSimulation runs three replicas of one partition through random
// produces, syncs, fetches, clock ticks, ISR proposals (accepted, rejected
// or lost), crashes and restarts and leader changes (elected only from the
// ISR, as the controller does), with a model controller doing the
// compare-and-set on partition epochs. Under flush.policy=sync a crash is a
// machine crash (unsynced offsets are lost); under flush.policy=replication
// a process crash (nothing is lost), the failure each policy is meant to
// survive. Fetch responses travel through an in-memory network that drops,
// delays and reorders them.
//
// Checked throughout:
//   - every offset below any high watermark a leader ever reported
//     ("committed") is present and unchanged on every leader elected later;
//   - a follower that finishes truncation holds a prefix of the leader's log,
//     and every replica in the fetching phase agrees with the committed
//     offsets;
//   - a leader's high watermark never decreases and never exceeds its log end
//     offset; AckReady never acknowledges beyond it.
//
// At the end every replica is restarted and caught up, and all logs must be
// identical and hold every committed offset.
func TestSimulation(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 50
	}
	for _, sync := range []bool{true, false} {
		total := map[string]int{}
		for seed := range seeds {
			s := newSim(t, uint64(seed), sync)
			s.run(600)
			s.heal()
			if t.Failed() {
				t.Logf("sync=%v seed=%d trace:\n%s", sync, seed, strings.Join(s.trace, "\n"))
				return
			}
			for k, v := range s.stats() {
				total[k] += v
			}
		}
		t.Logf("sync=%v: %v", sync, total)
	}
}

const simLag = 100

type simReplica struct {
	id       int32
	log      *memLog
	alive    bool
	leader   *replication.Leader
	follower *replication.Follower
	asking   bool
	askEpoch int32
	hw       int64
}

type simProposal struct {
	from   *replication.Leader
	change *replication.ISRChange
}

type sim struct {
	t    *testing.T
	rng  *rand.Rand
	sync bool
	now  int64
	reps []*simReplica
	// controller state
	leader         int32 // -1: offline
	leaderEpoch    int32
	partitionEpoch int32
	isr            []int32
	proposals      []simProposal

	committed []entry // offsets below the highest HW ever reported
	nextVal   uint64
	trace     []string

	// net holds fetch responses in flight: delivered in any order, late,
	// or never (the in-memory transport drops, delays and reorders).
	net []simResponse
	// healed: the network no longer drops (heal).
	healed bool
}

// simResponse is a fetch response on its way to a follower.
type simResponse struct {
	to      *simReplica
	fol     *replication.Follower // the follower it answers; a newer one ignores it
	start   int64                 // the fetch offset it answers
	entries []entry
	hw      int64
}

func newSim(t *testing.T, seed uint64, sync bool) *sim {
	s := &sim{t: t, rng: rand.New(rand.NewPCG(seed, 0x5eed)), sync: sync, isr: []int32{1, 2, 3}, leader: 1}
	for id := int32(1); id <= 3; id++ {
		s.reps = append(s.reps, &simReplica{id: id, log: &memLog{}, alive: true})
	}
	s.becomeLeader(s.rep(1))
	return s
}

func (s *sim) rep(id int32) *simReplica { return s.reps[id-1] }

func (s *sim) logf(format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf("t=%d ", s.now)+fmt.Sprintf(format, args...))
}

func (s *sim) fatalf(format string, args ...any) {
	s.t.Helper()
	s.logf("FAIL: "+format, args...)
	s.t.Errorf(format, args...)
}

func (s *sim) run(steps int) {
	for range steps {
		if s.t.Failed() {
			return
		}
		s.now += int64(s.rng.IntN(20))
		switch r := s.rng.IntN(100); {
		case r < 25:
			s.produce()
		case r < 35:
			s.leaderSync()
		case r < 60:
			s.followerStep(s.reps[s.rng.IntN(3)])
		case r < 75:
			s.deliver()
		case r < 82:
			s.tick(int64(s.rng.IntN(2 * simLag)))
		case r < 90:
			s.controllerStep()
		case r < 94:
			s.crash(s.reps[s.rng.IntN(3)])
		case r < 98:
			s.restart(s.reps[s.rng.IntN(3)])
		default:
			s.moveLeadership()
		}
		s.check()
	}
}

func (s *sim) currentLeader() *simReplica {
	if s.leader < 0 {
		return nil
	}
	r := s.rep(s.leader)
	if !r.alive || r.leader == nil {
		return nil
	}
	return r
}

func (s *sim) produce() {
	r := s.currentLeader()
	if r == nil {
		return
	}
	if !r.leader.CanAcceptAcksAll() && s.rng.IntN(2) == 0 {
		return // acks=all refused; an acks=1 produce goes ahead otherwise
	}
	n := 1 + s.rng.IntN(3)
	for range n {
		s.nextVal++
		r.log.append(entry{s.leaderEpoch, s.nextVal})
	}
	s.logf("produce %d at leader %d epoch %d -> leo %d", n, r.id, s.leaderEpoch, r.log.LogEndOffset())
	s.on(r)(r.leader.Append(r.log.LogEndOffset()))
}

func (s *sim) leaderSync() {
	r := s.currentLeader()
	if r == nil {
		return
	}
	r.log.sync()
	s.on(r)(r.leader.Sync(r.log.durable))
}

func (s *sim) tick(d int64) {
	s.now += d
	if r := s.currentLeader(); r != nil {
		s.on(r)(r.leader.Tick(s.now))
	}
}

// handle applies a leader's Ready: records committed offsets and queues
// ISR proposals for the controller.
func (s *sim) on(r *simReplica) func(replication.Ready, error) {
	return func(rd replication.Ready, err error) { s.handle(r, rd, err) }
}

func (s *sim) handle(r *simReplica, rd replication.Ready, err error) {
	s.t.Helper()
	if err != nil {
		s.fatalf("leader %d: %v", r.id, err)
		return
	}
	if rd.HighWatermarkChanged {
		s.logf("leader %d hw -> %d", r.id, rd.HighWatermark)
		r.hw = rd.HighWatermark
		s.commit(r, rd.HighWatermark)
	}
	if rd.ProposeISR != nil {
		s.logf("leader %d proposes %s", r.id, rd.ProposeISR)
		s.proposals = append(s.proposals, simProposal{r.leader, rd.ProposeISR})
	}
}

// commit records that offsets below hw are committed, checking that what
// was committed before is unchanged on this leader.
func (s *sim) commit(r *simReplica, hw int64) {
	if hw > r.log.LogEndOffset() {
		s.fatalf("leader %d hw %d above its leo %d", r.id, hw, r.log.LogEndOffset())
		return
	}
	for o := int64(0); o < hw; o++ {
		e := r.log.at(o)
		if o < int64(len(s.committed)) {
			if s.committed[o] != e {
				s.fatalf("leader %d hw %d: offset %d is %v, committed %v", r.id, hw, o, e, s.committed[o])
				return
			}
		} else {
			s.committed = append(s.committed, e)
		}
	}
}

func (s *sim) becomeLeader(r *simReplica) {
	cfg := replication.LeaderConfig{
		Topic: "t", ReplicaID: r.id, Replicas: []int32{1, 2, 3}, ISR: s.isr,
		LeaderEpoch: s.leaderEpoch, PartitionEpoch: s.partitionEpoch,
		MinInSync: 2, LagTimeMax: simLag, SyncPolicy: s.sync,
	}
	hw := min(r.hw, r.log.LogEndOffset())
	l, err := replication.NewLeader(cfg, replication.Offsets{LogEnd: r.log.LogEndOffset(), Durable: r.log.durable, HighWatermark: hw}, s.now)
	if err != nil {
		s.fatalf("new leader %d: %v", r.id, err)
		return
	}
	r.leader, r.follower, r.asking = l, nil, false
	s.logf("replica %d leads epoch %d isr %v log %s", r.id, s.leaderEpoch, s.isr, r.log)
	// The core safety claim: an ISR member has every committed offset.
	if int64(len(s.committed)) > r.log.LogEndOffset() {
		s.fatalf("new leader %d has leo %d below committed %d", r.id, r.log.LogEndOffset(), len(s.committed))
		return
	}
	for o, e := range s.committed {
		if r.log.at(int64(o)) != e {
			s.fatalf("new leader %d: offset %d is %v, committed %v", r.id, o, r.log.at(int64(o)), e)
			return
		}
	}
}

func (s *sim) followerStep(r *simReplica) {
	ld := s.currentLeader()
	if !r.alive || ld == nil || ld == r {
		return
	}
	if r.follower == nil || r.follower.LeaderEpoch() != s.leaderEpoch {
		r.follower = replication.NewFollower(ld.id, s.leaderEpoch)
		s.logf("replica %d follows %d in epoch %d, log %s", r.id, ld.id, s.leaderEpoch, r.log)
		s.applyFollower(r, ld, r.follower.Start(r.log))
		return
	}
	if r.asking {
		ans, err := ld.leader.EndOffsetForEpoch(ld.log, r.id, r.follower.LeaderEpoch(), r.askEpoch)
		if err != nil {
			s.fatalf("offset for epoch from %d: %v", r.id, err)
			return
		}
		fr, err := r.follower.HandleEpochEndOffset(r.log, ans)
		if err != nil {
			s.fatalf("replica %d: %v", r.id, err)
			return
		}
		s.logf("replica %d asked %d, leader answers %s: %s", r.id, r.askEpoch, ans, fr)
		s.applyFollower(r, ld, fr)
		return
	}
	// Fetching: maybe sync first, report progress, take some data.
	if s.rng.IntN(2) == 0 {
		r.log.sync()
	}
	rd, err := ld.leader.Fetch(replication.FetchRequest{
		ReplicaID: r.id, LeaderEpoch: r.follower.LeaderEpoch(),
		FetchOffset: r.log.LogEndOffset(), DurableOffset: r.log.durable, Now: s.now,
	})
	s.handle(ld, rd, err)
	resp := simResponse{to: r, fol: r.follower, start: r.log.LogEndOffset(), hw: ld.leader.HighWatermark()}
	n := s.rng.IntN(5)
	for o := r.log.LogEndOffset(); o < ld.log.LogEndOffset() && n > 0; o, n = o+1, n-1 {
		resp.entries = append(resp.entries, ld.log.at(o))
	}
	s.net = append(s.net, resp)
}

// deliver hands a random in-flight fetch response to its follower, or
// drops it. A follower applies only an answer to its current Follower whose
// fetch offset is still its log end (as the broker, which otherwise
// restarts epoch truncation).
func (s *sim) deliver() {
	if len(s.net) == 0 {
		return
	}
	i := s.rng.IntN(len(s.net))
	m := s.net[i]
	s.net = slices.Delete(s.net, i, i+1)
	r := m.to
	switch {
	case !s.healed && s.rng.IntN(6) == 0:
		s.logf("net: response to %d at %d dropped", r.id, m.start)
		return
	case !r.alive || r.follower != m.fol || r.asking:
		s.logf("net: stale response to %d at %d ignored", r.id, m.start)
		return
	case m.start != r.log.LogEndOffset():
		s.logf("net: response to %d at %d out of order (leo %d) ignored", r.id, m.start, r.log.LogEndOffset())
		return
	}
	for _, e := range m.entries {
		r.log.append(e)
	}
	r.hw = max(r.hw, replication.FollowerHighWatermark(m.hw, r.log.LogEndOffset()))
}

func (s *sim) applyFollower(r, ld *simReplica, fr replication.FollowerReady) {
	if fr.Truncate {
		r.log.truncateTo(fr.TruncateTo)
		r.hw = min(r.hw, r.log.LogEndOffset())
	}
	r.asking, r.askEpoch = fr.Ask, fr.AskEpoch
	if fr.Fetch {
		if ok, at := r.log.isPrefixOf(ld.log); !ok {
			s.fatalf("replica %d after truncation diverges from leader %d at %d: %s vs %s", r.id, ld.id, at, r.log, ld.log)
		}
	}
}

// controllerStep resolves the oldest ISR proposal: compare-and-set on the
// leader and partition epochs, refusing to add a dead (fenced) broker
// (KIP-841); sometimes the request is lost and the leader times it out.
func (s *sim) controllerStep() {
	if len(s.proposals) == 0 {
		return
	}
	p := s.proposals[0]
	s.proposals = s.proposals[1:]
	ld := s.currentLeader()
	if ld == nil || ld.leader != p.from {
		return // the proposer is gone; nobody is waiting
	}
	ok := p.change.LeaderEpoch == s.leaderEpoch && p.change.PartitionEpoch == s.partitionEpoch
	for _, id := range p.change.NewISR {
		if !s.rep(id).alive {
			ok = false
		}
	}
	switch {
	case s.rng.IntN(5) == 0:
		s.logf("controller: proposal %s lost", p.change)
		s.on(ld)(p.from.ISRProposalFailed())
	case ok:
		s.partitionEpoch++
		s.isr = slices.Clone(p.change.NewISR)
		s.logf("controller: isr %v partition epoch %d", s.isr, s.partitionEpoch)
		s.on(ld)(p.from.ApplyISR(s.isr, s.partitionEpoch))
	default:
		s.logf("controller: proposal %s rejected", p.change)
		s.on(ld)(p.from.ISRProposalFailed())
	}
}

func (s *sim) crash(r *simReplica) {
	if !r.alive {
		return
	}
	r.alive = false
	if s.sync {
		r.log.crash()
	}
	r.hw = min(r.hw, r.log.LogEndOffset())
	if r.leader != nil {
		r.leader.Resign()
		r.leader = nil
	}
	r.follower, r.asking = nil, false
	s.logf("replica %d crashes, log %s", r.id, r.log)
	// The controller fences it: out of the ISR unless it is the last member,
	// and a new leader from the ISR if it led.
	changed := false
	if i := slices.Index(s.isr, r.id); i >= 0 && len(s.isr) > 1 {
		s.isr = slices.Delete(slices.Clone(s.isr), i, i+1)
		changed = true
	}
	if s.leader == r.id {
		s.elect(-1)
		return
	}
	if changed {
		s.partitionEpoch++
		s.logf("controller: fenced %d, isr %v partition epoch %d", r.id, s.isr, s.partitionEpoch)
		if ld := s.currentLeader(); ld != nil {
			s.on(ld)(ld.leader.ApplyISR(s.isr, s.partitionEpoch))
		}
	}
}

// elect makes an alive ISR member other than not the leader, or leaves the
// partition offline.
func (s *sim) elect(not int32) {
	if old := s.currentLeader(); old != nil {
		old.leader.Resign()
		old.leader = nil
	}
	s.partitionEpoch++
	var cands []int32
	for _, id := range s.isr {
		if id != not && s.rep(id).alive {
			cands = append(cands, id)
		}
	}
	if len(cands) == 0 {
		s.leader = -1
		s.logf("controller: partition offline, isr %v", s.isr)
		return
	}
	s.leader = cands[s.rng.IntN(len(cands))]
	s.leaderEpoch++
	s.becomeLeader(s.rep(s.leader))
}

func (s *sim) restart(r *simReplica) {
	if r.alive {
		return
	}
	r.alive = true
	s.logf("replica %d restarts, log %s", r.id, r.log)
	if s.leader < 0 && slices.Contains(s.isr, r.id) {
		s.elect(-1)
	}
}

func (s *sim) moveLeadership() {
	ld := s.currentLeader()
	if ld == nil {
		return
	}
	for _, id := range s.isr {
		if id != ld.id && s.rep(id).alive {
			s.logf("controller: moving leadership away from %d", ld.id)
			s.elect(ld.id)
			return
		}
	}
}

func (s *sim) check() {
	ld := s.currentLeader()
	if ld == nil {
		return
	}
	l := ld.leader
	if l.HighWatermark() < ld.hw {
		s.fatalf("leader %d hw %d below reported %d", ld.id, l.HighWatermark(), ld.hw)
	}
	if done, err := l.AckReady(l.HighWatermark() + 1); done && err == nil {
		s.fatalf("leader %d acknowledges past its hw %d", ld.id, l.HighWatermark())
	}
	for _, r := range s.reps {
		if r == ld || !r.alive || r.follower == nil || r.follower.Phase() != replication.Fetching ||
			r.follower.LeaderEpoch() != s.leaderEpoch {
			continue
		}
		if ok, at := r.log.isPrefixOf(ld.log); !ok {
			s.fatalf("replica %d diverges from leader %d at offset %d", r.id, ld.id, at)
		}
	}
}

// heal restarts everything and replicates until every log equals the
// leader's.
func (s *sim) heal() {
	for _, r := range s.reps {
		s.restart(r)
	}
	for i := 0; i < 2000 && len(s.proposals) > 0; i++ {
		s.controllerStep()
	}
	ld := s.currentLeader()
	if ld == nil {
		s.fatalf("no leader after restarting everything (isr %v)", s.isr)
		return
	}
	s.healed = true
	for range 500 {
		for _, r := range s.reps {
			s.followerStep(r)
			for len(s.net) > 0 {
				s.deliver()
			}
		}
		s.tick(1)
		s.controllerStep()
	}
	for _, r := range s.reps {
		if r == ld {
			continue
		}
		if r.log.LogEndOffset() != ld.log.LogEndOffset() {
			s.fatalf("replica %d did not catch up: %s vs leader %s", r.id, r.log, ld.log)
		} else if ok, at := r.log.isPrefixOf(ld.log); !ok {
			s.fatalf("replica %d differs from leader at %d", r.id, at)
		}
	}
	if int64(len(s.committed)) > ld.log.LogEndOffset() {
		s.fatalf("committed offsets lost: %d > leo %d", len(s.committed), ld.log.LogEndOffset())
		return
	}
	for o, e := range s.committed {
		if ld.log.at(int64(o)) != e {
			s.fatalf("committed offset %d lost", o)
			return
		}
	}
}

// simStats counts what a run exercised, so a green run is known to mean
// something.
func (s *sim) stats() map[string]int {
	m := map[string]int{}
	for _, l := range s.trace {
		for _, k := range []string{"leads epoch", "truncate to", "crashes", "lost", "rejected", "controller: isr", "fenced", "offline", "hw ->", "moving", "dropped", "ignored"} {
			if strings.Contains(l, k) {
				m[k]++
			}
		}
	}
	m["committed"] = len(s.committed)
	return m
}
