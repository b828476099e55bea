package fjord

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

type murmurCase struct {
	Key        string           `json:"key"`
	Murmur2    int32            `json:"murmur2"`
	Partitions map[string]int32 `json:"partitions"`
}

// The vectors are Kafka's own (UtilsTest.testMurmur2); the partitions
// follow from them by toPositive(h) % n.
func TestMurmur2KafkaVectors(t *testing.T) {
	raw, err := os.ReadFile("../testdata/murmur2.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []murmurCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 6 {
		t.Fatalf("only %d cases", len(file.Cases))
	}
	for _, c := range file.Cases {
		if got := murmur2([]byte(c.Key)); got != c.Murmur2 {
			t.Errorf("murmur2(%q) = %d, want %d", c.Key, got, c.Murmur2)
		}
		for ns, want := range c.Partitions {
			n, _ := strconv.Atoi(ns)
			if got := KeyHashPartition([]byte(c.Key), int32(n)); got != want {
				t.Errorf("KeyHashPartition(%q, %d) = %d, want %d", c.Key, n, got, want)
			}
		}
	}
}

func TestStickyKeyPartitioner(t *testing.T) {
	p := StickyKeyPartitioner()
	for _, k := range []string{"a", "b", "hello", ""} {
		r := &Record{Topic: "t", Key: []byte(k)}
		if got, want := p.Partition(r, 12), KeyHashPartition([]byte(k), 12); got != want {
			t.Errorf("key %q: %d, want %d", k, got, want)
		}
	}
	// Null keys stick to one partition until its batch is sealed.
	first := p.Partition(&Record{Topic: "t"}, 1000)
	for range 50 {
		if got := p.Partition(&Record{Topic: "t"}, 1000); got != first {
			t.Fatalf("sticky partition moved from %d to %d", first, got)
		}
	}
	moved := false
	for range 20 { // 1/1000 chance each to pick the same again
		p.(batchObserver).onBatchSealed("t", first)
		if p.Partition(&Record{Topic: "t"}, 1000) != first {
			moved = true
			break
		}
	}
	if !moved {
		t.Fatal("sticky partition never moved after batches were sealed")
	}
}

func TestRoundRobinAndManual(t *testing.T) {
	rr := RoundRobinPartitioner()
	for i := range 7 {
		if got := rr.Partition(&Record{Topic: "t", Key: []byte("same")}, 3); got != int32(i%3) {
			t.Fatalf("record %d -> %d", i, got)
		}
	}
	if got := ManualPartitioner().Partition(&Record{Partition: 5}, 8); got != 5 {
		t.Fatalf("manual -> %d", got)
	}
}
