package sdktest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server"
)

// startGroupBroker starts a broker with a small __consumer_offsets and
// session timeouts short enough for tests.
func startGroupBroker(t *testing.T) *broker {
	t.Helper()
	dir := t.TempDir()
	srv, err := server.New(server.Options{
		DataDir: dir, ListenAddr: "127.0.0.1:0", HTTPAddr: "off",
		OffsetsTopicPartitions: 3,
		GroupMinSessionTimeout: 300 * time.Millisecond,
		GroupHeartbeatInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	b := &broker{t: t, srv: srv, dir: dir, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	t.Cleanup(b.stop)
	return b
}

// produceParts writes n records to each of a topic's partitions; values
// are "partition/i+from".
func produceParts(t *testing.T, cl *fjord.Client, topic string, parts int32, n, from int) {
	t.Helper()
	p, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var rs []*fjord.Record
	for part := range parts {
		for i := range n {
			rs = append(rs, &fjord.Record{Topic: topic, Partition: part, Value: fmt.Appendf(nil, "%d/%d", part, from+i)})
		}
	}
	if err := p.ProduceSync(ctxT(t), rs...); err != nil {
		t.Fatalf("ProduceSync: %v", err)
	}
}

// ownership follows who owns each partition through the callbacks and
// fails the test when two members hold one at once.
type ownership struct {
	t      *testing.T
	mu     sync.Mutex
	owner  map[fjord.TopicPartition]string
	events []string
}

func newOwnership(t *testing.T) *ownership {
	return &ownership{t: t, owner: map[fjord.TopicPartition]string{}}
}

func (o *ownership) opts(name string) []fjord.GroupOpt {
	return []fjord.GroupOpt{
		fjord.OnAssigned(func(_ context.Context, tps []fjord.TopicPartition) {
			o.mu.Lock()
			defer o.mu.Unlock()
			for _, tp := range tps {
				if cur, ok := o.owner[tp]; ok {
					o.t.Errorf("%s assigned %s/%d while %s owns it", name, tp.Topic, tp.Partition, cur)
				}
				o.owner[tp] = name
				o.events = append(o.events, fmt.Sprintf("%s+%d", name, tp.Partition))
			}
		}),
		fjord.OnRevoked(func(_ context.Context, tps []fjord.TopicPartition) { o.release(name, "-", tps) }),
		fjord.OnLost(func(_ context.Context, tps []fjord.TopicPartition) { o.release(name, "!", tps) }),
	}
}

func (o *ownership) release(name, how string, tps []fjord.TopicPartition) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, tp := range tps {
		if o.owner[tp] == name {
			delete(o.owner, tp)
		} else if how != "!" {
			o.t.Errorf("%s revoked %s/%d owned by %q", name, tp.Topic, tp.Partition, o.owner[tp])
		}
		o.events = append(o.events, fmt.Sprintf("%s%s%d", name, how, tp.Partition))
	}
}

func (o *ownership) counts() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]int{}
	for _, name := range o.owner {
		out[name]++
	}
	return out
}

func (o *ownership) mark() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.events)
}

func (o *ownership) since(i int) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.events[i:])
}

// member is a GroupConsumer polled on its own goroutine, as an
// application would.
type member struct {
	g    *fjord.GroupConsumer
	stop context.CancelFunc
	done chan struct{}

	mu   sync.Mutex
	recs []*fjord.Record
	errs []error
}

func startMember(t *testing.T, cl *fjord.Client, group string, opts ...fjord.GroupOpt) *member {
	t.Helper()
	opts = append([]fjord.GroupOpt{fjord.FetchMaxWait(50 * time.Millisecond)}, opts...)
	g, err := fjord.NewGroupConsumer(cl, group, opts...)
	if err != nil {
		t.Fatalf("NewGroupConsumer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{g: g, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for ctx.Err() == nil {
			recs, err := g.Poll(ctx)
			m.mu.Lock()
			m.recs = append(m.recs, recs...)
			if err != nil && ctx.Err() == nil {
				m.errs = append(m.errs, err)
			}
			m.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond) // a failing member must not spin
			}
			if errors.Is(err, fjord.ErrClosed) {
				return
			}
		}
	}()
	t.Cleanup(func() { m.close(t) })
	return m
}

// halt stops polling without closing.
func (m *member) halt() {
	m.stop()
	<-m.done
}

