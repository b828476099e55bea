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

// Rack is sent in the join; Subscribe and SubscribePattern move a running
// member's assignment to the new topics.
func TestGroupConsumerRackAndSubscribe(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 2, "payments": 1, "audit.a": 1, "audit.b": 1})
	produceTo(t, cl, "orders", 2, 2)
	produceTo(t, cl, "payments", 1, 3)
	own := newOwnership(t)
	m := startMember(t, cl, "sub", append(own.opts("a"), fjord.Topics("orders"), fjord.Rack("zone-a"),
		fjord.ResetOffset(fjord.AtStart()), fjord.FetchMaxWait(20*time.Millisecond))...)
	waitFor(t, "orders records", func() bool { return len(m.records()) >= 4 })
	d, err := fjord.NewAdmin(cl).DescribeGroup(testCtx(t), "sub")
	if err != nil || len(d.GetMembers()) != 1 || d.GetMembers()[0].GetRack() != "zone-a" {
		t.Fatalf("describe %v, %v; want rack zone-a", d, err)
	}

	if err := m.g.Subscribe(testCtx(t), "payments"); err != nil {
		t.Fatal(err)
	}
	if topics, pattern := m.g.Subscription(); !slices.Equal(topics, []string{"payments"}) || pattern != "" {
		t.Fatalf("Subscription() = %v, %q", topics, pattern)
	}
	waitFor(t, "payments assigned", func() bool {
		return slices.Equal(m.g.Assignment(), []fjord.TopicPartition{{Topic: "payments", Partition: 0}})
	})
	waitFor(t, "payments records", func() bool { return len(m.records()) >= 7 })
	n := map[string]int{}
	for _, r := range m.records() {
		n[r.Topic]++
	}
	if n["orders"] != 4 || n["payments"] != 3 {
		t.Fatalf("records per topic %v", n)
	}

	if err := m.g.SubscribePattern(testCtx(t), `audit\..*`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "audit assigned", func() bool {
		return slices.Equal(m.g.Assignment(), []fjord.TopicPartition{{Topic: "audit.a", Partition: 0}, {Topic: "audit.b", Partition: 0}})
	})
	if d, err := fjord.NewAdmin(cl).DescribeGroup(testCtx(t), "sub"); err != nil || d.GetMembers()[0].GetSubscription().GetPattern() != `audit\..*` {
		t.Fatalf("describe %v, %v", d, err)
	}
	if err := m.g.SubscribePattern(testCtx(t), "("); err == nil {
		t.Fatal("bad pattern accepted")
	}
	if err := m.g.Subscribe(testCtx(t)); err == nil {
		t.Fatal("empty subscription accepted")
	}
	m.close(t)
	if err := m.g.Subscribe(testCtx(t), "orders"); err == nil {
		t.Fatal("Subscribe after Close succeeded")
	}
	if errs := m.errors(); len(errs) > 0 {
		t.Fatalf("poll errors: %v", errs)
	}
}

// A subscription changed while disconnected is carried by the next join.
func TestGroupConsumerSubscribeCarriedByJoin(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"orders": 1, "payments": 1})
	g := newGroupConsumer(t, cl, "subjoin", fjord.Topics("orders"))
	ctx := testCtx(t)
	for !slices.Equal(g.Assignment(), []fjord.TopicPartition{{Topic: "orders", Partition: 0}}) {
		pctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		g.Poll(pctx)
		cancel()
	}
	waitFor(t, "member known", func() bool { return len(fc.GroupMembers("subjoin")) == 1 })
	fc.FenceMember("subjoin", g.MemberID())
	if err := g.Subscribe(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(g.Assignment(), []fjord.TopicPartition{{Topic: "payments", Partition: 0}}) {
		if time.Now().After(deadline) {
			t.Fatalf("assignment %v", g.Assignment())
		}
		pctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		g.Poll(pctx)
		cancel()
	}
}

// A member whose application stops calling Poll leaves the group after
// MaxPollInterval: its partitions move to the other member; its next Poll
// calls OnLost and rejoins.
func TestGroupConsumerMaxPollInterval(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"orders": 2})
	var mu sync.Mutex
	var lost []fjord.TopicPartition
	slow := newGroupConsumer(t, cl, "mpi", fjord.Topics("orders"), fjord.MaxPollInterval(300*time.Millisecond),
		fjord.OnLost(func(_ context.Context, tps []fjord.TopicPartition) {
			mu.Lock()
			lost = append(lost, tps...)
			mu.Unlock()
		}))
	ctx := testCtx(t)
	for len(slow.Assignment()) != 2 {
		pctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		slow.Poll(pctx)
		cancel()
	}
	other := startMember(t, cl, "mpi", fjord.Topics("orders"), fjord.FetchMaxWait(20*time.Millisecond))
	// slow stops polling: it holds both partitions until it leaves.
	waitFor(t, "the other member takes both partitions", func() bool { return len(other.g.Assignment()) == 2 })
	if got := fc.GroupMembers("mpi"); len(got) != 1 || got[0] != other.g.MemberID() {
		t.Fatalf("members %v, want only %s", got, other.g.MemberID())
	}
	if len(slow.Assignment()) != 2 {
		t.Fatalf("slow's assignment changed outside Poll: %v", slow.Assignment())
	}
	// The next Poll drops what slow had and rejoins; the group rebalances.
	pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	slow.Poll(pctx)
	cancel()
	mu.Lock()
	if len(lost) != 2 {
		t.Errorf("lost %v, want both partitions", lost)
	}
	mu.Unlock()
	waitFor(t, "slow rejoined", func() bool { return len(fc.GroupMembers("mpi")) == 2 })
	for len(slow.Assignment()) != 1 {
		pctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		slow.Poll(pctx)
		cancel()
	}
	if _, err := fjord.NewGroupConsumer(cl, "x", fjord.Topics("orders"), fjord.MaxPollInterval(0)); err == nil {
		t.Fatal("MaxPollInterval(0) accepted")
	}
}

// CommitOffsetsWithMetadata commits positions with client metadata.
func TestGroupConsumerCommitWithMetadata(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"orders": 2})
	produceTo(t, cl, "orders", 2, 3)
	g := newGroupConsumer(t, cl, "meta", fjord.Topics("orders"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false))
	pollUntil(t, g, 6)
	err := g.CommitOffsetsWithMetadata(testCtx(t), map[fjord.TopicPartition]fjord.OffsetAndMetadata{
		{Topic: "orders", Partition: 0}: {Offset: 2, LeaderEpoch: -1, Metadata: "checkpoint-7"},
		{Topic: "orders", Partition: 1}: {Offset: 3, LeaderEpoch: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	offs, err := fjord.NewAdmin(cl).FetchOffsets(testCtx(t), "meta")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int32]string{}
	for _, tr := range offs {
		for _, p := range tr.GetPartitions() {
			got[p.GetPartition()] = fmt.Sprintf("%d:%s", p.GetOffset(), p.GetMetadata())
		}
	}
	if got[0] != "2:checkpoint-7" || got[1] != "3:" {
		t.Fatalf("committed %v", got)
	}
	err = g.CommitOffsetsWithMetadata(testCtx(t), map[fjord.TopicPartition]fjord.OffsetAndMetadata{{Topic: "other", Partition: 0}: {Offset: 1}})
	if !errors.Is(err, fjord.ErrPartitionNotAssigned) {
		t.Fatalf("commit of a partition not owned: %v", err)
	}
}
