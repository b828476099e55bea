package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// produceTo writes n records to each of a topic's partitions 0..parts-1;
// values are "p/i".
func produceTo(t *testing.T, cl *fjord.Client, topic string, parts int32, n int) {
	t.Helper()
	p, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var rs []*fjord.Record
	for part := range parts {
		for i := range n {
			rs = append(rs, &fjord.Record{Topic: topic, Partition: part, Value: fmt.Appendf(nil, "%d/%d", part, i)})
		}
	}
	if err := p.ProduceSync(testCtx(t), rs...); err != nil {
		t.Fatal(err)
	}
}

// ownership records, per partition, which member holds it when, from the
// callbacks, and fails the test if two hold one at once.
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
					o.t.Errorf("%s assigned %v while %s owns it", name, tp, cur)
				}
				o.owner[tp] = name
				o.events = append(o.events, fmt.Sprintf("%s+%s/%d", name, tp.Topic, tp.Partition))
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
		if cur := o.owner[tp]; cur != name && how != "!" {
			o.t.Errorf("%s revoked %v owned by %q", name, tp, cur)
		}
		if o.owner[tp] == name {
			delete(o.owner, tp)
		}
		o.events = append(o.events, fmt.Sprintf("%s%s%s/%d", name, how, tp.Topic, tp.Partition))
	}
}

// owners returns how many partitions each member owns.
func (o *ownership) owners() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]int{}
	for _, name := range o.owner {
		out[name]++
	}
	return out
}

// member is a GroupConsumer polled in the background.
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
	g, err := fjord.NewGroupConsumer(cl, group, opts...)
	if err != nil {
		t.Fatal(err)
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
			if errors.Is(err, fjord.ErrClosed) {
				return
			}
		}
	}()
	t.Cleanup(func() { m.close(t) })
	return m
}

// close stops polling and closes the consumer (idempotent).
func (m *member) close(t *testing.T) {
	m.stop()
	<-m.done
	if err := m.g.Close(); err != nil {
		t.Errorf("Close: %v", err)
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

// waitFor polls cond until it holds or 10s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func groupValues(recs []*fjord.Record) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		out[string(r.Value)]++
	}
	return out
}

func TestGroupConsumerSingleMember(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 3})
	produceTo(t, cl, "orders", 3, 5)
	own := newOwnership(t)
	m := startMember(t, cl, "g1", append(own.opts("a"), fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()), fjord.FetchMaxWait(20*time.Millisecond))...)
	waitFor(t, "15 records", func() bool { return len(m.records()) >= 15 })
	if got := groupValues(m.records()); len(got) != 15 {
		t.Fatalf("records %v", got)
	}
	if got := m.g.Assignment(); len(got) != 3 {
		t.Fatalf("assignment %v", got)
	}
	m.close(t)
	if errs := m.errors(); len(errs) > 0 {
		t.Fatalf("poll errors: %v", errs)
	}
	// Close committed: the offsets are the ends.
	offs, err := fjord.NewAdmin(cl).FetchOffsets(testCtx(t), "g1")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tr := range offs {
		for _, p := range tr.GetPartitions() {
			n++
			if p.GetOffset() != 5 {
				t.Errorf("committed %s/%d = %d, want 5", tr.GetTopic(), p.GetPartition(), p.GetOffset())
			}
		}
	}
	if n != 3 {
		t.Fatalf("committed offsets %v", offs)
	}
	if own.owners()["a"] != 0 {
		t.Fatalf("still owns after Close: %v", own.owners())
	}
}

// pollUntil polls g (on the test's goroutine) until n records arrived.
func pollUntil(t *testing.T, g *fjord.GroupConsumer, n int) []*fjord.Record {
	t.Helper()
	ctx := testCtx(t)
	var out []*fjord.Record
	for len(out) < n {
		recs, err := g.Poll(ctx)
		out = append(out, recs...)
		if err != nil {
			t.Fatalf("Poll after %d records: %v", len(out), err)
		}
	}
	return out
}

// pollErr polls until Poll returns an error.
func pollErr(t *testing.T, g *fjord.GroupConsumer) error {
	t.Helper()
	ctx := testCtx(t)
	for {
		recs, err := g.Poll(ctx)
		if len(recs) > 0 {
			t.Fatalf("unexpected records: %d", len(recs))
		}
		if err != nil {
			return err
		}
	}
}