// close stops polling and closes the consumer; later calls do nothing.
func (m *member) close(t *testing.T) {
	m.halt()
	if err := m.g.Close(); err != nil {
		t.Errorf("GroupConsumer.Close: %v", err)
	}
}

func (m *member) records() []*fjord.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.recs)
}

func (m *member) errors() []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.errs)
}

// eventually polls cond until it holds or the test timeout passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// countValues counts how often each value was consumed.
func countValues(recs ...[]*fjord.Record) map[string]int {
	out := map[string]int{}
	for _, rs := range recs {
		for _, r := range rs {
			out[string(r.Value)]++
		}
	}
	return out
}

func newGroupConsumer(t *testing.T, cl *fjord.Client, group string, opts ...fjord.GroupOpt) *fjord.GroupConsumer {
	t.Helper()
	opts = append([]fjord.GroupOpt{fjord.FetchMaxWait(50 * time.Millisecond)}, opts...)
	g, err := fjord.NewGroupConsumer(cl, group, opts...)
	if err != nil {
		t.Fatalf("NewGroupConsumer: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// groupPollN polls g on the test goroutine until n records arrived.
func groupPollN(t *testing.T, g *fjord.GroupConsumer, n int) []*fjord.Record {
	t.Helper()
	ctx := ctxT(t)
	var out []*fjord.Record
	for len(out) < n {
		recs, err := g.Poll(ctx)
		out = append(out, recs...)
		if err != nil {
			t.Fatalf("Poll after %d of %d records: %v", len(out), n, err)
		}
	}
	if len(out) != n {
		t.Fatalf("polled %d records, want %d", len(out), n)
	}
	return out
}

// groupPollQuiet polls for d and fails on records or errors other than the
// deadline.
func groupPollQuiet(t *testing.T, g *fjord.GroupConsumer, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for ctx.Err() == nil {
		recs, err := g.Poll(ctx)
		if len(recs) > 0 {
			t.Fatalf("unexpected records: first %s", describe(recs[0]))
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Poll: %v", err)
		}
	}
}

func committedOffsets(t *testing.T, cl *fjord.Client, group, topic string) map[int32]int64 {
	t.Helper()
	offs, err := fjord.NewAdmin(cl).FetchOffsets(ctxT(t), group)
	if err != nil {
		t.Fatalf("FetchOffsets: %v", err)
	}
	out := map[int32]int64{}
	for _, tr := range offs {
		if tr.GetTopic() == topic {
			for _, p := range tr.GetPartitions() {
				out[p.GetPartition()] = p.GetOffset()
			}
		}
	}
	return out
}

func TestGroupSingleMemberCommitAndResume(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "orders", 3, nil)
	produceParts(t, cl, "orders", 3, 4, 0)

	g := newGroupConsumer(t, cl, "billing", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false))
	recs := groupPollN(t, g, 12)
	if got := countValues(recs); len(got) != 12 {
		t.Fatalf("consumed %v", got)
	}
	if err := g.Commit(ctxT(t)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := committedOffsets(t, cl, "billing", "orders"); len(got) != 3 || got[0] != 4 || got[1] != 4 || got[2] != 4 {
		t.Fatalf("committed %v", got)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	produceParts(t, cl, "orders", 3, 2, 4)
	g2 := newGroupConsumer(t, cl, "billing", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()))
	for _, r := range groupPollN(t, g2, 6) {
		if r.Offset < 4 {
			t.Errorf("resumed consumer got %s, before the committed offset 4", describe(r))
		}
	}
	groupPollQuiet(t, g2, 200*time.Millisecond)
}

// Three members share a six-partition topic, two partitions each, no
// partition ever held by two at once; a member that leaves hands over only
// its own partitions; commit-before-revoke means nothing is read twice.
func TestGroupShareAndLeave(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "share", 6, nil)
	produceParts(t, cl, "share", 6, 10, 0)
	own := newOwnership(t)
	opts := func(name string) []fjord.GroupOpt {
		return append(own.opts(name), fjord.Topics("share"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommitInterval(20*time.Millisecond))
	}
	ms := map[string]*member{}
	ms["a"] = startMember(t, cl, "share", opts("a")...)
	eventually(t, "a owns all six", func() bool { return own.counts()["a"] == 6 })
	ms["b"] = startMember(t, cl, "share", opts("b")...)
	ms["c"] = startMember(t, cl, "share", opts("c")...)
	eventually(t, "two partitions each", func() bool {
		c := own.counts()
		return c["a"] == 2 && c["b"] == 2 && c["c"] == 2
	})
	total := func() int { return len(ms["a"].records()) + len(ms["b"].records()) + len(ms["c"].records()) }
	eventually(t, "60 records", func() bool { return total() >= 60 })

	d, err := fjord.NewAdmin(cl).DescribeGroup(ctxT(t), "share")
	if err != nil || len(d.GetMembers()) != 3 || d.GetAssignor() == "" {
		t.Fatalf("DescribeGroup = %v, %v", d, err)
	}

	mark := own.mark()
	ms["b"].close(t)
	eventually(t, "b's partitions moved", func() bool {
		c := own.counts()
		return c["a"] == 3 && c["c"] == 3 && c["b"] == 0
	})
	for _, e := range own.since(mark) {
		if e[0] != 'b' && e[1] != '+' {
			t.Errorf("a member that stayed lost a partition: %s (events %v)", e, own.since(mark))
		}
	}
	produceParts(t, cl, "share", 6, 10, 10)
	eventually(t, "120 records", func() bool { return total() >= 120 })
	time.Sleep(100 * time.Millisecond)
	got := countValues(ms["a"].records(), ms["b"].records(), ms["c"].records())
	if len(got) != 120 || total() != 120 {
		t.Errorf("consumed %d distinct of %d records, want 120 once each", len(got), total())
	}
	for name, m := range ms {
		if errs := m.errors(); len(errs) > 0 {
			t.Errorf("%s: poll errors: %v", name, errs)
		}
	}
}

// Another group consumes the same topic independently.
func TestGroupSecondGroupGetsEverything(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "two", 4, nil)
	produceParts(t, cl, "two", 4, 5, 0)
	g1 := newGroupConsumer(t, cl, "first", fjord.Topics("two"), fjord.ResetOffset(fjord.AtStart()))
	g2 := newGroupConsumer(t, cl, "second", fjord.Topics("two"), fjord.ResetOffset(fjord.AtStart()))
	if got := countValues(groupPollN(t, g1, 20)); len(got) != 20 {
		t.Fatalf("first group: %v", got)
	}
	if got := countValues(groupPollN(t, g2, 20)); len(got) != 20 {
		t.Fatalf("second group: %v", got)
	}
	if len(g1.Assignment()) != 4 || len(g2.Assignment()) != 4 {
		t.Fatalf("assignments %v, %v", g1.Assignment(), g2.Assignment())
	}
}

// A member dropped without Close (its client closed, so its stream breaks
// and it stops heartbeating) keeps its partitions until its session times
// out; then they move, and the records it consumed after its last commit
// are consumed again: at least once, nothing lost.
func TestGroupAtLeastOnceWhenMemberDropped(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "drop", 4, nil)
	produceParts(t, cl, "drop", 4, 5, 0)
	// The dropped member learns that it lost its partitions only when it
	// polls again: follow it apart.
	own, doomedOwn := newOwnership(t), newOwnership(t)
	opts := func(o *ownership, name string) []fjord.GroupOpt {
		return append(o.opts(name), fjord.Topics("drop"), fjord.ResetOffset(fjord.AtStart()),
			fjord.SessionTimeout(600*time.Millisecond), fjord.AutoCommit(false))
	}
	doomedCl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(b.addr()), fjord.RetryBackoff(fastBackoff))
	if err != nil {
		t.Fatal(err)
	}
	defer doomedCl.Close()
	doomed := newGroupConsumer(t, doomedCl, "drop", opts(doomedOwn, "doomed")...)
	first := groupPollN(t, doomed, 20)
	// Commit only the first record of each partition.
	var firsts []*fjord.Record
	for _, r := range first {
		if r.Offset == 0 {
			firsts = append(firsts, r)
		}
	}
	if err := doomed.CommitRecords(ctxT(t), firsts...); err != nil {
		t.Fatalf("CommitRecords: %v", err)
	}
	survivor := startMember(t, cl, "drop", opts(own, "survivor")...)
	time.Sleep(300 * time.Millisecond) // the survivor joined; doomed does not poll, so keeps all
	if c, d := own.counts(), doomedOwn.counts(); c["survivor"] != 0 || d["doomed"] != 4 {
		t.Fatalf("before the drop: %v, %v", c, d)
	}
	doomedCl.Close() // no leave: the session must time out
	eventually(t, "the survivor owns everything", func() bool { return own.counts()["survivor"] == 4 })
	eventually(t, "the uncommitted records again", func() bool { return len(survivor.records()) >= 16 })
	time.Sleep(100 * time.Millisecond)
	got := countValues(survivor.records())
	if len(got) != 16 || len(survivor.records()) != 16 {
		t.Fatalf("survivor consumed %v", got)
	}
	for v := range got {
		var p, i int
		fmt.Sscanf(v, "%d/%d", &p, &i)
		if i == 0 {
			t.Errorf("committed record %s consumed again", v)
		}
	}
	// The dropped member finds out when it polls: everything lost, then
	// its closed client stops it.
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := doomed.Poll(ctx); err == nil {
		t.Fatal("Poll of the dropped member succeeded")
	}
	if c := doomedOwn.counts(); c["doomed"] != 0 {
		t.Errorf("the dropped member still owns %d partitions", c["doomed"])
	}
}

