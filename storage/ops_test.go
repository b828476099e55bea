package storage_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/fjordlog/fjord/storage/storagefake"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fjordlog/fjord/storage"
)

func TestTruncateAndEpochs(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 1 << 10
	o.IndexIntervalBytes = 64
	l := e.open(o)
	// epoch 1: offsets 0..29, epoch 3: 30..59, epoch 4: 60..89 (batches of 3)
	for i := 0; i < 30; i++ {
		mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 3, int64(i+1)), []int32{1, 3, 4}[i/10])
	}
	if ep, _ := l.LatestEpoch(); ep != 4 {
		t.Fatalf("latest epoch %d", ep)
	}
	cases := []struct {
		in    int32
		epoch int32
		end   int64
	}{
		{0, 0, 0}, {1, 1, 30}, {2, 1, 30}, {3, 3, 60}, {4, 4, 90}, {5, -1, -1},
	}
	for _, c := range cases {
		if ep, end := l.EndOffsetForEpoch(c.in); ep != c.epoch || end != c.end {
			t.Errorf("EndOffsetForEpoch(%d) = %d, %d want %d, %d", c.in, ep, end, c.epoch, c.end)
		}
	}
	if err := l.SetHighWatermark(80); err != nil {
		t.Fatal(err)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	want := readAll(t, l, 0)
	// Truncate mid-batch: whole batch containing 55 goes.
	if err := l.TruncateTo(55); err != nil {
		t.Fatal(err)
	}
	if l.LogEndOffset() != 54 || l.HighWatermark() != 54 || l.RecoveryPoint() != 54 {
		t.Fatalf("after truncate: leo %d hw %d rp %d", l.LogEndOffset(), l.HighWatermark(), l.RecoveryPoint())
	}
	if ep, end := l.EndOffsetForEpoch(4); ep != -1 || end != -1 {
		t.Fatalf("epoch 4 should be gone: %d %d", ep, end)
	}
	if got := readAll(t, l, 0); !equalBatches(got, want[:18]) {
		t.Fatalf("got %d batches", len(got))
	}
	// New epoch continues at 54 and survives reopen.
	mustAppend(t, l, simpleBatch(t, "new", 2, 5), 6)
	l.Close()
	l = e.open(o)
	if ep, end := l.EndOffsetForEpoch(3); ep != 3 || end != 54 {
		t.Fatalf("after reopen epoch 3 end: %d %d", ep, end)
	}
	if ep, end := l.EndOffsetForEpoch(6); ep != 6 || end != 56 {
		t.Fatalf("after reopen epoch 6 end: %d %d", ep, end)
	}
	if got := readAll(t, l, 0); !equalBatches(got[:18], want[:18]) || len(got) != 19 {
		t.Fatalf("after reopen: %d batches", len(got))
	}
	// Truncate into an older segment and below log start.
	if err := l.TruncateTo(10); err != nil {
		t.Fatal(err)
	}
	if l.LogEndOffset() != 9 || l.NumSegments() != 1 {
		t.Fatalf("leo %d segs %d", l.LogEndOffset(), l.NumSegments())
	}
	if err := l.TruncateFullyAndStartAt(1000); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 1000 || l.LogEndOffset() != 1000 {
		t.Fatal("truncate fully")
	}
	if _, ok := l.LatestEpoch(); ok {
		t.Fatal("epochs should be empty")
	}
	r := mustAppend(t, l, simpleBatch(t, "x", 1, 1), 7)
	if r.BaseOffset != 1000 {
		t.Fatal(r)
	}
	l.Close()
}

