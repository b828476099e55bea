package sdktest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// Subscribe changes a running member's assignment on the broker; Rack is
// sent in the join.
func TestGroupSubscribeChangesAssignment(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "suba", 2, nil)
	createTopic(t, cl, "subb", 1, nil)
	produceParts(t, cl, "suba", 2, 2, 0)
	produceParts(t, cl, "subb", 1, 3, 0)
	own := newOwnership(t)
	m := startMember(t, cl, "subscribe", append(own.opts("m"), fjord.Topics("suba"), fjord.Rack("rack-1"), fjord.ResetOffset(fjord.AtStart()))...)
	eventually(t, "the suba records", func() bool { return len(m.records()) == 4 })
	d, err := fjord.NewAdmin(cl).DescribeGroup(ctxT(t), "subscribe")
	if err != nil || len(d.GetMembers()) != 1 || d.GetMembers()[0].GetRack() != "rack-1" {
		t.Fatalf("DescribeGroup %v, %v; want one member in rack-1", d, err)
	}

	if err := m.g.Subscribe(ctxT(t), "subb"); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	eventually(t, "subb assigned", func() bool {
		return slices.Equal(m.g.Assignment(), []fjord.TopicPartition{{Topic: "subb", Partition: 0}})
	})
	eventually(t, "the subb records", func() bool { return len(m.records()) == 7 })
	if ev := own.since(0); !slices.Equal(ev, []string{"m+0", "m+1", "m-0", "m-1", "m+0"}) {
		t.Fatalf("ownership events %v", ev)
	}
	// Back to suba by pattern: its committed offsets (auto-commit at the
	// revocation) hold, so nothing is consumed again.
	if err := m.g.SubscribePattern(ctxT(t), `sub[a]`); err != nil {
		t.Fatalf("SubscribePattern: %v", err)
	}
	eventually(t, "suba assigned again", func() bool { return len(m.g.Assignment()) == 2 && m.g.Assignment()[0].Topic == "suba" })
	produceParts(t, cl, "suba", 2, 1, 2)
	eventually(t, "the new suba records", func() bool { return len(m.records()) == 9 })
	for v, n := range countValues(m.records()) {
		if n > 2 { // "0/0" and "0/1" are both in suba and subb
			t.Fatalf("value %s consumed %d times", v, n)
		}
	}
	if d, err := fjord.NewAdmin(cl).DescribeGroup(ctxT(t), "subscribe"); err != nil || d.GetMembers()[0].GetSubscription().GetPattern() != `sub[a]` {
		t.Fatalf("DescribeGroup %v, %v; want the pattern subscription", d, err)
	}
	if errs := m.errors(); len(errs) > 0 {
		t.Fatalf("poll errors: %v", errs)
	}
}

// A member whose application stops polling leaves after MaxPollInterval
// (well before its rebalance timeout): its partitions move to the other
// member. Its next Poll calls OnLost and rejoins.
func TestGroupMaxPollInterval(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "mpi", 2, nil)
	produceParts(t, cl, "mpi", 2, 2, 0)
	own, stuckOwn := newOwnership(t), newOwnership(t)
	opts := func(o *ownership, name string) []fjord.GroupOpt {
		return append(o.opts(name), fjord.Topics("mpi"), fjord.ResetOffset(fjord.AtStart()), fjord.RebalanceTimeout(time.Minute))
	}
	stuck := newGroupConsumer(t, cl, "mpi", append(opts(stuckOwn, "stuck"), fjord.MaxPollInterval(700*time.Millisecond))...)
	groupPollN(t, stuck, 4)
	other := startMember(t, cl, "mpi", opts(own, "other")...)
	// stuck stops polling: it cannot hand a partition over, then leaves.
	eventually(t, "the other member owns everything", func() bool { return own.counts()["other"] == 2 })
	// The stuck member's positions were not committed (its records were
	// never followed by another Poll): the other member consumes them
	// again, at least once.
	eventually(t, "the other member consumes the records again", func() bool { return len(other.records()) == 4 })
	d, err := fjord.NewAdmin(cl).DescribeGroup(ctxT(t), "mpi")
	if err != nil || len(d.GetMembers()) != 1 || d.GetMembers()[0].GetMemberId() != other.g.MemberID() {
		t.Fatalf("DescribeGroup %v, %v; want the other member alone", d, err)
	}
	ctx := ctxT(t)
	for !slices.Contains(stuckOwn.since(0), "stuck!0") || stuckOwn.counts()["stuck"] == 0 {
		pc, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_, err := stuck.Poll(pc)
		cancel()
		if ctx.Err() != nil || err != nil && !errors.Is(err, context.DeadlineExceeded) {
			d, derr := fjord.NewAdmin(cl).DescribeGroup(ctxT(t), "mpi")
			t.Fatalf("Poll: %v; events %v / %v; group %v, %v", err, own.since(0), stuckOwn.since(0), d, derr)
		}
	}
	if ev := stuckOwn.since(0); !slices.Equal(ev[:4], []string{"stuck+0", "stuck+1", "stuck!0", "stuck!1"}) {
		t.Fatalf("stuck member events %v, want both partitions lost", ev)
	}
	// Keep it polling so that the other member can hand a partition over.
	pctx, stop := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for pctx.Err() == nil {
			stuck.Poll(pctx) //nolint:errcheck // only keeps it reconciling
		}
	}()
	defer func() { stop(); <-polled }()
	eventually(t, "one partition each", func() bool { return own.counts()["other"] == 1 })
}

// CommitOffsetsWithMetadata stores the metadata with the offset.
func TestGroupCommitWithMetadata(t *testing.T) {
	t.Parallel()
	b := startGroupBroker(t)
	cl := newClient(t, b.addr())
	createTopic(t, cl, "meta", 1, nil)
	produceParts(t, cl, "meta", 1, 3, 0)
	g := newGroupConsumer(t, cl, "meta", fjord.Topics("meta"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false))
	recs := groupPollN(t, g, 3)
	tp := fjord.TopicPartition{Topic: "meta", Partition: 0}
	if err := g.CommitOffsetsWithMetadata(ctxT(t), map[fjord.TopicPartition]fjord.OffsetAndMetadata{
		tp: {Offset: 3, LeaderEpoch: recs[2].LeaderEpoch, Metadata: "state=42"}}); err != nil {
		t.Fatalf("CommitOffsetsWithMetadata: %v", err)
	}
	offs, err := fjord.NewAdmin(cl).FetchOffsets(ctxT(t), "meta")
	if err != nil || len(offs) != 1 || len(offs[0].GetPartitions()) != 1 {
		t.Fatalf("FetchOffsets %v, %v", offs, err)
	}
	if p := offs[0].GetPartitions()[0]; p.GetOffset() != 3 || p.GetMetadata() != "state=42" || p.GetLeaderEpoch() != recs[2].LeaderEpoch {
		t.Fatalf("committed %v", p)
	}
	// Metadata above the broker's limit fails for its partition.
	big := string(make([]byte, 5000))
	err = g.CommitOffsetsWithMetadata(ctxT(t), map[fjord.TopicPartition]fjord.OffsetAndMetadata{tp: {Offset: 2 + 2, LeaderEpoch: -1, Metadata: big}})
	if !errors.Is(err, fjord.ErrOffsetMetadataTooLarge) {
		t.Fatalf("commit with 5000 bytes of metadata: %v, want ErrOffsetMetadataTooLarge", err)
	}
}