func TestGroupPauseResumeSeek(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "pause", 2, nil)
	produceParts(t, cl, "pause", 2, 3, 0)
	g := newGroupConsumer(t, cl, "pause", fjord.Topics("pause"), fjord.ResetOffset(fjord.AtStart()))
	groupPollN(t, g, 6)
	p0 := fjord.TopicPartition{Topic: "pause", Partition: 0}
	g.Pause(p0)
	produceParts(t, cl, "pause", 2, 2, 3)
	for _, r := range groupPollN(t, g, 2) {
		if r.Partition != 1 {
			t.Fatalf("record of the paused partition: %s", describe(r))
		}
	}
	groupPollQuiet(t, g, 200*time.Millisecond)
	if got := g.Assignment(); len(got) != 2 {
		t.Fatalf("the paused partition is no longer owned: %v", got)
	}
	g.Resume(p0)
	wantOffsetsValues(t, groupPollN(t, g, 2), 0, 3)
	g.Seek("pause", 1, fjord.AtOffset(1))
	recs := groupPollN(t, g, 4)
	wantOffsetsValues(t, recs, 1, 1)
	// Seek backwards does not move the committed offset back: a commit is
	// skipped below it.
	if err := g.Commit(ctxT(t)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := committedOffsets(t, cl, "pause", "pause"); got[0] != 5 || got[1] != 5 {
		t.Fatalf("committed %v", got)
	}
}

