package storage

import (
	"bytes"
	"fmt"
	"math"
	"testing"
)

func TestSequenceArithmetic(t *testing.T) {
	cases := []struct {
		base, delta, last int32
	}{
		{0, 0, 0},
		{0, 4, 4},
		{math.MaxInt32, 0, math.MaxInt32},
		{math.MaxInt32, 1, 0},
		{math.MaxInt32 - 1, 3, 1},
		{5, math.MaxInt32, 4},
		{math.MaxInt32, math.MaxInt32, math.MaxInt32 - 1},
	}
	for _, c := range cases {
		if got := lastSeqOf(c.base, c.delta); got != c.last {
			t.Errorf("lastSeqOf(%d, %d) = %d, want %d", c.base, c.delta, got, c.last)
		}
	}
	for _, c := range []struct{ s, next int32 }{{0, 1}, {41, 42}, {math.MaxInt32 - 1, math.MaxInt32}, {math.MaxInt32, 0}} {
		if got := nextSeq(c.s); got != c.next {
			t.Errorf("nextSeq(%d) = %d, want %d", c.s, got, c.next)
		}
	}
}

// sampleProducers has a producer with a full window, one with a single
// batch and one whose sequence wrapped.
func sampleProducers() producerStates {
	var p producerStates
	off := int64(0)
	add := func(pid int64, epoch, seq int32, n int32) {
		h := BatchHeader{BaseOffset: off, LastOffsetDelta: n - 1, MaxTimestamp: 1000 + off, ProducerID: pid, ProducerEpoch: epoch, BaseSequence: seq}
		p.apply(&h, 5000+off)
		off += int64(n)
	}
	for i := range 7 {
		add(3, 1, int32(2*i), 2)
	}
	add(1<<40, 0, 0, 1)
	add(8, 32767, math.MaxInt32, 3)
	return p
}

func TestProducerSnapshotRoundTrip(t *testing.T) {
	p := sampleProducers()
	b := encodeProducerSnapshot(&p, 100)
	q, bad := decodeProducerSnapshot(b, 100)
	if bad != "" {
		t.Fatal(bad)
	}
	if got, want := describeProducers(&q), describeProducers(&p); got != want {
		t.Fatalf("round trip:\n got %s\nwant %s", got, want)
	}
	if q.m[3].n != maxProducerBatches || q.m[8].newest().lastSeq != 1 {
		t.Fatalf("decoded %+v", q.m)
	}
	if !bytes.Equal(encodeProducerSnapshot(&q, 100), b) {
		t.Fatal("re-encoding differs")
	}
	if _, bad := decodeProducerSnapshot(b, 99); bad == "" {
		t.Fatal("offset mismatch accepted")
	}
	// Every single-byte change and every truncation is rejected.
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x40
		if _, bad := decodeProducerSnapshot(c, 100); bad == "" {
			t.Fatalf("flipped byte %d accepted", i)
		}
		if _, bad := decodeProducerSnapshot(b[:i], 100); bad == "" {
			t.Fatalf("truncation to %d bytes accepted", i)
		}
	}
	var empty producerStates
	if q, bad := decodeProducerSnapshot(encodeProducerSnapshot(&empty, 0), 0); bad != "" || len(q.m) != 0 {
		t.Fatalf("empty snapshot: %q %v", bad, q.m)
	}
}

// FuzzProducerSnapshot: decoding arbitrary bytes never panics, and what
// decodes re-encodes to the same bytes and satisfies the state's
// invariants.
func FuzzProducerSnapshot(f *testing.F) {
	p := sampleProducers()
	f.Add(encodeProducerSnapshot(&p, 100), int64(100))
	var empty producerStates
	f.Add(encodeProducerSnapshot(&empty, 7), int64(7))
	f.Add([]byte("FJPS"), int64(0))
	f.Fuzz(func(t *testing.T, b []byte, offset int64) {
		q, bad := decodeProducerSnapshot(b, offset)
		if bad != "" && len(b) >= 4 {
			// Past the CRC, so the structure checks get exercised too.
			b = be.AppendUint32(b[:len(b)-4:len(b)-4], CRC32C(b[:len(b)-4]))
			q, bad = decodeProducerSnapshot(b, offset)
		}
		if bad != "" {
			return
		}
		if !bytes.Equal(encodeProducerSnapshot(&q, offset), b) {
			t.Fatal("decoded snapshot re-encodes differently")
		}
		for pid, e := range q.m {
			if pid <= 0 || e.n < 1 || e.n > maxProducerBatches || e.epoch < 0 {
				t.Fatalf("bad entry %d: %+v", pid, e)
			}
			for _, pb := range e.batches[:e.n] {
				if pb.lastOffset >= offset || pb.firstOffset > pb.lastOffset || pb.firstSeq < 0 || pb.lastSeq < 0 {
					t.Fatalf("bad batch %+v", pb)
				}
			}
		}
	})
}

// BenchmarkProducerCheckApply is the producer-state work AppendLeader adds
// under the log lock for an idempotent batch (no I/O).
func BenchmarkProducerCheckApply(b *testing.B) {
	for _, producers := range []int{1, 1000, 100000} {
		b.Run(fmt.Sprintf("producers=%d", producers), func(b *testing.B) {
			var p producerStates
			seqs := make([]int32, producers)
			h := BatchHeader{LastOffsetDelta: 15, RecordCount: 16}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := i % producers
				h.ProducerID, h.BaseSequence = int64(n+1), seqs[n]
				if _, dup, err := p.check(&h); err != nil || dup {
					b.Fatal(err, dup)
				}
				p.apply(&h, 1)
				seqs[n] = nextSeq(lastSeqOf(seqs[n], 15))
				h.BaseOffset += 16
			}
		})
	}
}
