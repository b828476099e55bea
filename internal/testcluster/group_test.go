//go:build unix

package testcluster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// Consumer group timing of these tests: members ask for a 2s session (the
// broker's minimum is lowered to allow it) and heartbeat every 500ms.
const (
	groupSession   = 2 * time.Second
	groupHeartbeat = 500 * time.Millisecond
)

// groupArgs are the brokers' group settings: a small __consumer_offsets
// (3 partitions, one coordinator per broker or so) and short sessions.
func groupArgs() []string {
	return []string{
		"--offsets-topic-partitions", "3",
		"--group-min-session-timeout", "500ms",
		"--group-heartbeat-interval", groupHeartbeat.String(),
	}
}

// groupEnv is a cluster with an SDK client for the test's own admin calls
// and producers.
type groupEnv struct {
	t      *testing.T
	c      *Cluster
	seeds  []string
	client *fjord.Client
	admin  *fjord.Admin
	// next numbers worker names.
	next int
}

func newGroupEnv(t *testing.T) *groupEnv {
	t.Helper()
	c := StartCluster(t, 3, WithArgs(groupArgs()...))
	g := &groupEnv{t: t, c: c}
	for _, n := range c.Nodes {
		g.seeds = append(g.seeds, n.ClientAddr())
	}
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(g.seeds...), fjord.RequestTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	g.client, g.admin = cl, fjord.NewAdmin(cl)
	return g
}

// worker starts a group worker with the test defaults (2s session,
// auto-commit every second); edit adjusts its config.
func (g *groupEnv) worker(group, topic string, edit func(*WorkerConfig)) *GroupWorker {
	g.t.Helper()
	g.next++
	cfg := WorkerConfig{Name: fmt.Sprintf("w%d", g.next), Brokers: g.seeds, Group: group, Topics: []string{topic}, SessionTimeout: groupSession}
	if edit != nil {
		edit(&cfg)
	}
	return StartGroupWorker(g.t, cfg)
}