func newGroupConsumer(t *testing.T, cl *fjord.Client, group string, opts ...fjord.GroupOpt) *fjord.GroupConsumer {
	t.Helper()
	opts = append([]fjord.GroupOpt{fjord.FetchMaxWait(20 * time.Millisecond)}, opts...)
	g, err := fjord.NewGroupConsumer(cl, group, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func committed(t *testing.T, cl *fjord.Client, group, topic string) map[int32]int64 {
	t.Helper()
	offs, err := fjord.NewAdmin(cl).FetchOffsets(testCtx(t), group)
	if err != nil {
		t.Fatal(err)
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

// Members share the partitions, a partition never has two owners at once,
// and a member that leaves hands over only its own partitions; with
// commit-before-revoke nothing is consumed twice.
func TestGroupConsumerShareAndLeave(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 6})
	produceTo(t, cl, "orders", 6, 10)
	own := newOwnership(t)
	opts := func(name string) []fjord.GroupOpt {
		return append(own.opts(name), fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()),
			fjord.FetchMaxWait(20*time.Millisecond), fjord.AutoCommitInterval(10*time.Millisecond))
	}
	a := startMember(t, cl, "share", opts("a")...)
	waitFor(t, "a owns everything", func() bool { return own.owners()["a"] == 6 })
	b := startMember(t, cl, "share", opts("b")...)
	c := startMember(t, cl, "share", opts("c")...)
	waitFor(t, "2 partitions each", func() bool {
		o := own.owners()
		return o["a"] == 2 && o["b"] == 2 && o["c"] == 2
	})
	waitFor(t, "60 records", func() bool { return len(a.records())+len(b.records())+len(c.records()) >= 60 })

	own.mu.Lock()
	before := len(own.events)
	own.mu.Unlock()
	b.close(t)
	waitFor(t, "b's partitions moved", func() bool {
		o := own.owners()
		return o["a"] == 3 && o["c"] == 3 && o["b"] == 0
	})
	own.mu.Lock()
	for _, e := range own.events[before:] {
		if e[1] == '-' && e[0] != 'b' {
			t.Errorf("a partition of a member that stayed moved: %s (events %v)", e, own.events[before:])
		}
	}
	own.mu.Unlock()
	produceTo(t, cl, "orders", 6, 10)
	waitFor(t, "120 records", func() bool { return len(a.records())+len(b.records())+len(c.records()) >= 120 })
	time.Sleep(50 * time.Millisecond)
	all := append(append(a.records(), b.records()...), c.records()...)
	if len(all) != 120 {
		t.Errorf("consumed %d records, want 120", len(all))
	}
	for _, m := range []*member{a, b, c} {
		if errs := m.errors(); len(errs) > 0 {
			t.Errorf("poll errors: %v", errs)
		}
	}
}

// A fenced member loses its partitions without committing (OnLost) and
// rejoins as a new member under the same id.
func TestGroupConsumerFenced(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"orders": 2})
	produceTo(t, cl, "orders", 2, 3)
	var mu sync.Mutex
	var lost, assigned int
	g := newGroupConsumer(t, cl, "fenced", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false),
		fjord.OnLost(func(_ context.Context, tps []fjord.TopicPartition) { mu.Lock(); lost += len(tps); mu.Unlock() }),
		fjord.OnAssigned(func(_ context.Context, tps []fjord.TopicPartition) { mu.Lock(); assigned += len(tps); mu.Unlock() }))
	recs := pollUntil(t, g, 6)
	if err := g.CommitRecords(testCtx(t), recs[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "member known", func() bool { return len(fc.GroupMembers("fenced")) == 1 })
	if !fc.FenceMember("fenced", g.MemberID()) {
		t.Fatal("no such member")
	}
	// The member rejoins and reads again from the committed offsets: the
	// partition with a commit from recs[0].Offset+1, the other from the start.
	again := pollUntil(t, g, 6-int(recs[0].Offset)-1)
	mu.Lock()
	defer mu.Unlock()
	if lost != 2 || assigned != 4 {
		t.Errorf("lost %d, assigned %d; want 2, 4", lost, assigned)
	}
	if got := fc.GroupMembers("fenced"); len(got) != 1 || got[0] != g.MemberID() {
		t.Errorf("members %v, want [%s]", got, g.MemberID())
	}
	_ = again
}