func TestReplicaAppend(t *testing.T) {
	e := newEnv(t)
	leader := e.open(e.opts())
	defer leader.Close()
	for i := 0; i < 5; i++ {
		mustAppend(t, leader, simpleBatch(t, fmt.Sprint(i), 4, 9), int32(i/2))
	}
	batches := readAll(t, leader, 0)
	e2 := newEnv(t)
	e2.dir = "/data/replica"
	f := e2.open(e2.opts())
	defer f.Close()
	if _, err := f.AppendReplica(batches[1]); !errors.Is(err, storage.ErrUnexpectedOffset) {
		t.Fatalf("gap: %v", err)
	}
	for _, b := range batches {
		if _, err := f.AppendReplica(b); err != nil {
			t.Fatal(err)
		}
	}
	if !equalBatches(readAll(t, f, 0), batches) {
		t.Fatal("replica bytes differ")
	}
	if ep, end := f.EndOffsetForEpoch(1); ep != 1 || end != 16 {
		t.Fatalf("replica epochs: %d %d", ep, end)
	}
	bad := append([]byte(nil), batches[0]...)
	bad[len(bad)-1] ^= 1
	f.TruncateTo(0)
	if _, err := f.AppendReplica(bad); !errors.Is(err, storage.ErrInvalidBatch) {
		t.Fatalf("corrupt replica batch: %v", err)
	}
}

func TestRetention(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 600
	o.Retention = time.Hour
	l := e.open(o)
	defer l.Close()
	base := epoch0.UnixMilli()
	for i := 0; i < 40; i++ {
		mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 2, base+int64(i)*60_000), 0)
	}
	segs := l.NumSegments()
	// Nothing is deleted above the HW.
	if n, err := l.EnforceRetention(epoch0.Add(10 * time.Hour)); err != nil || n != 0 {
		t.Fatalf("deleted %d above hw: %v", n, err)
	}
	l.SetHighWatermark(l.LogEndOffset())
	// 40 minutes of data; at t0+70m only batches older than t0+10m expire.
	n, err := l.EnforceRetention(epoch0.Add(70 * time.Minute))
	if err != nil || n == 0 || l.NumSegments() != segs-n {
		t.Fatalf("time retention deleted %d: %v", n, err)
	}
	start := l.LogStartOffset()
	if _, err := l.Read(start-1, 1, 1<<62); !errors.Is(err, storage.ErrOffsetOutOfRange) {
		t.Fatal("deleted data readable")
	}
	res, err := l.Read(start, 1, 1<<62)
	if err != nil || len(res.Batches) != 1 {
		t.Fatal(err)
	}
	for _, r := range decodeBatches(t, res.Batches) {
		if r.ts < base+10*60_000-60_000*6 {
			t.Fatalf("kept record at %d", r.ts)
		}
	}
	// Size retention.
	o.Retention = -1
	o.RetentionBytes = 1200
	l.SetOptions(o)
	if _, err := l.EnforceRetention(epoch0); err != nil {
		t.Fatal(err)
	}
	if l.Size() > 1200+600 || l.Size() < 1200-600 {
		t.Fatalf("size %d", l.Size())
	}
	// Active segment never deleted.
	o.RetentionBytes = 1
	l.SetOptions(o)
	l.EnforceRetention(epoch0)
	if l.NumSegments() != 1 || l.LogEndOffset() != 80 {
		t.Fatalf("segments %d leo %d", l.NumSegments(), l.LogEndOffset())
	}
	// DeleteRecordsBefore LEO empties the log.
	if err := l.DeleteRecordsBefore(80); err != nil || l.LogStartOffset() != 80 || l.Size() != 0 {
		t.Fatalf("delete records: %v start %d size %d", err, l.LogStartOffset(), l.Size())
	}
}

