package server

import (
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/replication"
)

// A new leader starts from the high watermark it had as a follower, which
// can be below the start offset of its epoch (the previous leader had
// acknowledged more). Until the high watermark reaches it, ListOffsets
// latest and timestamp answer OFFSET_NOT_AVAILABLE (retriable, KIP-207),
// not an end below what was acknowledged; then the right offset.
//
// The situation is built in place, deterministically: a single broker's
// partition gets the state it would have after taking over as leader of
// replicas {1, 2} with a lagging high watermark: its log's high watermark
// lowered to 2 of 5, and a replication.Leader whose epoch starts at 5 and
// whose high watermark cannot move before the (absent) ISR follower 2
// fetches. The catch-up is that follower's fetch, applied as the fetch
// path does.
func TestListOffsetsBelowEpochStart(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("kip207", 1, nil)
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		if pr := tb.produceOne("kip207", 0, fjordv1.Acks_ACKS_ALL, batch(v)); pr.GetError() != nil {
			t.Fatalf("produce: %v", pr.GetError())
		}
	}
	p, err := tb.srv.broker.lookup(topicPartition{"kip207", 0})
	if err != nil {
		t.Fatal(err)
	}
	listLatest := func(spec fjordv1.OffsetSpec) *fjordv1.ListOffsetsPartitionResponse {
		t.Helper()
		resp, err := tb.fetch.ListOffsets(ctx(t), &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{Topic: "kip207",
			Partitions: []*fjordv1.ListOffsetsPartition{{Partition: 0, Spec: spec, TimestampMs: time.Now().Add(time.Hour).UnixMilli()}}}}})
		if err != nil {
			t.Fatalf("ListOffsets: %v", err)
		}
		return resp.GetTopics()[0].GetPartitions()[0]
	}
	if r := listLatest(fjordv1.OffsetSpec_OFFSET_SPEC_LATEST); r.GetError() != nil || r.GetOffset() != 5 {
		t.Fatalf("latest before: %v", r)
	}

	// Take over as the new leader with a lagging high watermark. roleMu
	// keeps appends out while the state is swapped, as a role change does.
	p.roleMu.Lock()
	p.mu.Lock()
	oldLdr, oldCfg := p.ldr, p.ldrCfg
	cfg := replication.LeaderConfig{Topic: "kip207", Partition: 0, ReplicaID: oldCfg.ReplicaID,
		Replicas: []int32{oldCfg.ReplicaID, oldCfg.ReplicaID + 1}, ISR: []int32{oldCfg.ReplicaID, oldCfg.ReplicaID + 1},
		LeaderEpoch: oldCfg.LeaderEpoch, PartitionEpoch: oldCfg.PartitionEpoch, LagTimeMax: int64(time.Hour)}
	if err := p.log.SetHighWatermark(2); err != nil {
		t.Fatal(err)
	}
	ldr, err := replication.NewLeader(cfg, replication.Offsets{LogEnd: p.log.LogEndOffset(), HighWatermark: p.log.HighWatermark()}, time.Now().UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	p.ldr, p.ldrCfg = ldr, cfg
	p.mu.Unlock()
	p.roleMu.Unlock()
	t.Cleanup(func() {
		p.roleMu.Lock()
		p.mu.Lock()
		p.ldr, p.ldrCfg = oldLdr, oldCfg
		p.mu.Unlock()
		p.roleMu.Unlock()
	})
	if got := ldr.EpochStartOffset(); got != 5 {
		t.Fatalf("epoch start %d, want 5", got)
	}

	for _, spec := range []fjordv1.OffsetSpec{fjordv1.OffsetSpec_OFFSET_SPEC_LATEST, fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP} {
		r := listLatest(spec)
		if e := r.GetError(); e.GetReason() != string(ReasonOffsetNotAvailable) || !e.GetRetriable() {
			t.Fatalf("%v with the high watermark (2) below the epoch start (5): %v, want retriable OFFSET_NOT_AVAILABLE", spec, r)
		}
	}
	// Earliest does not depend on the high watermark.
	if r := listLatest(fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST); r.GetError() != nil || r.GetOffset() != 0 {
		t.Fatalf("earliest: %v", r)
	}

	// The follower fetches up to 3: the high watermark moves, still below
	// the epoch start.
	follow := func(offset int64) {
		t.Helper()
		p.mu.Lock()
		rd, err := p.ldr.Fetch(replication.FetchRequest{ReplicaID: cfg.ReplicaID + 1, LeaderEpoch: cfg.LeaderEpoch,
			FetchOffset: offset, DurableOffset: offset, Now: time.Now().UnixNano()})
		if err == nil {
			p.applyReady(tb.srv.broker, rd)
		}
		p.mu.Unlock()
		if err != nil {
			t.Fatalf("follower fetch at %d: %v", offset, err)
		}
	}
	follow(3)
	if hw := p.log.HighWatermark(); hw != 3 {
		t.Fatalf("high watermark %d after the follower fetched at 3", hw)
	}
	if r := listLatest(fjordv1.OffsetSpec_OFFSET_SPEC_LATEST); r.GetError().GetReason() != string(ReasonOffsetNotAvailable) {
		t.Fatalf("latest with the high watermark (3) below the epoch start (5): %v", r)
	}
	// Caught up: the right end again.
	follow(5)
	if r := listLatest(fjordv1.OffsetSpec_OFFSET_SPEC_LATEST); r.GetError() != nil || r.GetOffset() != 5 {
		t.Fatalf("latest once the high watermark reached the epoch start: %v", r)
	}
	if r := listLatest(fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP); r.GetError() != nil || r.GetOffset() != 5 {
		t.Fatalf("timestamp after every record once caught up: %v", r)
	}
}
