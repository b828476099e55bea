package cluster

import "testing"

func TestInitClusterSetsIDOnce(t *testing.T) {
	img := NewImage()
	img, _, err := img.Apply(1, NewRecord(&InitCluster{ClusterID: "first"}))
	if err != nil {
		t.Fatal(err)
	}
	next, _, err := img.Apply(2, NewRecord(&InitCluster{ClusterID: "second"}))
	if err != nil {
		t.Fatal(err)
	}
	if next != img || next.ClusterID() != "first" {
		t.Fatalf("second init changed the image: id %q", next.ClusterID())
	}
	data, err := img.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.ClusterID() != "first" || back.Offset() != 1 {
		t.Fatalf("restored id %q offset %d", back.ClusterID(), back.Offset())
	}
}

func TestAllocateProducerIDsNeverRepeats(t *testing.T) {
	img := NewImage()
	img = mustApply(t, img, 1, NewRecord(&RegisterBroker{ID: 1, IncarnationID: "a", Address: "b1"}))
	if _, _, err := img.Apply(2, AllocateProducerIDsRecord(1, 1)); err == nil {
		t.Fatal("a fenced broker got producer ids")
	}
	img = mustApply(t, img, 2, UnfenceRecord(1, 1))
	if _, _, err := img.Apply(3, AllocateProducerIDsRecord(1, 99)); err == nil {
		t.Fatal("a stale session got producer ids")
	}
	next, res, err := img.Apply(3, AllocateProducerIDsRecord(1, 1))
	if err != nil || res.ProducerIDs != (ProducerIDBlock{Start: 1, Len: ProducerIDBlockSize}) {
		t.Fatalf("first block %+v %v", res.ProducerIDs, err)
	}
	data, err := next.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	_, res, err = back.Apply(4, AllocateProducerIDsRecord(1, 1))
	if err != nil || res.ProducerIDs.Start != 1+ProducerIDBlockSize {
		t.Fatalf("block after a snapshot %+v %v", res.ProducerIDs, err)
	}
}