// A broken stream is resumed with the same member id and epoch: no
// partition is lost or revoked.
func TestGroupConsumerResume(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"orders": 2})
	own := newOwnership(t)
	g := newGroupConsumer(t, cl, "resume", append(own.opts("a"), fjord.Topics("orders"))...)
	pctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	g.Poll(pctx)
	cancel()
	waitFor(t, "assigned", func() bool { return own.owners()["a"] == 2 })
	fc.BreakMembership()
	produceTo(t, cl, "orders", 2, 2)
	pollUntil(t, g, 4)
	time.Sleep(50 * time.Millisecond)
	pctx, cancel = context.WithTimeout(testCtx(t), 100*time.Millisecond)
	g.Poll(pctx)
	cancel()
	own.mu.Lock()
	defer own.mu.Unlock()
	if len(own.events) != 2 {
		t.Errorf("events %v, want only the two assignments", own.events)
	}
}

// Without a committed offset a partition starts at ResetOffset: AtEnd by
// default, AtStart, or NoResetOffset (an error until Seek).
func TestGroupConsumerResetOffset(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 1})
	produceTo(t, cl, "orders", 1, 3)

	latest := newGroupConsumer(t, cl, "latest", fjord.Topics("orders"))
	pctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	if recs, err := latest.Poll(pctx); len(recs) > 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("latest: Poll = %d records, %v", len(recs), err)
	}
	cancel()
	if len(latest.Assignment()) != 1 {
		t.Fatalf("assignment %v", latest.Assignment())
	}
	produceTo(t, cl, "orders", 1, 1)
	if recs := pollUntil(t, latest, 1); recs[0].Offset != 3 {
		t.Fatalf("latest got offset %d, want 3", recs[0].Offset)
	}

	earliest := newGroupConsumer(t, cl, "earliest", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()))
	if recs := pollUntil(t, earliest, 4); recs[0].Offset != 0 {
		t.Fatalf("earliest got offset %d first", recs[0].Offset)
	}

	none := newGroupConsumer(t, cl, "none", fjord.Topics("orders"), fjord.ResetOffset(fjord.NoResetOffset()))
	err := pollErr(t, none)
	var noe *fjord.NoOffsetError
	if !errors.Is(err, fjord.ErrNoOffset) || !errors.As(err, &noe) || noe.Topic != "orders" || noe.Partition != 0 {
		t.Fatalf("none: Poll error %v", err)
	}
	none.Seek("orders", 0, fjord.AtOffset(2))
	if recs := pollUntil(t, none, 2); recs[0].Offset != 2 {
		t.Fatalf("none after Seek got offset %d first", recs[0].Offset)
	}
}

func TestGroupConsumerPauseResume(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 2})
	produceTo(t, cl, "orders", 2, 2)
	g := newGroupConsumer(t, cl, "pause", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()))
	pollUntil(t, g, 4)
	p0 := fjord.TopicPartition{Topic: "orders", Partition: 0}
	g.Pause(p0)
	produceTo(t, cl, "orders", 2, 2)
	for _, r := range pollUntil(t, g, 2) {
		if r.Partition == 0 {
			t.Fatalf("record of the paused partition: %d@%d", r.Partition, r.Offset)
		}
	}
	if got := g.Assignment(); len(got) != 2 {
		t.Fatalf("paused partition not owned: %v", got)
	}
	g.Resume(p0)
	for _, r := range pollUntil(t, g, 2) {
		if r.Partition != 0 || r.Offset < 2 {
			t.Fatalf("after Resume got %d@%d", r.Partition, r.Offset)
		}
	}
}

// Commit and CommitRecords commit what Poll returned; committing a
// partition the member does not own fails for that partition.
func TestGroupConsumerManualCommit(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 2, "other": 1})
	produceTo(t, cl, "orders", 2, 3)
	g := newGroupConsumer(t, cl, "manual", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false))
	recs := pollUntil(t, g, 6)
	if got := committed(t, cl, "manual", "orders"); len(got) != 0 {
		t.Fatalf("committed before Commit: %v", got)
	}
	if err := g.Commit(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := committed(t, cl, "manual", "orders"); got[0] != 3 || got[1] != 3 {
		t.Fatalf("committed %v", got)
	}
	err := g.CommitRecords(testCtx(t), recs[0], &fjord.Record{Topic: "other", Partition: 0, Offset: 0})
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrPartitionNotAssigned) || !errors.As(err, &fe) || fe.Topic != "other" || fe.Partition != 0 {
		t.Fatalf("CommitRecords of a foreign partition: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Poll(testCtx(t)); !errors.Is(err, fjord.ErrClosed) {
		t.Fatalf("Poll after Close: %v", err)
	}
}