// waitStable waits until the group is Stable with exactly the workers as
// members, the coordinator's view of each member's assignment equals what
// the worker reports owning, and together they own all partitions of
// topic. It returns the assignment.
func (g *groupEnv) waitStable(group, topic string, partitions int32, timeout time.Duration, workers ...*GroupWorker) map[TP]string {
	g.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok, why := g.stable(group, topic, partitions, workers)
		if ok {
			a, dup := Assignment(workers...)
			if len(dup) == 0 {
				return a
			}
			why = strings.Join(dup, "; ")
		}
		last = why
		if time.Now().After(deadline) {
			g.t.Fatalf("group %s not stable with %d members within %s: %s", group, len(workers), timeout, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (g *groupEnv) stable(group, topic string, partitions int32, workers []*GroupWorker) (bool, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d, err := g.admin.DescribeGroup(ctx, group)
	if err != nil {
		return false, err.Error()
	}
	if d.GetState() != fjordv1.GroupState_GROUP_STATE_STABLE {
		return false, "state " + d.GetState().String()
	}
	byMember := map[string]*GroupWorker{}
	for _, w := range workers {
		byMember[w.MemberID()] = w
	}
	if len(d.GetMembers()) != len(workers) {
		return false, fmt.Sprintf("%d members, want %d", len(d.GetMembers()), len(workers))
	}
	covered := map[TP]bool{}
	for _, m := range d.GetMembers() {
		w, ok := byMember[m.GetMemberId()]
		if !ok {
			return false, "unexpected member " + m.GetMemberId()
		}
		if len(m.GetPending()) > 0 || len(m.GetRevoking()) > 0 {
			return false, fmt.Sprintf("member %s (%s) has pending %v revoking %v", w.Name(), m.GetMemberId(), m.GetPending(), m.GetRevoking())
		}
		owned := w.Owned()
		var assigned []TP
		for _, tps := range m.GetAssigned() {
			for _, p := range tps.GetPartitions() {
				assigned = append(assigned, TP{tps.GetTopic(), p})
			}
		}
		if len(assigned) != len(owned) || slices.ContainsFunc(assigned, func(tp TP) bool { return !owned[tp] }) {
			return false, fmt.Sprintf("coordinator says %s owns %v, it reports %v", w.Name(), assigned, slices.Collect(maps.Keys(owned)))
		}
		for _, tp := range assigned {
			covered[tp] = true
		}
	}
	for p := range partitions {
		if !covered[TP{topic, p}] {
			return false, fmt.Sprintf("%s-%d is owned by nobody", topic, p)
		}
	}
	return true, ""
}

// coordinator returns the id of the broker coordinating group.
func (g *groupEnv) coordinator(group string) int32 {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fc, err := g.admin.FindCoordinator(ctx, group)
	if err != nil {
		g.t.Fatalf("FindCoordinator(%s): %v", group, err)
	}
	return fc.GetCoordinator().GetId()
}

// fetchOffsets returns the group's committed offsets.
func (g *groupEnv) fetchOffsets(group string) map[TP]int64 {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	topics, err := g.admin.FetchOffsets(ctx, group)
	if err != nil {
		g.t.Fatalf("FetchOffsets(%s): %v", group, err)
	}
	out := map[TP]int64{}
	for _, t := range topics {
		for _, p := range t.GetPartitions() {
			out[TP{t.GetTopic(), p.GetPartition()}] = p.GetOffset()
		}
	}
	return out
}

// ends returns each partition's high watermark.
func (g *groupEnv) ends(topic string, partitions int32) map[int32]int64 {
	g.t.Helper()
	out := map[int32]int64{}
	for p := range partitions {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		end, err := g.admin.ListOffset(ctx, topic, p, fjord.AtEnd())
		cancel()
		if err != nil {
			g.t.Fatalf("ListOffset(%s-%d): %v", topic, p, err)
		}
		out[p] = end
	}
	return out
}

// rawCommit sends one commit as a member (bypassing the SDK) and returns
// the reason it failed with ("" if stored), retrying coordinator moves.
func (g *groupEnv) rawCommit(group, member string, epoch int32, tp TP, off int64) string {
	g.t.Helper()
	req := &fjordv1.CommitOffsetsRequest{GroupId: group, MemberId: member, MemberEpoch: epoch, Topics: []*fjordv1.CommitOffsetsTopic{{
		Topic: tp.Topic, Partitions: []*fjordv1.CommitOffsetsPartition{{Partition: tp.Partition, Offset: off, LeaderEpoch: -1}}}}}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		ids := g.c.live(i)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		resp, err := fjordv1.NewGroupServiceClient(g.c.Conn(ids[0])).CommitOffsets(ctx, req)
		cancel()
		reason := ""
		switch {
		case err != nil:
			reason = RPCReason(err)
		case resp.GetTopics()[0].GetPartitions()[0].GetError() != nil:
			reason = resp.GetTopics()[0].GetPartitions()[0].GetError().GetReason()
		}
		if !strings.HasPrefix(reason, "COORDINATOR_") && reason != "NOT_COORDINATOR" && !strings.HasPrefix(reason, "Unavailable") || time.Now().After(deadline) {
			return reason
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fencingReason reports whether a commit was refused because its member
// or epoch is no longer current (not for any other failure).
func fencingReason(r string) bool {
	switch r {
	case "UNKNOWN_MEMBER_ID", "FENCED_MEMBER_EPOCH", "STALE_MEMBER_EPOCH":
		return true
	}
	return false
}

// groupLoad produces keyed records (idempotent, acks=all) at a bounded
// rate until it has produced limit records or is stopped.
type groupLoad struct {
	t      *testing.T
	p      *fjord.Producer
	cancel context.CancelFunc
	done   chan struct{}

	mu             sync.Mutex // guards the counters
	produced, fail int
	firstErr       error
}

func (g *groupEnv) startLoad(topic string, perSecond, limit int) *groupLoad {
	g.t.Helper()
	p, err := fjord.NewProducer(g.client, fjord.Linger(5*time.Millisecond), fjord.DeliveryTimeout(time.Minute))
	if err != nil {
		g.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &groupLoad{t: g.t, p: p, cancel: cancel, done: make(chan struct{})}
	g.t.Cleanup(l.Stop)
	go func() {
		defer close(l.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		per := max(perSecond/50, 1)
		for n := 0; n < limit; {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for range min(per, limit-n) {
				// Not ctx: records whose context ends while queued are never
				// failed (see TestProduceContextCancelledWhileQueued in
				// internal/sdktest), so stopping must not cancel them.
				p.Produce(context.Background(), &fjord.Record{Topic: topic, Key: fmt.Appendf(nil, "k%06d", n), Value: make([]byte, 100)}, l.promise)
				n++
			}
		}
	}()
	return l
}

func (l *groupLoad) promise(_ *fjord.Record, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.fail++
		if l.firstErr == nil {
			l.firstErr = err
		}
		return
	}
	l.produced++
}

// Wait waits up to timeout for the load to produce everything.
func (l *groupLoad) Wait(timeout time.Duration) {
	l.t.Helper()
	select {
	case <-l.done:
	case <-time.After(timeout):
		l.t.Fatalf("load did not finish within %s", timeout)
	}
}

// Stop ends the load, flushes and closes the producer; it may be called
// more than once.
func (l *groupLoad) Stop() {
	l.cancel()
	<-l.done
	if l.p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.p.Flush(ctx); err != nil {
		l.t.Errorf("load: flush: %v (%s)", err, l)
	}
	closed := make(chan struct{})
	go func() {
		l.p.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		l.t.Errorf("load: the producer's Close did not return within 30s")
	}
	l.p = nil
}

func (l *groupLoad) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := fmt.Sprintf("%d records acknowledged, %d failed", l.produced, l.fail)
	if l.firstErr != nil {
		s += " (first: " + l.firstErr.Error() + ")"
	}
	return s
}

// waitRecords waits until each worker processed a record after since.
func waitRecords(t *testing.T, since Mono, timeout time.Duration, workers ...*GroupWorker) {
	t.Helper()
	for _, w := range workers {
		if _, ok := w.WaitEvent(timeout, func(e WorkerEvent) bool { return e.Ev == "rec" && e.T > since }); !ok {
			t.Fatalf("worker %s processed no record within %s (owns %v)", w.Name(), timeout, w.Owned())
		}
	}
}

// logEvents logs the worker's events of the given kinds after since.
func logEvents(t *testing.T, w *GroupWorker, since Mono, kinds ...string) {
	t.Helper()
	for _, e := range eventsAfter(w, since, kinds...) {
		line := fmt.Sprintf("%s +%s: %s", w.Name(), e.T.Sub(since).Round(time.Millisecond), e.Ev)
		if len(e.TPs) > 0 {
			line += fmt.Sprintf(" %v", e.TPs)
		}
		if e.Epoch != 0 {
			line += fmt.Sprintf(" epoch %d", e.Epoch)
		}
		if len(e.Offsets) > 0 {
			line += fmt.Sprintf(" offsets %v", e.Offsets)
		}
		if e.Err != "" || len(e.PErr) > 0 {
			line += fmt.Sprintf(" error %q %v", e.Err, e.PErr)
		}
		if e.Addr != "" {
			line += " via " + e.Addr
		}
		t.Log(line)
	}
}

// eventsAfter returns the worker's events of the given kinds after since.
func eventsAfter(w *GroupWorker, since Mono, kinds ...string) []WorkerEvent {
	var out []WorkerEvent
	for _, e := range w.Events() {
		if e.T > since && slices.Contains(kinds, e.Ev) {
			out = append(out, e)
		}
	}
	return out
}

// checkMoves checks that going from before to after moved the fewest
// partitions possible: members are the workers in the group after (new
// ones own nothing in before), left those who left in between.
func checkMoves(t *testing.T, what string, partitions int, before, after map[TP]string, members []*GroupWorker) {
	t.Helper()
	stay := map[string]bool{}
	for _, w := range members {
		stay[w.Name()] = true
	}
	current := map[string]int{}
	for w := range stay {
		current[w] = 0
	}
	for _, w := range before {
		if stay[w] {
			current[w]++
		}
	}
	moved := Moved(before, after, func(w string) bool { return stay[w] })
	want := MinMoves(current, partitions)
	t.Logf("%s: before %v, after %v; moved %d %v (minimum %d); partitions per member %v", what, fmtAssignment(before), fmtAssignment(after), len(moved), moved, want, Counts(after))
	if len(moved) != want {
		t.Errorf("%s: %d partitions moved %v, the minimum is %d", what, len(moved), moved, want)
	}
	for tp, w := range before {
		if !stay[w] && after[tp] == "" {
			t.Errorf("%s: %s of departed %s has no owner", what, tp, w)
		}
	}
}

func fmtAssignment(a map[TP]string) string {
	var parts []string
	for tp, w := range a {
		parts = append(parts, fmt.Sprintf("%d:%s", tp.Partition, w))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// checkCommittedProcessed checks at-least-once against a monitor's
// samples: whenever an offset C was committed for a partition, every
// offset below C had been processed by some worker before the sample
// (records are reported before any commit covering them).
func checkCommittedProcessed(t *testing.T, group string, m *OffsetMonitor, workers ...*GroupWorker) {
	t.Helper()
	first := map[TP]map[int64]Mono{}
	for _, w := range workers {
		for _, e := range w.Events() {
			if e.Ev != "rec" {
				continue
			}
			tp := TP{e.Topic, e.P}
			if first[tp] == nil {
				first[tp] = map[int64]Mono{}
			}
			if at, ok := first[tp][e.Off]; !ok || e.T < at {
				first[tp][e.Off] = e.T
			}
		}
	}
	m.mu.Lock()
	samples := slices.Clone(m.samples)
	m.mu.Unlock()
	if len(samples) == 0 {
		t.Errorf("group %s: the offset monitor got no answer: nothing was checked", group)
	}
	bad := 0
	checked := map[TP]int64{}
	for _, s := range samples {
		for tp, c := range s.Offsets {
			for off := checked[tp]; off < c; off++ {
				at, ok := first[tp][off]
				if !ok || at > s.At {
					if bad++; bad <= 5 {
						t.Errorf("group %s: offset %d of %s was committed (committed offset %d at %d) but processed %v (processed: %v, at %d)", group, off, tp, c, s.At, map[bool]string{true: "later", false: "never"}[ok], ok, at)
					}
					continue
				}
			}
			checked[tp] = max(checked[tp], c)
		}
	}
	if bad > 5 {
		t.Errorf("group %s: %d committed offsets in all were not processed before their commit", group, bad)
	}
}

// TestConsumerGroups runs consumer group members as processes against
// three brokers and checks, from their own reports and the coordinator's
// answers, the group guarantees under member and coordinator failures. The
// subtests share one cluster and run in order; all but the second group's
// share one group ("orders-app" on the 6 partitions of "orders",
// auto-commit but for the member paused) whose whole history is checked at
// the end: each partition owned by at most one member at a time (the
// paused member's time after SIGSTOP excepted), every record processed
// inside its worker's ownership, no record skipped at any hand-over and
// none processed twice after a clean one, committed offsets never moving
// backwards nor ahead of what was processed.
func TestConsumerGroups(t *testing.T) {
	processTest(t)
	WorkerBinary(t)
	g := newGroupEnv(t)
	const topic, partitions = "orders", 6
	const group = "orders-app"
	g.c.CreateTopic(topic, partitions, 3, durableTopic())
	load := g.startLoad(topic, 400, 40000)
	mon := StartOffsetMonitor(t, g.admin, group)
	var all []*GroupWorker
	var pause struct {
		worker          string
		paused, resumed Mono
	}
	defer func() {
		load.Stop()
		t.Logf("load: %s", load)
		mon.Stop()
		ivs := Intervals(all...)
		if pause.worker != "" {
			MarkPause(ivs, pause.worker, pause.paused, pause.resumed)
		}
		for _, v := range CheckExclusive(ivs) {
			t.Errorf("ownership overlap: %s", v)
		}
		bad, checked, zombie := CheckRecordsOwned(ivs, all...)
		for _, v := range bad {
			t.Error(v)
		}
		t.Logf("group %s: %d ownership intervals over %d workers; %d processed records checked against them (%d by the paused member after SIGCONT, before it learnt it lost its partitions)", group, len(ivs), len(all), checked, zombie)
		bad, handovers, again := CheckHandovers(ivs, all...)
		for _, v := range bad {
			t.Error(v)
		}
		t.Logf("group %s: %d hand-overs checked; %d records processed again (after the kill -9 and the pause)", group, handovers, again)
		for _, r := range mon.Regressions() {
			t.Errorf("group %s: %s", group, r)
		}
		t.Logf("committed offsets of %s: %s", group, mon.Summary())
		checkCommittedProcessed(t, group, mon, all...)
	}()

	var members []*GroupWorker // the group's current members
	ok := t.Run("OneOwnerAtATime", func(t *testing.T) {
		// 1. Three members join one after the other, then the oldest is
		// replaced three times (a new member joins and the oldest closes,
		// the second time both at once), so partitions move often while
		// records flow; some members take 20ms per Poll to process.
		slow := func(c *WorkerConfig) { c.ProcessDelay = 20 * time.Millisecond }
		w1 := g.worker(group, topic, nil)
		all, members = append(all, w1), []*GroupWorker{w1}
		g.waitStable(group, topic, partitions, 15*time.Second, members...)
		waitRecords(t, 0, 10*time.Second, w1)
		for i := range 2 {
			var edit func(*WorkerConfig)
			if i == 0 {
				edit = slow
			}
			w := g.worker(group, topic, edit)
			all, members = append(all, w), append(members, w)
			a := g.waitStable(group, topic, partitions, 15*time.Second, members...)
			t.Logf("%d members: %s", len(members), fmtAssignment(a))
		}
		waitRecords(t, MonoNow(), 10*time.Second, members...)
		for i := range 3 {
			var edit func(*WorkerConfig)
			if i == 1 {
				edit = slow
			}
			w := g.worker(group, topic, edit)
			all, members = append(all, w), append(members, w)
			if i != 1 {
				g.waitStable(group, topic, partitions, 15*time.Second, members...)
			}
			old := members[0]
			old.Stop()
			members = members[1:]
			a := g.waitStable(group, topic, partitions, 15*time.Second, members...)
			t.Logf("replaced %s by %s: %s", old.Name(), w.Name(), fmtAssignment(a))
			waitRecords(t, MonoNow(), 10*time.Second, w)
		}
		ivs := Intervals(all...)
		for _, v := range CheckExclusive(ivs) {
			t.Errorf("ownership overlap: %s", v)
		}
		bad, checked, _ := CheckRecordsOwned(ivs, all...)
		for _, v := range bad {
			t.Error(v)
		}
		t.Logf("%d ownership intervals, %d records processed, each inside its worker's ownership", len(ivs), checked)
		bad, handovers, again := CheckHandovers(ivs, all...)
		for _, v := range bad {
			t.Error(v)
		}
		if again > 0 {
			t.Errorf("%d records processed twice, though partitions only moved cleanly (revoke, commit, assign)", again)
		}
		t.Logf("%d clean hand-overs, each continuing at the next record", handovers)
		for w, n := range Counts(g.waitStable(group, topic, partitions, 5*time.Second, members...)) {
			if n != 2 {
				t.Errorf("%s owns %d partitions, want 2 of 6 with 3 members", w, n)
			}
		}
	})
	if !ok {
		return
	}

	ok = t.Run("Kill9MovesOnlyItsPartitions", func(t *testing.T) {
		// 2. A member killed -9: its partitions move after the session
		// timeout, and nothing else moves.
		before := g.waitStable(group, topic, partitions, 10*time.Second, members...)
		victim := members[rand.IntN(len(members))]
		var survivors []*GroupWorker
		for _, w := range members {
			if w != victim {
				survivors = append(survivors, w)
			}
		}
		lost := victim.Owned()
		killed := victim.Kill()
		t.Logf("killed %s (owned %v)", victim.Name(), SortedTPs(lost))
		after := g.waitStable(group, topic, partitions, groupSession+10*time.Second, survivors...)
		members = survivors
		var moveAt Mono
		for _, w := range survivors {
			for _, e := range eventsAfter(w, killed, "assigned", "revoked", "lost") {
				if e.Ev != "assigned" {
					t.Errorf("%s: %s %v after the kill of %s: only the victim's partitions may move", w.Name(), e.Ev, e.TPs, victim.Name())
					continue
				}
				for _, tp := range e.TPs {
					if !lost[tp] {
						t.Errorf("%s was assigned %s after the kill, which %s did not own", w.Name(), tp, victim.Name())
					}
				}
				if moveAt == 0 || e.T < moveAt {
					moveAt = e.T
				}
			}
		}
		took := moveAt.Sub(killed)
		t.Logf("%s's partitions reassigned %s after kill -9 (session timeout %s, heartbeat %s): %s", victim.Name(), took.Round(time.Millisecond), groupSession, groupHeartbeat, fmtAssignment(after))
		// The coordinator last heard of the victim at most a heartbeat
		// before the kill.
		if lo, hi := groupSession-groupHeartbeat-200*time.Millisecond, groupSession+3*time.Second; took < lo || took > hi {
			t.Errorf("partitions moved %s after the kill, want within [%s, %s] (the session timeout)", took, lo, hi)
		}
		checkMoves(t, "kill -9 of "+victim.Name(), partitions, before, after, survivors)
	})
	if !ok {
		return
	}

	var zombie *GroupWorker
	ok = t.Run("JoinAndLeaveMoveTheMinimum", func(t *testing.T) {
		// 3. Members join (2 -> 3 -> 4), then one closes cleanly (4 -> 3):
		// each change moves as few partitions as balance requires.
		for i := range 2 {
			before := g.waitStable(group, topic, partitions, 10*time.Second, members...)
			w := g.worker(group, topic, func(c *WorkerConfig) {
				if i == 1 {
					// The member paused in PausedMemberIsFenced: it commits
					// after processing, and processes slowly, so it is likely
					// to be frozen between a Poll and its commit.
					c.CommitProcessed, c.ProcessDelay = true, 300*time.Millisecond
				}
			})
			zombie = w
			all, members = append(all, w), append(members, w)
			after := g.waitStable(group, topic, partitions, 15*time.Second, members...)
			checkMoves(t, fmt.Sprintf("%s joins (%d -> %d members)", w.Name(), len(members)-1, len(members)), partitions, before, after, members)
		}
		waitRecords(t, MonoNow(), 10*time.Second, members...)

		before := g.waitStable(group, topic, partitions, 10*time.Second, members...)
		leaver := members[0]
		rest := members[1:]
		owned := leaver.Owned()
		stopped := MonoNow()
		leaver.Stop()
		after := g.waitStable(group, topic, partitions, 10*time.Second, rest...)
		members = rest
		var moveAt Mono
		for _, w := range rest {
			for _, e := range eventsAfter(w, stopped, "assigned") {
				if moveAt == 0 || e.T < moveAt {
					moveAt = e.T
				}
			}
		}
		took := moveAt.Sub(stopped)
		t.Logf("%s closed (SIGTERM); its partitions %v reassigned %s later", leaver.Name(), SortedTPs(owned), took.Round(time.Millisecond))
		if took <= 0 || took >= groupSession {
			t.Errorf("partitions of the member that left moved %s after SIGTERM, want well within the session timeout %s (a leave, not an expiry)", took, groupSession)
		}
		if evs := eventsAfter(leaver, stopped, "revoked", "closed"); len(evs) != 2 || evs[1].Err != "" {
			t.Errorf("%s on close: want revoked then closed without error, got %+v", leaver.Name(), evs)
		}
		for _, e := range eventsAfter(leaver, stopped, "commit") {
			if e.Err != "" || len(e.PErr) > 0 {
				t.Errorf("%s's commit on close failed: %+v", leaver.Name(), e)
			}
		}
		checkMoves(t, leaver.Name()+" leaves (4 -> 3 members)", partitions, before, after, rest)
	})
	if !ok {
		return
	}

	t.Run("SecondGroupReadsEverything", func(t *testing.T) {
		// 4. Another group reads the whole topic on its own, without
		// disturbing the first.
		const other = "orders-audit"
		omon := StartOffsetMonitor(t, g.admin, other)
		start, began := MonoNow(), time.Now()
		before := g.fetchOffsets(group)
		end := g.ends(topic, partitions)
		readers := []*GroupWorker{g.worker(other, topic, nil), g.worker(other, topic, nil)}
		g.waitStable(other, topic, partitions, 15*time.Second, readers...)
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, _ := Processed(topic, readers...)
			var missing int64
			for p := range int32(partitions) {
				m, _ := Gaps(got[p], end[p])
				missing += m
			}
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("group %s still misses %d records of %v after 30s", other, missing, end)
			}
			time.Sleep(100 * time.Millisecond)
		}
		got, dups := Processed(topic, readers...)
		n := 0
		for _, offs := range got {
			n += len(offs)
		}
		t.Logf("group %s processed all %d records up to %v (and %d more; %d twice) in %s", other, sum(end), end, n-int(sum(end)), dups, time.Since(began).Round(time.Millisecond))
		for _, w := range readers {
			w.Stop()
		}
		for _, w := range members {
			if evs := eventsAfter(w, start, "assigned", "revoked", "lost"); len(evs) > 0 {
				t.Errorf("%s of group %s saw %v while group %s came and went", w.Name(), group, evs, other)
			}
		}
		afterOffsets := g.fetchOffsets(group)
		for tp, off := range before {
			if afterOffsets[tp] < off {
				t.Errorf("group %s's committed offset of %s went from %d to %d", group, tp, off, afterOffsets[tp])
			}
		}
		omon.Stop()
		for _, r := range omon.Regressions() {
			t.Errorf("group %s: %s", other, r)
		}
		checkCommittedProcessed(t, other, omon, readers...)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if d, err := g.admin.DescribeGroup(ctx, other); err != nil || d.GetState() != fjordv1.GroupState_GROUP_STATE_EMPTY {
			t.Errorf("group %s after its members closed: %v %v, want EMPTY", other, d.GetState(), err)
		}
	})

	ok = t.Run("PausedMemberIsFenced", func(t *testing.T) {
		// 6. A member frozen (SIGSTOP) past its session timeout loses its
		// partitions meanwhile; when it thaws, whatever it commits with its
		// old epoch fails, and committed offsets never go backwards.
		g.waitStable(group, topic, partitions, 10*time.Second, members...)
		waitRecords(t, MonoNow(), 10*time.Second, zombie)
		var others []*GroupWorker
		for _, w := range members {
			if w != zombie {
				others = append(others, w)
			}
		}
		owned := zombie.Owned()
		var epoch int32
		for _, e := range zombie.Events() {
			if e.Ev == "membership" {
				epoch = e.Epoch
			}
		}
		zombie.Pause()
		paused := MonoNow()
		after := g.waitStable(group, topic, partitions, groupSession+10*time.Second, others...)
		var moveAt Mono
		for _, w := range others {
			for _, e := range eventsAfter(w, paused, "assigned") {
				if moveAt == 0 || e.T < moveAt {
					moveAt = e.T
				}
			}
		}
		t.Logf("%s (epoch %d) paused; its partitions %v moved %s later: %s", zombie.Name(), epoch, SortedTPs(owned), moveAt.Sub(paused).Round(time.Millisecond), fmtAssignment(after))
		// A commit with the frozen member's identity is refused.
		if len(owned) == 0 {
			t.Fatalf("%s owned no partition when paused", zombie.Name())
		}
		victimTP := SortedTPs(owned)[0]
		if r := g.rawCommit(group, zombie.MemberID(), epoch, victimTP, mon.Max()[victimTP]); !fencingReason(r) {
			t.Errorf("a commit of %s as the expired member %s (epoch %d): %q, want it refused as from a fenced member", victimTP, zombie.Name(), epoch, r)
		} else {
			t.Logf("commit as the expired member while it is frozen: %s", r)
		}
		time.Sleep(groupSession + time.Second - MonoNow().Sub(paused))
		zombie.Resume()
		resumed := MonoNow()
		pause.worker, pause.paused, pause.resumed = zombie.Name(), paused, resumed
		t.Logf("%s resumed after %s", zombie.Name(), resumed.Sub(paused).Round(time.Millisecond))
		if _, ok := zombie.WaitEvent(10*time.Second, func(e WorkerEvent) bool { return e.Ev == "lost" && e.T > resumed }); !ok {
			t.Errorf("%s did not report its partitions lost after SIGCONT", zombie.Name())
		}
		g.waitStable(group, topic, partitions, 15*time.Second, members...)
		stale, fenced := 0, map[string]int{}
		for _, e := range eventsAfter(zombie, resumed, "commit") {
			if e.Epoch > epoch || e.Sent < resumed {
				continue // the new incarnation's, or sent before the pause
			}
			stale++
			for _, tp := range e.Offsets {
				if e.Stored(TP{tp.Topic, tp.Partition}) {
					t.Errorf("%s committed %s=%d with its old epoch %d after SIGCONT, and it was stored: %+v", zombie.Name(), TP{tp.Topic, tp.Partition}, tp.Offset, e.Epoch, e)
				} else {
					fenced[cmp.Or(e.Err, fmt.Sprint(e.PErr))]++
				}
			}
		}
		t.Logf("after SIGCONT %s sent %d commits with its pre-pause epoch (or the reset epoch 0); their offsets were refused: %v", zombie.Name(), stale, fenced)
		if r := g.rawCommit(group, zombie.MemberID(), epoch, victimTP, mon.Max()[victimTP]); !fencingReason(r) {
			t.Errorf("a commit of %s with %s's pre-pause epoch %d after it rejoined: %q, want it refused as from a fenced member", victimTP, zombie.Name(), epoch, r)
		} else {
			t.Logf("commit with the pre-pause epoch after the member rejoined: %s", r)
		}
		waitRecords(t, MonoNow(), 10*time.Second, members...)
	})
	if !ok {
		return
	}

	for _, how := range []string{"Kill9", "Stop"} {
		t.Run("Coordinator"+how, func(t *testing.T) {
			// 5. The coordinator is killed -9 (then, in a second round,
			// stopped gracefully): another broker takes over with the
			// committed offsets, and the members carry on with their
			// partitions and epochs (no rebalance).
			coordinatorFailover(t, g, group, topic, partitions, members, how == "Kill9")
		})
	}
}

// coordinatorFailover kills -9 (or stops with SIGTERM) the group's
// coordinator and checks that another broker takes over with the
// committed offsets while the members keep their partitions and epochs,
// then restarts the broker.
func coordinatorFailover(t *testing.T, g *groupEnv, group, topic string, partitions int32, members []*GroupWorker, kill bool) {
	t.Helper()
	before := g.waitStable(group, topic, partitions, 10*time.Second, members...)
	waitRecords(t, MonoNow(), 10*time.Second, members...)
	coord := g.coordinator(group)
	epochs := map[string]int32{}
	for _, w := range members {
		for _, e := range w.Events() {
			if e.Ev == "membership" {
				epochs[w.Name()] = e.Epoch
			}
		}
	}
	offsets := g.fetchOffsets(group)
	how := "killed -9"
	failed := MonoNow()
	if kill {
		g.c.Node(coord).Kill()
	} else {
		how = "stopped (SIGTERM)"
		g.c.Node(coord).Stop()
	}
	var next int32
	deadline := time.Now().Add(15 * time.Second)
	for next == 0 || next == coord {
		if time.Now().After(deadline) {
			t.Fatalf("group %s still coordinated by broker %d, %s, after 15s", group, coord, how)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if fc, err := g.admin.FindCoordinator(ctx, group); err == nil {
			next = fc.GetCoordinator().GetId()
		}
		cancel()
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("coordinator %d %s; broker %d coordinates %s %s later", coord, how, next, group, MonoNow().Sub(failed).Round(time.Millisecond))
	got := g.fetchOffsets(group)
	for tp, off := range offsets {
		if got[tp] < off {
			t.Errorf("%s: committed offset %d before the coordinator failed, %d after", tp, off, got[tp])
		}
	}
	t.Logf("committed offsets before %v, after %v", offsets, got)
	// Every member processes and commits again, on the new coordinator.
	waitRecords(t, MonoNow(), 15*time.Second, members...)
	for _, w := range members {
		if _, ok := w.WaitEvent(15*time.Second, func(e WorkerEvent) bool {
			return e.Ev == "commit" && e.T > failed && e.Err == "" && len(e.PErr) == 0 && len(e.Offsets) > 0
		}); !ok {
			t.Errorf("%s committed nothing after the coordinator failover", w.Name())
		}
	}
	after := g.waitStable(group, topic, partitions, 10*time.Second, members...)
	for _, w := range members {
		for _, e := range eventsAfter(w, failed, "assigned", "revoked", "lost", "membership") {
			if e.Ev != "membership" {
				t.Errorf("%s: %s %v after the coordinator failed: members must resume, not rebalance", w.Name(), e.Ev, e.TPs)
			} else if e.Epoch != epochs[w.Name()] {
				t.Errorf("%s resumed with epoch %d, had %d: the coordinator change must not bump epochs", w.Name(), e.Epoch, epochs[w.Name()])
			}
		}
	}
	if !maps.Equal(before, after) {
		t.Errorf("assignment changed across the coordinator failover: %s -> %s", fmtAssignment(before), fmtAssignment(after))
	}
	if t.Failed() {
		for _, w := range members {
			logEvents(t, w, failed, "membership", "membership_end", "assigned", "revoked", "lost", "poll_err", "commit")
		}
	}
	g.c.Node(coord).Restart()
	g.c.WaitAllActive(15 * time.Second)
}

func sum(m map[int32]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// TestConsumerGroupAtLeastOnce produces a bounded stream of keyed records
// (idempotent, acks=all) while three members commit after processing; it
// kills -9 a random member five times (starting a replacement each time),
// the third time together with the group's coordinator (restarted a second
// later). In the end every produced record must have been processed by
// some member, the committed offsets, polled every 100ms, must never
// regress nor get ahead of what was processed, and ownership must have
// been exclusive with no record skipped at a hand-over.
func TestConsumerGroupAtLeastOnce(t *testing.T) {
	processTest(t)
	WorkerBinary(t)
	g := newGroupEnv(t)
	const topic, partitions, total = "payments", 4, 8000
	const group = "payments-app"
	g.c.CreateTopic(topic, partitions, 3, durableTopic())
	mon := StartOffsetMonitor(t, g.admin, group)
	processed := func(c *WorkerConfig) { c.CommitProcessed, c.ProcessDelay = true, 20*time.Millisecond }
	members := []*GroupWorker{g.worker(group, topic, processed), g.worker(group, topic, processed), g.worker(group, topic, processed)}
	all := slices.Clone(members)
	g.waitStable(group, topic, partitions, 15*time.Second, members...)
	load := g.startLoad(topic, 700, total)

	// Five rounds: a member killed -9 in each (a replacement starts at
	// once), the coordinator too in the third, while it is down.
	for round := range 5 {
		time.Sleep(1500 * time.Millisecond)
		coord := int32(0)
		if round == 2 {
			coord = g.coordinator(group)
			g.c.Node(coord).Kill()
		}
		i := rand.IntN(len(members))
		victim := members[i]
		victim.Kill()
		w := g.worker(group, topic, processed)
		all = append(all, w)
		members[i] = w
		t.Logf("round %d: killed %s (owned %d partitions), started %s", round, victim.Name(), len(victim.Owned()), w.Name())
		if coord != 0 {
			time.Sleep(time.Second)
			g.c.Node(coord).Restart()
			t.Logf("round %d: killed coordinator broker %d with %s, restarted it 1s later", round, coord, victim.Name())
		}
	}
	load.Wait(60 * time.Second)
	load.Stop()
	t.Logf("load: %s", load)
	g.c.WaitAllActive(15 * time.Second)
	end := g.ends(topic, partitions)

	// Wait until the group committed everything.
	deadline := time.Now().Add(45 * time.Second)
	for {
		got := g.fetchOffsets(group)
		done := true
		for p := range int32(partitions) {
			if got[TP{topic, p}] < end[p] {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("committed offsets %v did not reach the ends %v within 45s", got, end)
		}
		time.Sleep(100 * time.Millisecond)
	}
	mon.Stop()
	got, dups := Processed(topic, all...)
	for p := range int32(partitions) {
		if missing, ranges := Gaps(got[p], end[p]); missing > 0 {
			t.Errorf("%s-%d: %d of %d records never processed: %v", topic, p, missing, end[p], ranges)
		}
	}
	t.Logf("%d records in %v, all processed at least once (%d more than once) by %d workers", sum(end), end, dups, len(all))
	for _, r := range mon.Regressions() {
		t.Errorf("group %s: %s", group, r)
	}
	t.Logf("committed offsets of %s: %s", group, mon.Summary())
	checkCommittedProcessed(t, group, mon, all...)
	ivs := Intervals(all...)
	for _, v := range CheckExclusive(ivs) {
		t.Errorf("ownership overlap: %s", v)
	}
	bad, checked, _ := CheckRecordsOwned(ivs, all...)
	for _, v := range bad {
		t.Error(v)
	}
	bad, handovers, again := CheckHandovers(ivs, all...)
	for _, v := range bad {
		t.Error(v)
	}
	t.Logf("%d ownership intervals, %d processed records inside them, %d hand-overs (%d records processed again)", len(ivs), checked, handovers, again)
	var errs []error
	for _, w := range members {
		if n := len(eventsAfter(w, 0, "poll_err")); n > 0 {
			errs = append(errs, fmt.Errorf("%s: %d poll errors, last %q", w.Name(), n, eventsAfter(w, 0, "poll_err")[n-1].Err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Logf("poll errors (retried): %v", err)
	}
}

// TestConsumerGroupCoordinatorPaused freezes the group's coordinator
// (SIGSTOP) for four session timeouts, as a long GC pause, a frozen VM or
// a network partition that drops packets silently would. Another broker
// takes the group over within about a second; the members must follow it
// while the old one is still frozen, within their session timeout (their
// request timeout, 1s, is below it): each must commit successfully through
// the new coordinator before the freeze ends. The new coordinator accepts
// the members' commits for a session timeout after it loaded the group
// even if they never reach it, so only commits after that count. A member
// that reaches the new coordinator too late is expired there: its commits
// fail with UNKNOWN_MEMBER_ID and the group rebalances.
func TestConsumerGroupCoordinatorPaused(t *testing.T) {
	processTest(t)
	WorkerBinary(t)
	g := newGroupEnv(t)
	const topic, partitions, group = "orders", 6, "orders-app"
	g.c.CreateTopic(topic, partitions, 3, durableTopic())
	load := g.startLoad(topic, 200, 20000)
	defer load.Stop()
	var members []*GroupWorker
	for range 3 {
		// A request timeout below the session timeout, so that a request
		// stuck on the frozen broker costs a member less than its session.
		members = append(members, g.worker(group, topic, func(c *WorkerConfig) { c.RequestTimeout = time.Second }))
	}
	before := g.waitStable(group, topic, partitions, 15*time.Second, members...)
	for _, w := range members {
		if _, ok := w.WaitEvent(10*time.Second, func(e WorkerEvent) bool { return e.Ev == "commit" && e.Err == "" && len(e.PErr) == 0 }); !ok {
			t.Fatalf("%s committed nothing", w.Name())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	fc, err := g.admin.FindCoordinator(ctx, group)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	coord, part := fc.GetCoordinator().GetId(), fc.GetPartition()
	g.c.Node(coord).Pause()
	paused := MonoNow()
	const freeze = 4 * groupSession
	st, err := g.c.PollPartition("__consumer_offsets", part, freeze, func(st PartitionState) bool { return st.Leader > 0 && st.Leader != coord })
	if err != nil {
		t.Fatalf("no other broker leads __consumer_offsets-%d (coordinator of %s) while broker %d is frozen: %v", part, group, coord, err)
	}
	took := MonoNow()
	t.Logf("froze coordinator %d; broker %d leads __consumer_offsets-%d %s later", coord, st.Leader, part, took.Sub(paused).Round(time.Millisecond))
	next := st.Leader
	time.Sleep(freeze - MonoNow().Sub(paused))
	g.c.Node(coord).Resume()
	resumed := MonoNow()
	from := took.Add(groupSession + 500*time.Millisecond)
	for _, w := range members {
		var failed []string
		var ok bool
		for _, e := range eventsAfter(w, from, "commit") {
			if e.T > resumed {
				break
			}
			if e.Err == "" && len(e.PErr) == 0 {
				ok = true
			} else if len(failed) < 3 {
				failed = append(failed, cmp.Or(e.Err, fmt.Sprint(e.PErr)))
			}
		}
		if !ok {
			t.Errorf("%s made no successful commit through the new coordinator %d in the last %s of the %s its predecessor %d was frozen (failures: %v)", w.Name(), next, resumed.Sub(from).Round(time.Millisecond), freeze, coord, failed)
		}
	}
	after := g.waitStable(group, topic, partitions, 20*time.Second, members...)
	if t.Failed() {
		for _, n := range g.c.Nodes {
			t.Logf("broker %d is %s", n.ID, n.ClientAddr())
		}
		for _, w := range members {
			logEvents(t, w, paused, "membership", "membership_end", "assigned", "revoked", "lost", "commit")
		}
	}
	t.Logf("assignment before the freeze %s, after %s", fmtAssignment(before), fmtAssignment(after))
}
