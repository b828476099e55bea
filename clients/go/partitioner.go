package fjord

import (
	"math/rand/v2"
	"sync"
)

// Partitioner chooses a record's partition. The Producer calls Partition
// once per record, from Produce, with numPartitions > 0 the topic's current
// partition count; the result must be in [0, numPartitions). A Producer
// serializes its calls (it holds an internal lock), so a Partitioner used by
// one Producer needs no locking of its own; one shared by several Producers
// must be safe for concurrent use (the built-in ones are). Partition must
// not call back into the Producer. Implementations may keep per-topic state
// keyed by r.Topic.
type Partitioner interface {
	Partition(r *Record, numPartitions int32) int32
}

// batchObserver is implemented by partitioners that want to know when a
// partition's batch is sealed (the sticky partitioner moves on then).
type batchObserver interface {
	onBatchSealed(topic string, partition int32)
}

// murmur2 is Kafka's murmur2 hash (org.apache.kafka.common.utils.Utils).
func murmur2(data []byte) int32 {
	const (
		seed = uint32(0x9747b28c)
		m    = uint32(0x5bd1e995)
		r    = 24
	)
	length := len(data)
	h := seed ^ uint32(length)
	n4 := length / 4
	for i := 0; i < n4; i++ {
		i4 := i * 4
		k := uint32(data[i4]) | uint32(data[i4+1])<<8 | uint32(data[i4+2])<<16 | uint32(data[i4+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := length &^ 3
	switch length % 4 {
	case 3:
		h ^= uint32(data[tail+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[tail+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[tail])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// KeyHashPartition is Kafka's default partition for a key:
// toPositive(murmur2(key)) % n, byte-for-byte what the Java client's
// Utils.toPositive(Utils.murmur2(key)) % n returns.
func KeyHashPartition(key []byte, n int32) int32 {
	return (murmur2(key) & 0x7fffffff) % n
}

// StickyKeyPartitioner hashes non-null keys with KeyHashPartition (so a key
// always lands on the same partition while the partition count holds) and
// sends null-key records to one random "sticky" partition per topic until
// that partition's batch is sealed, then picks another (Kafka's KIP-480).
// Safe for concurrent use.
func StickyKeyPartitioner() Partitioner {
	return &stickyPartitioner{sticky: map[string]int32{}}
}

type stickyPartitioner struct {
	mu     sync.Mutex       // guards the fields below
	sticky map[string]int32 // topic -> current partition for null keys
	// The last topic looked up and its entry in sticky, if it has one:
	// records mostly come in runs to one topic, and this skips hashing.
	lastTopic string
	lastP     int32
	lastOK    bool
}

func (s *stickyPartitioner) Partition(r *Record, n int32) int32 {
	if r.Key != nil {
		return KeyHashPartition(r.Key, n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastOK && s.lastP < n && s.lastTopic == r.Topic {
		return s.lastP
	}
	p, ok := s.sticky[r.Topic]
	if !ok || p >= n {
		p = rand.Int32N(n)
		s.sticky[r.Topic] = p
	}
	s.lastTopic, s.lastP, s.lastOK = r.Topic, p, true
	return p
}

func (s *stickyPartitioner) onBatchSealed(topic string, partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.sticky[topic]; ok && p == partition {
		delete(s.sticky, topic) // the next null-key record picks anew
		if s.lastTopic == topic {
			s.lastOK = false
		}
	}
}

// RoundRobinPartitioner spreads records over partitions in turn, per topic,
// ignoring keys. Safe for concurrent use.
func RoundRobinPartitioner() Partitioner {
	return &roundRobinPartitioner{next: map[string]int32{}}
}

type roundRobinPartitioner struct {
	mu   sync.Mutex       // guards next
	next map[string]int32 // topic -> next partition
}

func (rr *roundRobinPartitioner) Partition(r *Record, n int32) int32 {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	p := rr.next[r.Topic] % n
	rr.next[r.Topic] = (p + 1) % n
	return p
}

// ManualPartitioner uses r.Partition as set by the caller; a partition
// outside [0, numPartitions) fails the record with
// ErrUnknownTopicOrPartition. Safe for concurrent use.
func ManualPartitioner() Partitioner { return manualPartitioner{} }

type manualPartitioner struct{}

func (manualPartitioner) Partition(r *Record, _ int32) int32 { return r.Partition }

var (
	_ Partitioner   = (*stickyPartitioner)(nil)
	_ batchObserver = (*stickyPartitioner)(nil)
	_ Partitioner   = (*roundRobinPartitioner)(nil)
	_ Partitioner   = manualPartitioner{}
)
