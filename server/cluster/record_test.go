package cluster

import (
	"errors"
	"testing"
	"time"
)

func TestDecodeRecord(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		ok         bool
	}{
		{"valid", `{"v":1,"type":"delete_topic","delete_topic":{"name":"t"}}`, true},
		{"newer version", `{"v":2,"type":"delete_topic","delete_topic":{"name":"t"}}`, false},
		{"no version", `{"type":"delete_topic","delete_topic":{"name":"t"}}`, false},
		{"unknown type", `{"v":1,"type":"frobnicate"}`, false},
		{"missing body", `{"v":1,"type":"delete_topic"}`, false},
		{"two bodies", `{"v":1,"type":"delete_topic","delete_topic":{"name":"t"},"fence_broker":{"id":1}}`, false},
		{"not json", `{"v":1,`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRecord([]byte(tc.data))
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("err %v is not ErrInvalidRecord", err)
			}
		})
	}
	rec := NewRecord(&CreateTopic{Name: "t", ID: "x", Assignment: [][]int32{{1, 2}}})
	data, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeRecord(data)
	if err != nil || back.CreateTopic == nil || back.CreateTopic.Name != "t" {
		t.Fatalf("roundtrip: %+v %v", back, err)
	}
}

// FuzzApply feeds arbitrary log entries to the state machine: it must
// never panic, and a record it accepts must leave an image that survives a
// snapshot roundtrip.
func FuzzApply(f *testing.F) {
	seeds := []Record{
		NewRecord(&RegisterBroker{ID: 1, IncarnationID: "a", Address: "x"}),
		UnfenceRecord(1, 1),
		NewRecord(&CreateTopic{Name: "t", ID: "i", Assignment: [][]int32{{1}}}),
		NewRecord(&ChangePartition{Topic: "t", ISR: []int32{1}}),
		NewRecord(&ElectPreferredLeaders{}),
		NewRecord(&ReassignPartitions{Partitions: []Reassignment{{TopicPartition: TopicPartition{"t", 0}, Replicas: []int32{1}}}}),
		FenceRecord(1, 1),
	}
	for _, r := range seeds {
		data, _ := r.Marshal()
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img := NewImage()
		for i, r := range seeds[:3] {
			img, _, _ = img.Apply(uint64(i+1), r)
		}
		rec, err := DecodeRecord(data)
		if err != nil {
			return
		}
		next, _, err := img.Apply(10, rec)
		if err != nil {
			return
		}
		snap, err := next.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Restore(snap)
		if err != nil || back.String() != next.String() {
			t.Fatalf("snapshot roundtrip: %v\n%s\n%s", err, next, back)
		}
	})
}

func FuzzRestore(f *testing.F) {
	img, _ := activeImage(f, 3)
	snap, _ := img.Snapshot()
	f.Add(snap)
	f.Add([]byte(`{"v":1,"topics":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Restore(data)
	})
}

func TestLiveness(t *testing.T) {
	t0 := time.Unix(100, 0)
	img, _ := activeImage(t, 3)
	l := NewLiveness(10 * time.Second)
	l.Reset(t0)
	l.Heartbeat(1, t0.Add(5*time.Second))
	l.Heartbeat(2, t0.Add(9*time.Second))
	l.Heartbeat(2, t0.Add(1*time.Second)) // out of order: ignored
	got := l.Expired(img, t0.Add(16*time.Second))
	if len(got) != 2 || got[0].ID != 1 || got[1].ID != 3 {
		t.Fatalf("expired %v, want brokers 1 and 3", got)
	}
	// A new leadership term restarts every session.
	l.Reset(t0.Add(20 * time.Second))
	if got := l.Expired(img, t0.Add(29*time.Second)); len(got) != 0 {
		t.Fatalf("expired %v right after reset", got)
	}
}
