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
