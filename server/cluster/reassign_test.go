package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// applyOK applies rec at the next index or fails the test.
func applyOK(t *testing.T, img *Image, idx *uint64, rec Record) (*Image, Result) {
	t.Helper()
	*idx++
	next, res, err := img.Apply(*idx, rec)
	if err != nil {
		t.Fatal(err)
	}
	return next, res
}

func snapshotVersionOf(t *testing.T, img *Image) int {
	t.Helper()
	data, err := img.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version int `json:"v"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Version
}

// TestReassignSnapshot checks that an ongoing reassignment survives a
// snapshot, and that only such a snapshot needs the newer format version.
func TestReassignSnapshot(t *testing.T) {
	img, idx := activeImage(t, 4)
	img, _ = applyOK(t, img, &idx, NewRecord(&CreateTopic{Name: "t", ID: "i", Assignment: [][]int32{{1, 2, 3}}}))
	if v := snapshotVersionOf(t, img); v != 1 {
		t.Fatalf("snapshot without reassignments has version %d, want 1", v)
	}
	img, res := applyOK(t, img, &idx, NewRecord(&ReassignPartitions{Partitions: []Reassignment{
		{TopicPartition: TopicPartition{"t", 0}, Replicas: []int32{3, 4, 2}},
	}}))
	if r := res.Reassignments; len(r) != 1 || r[0].Err != nil {
		t.Fatalf("reassign: %+v", r)
	}
	if v := snapshotVersionOf(t, img); v != 2 {
		t.Fatalf("snapshot with a reassignment has version %d, want 2", v)
	}
	data, _ := img.Snapshot()
	back, err := Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Partition("t", 0)
	got, _ := back.Partition("t", 0)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("restored %+v, want %+v", got, want)
	}
	if !slices.Equal(got.AddingReplicas, []int32{4}) || !slices.Equal(got.RemovingReplicas, []int32{1}) ||
		!slices.Equal(got.OriginalReplicas, []int32{1, 2, 3}) || !slices.Equal(got.Target(), []int32{3, 4, 2}) {
		t.Fatalf("restored reassignment fields %+v", got)
	}
	if tps := back.Reassigning(); len(tps) != 1 || tps[0] != (TopicPartition{"t", 0}) {
		t.Fatalf("restored image reassigning %v", tps)
	}
	// A node that predates the fields refuses the snapshot rather than
	// silently dropping the reassignment.
	var f map[string]any
	_ = json.Unmarshal(data, &f)
	f["v"] = snapshotVersion + 1
	newer, _ := json.Marshal(f)
	if _, err := Restore(newer); err == nil {
		t.Fatal("restored a snapshot of a newer version")
	}
	// Clone copies the reassignment fields.
	tm, _ := img.Topic("t")
	c := tm.Clone()
	c.Partitions[0].AddingReplicas[0] = 99
	if p, _ := img.Partition("t", 0); p.AddingReplicas[0] != 4 {
		t.Fatal("Clone shares AddingReplicas")
	}
}

// TestReassignErrors checks that per-partition rejections match their
// sentinels and carry the partition.
func TestReassignErrors(t *testing.T) {
	img, idx := activeImage(t, 3)
	img, _ = applyOK(t, img, &idx, NewRecord(&CreateTopic{Name: "t", ID: "i", Assignment: [][]int32{{1, 2}, {2, 3}}}))
	tp := func(p int32) TopicPartition { return TopicPartition{"t", p} }
	_, res := applyOK(t, img, &idx, NewRecord(&ReassignPartitions{Partitions: []Reassignment{
		{TopicPartition: tp(0)},
		{TopicPartition: tp(1), Replicas: []int32{3, 7}},
		{TopicPartition: tp(2), Replicas: []int32{1}},
		{TopicPartition: TopicPartition{"nope", 0}, Replicas: []int32{1}},
	}}))
	for i, want := range []error{ErrNoReassignmentInProgress, ErrInvalidAssignment, ErrUnknownPartition, ErrUnknownTopic} {
		r := res.Reassignments[i]
		var e *Error
		if !errors.Is(r.Err, want) || !errors.As(r.Err, &e) || e.Topic != r.Topic {
			t.Errorf("result %d: %v, want %v", i, r.Err, want)
		}
	}
}

// TestControllerReassign moves a partition off its leader through a
// controller: start, ISR expansion by the leader, completion, listing and
// cancellation.
func TestControllerReassign(t *testing.T) {
	ctx := context.Background()
	c, err := Open(Options{NodeID: 1, Dir: t.TempDir(), Clock: newManualClock(), DisableAutoLeaderRebalance: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, "single node leads", c.IsLeader)
	epochs := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		b, err := c.RegisterBroker(ctx, BrokerRegistration{ID: id, IncarnationID: "i", Address: "localhost:9092"})
		if err != nil {
			t.Fatal(err)
		}
		epochs[id] = b.Epoch
		if _, err := c.Heartbeat(ctx, HeartbeatRequest{BrokerID: id, BrokerEpoch: b.Epoch}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateTopic(ctx, TopicSpec{Name: "t", Assignment: [][]int32{{1, 2}, {1, 2}}}); err != nil {
		t.Fatal(err)
	}

	res, err := c.ReassignPartitions(ctx, []Reassignment{{TopicPartition: TopicPartition{"t", 0}, Replicas: []int32{3, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	p := res[0].Meta
	if res[0].Err != nil || !slices.Equal(p.Replicas, []int32{3, 2, 1}) || p.Leader != 1 || p.Preferred() != 3 {
		t.Fatalf("started as %+v", res[0])
	}
	if tps := c.Image().Reassigning(); len(tps) != 1 || tps[0] != (TopicPartition{"t", 0}) {
		t.Fatalf("reassigning %v", tps)
	}

	// The leader (1, being removed) adds the new replica 3 to the ISR: the
	// reassignment completes and leadership moves to 3.
	got, err := c.ChangePartition(ctx, ChangePartition{Topic: "t", Partition: 0, PartitionEpoch: p.PartitionEpoch,
		Broker: &BrokerRef{ID: 1, Epoch: epochs[1]}, LeaderEpoch: p.LeaderEpoch, ISR: []int32{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Replicas, []int32{3, 2}) || !slices.Equal(got.ISR, []int32{3, 2}) || got.Leader != 3 ||
		got.LeaderEpoch != p.LeaderEpoch+1 || got.Reassigning() {
		t.Fatalf("completed as %+v", got)
	}
	if tps := c.Image().Reassigning(); len(tps) != 0 {
		t.Fatalf("still reassigning %v", tps)
	}

	// Start and cancel t/1: the original order comes back.
	if res, err = c.ReassignPartitions(ctx, []Reassignment{{TopicPartition: TopicPartition{"t", 1}, Replicas: []int32{3, 1}}}); err != nil || res[0].Err != nil {
		t.Fatalf("start t/1: %v %+v", err, res)
	}
	res, err = c.ReassignPartitions(ctx, []Reassignment{{TopicPartition: TopicPartition{"t", 1}}, {TopicPartition: TopicPartition{"t", 0}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := res[0].Meta; res[0].Err != nil || !slices.Equal(p.Replicas, []int32{1, 2}) || p.Reassigning() {
		t.Fatalf("cancel t/1: %+v", res[0])
	}
	if !errors.Is(res[1].Err, ErrNoReassignmentInProgress) {
		t.Fatalf("cancel t/0: %v", res[1].Err)
	}
	if _, err := c.ReassignPartitions(ctx, nil); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("empty request: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReassignPartitions(ctx, []Reassignment{{TopicPartition: TopicPartition{"t", 0}, Replicas: []int32{1}}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

// TestReassignRandomWalk applies random reassignments, cancellations, ISR
// changes by leaders, fencing, unfencing and preferred elections, and checks
// after every record that the input image was not modified, the invariants
// hold (checkInvariants) and the image survives a snapshot.
func TestReassignRandomWalk(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 0))
		img, idx := activeImage(t, 5)
		img, _ = applyOK(t, img, &idx, NewRecord(&CreateTopic{Name: "t", ID: "i",
			Assignment: [][]int32{{1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 1}}}))
		completed := 0
		for step := 0; step < 400; step++ {
			p := int32(rng.IntN(4))
			pm, _ := img.Partition("t", p)
			var rec Record
			switch k := rng.IntN(10); {
			case k < 3:
				var target []int32
				for _, b := range rng.Perm(5)[:1+rng.IntN(4)] {
					target = append(target, int32(b+1))
				}
				if rng.IntN(4) == 0 {
					target = nil // cancel
				}
				rec = NewRecord(&ReassignPartitions{Partitions: []Reassignment{{TopicPartition{"t", p}, target}}})
			case k < 7:
				if pm.Leader == NoLeader {
					continue
				}
				b, _ := img.Broker(pm.Leader)
				isr := []int32{pm.Leader}
				for _, r := range pm.Replicas {
					if r != pm.Leader && rng.IntN(3) > 0 {
						isr = append(isr, r)
					}
				}
				rec = NewRecord(&ChangePartition{Topic: "t", Partition: p, PartitionEpoch: pm.PartitionEpoch,
					Broker: &BrokerRef{b.ID, b.Epoch}, LeaderEpoch: pm.LeaderEpoch, ISR: isr})
			case k < 8:
				b, _ := img.Broker(int32(1 + rng.IntN(5)))
				rec = FenceRecord(b.ID, b.Epoch)
			case k < 9:
				b, _ := img.Broker(int32(1 + rng.IntN(5)))
				rec = UnfenceRecord(b.ID, b.Epoch)
			default:
				rec = NewRecord(&ElectPreferredLeaders{})
			}
			before := img.String()
			idx++
			next, res, err := img.Apply(idx, rec)
			if img.String() != before {
				t.Fatalf("seed %d step %d: apply modified its input", seed, step)
			}
			if err != nil && !errors.Is(err, ErrIneligibleReplica) {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			if np, ok := next.Partition("t", p); ok && pm.Reassigning() && !np.Reassigning() && np.PartitionEpoch > pm.PartitionEpoch {
				completed++
			}
			for _, r := range res.Reassignments {
				if r.Err != nil && !errors.Is(r.Err, ErrNoReassignmentInProgress) && !errors.Is(r.Err, ErrUnsafeReassignment) {
					t.Fatalf("seed %d step %d: %v", seed, step, r.Err)
				}
			}
			img = next
			checkInvariants(t, img)
			if step%50 == 0 {
				data, _ := img.Snapshot()
				back, err := Restore(data)
				if err != nil || back.String() != img.String() {
					t.Fatalf("seed %d step %d: snapshot roundtrip: %v", seed, step, err)
				}
			}
		}
		if completed == 0 {
			t.Errorf("seed %d: no reassignment ever completed or was cancelled", seed)
		}
	}
}