func TestSegmentMsAndFlushInterval(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentAge = time.Minute
	o.FlushInterval = 10 * time.Second
	l := e.open(o)
	defer l.Close()
	mustAppend(t, l, simpleBatch(t, "a", 1, 1), 0)
	if err := l.Maintain(e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if l.RecoveryPoint() != 0 || l.NumSegments() != 1 {
		t.Fatal("maintain acted too early")
	}
	e.clock.Advance(11 * time.Second)
	l.Maintain(e.clock.Now())
	if l.RecoveryPoint() != 1 {
		t.Fatalf("flush interval: rp %d", l.RecoveryPoint())
	}
	e.clock.Advance(time.Minute)
	l.Maintain(e.clock.Now())
	if l.NumSegments() != 2 {
		t.Fatalf("segment.ms: %d segments", l.NumSegments())
	}
	o.FlushMessages = 3
	l.SetOptions(o)
	mustAppend(t, l, simpleBatch(t, "a", 2, 1), 0)
	if l.RecoveryPoint() != 1 {
		t.Fatal("flushed early")
	}
	mustAppend(t, l, simpleBatch(t, "a", 1, 1), 0)
	if l.RecoveryPoint() != 4 {
		t.Fatalf("flush messages: rp %d", l.RecoveryPoint())
	}
}

func TestCompaction(t *testing.T) {
	for _, c := range []storage.Compression{storage.CompressionNone, storage.CompressionZstd, storage.CompressionSnappy} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			o.SegmentBytes = 700
			o.CleanupPolicy = storage.CleanupCompact
			o.DeleteRetention = time.Hour
			o.CompactionMapBytes = 300 // forces several passes
			l := e.open(o)
			latest := map[string]string{}
			old := epoch0.Add(-2 * time.Hour).UnixMilli()
			for i := 0; i < 60; i++ {
				var recs []kv
				for j := 0; j < 3; j++ {
					k := fmt.Sprintf("key%d", (i*3+j)%13)
					v := fmt.Sprintf("v%d", i*3+j)
					if (i*3+j)%17 == 0 {
						v = "" // tombstone
					}
					latest[k] = v
					recs = append(recs, kv{k, v, old + int64(i)})
				}
				mustAppend(t, l, batchOf(t, c, recs...), 0)
			}
			mustAppend(t, l, batchOf(t, c, kv{"nokey-marker", "x", old}), 0)
			l.SetHighWatermark(l.LogEndOffset())
			before := decodeBatches(t, readAll(t, l, 0))
			res, err := l.Compact(context.Background(), epoch0)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passes < 2 || res.RecordsRemoved == 0 || res.BytesAfter >= res.BytesBefore {
				t.Fatalf("result %+v", res)
			}
			check := func(l *storage.Log) {
				after := decodeBatches(t, readAll(t, l, 0))
				activeBase := int64(0)
				seen := map[string]int64{}
				last := int64(-1)
				for _, r := range after {
					if r.offset <= last {
						t.Fatalf("offsets not increasing: %d after %d", r.offset, last)
					}
					last = r.offset
					seen[r.key] = r.offset
					if r.value == "" && r.offset < activeBase {
						t.Fatalf("expired tombstone kept at %d", r.offset)
					}
				}
				// Every surviving record equals the original at that offset;
				// each key's latest value survives unless it is a tombstone.
				orig := map[int64]gotRecord{}
				for _, r := range before {
					orig[r.offset] = r
				}
				for _, r := range after {
					if orig[r.offset] != r {
						t.Fatalf("record at %d changed: %v vs %v", r.offset, r, orig[r.offset])
					}
				}
				for k, v := range latest {
					_, ok := seen[k]
					if v != "" && !ok {
						t.Fatalf("latest value of %s lost", k)
					}
				}
				if len(after) >= len(before) {
					t.Fatal("nothing removed")
				}
			}
			check(l)
			leo := l.LogEndOffset()
			l.Close()
			l = e.open(o)
			defer l.Close()
			check(l)
			if l.LogEndOffset() != leo {
				t.Fatal("leo changed")
			}
			// Reads at every offset land on a batch at or after it.
			for off := l.LogStartOffset(); off < l.LogEndOffset(); off++ {
				res, err := l.Read(off, 1, 1<<62)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Batches) == 1 {
					h, _, _ := storage.ParseBatchHeader(res.Batches[0])
					if h.LastOffset() < off {
						t.Fatalf("read %d returned batch ending %d", off, h.LastOffset())
					}
				}
			}
		})
	}
}