// wantOffsetsValues checks consecutive offsets from `from` on partition p
// with values "p/offset".
func wantOffsetsValues(t *testing.T, recs []*fjord.Record, p int32, from int64) {
	t.Helper()
	for i, r := range recs {
		if r.Partition != p || r.Offset != from+int64(i) || string(r.Value) != fmt.Sprintf("%d/%d", p, from+int64(i)) {
			t.Fatalf("record %d is %s, want %d@%d", i, describe(r), p, from+int64(i))
		}
	}
}

// ResetOffset decides where a partition without a committed offset starts:
// latest (the default), earliest, or nowhere (an error until Seek).
func TestGroupResetOffset(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "reset", 1, nil)
	produceParts(t, cl, "reset", 1, 3, 0)

	latest := newGroupConsumer(t, cl, "latest", fjord.Topics("reset"))
	groupPollQuiet(t, latest, 500*time.Millisecond)
	if len(latest.Assignment()) != 1 {
		t.Fatalf("latest: assignment %v", latest.Assignment())
	}
	produceParts(t, cl, "reset", 1, 1, 3)
	wantOffsetsValues(t, groupPollN(t, latest, 1), 0, 3)

	earliest := newGroupConsumer(t, cl, "earliest", fjord.Topics("reset"), fjord.ResetOffset(fjord.AtStart()))
	wantOffsetsValues(t, groupPollN(t, earliest, 4), 0, 0)

	none := newGroupConsumer(t, cl, "none", fjord.Topics("reset"), fjord.ResetOffset(fjord.NoResetOffset()))
	ctx := ctxT(t)
	var err error
	for err == nil {
		var recs []*fjord.Record
		recs, err = none.Poll(ctx)
		if len(recs) > 0 {
			t.Fatalf("none: records without an offset: %s", describe(recs[0]))
		}
	}
	var noe *fjord.NoOffsetError
	if !errors.Is(err, fjord.ErrNoOffset) || !errors.As(err, &noe) || noe.Topic != "reset" || noe.Partition != 0 {
		t.Fatalf("none: Poll = %v, want a NoOffsetError for reset/0", err)
	}
	none.Seek("reset", 0, fjord.AtOffset(2))
	wantOffsetsValues(t, groupPollN(t, none, 2), 0, 2)
}

