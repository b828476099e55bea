package cluster

import (
	"fmt"
	"slices"
	"testing"
)

// activeImage returns an image with n active brokers; racks, when given,
// are assigned round-robin.
func activeImage(t testing.TB, n int, racks ...string) (*Image, uint64) {
	t.Helper()
	img := NewImage()
	var idx uint64
	must := func(rec Record) {
		idx++
		next, _, err := img.Apply(idx, rec)
		if err != nil {
			t.Fatal(err)
		}
		img = next
	}
	for id := int32(1); id <= int32(n); id++ {
		rack := ""
		if len(racks) > 0 {
			rack = racks[int(id-1)%len(racks)]
		}
		must(NewRecord(&RegisterBroker{ID: id, IncarnationID: "x", Address: "a", Rack: rack}))
		b, _ := img.Broker(id)
		must(UnfenceRecord(id, b.Epoch))
	}
	return img, idx
}

// TestAssignBalance checks that repeated topic creation keeps replicas
// within one and preferred leaders within two of each other on every
// broker (see Assign).
func TestAssignBalance(t *testing.T) {
	for brokers := 1; brokers <= 7; brokers++ {
		for rf := 1; rf <= min(brokers, 4); rf++ {
			t.Run(fmt.Sprintf("brokers=%d/rf=%d", brokers, rf), func(t *testing.T) {
				img, idx := activeImage(t, brokers)
				for i, parts := range []int32{1, 5, 12, 3, 7} {
					rec, err := img.PlanCreateTopic(TopicSpec{Name: fmt.Sprint("t", i), Partitions: parts, ReplicationFactor: int32(rf)}, fmt.Sprint("id", i))
					if err != nil {
						t.Fatal(err)
					}
					idx++
					if img, _, err = img.Apply(idx, rec); err != nil {
						t.Fatal(err)
					}
					leaders, replicas := map[int32]int{}, map[int32]int{}
					for _, tm := range img.Topics() {
						for _, p := range tm.Partitions {
							leaders[p.Preferred()]++
							for _, r := range p.Replicas {
								replicas[r]++
							}
						}
					}
					if s := spread(leaders, brokers); s > 2 {
						t.Fatalf("after topic %d: preferred leaders %v spread %d", i, leaders, s)
					}
					if s := spread(replicas, brokers); s > 1 {
						t.Fatalf("after topic %d: replicas %v spread %d", i, replicas, s)
					}
				}
			})
		}
	}
}

func spread(m map[int32]int, brokers int) int {
	lo, hi := -1, 0
	for id := int32(1); id <= int32(brokers); id++ {
		v := m[id]
		if lo < 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return hi - lo
}

// TestAssignRackAware checks that with racks every partition uses
// min(rf, racks) distinct racks.
func TestAssignRackAware(t *testing.T) {
	for _, tc := range []struct {
		brokers int
		racks   []string
		rf      int
	}{
		{6, []string{"a", "b", "c"}, 3},
		{6, []string{"a", "b", "c"}, 2},
		{4, []string{"a", "b"}, 3},
		{5, []string{"a", "b", "c"}, 3},
		{9, []string{"a", "b", "c"}, 4},
	} {
		t.Run(fmt.Sprintf("%d/%v/rf=%d", tc.brokers, tc.racks, tc.rf), func(t *testing.T) {
			img, _ := activeImage(t, tc.brokers, tc.racks...)
			asg, err := Assign(img, 24, tc.rf)
			if err != nil {
				t.Fatal(err)
			}
			for i, replicas := range asg {
				var racks []string
				for _, r := range replicas {
					b, _ := img.Broker(r)
					if !slices.Contains(racks, b.Rack) {
						racks = append(racks, b.Rack)
					}
				}
				if want := min(tc.rf, len(tc.racks)); len(racks) != want {
					t.Fatalf("partition %d replicas %v span racks %v, want %d racks", i, replicas, racks, want)
				}
			}
		})
	}
}

// TestAssignSkipsInactive checks that fenced brokers get no new replicas.
func TestAssignSkipsInactive(t *testing.T) {
	img, idx := activeImage(t, 4)
	b, _ := img.Broker(2)
	img, _, err := img.Apply(idx+1, FenceRecord(2, b.Epoch))
	if err != nil {
		t.Fatal(err)
	}
	asg, err := Assign(img, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, replicas := range asg {
		if slices.Contains(replicas, 2) {
			t.Fatalf("fenced broker 2 assigned: %v", asg)
		}
	}
}