// TestConcurrent hammers appends, reads, syncs, retention and compaction
// together; run with -race.
func TestConcurrent(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 2 << 10
	o.RetentionBytes = 8 << 10
	o.CleanupPolicy = storage.CleanupCompactDelete
	o.WritebackBytes = 300 // writebacks race rolls, retention and compaction
	l := e.open(o)
	defer l.Close()
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				b := batchOf(t, storage.CompressionNone, kv{fmt.Sprintf("k%d", i%20), fmt.Sprint(i), 5})
				if _, err := l.AppendLeader(b, 0); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 {
					if err := l.Sync(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				start, end := l.LogStartOffset(), l.LogEndOffset()
				if end == start {
					continue
				}
				off := start + (end-start)/2
				res, err := l.Read(off, 4096, end)
				if err != nil && !errors.Is(err, storage.ErrOffsetOutOfRange) {
					t.Error(err)
					return
				}
				for _, b := range res.Batches {
					if _, _, err := storage.ParseBatchHeader(b); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			l.SetHighWatermark(l.LogEndOffset())
			if _, err := l.EnforceRetention(epoch0); err != nil {
				t.Error(err)
			}
			if _, err := l.Compact(context.Background(), epoch0); err != nil {
				t.Error(err)
			}
		}
	}()
	// Wait for the writers only, then stop the rest.
	for l.LogEndOffset() < 600 && !t.Failed() {
		runtimeGosched()
	}
	close(done)
	wg.Wait()
}

// TestSharedFileCache: many logs share one FileCache; idle handles stay
// within its bound.
func TestSharedFileCache(t *testing.T) {
	e := newEnv(t)
	cache := storage.NewFileCache(4)
	var logs []*storage.Log
	for p := 0; p < 10; p++ {
		o := e.opts()
		o.Files = cache
		o.SegmentBytes = 300
		l, err := storage.Open(fmt.Sprintf("/data/t-%d", p), o)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
		for i := 0; i < 10; i++ {
			mustAppend(t, l, simpleBatch(t, "x", 3, 1), 0)
		}
	}
	for _, l := range logs {
		if len(readAll(t, l, 0)) != 10 {
			t.Fatal("short read")
		}
		if cache.Len() > 4 {
			t.Fatalf("cache holds %d handles", cache.Len())
		}
	}
	for _, l := range logs {
		if err := l.Delete(); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AppendLeader(simpleBatch(t, "x", 1, 1), 0); !errors.Is(err, storage.ErrClosed) {
			t.Fatalf("append after delete: %v", err)
		}
		if err := l.Close(); !errors.Is(err, storage.ErrClosed) {
			t.Fatalf("second close: %v", err)
		}
	}
	if cache.Len() != 0 {
		t.Fatalf("%d handles left after delete", cache.Len())
	}
	if names, err := e.fs.List("/data/t-0"); err == nil {
		t.Fatalf("directory still there: %v", names)
	}
}

// TestGroupCommit: while one fsync is in flight, later appenders' SyncTo
// calls are all served by a single following fsync.
func TestGroupCommit(t *testing.T) {
	e := newEnv(t)
	efs := storagefake.NewErrorFS(e.fs)
	o := e.opts()
	o.FS = efs
	l := e.open(o)
	defer l.Close()
	var mu sync.Mutex
	syncs := 0
	entered := make(chan struct{})
	release := make(chan struct{})
	efs.SetInjector(func(op storagefake.Op, p string) error {
		if op == storagefake.OpSync && strings.HasSuffix(p, ".log") {
			mu.Lock()
			syncs++
			first := syncs == 1
			mu.Unlock()
			if first {
				close(entered)
				<-release
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	syncTo := func(tag string) {
		defer wg.Done()
		r, err := l.AppendLeader(simpleBatch(t, tag, 1, 1), 0)
		if err != nil {
			t.Error(err)
			return
		}
		if err := l.SyncTo(r.LastOffset + 1); err != nil {
			t.Error(err)
		}
		if l.RecoveryPoint() <= r.LastOffset {
			t.Errorf("SyncTo returned before offset %d was durable", r.LastOffset)
		}
	}
	wg.Add(1)
	go syncTo("first")
	<-entered
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go syncTo(fmt.Sprint(i))
	}
	for l.LogEndOffset() < 9 {
		runtimeGosched()
	}
	close(release)
	wg.Wait()
	if syncs != 2 {
		t.Fatalf("%d fsyncs for 9 SyncTo calls, want 2", syncs)
	}
}