// The admin calls: list, describe with lag, reset (dry run and for real),
// commit from outside, delete.
func TestGroupAdmin(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	ad := fjord.NewAdmin(cl)
	ctx := ctxT(t)
	createTopic(t, cl, "adm", 2, nil)
	produceParts(t, cl, "adm", 2, 10, 0)

	g := newGroupConsumer(t, cl, "adm", fjord.Topics("adm"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false))
	recs := groupPollN(t, g, 20)
	var upTo []*fjord.Record
	for _, r := range recs {
		if r.Offset == 3 {
			upTo = append(upTo, r)
		}
	}
	if err := g.CommitRecords(ctx, upTo...); err != nil {
		t.Fatalf("CommitRecords: %v", err)
	}
	list, err := ad.ListGroups(ctx)
	if err != nil || len(list) != 1 || list[0].GetGroupId() != "adm" || list[0].GetMembers() != 1 {
		t.Fatalf("ListGroups = %v, %v", list, err)
	}
	d, err := ad.DescribeGroup(ctx, "adm")
	if err != nil {
		t.Fatalf("DescribeGroup: %v", err)
	}
	if len(d.GetMembers()) != 1 || d.GetMembers()[0].GetMemberId() != g.MemberID() || !d.GetMembers()[0].GetConnected() {
		t.Fatalf("members %v", d.GetMembers())
	}
	if len(d.GetPartitions()) != 2 {
		t.Fatalf("partitions %v", d.GetPartitions())
	}
	for _, p := range d.GetPartitions() {
		if p.GetCommittedOffset() != 4 || p.GetLogEndOffset() != 10 || p.GetLag() != 6 || p.GetMemberId() != g.MemberID() {
			t.Errorf("partition %v", p)
		}
	}
	if err := ad.DeleteGroup(ctx, "adm"); !errors.Is(err, fjord.ErrNonEmptyGroup) {
		t.Fatalf("DeleteGroup of a group with members = %v", err)
	}
	if _, err := ad.ResetOffsets(ctx, &fjordv1.ResetOffsetsRequest{GroupId: "adm", To: &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}}); !errors.Is(err, fjord.ErrNonEmptyGroup) {
		t.Fatalf("ResetOffsets with members = %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := committedOffsets(t, cl, "adm", "adm"); got[0] != 4 || got[1] != 4 {
		t.Fatalf("Close with auto-commit off committed: %v", got)
	}

	resetEarliest(t, ad, "adm", true)
	if got := committedOffsets(t, cl, "adm", "adm"); got[0] != 4 {
		t.Fatalf("a dry run reset: %v", got)
	}
	resetEarliest(t, ad, "adm", false)
	if got := committedOffsets(t, cl, "adm", "adm"); got[0] != 0 || got[1] != 0 {
		t.Fatalf("after the reset: %v", got)
	}
	if err := ad.CommitOffsets(ctx, "adm", map[string]map[int32]int64{"adm": {0: 7}}); err != nil {
		t.Fatalf("CommitOffsets from outside: %v", err)
	}
	err = ad.CommitOffsets(ctx, "adm", map[string]map[int32]int64{"adm": {0: 5, 1: 1}, "nope": {0: 1}})
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrOffsetRegression) || !errors.As(err, &fe) || fe.Topic == "" {
		t.Fatalf("CommitOffsets regression = %v", err)
	}
	if got := committedOffsets(t, cl, "adm", "adm"); got[0] != 7 || got[1] != 1 {
		t.Fatalf("after the commits: %v", got)
	}
	offs, err := ad.FetchOffsets(ctx, "adm", fjord.TopicPartitions{Topic: "adm"}, fjord.TopicPartitions{Topic: "nope", Partitions: []int32{3}})
	if err != nil || len(offs) != 2 || len(offs[0].GetPartitions()) != 2 || offs[1].GetPartitions()[0].GetOffset() != -1 {
		t.Fatalf("FetchOffsets(adm, nope/3) = %v, %v", offs, err)
	}
	// A new member starts from the committed offsets.
	g2 := newGroupConsumer(t, cl, "adm", fjord.Topics("adm"))
	groupPollN(t, g2, 3+9)
	if err := g2.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := ad.DeleteGroup(ctx, "adm"); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if _, err := ad.DescribeGroup(ctx, "adm"); !errors.Is(err, fjord.ErrGroupIDNotFound) {
		d, _ := ad.DescribeGroup(ctx, "adm")
		t.Fatalf("DescribeGroup after delete = %v, %v", d, err)
	}
	if fc, err := ad.FindCoordinator(ctx, "adm"); err != nil || fc.GetCoordinator().GetAddress() != b.addr() {
		t.Fatalf("FindCoordinator = %v, %v", fc, err)
	}
}