func TestGroupConsumerOptions(t *testing.T) {
	_, cl := newCluster(t, 1, nil)
	for _, tc := range []struct {
		group string
		opts  []fjord.GroupOpt
	}{
		{"", []fjord.GroupOpt{fjord.Topics("a")}},
		{"g", nil},
		{"g", []fjord.GroupOpt{fjord.Topics("a"), fjord.TopicPattern("a.*")}},
		{"g", []fjord.GroupOpt{fjord.Topics("a"), fjord.SessionTimeout(-time.Second)}},
		{"g", []fjord.GroupOpt{fjord.Topics("a"), fjord.AutoCommitInterval(0)}},
		// Beyond int32 milliseconds: 50 days wrapped to about 7 hours.
		{"g", []fjord.GroupOpt{fjord.Topics("a"), fjord.RebalanceTimeout(50 * 24 * time.Hour)}},
		{"g", []fjord.GroupOpt{fjord.Topics("a"), fjord.SessionTimeout(30 * 24 * time.Hour)}},
	} {
		if _, err := fjord.NewGroupConsumer(cl, tc.group, tc.opts...); err == nil {
			t.Errorf("NewGroupConsumer(%q, %d opts) succeeded", tc.group, len(tc.opts))
		}
	}
}

// A join the coordinator refuses stops the member: Poll returns the error.
func TestGroupConsumerFatalJoin(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 1})
	g := newGroupConsumer(t, cl, "fatal", fjord.TopicPattern("(["))
	if err := pollErr(t, g); !errors.Is(err, fjord.ErrInvalidRequest) {
		t.Fatalf("Poll = %v, want INVALID_REQUEST", err)
	}
}

func TestAdminGroups(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 2})
	ad := fjord.NewAdmin(cl)
	ctx := testCtx(t)
	if err := ad.CommitOffsets(ctx, "offline", map[string]map[int32]int64{"orders": {0: 5, 1: 7}}); err != nil {
		t.Fatal(err)
	}
	err := ad.CommitOffsets(ctx, "offline", map[string]map[int32]int64{"orders": {0: 4, 1: 8}, "nope": {0: 1}})
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrOffsetRegression) || !errors.Is(err, fjord.ErrUnknownTopicOrPartition) || !errors.As(err, &fe) {
		t.Fatalf("CommitOffsets = %v", err)
	}
	if got := committed(t, cl, "offline", "orders"); got[0] != 5 || got[1] != 8 {
		t.Fatalf("committed %v", got)
	}
	offs, err := ad.FetchOffsets(ctx, "offline", fjord.TopicPartitions{Topic: "orders", Partitions: []int32{1}})
	if err != nil || len(offs) != 1 || len(offs[0].GetPartitions()) != 1 || offs[0].GetPartitions()[0].GetOffset() != 8 {
		t.Fatalf("FetchOffsets(orders/1) = %v, %v", offs, err)
	}
	offs, err = ad.FetchOffsets(ctx, "offline", fjord.TopicPartitions{Topic: "orders"})
	if err != nil || len(offs) != 1 || len(offs[0].GetPartitions()) != 2 {
		t.Fatalf("FetchOffsets(orders) = %v, %v", offs, err)
	}
	g := newGroupConsumer(t, cl, "online", fjord.Topics("orders"))
	pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	g.Poll(pctx)
	cancel()
	groups, err := ad.ListGroups(ctx)
	if err != nil || len(groups) != 2 || groups[0].GetGroupId() != "offline" || groups[1].GetGroupId() != "online" || groups[1].GetMembers() != 1 {
		t.Fatalf("ListGroups = %v, %v", groups, err)
	}
	d, err := ad.DescribeGroup(ctx, "online")
	if err != nil || len(d.GetMembers()) != 1 || d.GetMembers()[0].GetMemberId() != g.MemberID() {
		t.Fatalf("DescribeGroup = %v, %v", d, err)
	}
	if err := ad.DeleteGroup(ctx, "online"); !errors.Is(err, fjord.ErrNonEmptyGroup) {
		t.Fatalf("DeleteGroup(online) = %v", err)
	}
	if err := ad.DeleteGroup(ctx, "offline"); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.DescribeGroup(ctx, "offline"); !errors.Is(err, fjord.ErrGroupIDNotFound) {
		t.Fatalf("DescribeGroup(deleted) = %v", err)
	}
	if fc, err := ad.FindCoordinator(ctx, "online"); err != nil || fc.GetCoordinator().GetAddress() == "" {
		t.Fatalf("FindCoordinator = %v, %v", fc, err)
	}
}
