package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

type modelRecord struct {
	offset           int64
	key, value       string
	keyNil, valueNil bool
	ts               int64
}

type modelBatch struct {
	base, last int64
	recs       []modelRecord
}

type model struct {
	batches  []modelBatch
	logStart int64
	leo      int64
}

func (m *model) visible() []modelRecord {
	var out []modelRecord
	for _, b := range m.batches {
		if b.last >= m.logStart {
			out = append(out, b.recs...)
		}
	}
	return out
}

func recordsOf(t testing.TB, batches [][]byte) []modelRecord {
	t.Helper()
	var out []modelRecord
	for _, b := range batches {
		for r, err := range storage.Records(b) {
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			out = append(out, modelRecord{r.Offset, string(r.Key), string(r.Value), r.Key == nil, r.Value == nil, r.Timestamp})
		}
	}
	return out
}

// TestProperty runs random operation sequences against an in-memory model.
func TestProperty(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	for seed := 0; seed < seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runProperty(t, uint64(seed), 250) })
	}
}

func runProperty(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = int64(300 + rng.IntN(2000))
	o.IndexIntervalBytes = 1 + rng.IntN(400)
	o.CleanupPolicy = storage.CleanupCompactDelete
	o.Retention = -1
	o.DeleteRetention = time.Hour
	o.CompactionMapBytes = int64(100 + rng.IntN(1000))
	l := e.open(o)
	defer func() { l.Close() }()
	m := &model{}
	var epoch int32
	now := epoch0.UnixMilli()
	codecs := []storage.Compression{storage.CompressionNone, storage.CompressionNone, storage.CompressionLZ4, storage.CompressionGzip}
	check := func(what string) {
		t.Helper()
		if l.LogEndOffset() != m.leo || l.LogStartOffset() != m.logStart {
			t.Fatalf("%s: leo %d start %d, model %d %d", what, l.LogEndOffset(), l.LogStartOffset(), m.leo, m.logStart)
		}
		got := recordsOf(t, readAll(t, l, m.logStart))
		want := m.visible()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: contents differ\n got %v\nwant %v", what, got, want)
		}
	}
	for step := 0; step < steps; step++ {
		op := rng.IntN(100)
		t.Logf("step %d op %d: leo %d start %d hw %d segs %d", step, op, l.LogEndOffset(), l.LogStartOffset(), l.HighWatermark(), l.NumSegments())
		switch {
		case op < 45: // append
			n := 1 + rng.IntN(6)
			b := storage.BatchBuilder{Compression: codecs[rng.IntN(len(codecs))]}
			mb := modelBatch{base: m.leo, last: m.leo + int64(n) - 1}
			ts := now - int64(rng.IntN(3))*int64(time.Hour/time.Millisecond)
			for i := 0; i < n; i++ {
				r := modelRecord{offset: m.leo + int64(i), key: fmt.Sprintf("k%d", rng.IntN(8)), value: fmt.Sprintf("v%d-%d", step, i), ts: ts}
				if rng.IntN(10) == 0 {
					r.keyNil, r.key = true, ""
				}
				if rng.IntN(8) == 0 {
					r.valueNil, r.value = true, ""
				}
				var k, v []byte
				if !r.keyNil {
					k = []byte(r.key)
				}
				if !r.valueNil {
					v = []byte(r.value)
				}
				b.Add(k, v, ts)
				mb.recs = append(mb.recs, r)
			}
			raw, err := b.Build(nil)
			if err != nil {
				t.Fatal(err)
			}
			if rng.IntN(20) == 0 {
				epoch++
			}
			res := mustAppend(t, l, raw, epoch)
			if res.BaseOffset != m.leo {
				t.Fatalf("append at %d, model leo %d", res.BaseOffset, m.leo)
			}
			m.batches = append(m.batches, mb)
			m.leo = mb.last + 1
		case op < 65: // read
			if m.leo == m.logStart {
				continue
			}
			off := m.logStart + rng.Int64N(m.leo-m.logStart)
			maxBytes := rng.IntN(600)
			res, err := l.Read(off, maxBytes, m.leo)
			if err != nil {
				t.Fatalf("read %d: %v", off, err)
			}
			got := recordsOf(t, res.Batches)
			var want []modelRecord
			first := -1
			for i, b := range m.batches {
				if b.last >= off {
					first = i
					break
				}
			}
			if first < 0 {
				// Only a trailing compaction gap (possibly holding
				// record-less batches) is left.
				if len(got) != 0 || res.NextOffset > m.leo || (len(res.Batches) == 0 && res.NextOffset != m.leo) {
					t.Fatalf("read(%d) in a trailing gap: %d batches, next %d, leo %d", off, len(res.Batches), res.NextOffset, m.leo)
				}
				continue
			}
			for _, b := range m.batches[first:] {
				if b.base >= res.NextOffset {
					break
				}
				want = append(want, b.recs...)
			}
			if len(res.Batches) == 0 || fmt.Sprint(got) != fmt.Sprint(want) || (len(res.Batches) > 1 && res.Bytes > maxBytes) {
				t.Fatalf("step %d read(%d, %d): %d batches %v, want %v", step, off, maxBytes, len(res.Batches), got, want)
			}
		case op < 70: // truncate
			if m.leo == m.logStart {
				continue
			}
			off := m.logStart + rng.Int64N(m.leo-m.logStart+1)
			t.Logf("truncate %d", off)
			if err := l.TruncateTo(off); err != nil {
				t.Fatal(err)
			}
			prevNext := m.logStart
			var cutBase int64 = -1
			kept := m.batches[:0]
			for _, b := range m.batches {
				if b.last < off {
					kept = append(kept, b)
					prevNext = b.last + 1
				} else if cutBase < 0 {
					cutBase = b.base
				}
			}
			m.batches = kept
			if cutBase < 0 {
				cutBase = m.leo // cut inside a trailing compaction gap
			}
			{
				// Whole batches go; the LEO lands between the end of the
				// last kept batch and the cut batch's base (compaction
				// gaps), and never below the log start.
				leo := l.LogEndOffset()
				lo, hi := max(prevNext, m.logStart), max(cutBase, m.logStart)
				if leo < lo || leo > hi {
					t.Fatalf("truncate %d: leo %d not in [%d, %d]", off, leo, lo, hi)
				}
				m.leo = leo
			}
			check("truncate")
		case op < 75: // delete records
			off := m.logStart + rng.Int64N(m.leo-m.logStart+1)
			t.Logf("delete records before %d", off)
			if err := l.DeleteRecordsBefore(off); err != nil {
				t.Fatal(err)
			}
			start := l.LogStartOffset()
			if start < max(off, m.logStart) {
				t.Fatalf("delete records before %d: start %d", off, start)
			}
			for _, r := range m.visible() {
				if r.offset >= off && r.offset < start {
					t.Fatalf("delete records before %d moved start to %d past record %d", off, start, r.offset)
				}
			}
			m.logStart = start
			check("delete records")
		case op < 80: // size retention
			if err := l.SetHighWatermark(m.logStart + rng.Int64N(m.leo-m.logStart+1)); err != nil {
				t.Fatal(err)
			}
			o.RetentionBytes = int64(rng.IntN(4000))
			l.SetOptions(o)
			if _, err := l.EnforceRetention(epoch0); err != nil {
				t.Fatal(err)
			}
			start := l.LogStartOffset()
			if start < m.logStart || start > l.HighWatermark() {
				t.Fatalf("retention moved start to %d (was %d, hw %d)", start, m.logStart, l.HighWatermark())
			}
			m.logStart = start
			check("retention")
		case op < 85: // compact
			if err := l.SetHighWatermark(m.logStart + rng.Int64N(m.leo-m.logStart+1)); err != nil {
				t.Fatal(err)
			}
			res, err := l.Compact(context.Background(), epoch0)
			if err != nil {
				t.Fatal(err)
			}
			if res.CleanedUpTo > 0 {
				compactModel(m, res.CleanedUpTo, now-int64(time.Hour/time.Millisecond))
			}
			check("compact")
		case op < 90: // roll by time
			o.SegmentAge = time.Minute
			l.SetOptions(o)
			e.clock.Advance(2 * time.Minute)
			if err := l.Maintain(e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			m.logStart = l.LogStartOffset() // retention.ms is off; only hw-bounded size retention may run
			check("maintain")
		case op < 95: // reopen
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			names, _ := e.fs.List(e.dir)
			cp, _ := e.fs.ReadFile(e.dir + "/offsets.checkpoint")
			t.Logf("files %v checkpoint %q", names, cp)
			l = e.open(o)
			check("reopen")
		default: // sync + crash
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			e.fs = e.fs.CrashClone(storagefake.CrashOptions{})
			l.Close()
			o.FS = e.fs
			l = e.open(o)
			check("crash")
		}
	}
	check("end")
}

// compactModel applies compaction semantics to the model: below end keep
// keyless records and the latest record of each key, minus tombstones
// older than cutoff.
func compactModel(m *model, end, cutoff int64) {
	latest := map[string]int64{}
	for _, b := range m.batches {
		for _, r := range b.recs {
			if r.offset < end && !r.keyNil {
				latest[r.key] = r.offset
			}
		}
	}
	out := m.batches[:0]
	for _, b := range m.batches {
		if b.base >= end {
			out = append(out, b)
			continue
		}
		var recs []modelRecord
		for _, r := range b.recs {
			keep := r.keyNil || r.offset >= end || (latest[r.key] == r.offset && !(r.valueNil && r.ts < cutoff))
			if keep {
				recs = append(recs, r)
			}
		}
		if len(recs) > 0 {
			b.recs = recs
			out = append(out, b)
		}
	}
	m.batches = out
}