// resetEarliest resets every offset of group to the log start (0 here).
func resetEarliest(t *testing.T, ad *fjord.Admin, group string, dryRun bool) {
	t.Helper()
	resp, err := ad.ResetOffsets(ctxT(t), &fjordv1.ResetOffsetsRequest{GroupId: group, To: &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}, DryRun: dryRun})
	if err != nil {
		t.Fatalf("ResetOffsets: %v", err)
	}
	n := 0
	for _, tr := range resp.GetTopics() {
		for _, p := range tr.GetPartitions() {
			n++
			if p.GetOffset() != 0 || p.GetPreviousOffset() != 4 {
				t.Errorf("reset %s/%d: %v", tr.GetTopic(), p.GetPartition(), p)
			}
		}
	}
	if n != 2 {
		t.Fatalf("ResetOffsets = %v", resp)
	}
}

// A static member (InstanceID) that closes and comes back under a new
// member id within its session timeout gets its partitions back without a
// rebalance: the other member's partitions never move.
func TestGroupStaticMemberRestart(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "static", 4, nil)
	produceParts(t, cl, "static", 4, 5, 0)
	own := newOwnership(t)
	opts := func(name string, extra ...fjord.GroupOpt) []fjord.GroupOpt {
		return append(append(own.opts(name), fjord.Topics("static"), fjord.ResetOffset(fjord.AtStart()), fjord.SessionTimeout(5*time.Second)), extra...)
	}
	a := startMember(t, cl, "static", opts("a", fjord.InstanceID("instance-a"))...)
	eventually(t, "a owns all four", func() bool { return own.counts()["a"] == 4 })
	d := startMember(t, cl, "static", opts("d")...)
	eventually(t, "two each", func() bool { c := own.counts(); return c["a"] == 2 && c["d"] == 2 })
	var before []fjord.TopicPartition
	eventually(t, "a settled", func() bool { before = a.g.Assignment(); return len(before) == 2 })
	eventually(t, "20 records", func() bool { return len(a.records())+len(d.records()) >= 20 })

	mark := own.mark()
	a.close(t)
	time.Sleep(500 * time.Millisecond) // a rebalance, if any, would happen now
	if c := own.counts(); c["d"] != 2 {
		t.Fatalf("d's partitions changed while the static member was away: %v", c)
	}
	a2 := startMember(t, cl, "static", opts("a2", fjord.InstanceID("instance-a"))...)
	eventually(t, "a2 took over", func() bool { return own.counts()["a2"] == 2 })
	if got := a2.g.Assignment(); !slices.Equal(got, before) {
		t.Errorf("a2 got %v, a had %v", got, before)
	}
	for _, e := range own.since(mark) {
		if e[0] == 'd' {
			t.Errorf("the dynamic member's partitions moved: %v", own.since(mark))
		}
	}
	produceParts(t, cl, "static", 4, 1, 5)
	eventually(t, "24 records", func() bool { return len(a.records())+len(a2.records())+len(d.records()) >= 24 })
	time.Sleep(100 * time.Millisecond)
	if n := len(a.records()) + len(a2.records()) + len(d.records()); n != 24 {
		t.Errorf("consumed %d records, want 24", n)
	}
}

