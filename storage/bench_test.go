package storage_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fjordlog/fjord/storage"
)

// benchBatch builds a producer batch of n records with values of size vs.
func benchBatch(b testing.TB, n, vs int) []byte {
	var bb storage.BatchBuilder
	val := make([]byte, vs)
	for i := range val {
		val[i] = byte(i*31 + 7)
	}
	for i := 0; i < n; i++ {
		bb.Add([]byte(fmt.Sprintf("key-%06d", i)), val, 1_700_000_000_000+int64(i))
	}
	out, err := bb.Build(nil)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func benchAppend(b *testing.B, recordsPerBatch, valueSize int) {
	dir := b.TempDir()
	l, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := benchBatch(b, recordsPerBatch, valueSize)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := l.AppendLeader(batch, 1); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start).Seconds()
	b.StopTimer() // Close fsyncs: not part of the fsync-off figure
	b.ReportMetric(float64(b.N*recordsPerBatch)/el, "records/s")
}

// BenchmarkAppend1KiB: 1 KiB records, 16 per batch, fsync off.
func BenchmarkAppend1KiB(b *testing.B) { benchAppend(b, 16, 1024-16) }

// BenchmarkAppend100B: 100 B records in ~16 KiB batches, fsync off.
func BenchmarkAppend100B(b *testing.B) { benchAppend(b, 16<<10/112, 100-16) }

// BenchmarkAppendLeaderIdempotent: as Append1KiB, with batches from
// idempotent producers (sequence checks and state updates under the log
// lock) against the same work for batches without a producer id. Every
// variant rewrites the batch header per append (the sequence changes).
func BenchmarkAppendLeaderIdempotent(b *testing.B) {
	for _, producers := range []int{0, 1, 1000} {
		name := fmt.Sprintf("producers=%d", producers)
		if producers == 0 {
			name = "none"
		}
		b.Run(name, func(b *testing.B) {
			l, err := storage.Open(b.TempDir(), storage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			h, payload, err := storage.ParseBatchHeader(benchBatch(b, 16, 1024-16))
			if err != nil {
				b.Fatal(err)
			}
			seqs := make([]int32, max(producers, 1))
			var buf []byte
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if producers > 0 {
					p := i % producers
					h.ProducerID, h.BaseSequence = int64(p+1), seqs[p]
					seqs[p] += h.RecordCount
				}
				buf = storage.AppendBatch(buf[:0], &h, payload)
				if _, err := l.AppendLeader(buf, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
		})
	}
}

// BenchmarkAppend1KiBSynced: as Append1KiB with an fdatasync per batch.
func BenchmarkAppend1KiBSynced(b *testing.B) {
	dir := b.TempDir()
	l, err := storage.Open(dir, storage.Options{FlushMessages: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := benchBatch(b, 16, 1024-16)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := l.AppendLeader(batch, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}

// BenchmarkReadRandom reads one batch at a random offset from logs of
// growing size; ns/op should stay flat.
func BenchmarkReadRandom(b *testing.B) {
	for _, mb := range []int{16, 128, 512} {
		b.Run(fmt.Sprintf("log=%dMiB", mb), func(b *testing.B) {
			dir := b.TempDir()
			l, err := storage.Open(dir, storage.Options{SegmentBytes: 64 << 20, Files: storage.NewFileCache(64)})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			batch := benchBatch(b, 16, 1024-16)
			for l.Size() < int64(mb)<<20 {
				if _, err := l.AppendLeader(batch, 1); err != nil {
					b.Fatal(err)
				}
			}
			leo := l.LogEndOffset()
			rng := rand.New(rand.NewPCG(1, 2))
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := l.Read(rng.Int64N(leo), len(batch), leo)
				if err != nil || len(res.Batches) != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecoverTail measures Open over an unsynced 64 MiB tail (the
// recovery point checkpoint is removed, so everything is re-verified).
func BenchmarkRecoverTail(b *testing.B) {
	dir := b.TempDir()
	l, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	batch := benchBatch(b, 16, 1024-16)
	for l.Size() < 64<<20 {
		if _, err := l.AppendLeader(batch, 1); err != nil {
			b.Fatal(err)
		}
	}
	size := l.Size()
	l.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		os.Remove(filepath.Join(dir, "offsets.checkpoint"))
		b.StartTimer()
		l, err := storage.Open(dir, storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		l.Close()
		b.StartTimer()
	}
}

// BenchmarkAppend1KiBThenSync appends b.N 16 KiB batches of 1 KiB records
// and fsyncs once at the end, inside the timer: comparable to
// `dd conv=fdatasync`.
func BenchmarkAppend1KiBThenSync(b *testing.B) {
	dir := b.TempDir()
	l, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := benchBatch(b, 16, 1024-16)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.AppendLeader(batch, 1); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Sync(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
}

// BenchmarkAppendSyncCheckpoint: each op appends a 16 KiB batch, syncs and
// writes the offsets checkpoint (Maintain), so it prices a checkpoint that
// must first make the new index entries durable. The broker checkpoints
// every few seconds, not per append: this is the worst case.
func BenchmarkAppendSyncCheckpoint(b *testing.B) {
	l, err := storage.Open(b.TempDir(), storage.Options{Retention: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	batch := benchBatch(b, 16, 1024-16)
	now := time.Unix(1_700_000_000, 0)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := l.AppendLeader(batch, 1); err != nil {
			b.Fatal(err)
		}
		if err := l.Sync(); err != nil {
			b.Fatal(err)
		}
		if err := l.Maintain(now); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}