// The membership goroutine heartbeats while the application processes:
// a member that takes longer than its session timeout between Polls stays
// in the group with its partitions.
func TestGroupSlowProcessingKeepsSession(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "slow", 2, nil)
	produceParts(t, cl, "slow", 2, 2, 0)
	own := newOwnership(t)
	g := newGroupConsumer(t, cl, "slow", append(own.opts("g"), fjord.Topics("slow"), fjord.ResetOffset(fjord.AtStart()),
		fjord.SessionTimeout(400*time.Millisecond))...)
	groupPollN(t, g, 4)
	time.Sleep(1500 * time.Millisecond) // "processing"
	produceParts(t, cl, "slow", 2, 1, 2)
	groupPollN(t, g, 2)
	if ev := own.since(0); len(ev) != 2 {
		t.Fatalf("ownership events %v, want the two assignments only", ev)
	}
}

// A member that does not poll cannot release partitions: after its
// rebalance timeout the coordinator removes it and the partitions move.
// When it polls again it learns it lost them (OnLost) and rejoins.
func TestGroupRebalanceTimeout(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "stuck", 2, nil)
	produceParts(t, cl, "stuck", 2, 3, 0)
	own, stuckOwn := newOwnership(t), newOwnership(t)
	opts := func(o *ownership, name string, rebalance time.Duration) []fjord.GroupOpt {
		return append(o.opts(name), fjord.Topics("stuck"), fjord.ResetOffset(fjord.AtStart()),
			fjord.RebalanceTimeout(rebalance), fjord.AutoCommit(false))
	}
	stuck := newGroupConsumer(t, cl, "stuck", opts(stuckOwn, "stuck", 500*time.Millisecond)...)
	groupPollN(t, stuck, 6)
	if err := stuck.Commit(ctxT(t)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	other := startMember(t, cl, "stuck", opts(own, "other", time.Minute)...)
	eventually(t, "the other member owns everything", func() bool { return own.counts()["other"] == 2 })

	// The stuck member polls again: it lost everything, rejoins, and gets
	// a share back.
	produceParts(t, cl, "stuck", 2, 1, 3)
	ctx := ctxT(t)
	for !slices.Contains(stuckOwn.since(0), "stuck!0") || stuckOwn.counts()["stuck"] == 0 {
		if _, err := stuck.Poll(ctx); err != nil {
			t.Fatalf("Poll: %v", err)
		}
	}
	if ev := stuckOwn.since(0); !slices.Equal(ev[:4], []string{"stuck+0", "stuck+1", "stuck!0", "stuck!1"}) {
		t.Fatalf("stuck member events %v, want both partitions lost", ev)
	}
	// From now on it polls (else, holding a partition the other one must
	// hand over, it could be removed again).
	pctx, stop := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for pctx.Err() == nil {
			stuck.Poll(pctx) //nolint:errcheck // only keeps it reconciling
		}
	}()
	defer func() { stop(); <-polled }()
	deadline := time.Now().Add(testTimeout)
	for own.counts()["other"] != 1 {
		if time.Now().After(deadline) {
			d, err := fjord.NewAdmin(cl).DescribeGroup(ctxT(t), "stuck")
			t.Fatalf("the other member did not release a partition: events %v / %v; poll errors %v; group %v, %v",
				own.since(0), stuckOwn.since(0), other.errors(), d, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A pattern subscription takes in topics created later.
func TestGroupTopicPattern(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "orders.eu", 2, nil)
	createTopic(t, cl, "other", 1, nil)
	produceParts(t, cl, "orders.eu", 2, 1, 0)
	produceParts(t, cl, "other", 1, 1, 0)
	g := newGroupConsumer(t, cl, "pattern", fjord.TopicPattern(`orders\..*`), fjord.ResetOffset(fjord.AtStart()))
	for _, r := range groupPollN(t, g, 2) {
		if r.Topic != "orders.eu" {
			t.Fatalf("record of %s", describe(r))
		}
	}
	createTopic(t, cl, "orders.us", 1, nil)
	produceParts(t, cl, "orders.us", 1, 1, 0)
	if r := groupPollN(t, g, 1)[0]; r.Topic != "orders.us" {
		t.Fatalf("record of %s", describe(r))
	}
	want := []fjord.TopicPartition{{Topic: "orders.eu", Partition: 0}, {Topic: "orders.eu", Partition: 1}, {Topic: "orders.us", Partition: 0}}
	if got := g.Assignment(); !slices.Equal(got, want) {
		t.Fatalf("assignment %v, want %v", got, want)
	}
}
