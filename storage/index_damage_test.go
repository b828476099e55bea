package storage_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

// span is where a stored batch sits in the offset and time space.
type span struct {
	base, last, maxTs int64
}

func spansOf(t testing.TB, batches [][]byte) []span {
	t.Helper()
	out := make([]span, len(batches))
	for i, b := range batches {
		h, _, err := storage.ParseBatchHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = span{h.BaseOffset, h.LastOffset(), h.MaxTimestamp}
	}
	return out
}

// checkEveryOffset reads every offset of the batches in want on its own
// and expects exactly the batch holding it.
func checkEveryOffset(t testing.TB, l *storage.Log, want [][]byte) {
	t.Helper()
	sp := spansOf(t, want)
	for i, s := range sp {
		for off := s.base; off <= s.last; off++ {
			res, err := l.Read(off, 0, 1<<62)
			if err != nil {
				t.Fatalf("read %d: %v", off, err)
			}
			if len(res.Batches) != 1 || !bytes.Equal(res.Batches[0], want[i]) {
				got := spansOf(t, res.Batches)
				t.Fatalf("read %d: got batches %v, want %v", off, got, s)
			}
		}
	}
}

// checkTimeLookups expects OffsetForTimestamp(maxTs of each batch) to name
// that batch's base (the test batches have strictly increasing timestamps
// and one timestamp per batch).
func checkTimeLookups(t testing.TB, l *storage.Log, want [][]byte) {
	t.Helper()
	for _, s := range spansOf(t, want) {
		off, ts, err := l.OffsetForTimestamp(s.maxTs)
		if err != nil || off != s.base || ts != s.maxTs {
			t.Fatalf("OffsetForTimestamp(%d) = %d, %d, %v; want %d", s.maxTs, off, ts, err, s.base)
		}
	}
}

// checkTruncate truncates l at off and checks the LEO (the base of the batch
// holding off) and the remaining contents, then that an append lands and a
// clean reopen keeps everything.
func checkTruncate(t testing.TB, e *env, o storage.Options, l *storage.Log, want [][]byte, off int64) {
	t.Helper()
	if err := l.TruncateTo(off); err != nil {
		t.Fatalf("truncate %d: %v", off, err)
	}
	keep := 0
	for _, s := range spansOf(t, want) {
		if s.last >= off {
			break
		}
		keep++
	}
	leo := int64(0)
	if keep > 0 {
		leo = spansOf(t, want[keep-1:keep])[0].last + 1
	}
	if l.LogEndOffset() != leo {
		t.Fatalf("truncate %d: leo %d, want %d", off, l.LogEndOffset(), leo)
	}
	checkEveryOffset(t, l, want[:keep])
	mustAppend(t, l, simpleBatch(t, "after", 3, 1<<40), 7)
	after := readAll(t, l, 0)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2 := e.open(o)
	defer l2.Close()
	if !equalBatches(readAll(t, l2, 0), after) {
		t.Fatalf("truncate %d: contents changed across reopen", off)
	}
	checkEveryOffset(t, l2, after)
}

// indexMangles damage an index file image the ways a machine crash (or a
// disk losing unsynced pages) can, and a stale or shifted entry that still
// looks plausible.
var indexMangles = map[string]func(rng *rand.Rand, name string, b []byte) []byte{
	"zero-tail": func(rng *rand.Rand, _ string, b []byte) []byte {
		clear(b[len(b)/2:])
		return b
	},
	"garble-tail": func(rng *rand.Rand, _ string, b []byte) []byte {
		for i := len(b) / 2; i < len(b); i++ {
			b[i] = byte(rng.Uint32())
		}
		return b
	},
	"garble-bytes": func(rng *rand.Rand, _ string, b []byte) []byte {
		for range 1 + len(b)/64 {
			if len(b) > 0 {
				b[rng.IntN(len(b))] ^= 0x5a
			}
		}
		return b
	},
	"truncate": func(rng *rand.Rand, _ string, b []byte) []byte {
		return b[:rng.IntN(len(b)+1)]
	},
	"zero-extend": func(rng *rand.Rand, _ string, b []byte) []byte {
		return append(b, make([]byte, 1+rng.IntN(200))...)
	},
	// Each offset index entry claims a smaller offset than the frame it
	// points at starts with (as stale entries of a rewritten file could):
	// trusting it would skip records.
	"stale-offsets": func(rng *rand.Rand, name string, b []byte) []byte {
		if !strings.HasSuffix(name, ".index") {
			return b
		}
		for i := 8; i+8 <= len(b); i += 8 {
			prev, cur := be32(b[i-8:]), be32(b[i:])
			if cur-prev > 1 {
				put32(b[i:], prev+1)
			}
		}
		return b
	},
	// Offset index entries point one byte into their frame.
	"shifted-positions": func(rng *rand.Rand, name string, b []byte) []byte {
		if !strings.HasSuffix(name, ".index") {
			return b
		}
		for i := 0; i+8 <= len(b); i += 8 {
			put32(b[i+4:], be32(b[i+4:])+1)
		}
		return b
	},
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

// TestDamagedIndexBelowRecoveryPoint: index files are derived data. However
// they are damaged below the recovery point (garbled, zeroed, truncated,
// stale), every offset stays readable with the right batch, and TruncateTo
// works, for the active segment (whose index Open keeps in memory) and the
// others (read through the files).
func TestDamagedIndexBelowRecoveryPoint(t *testing.T) {
	for name, mangle := range indexMangles {
		t.Run(name, func(t *testing.T) {
			for seed := uint64(0); seed < 4; seed++ {
				rng := rand.New(rand.NewPCG(seed, 3))
				e := newEnv(t)
				o := e.opts()
				o.SegmentBytes = int64(1500 + rng.IntN(1500))
				o.IndexIntervalBytes = 1 + rng.IntN(120)
				l := e.open(o)
				for i := range 70 {
					mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 1+rng.IntN(4), epoch0.UnixMilli()+int64(i)), 0)
				}
				want := readAll(t, l, 0)
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				names, _ := e.fs.List(e.dir)
				for _, n := range names {
					if strings.HasSuffix(n, ".index") || strings.HasSuffix(n, ".timeindex") {
						p := path.Join(e.dir, n)
						b, _ := e.fs.ReadFile(p)
						if err := e.fs.WriteFile(p, mangle(rng, n, b)); err != nil {
							t.Fatal(err)
						}
					}
				}
				damaged := e.fs.CrashClone(storagefake.CrashOptions{})
				l = e.open(o)
				if l.RecoveryPoint() != l.LogEndOffset() || !equalBatches(readAll(t, l, 0), want) {
					t.Fatalf("seed %d: contents changed", seed)
				}
				checkEveryOffset(t, l, want)
				l.Close()
				last := spansOf(t, want[len(want)-1:])[0].last
				for _, off := range []int64{rng.Int64N(last + 1), rng.Int64N(last + 1), last} {
					fs := damaged.CrashClone(storagefake.CrashOptions{})
					e2 := *e
					e2.fs, o.FS = fs, fs
					checkTruncate(t, &e2, o, e2.open(o), want, off)
				}
			}
		})
	}
}

// TestCrashWithUnsyncedIndexes: a machine crash keeps synced log data and
// whatever the kernel happened to write of everything else, index pages
// included (random prefixes of unsynced tails, zero-filled or garbled).
// The offsets checkpoint is written (Maintain) between syncs, so it names
// recovery points whose index entries were written but, unless storage
// makes them durable first, not synced. Every synced offset must stay
// readable, time lookups right, and TruncateTo must work.
func TestCrashWithUnsyncedIndexes(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 5))
			e := newEnv(t)
			o := e.opts()
			o.Retention = -1
			o.SegmentBytes = int64(800 + rng.IntN(2500))
			o.IndexIntervalBytes = 1 + rng.IntN(150)
			l := e.open(o)
			synced := 0
			for i := range 80 {
				mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 1+rng.IntN(4), epoch0.UnixMilli()+int64(i)), 0)
				if rng.IntN(6) == 0 {
					if err := l.Sync(); err != nil {
						t.Fatal(err)
					}
					synced = i + 1
				}
				if rng.IntN(8) == 0 {
					e.clock.Advance(time.Second)
					if err := l.Maintain(e.clock.Now()); err != nil {
						t.Fatal(err)
					}
				}
			}
			all := readAll(t, l, 0)
			crashed := e.fs.CrashClone(storagefake.CrashOptions{Rand: rng})
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			e2 := *e
			e2.fs, o.FS = crashed, crashed
			after := crashed.CrashClone(storagefake.CrashOptions{})
			l2 := e2.open(o)
			got := readAll(t, l2, 0)
			if len(got) < synced || !equalBatches(got, all[:len(got)]) {
				t.Fatalf("after crash: %d batches, %d synced", len(got), synced)
			}
			checkEveryOffset(t, l2, got)
			checkTimeLookups(t, l2, got)
			l2.Close()
			if len(got) == 0 {
				return
			}
			last := spansOf(t, got[len(got)-1:])[0].last
			e2.fs, o.FS = after, after
			checkTruncate(t, &e2, o, e2.open(o), got, rng.Int64N(last+1))
		})
	}
}

// FuzzIndexDamage overwrites part of one index file with arbitrary bytes
// (cutting the file there, optionally) while the recovery point is the
// LEO: every offset must still read as its batch and TruncateTo must work.
func FuzzIndexDamage(f *testing.F) {
	f.Add(uint8(0), uint16(0), []byte{}, true)
	f.Add(uint8(0), uint16(8), []byte{0, 0, 0, 1, 0, 0, 0, 40}, false)
	f.Add(uint8(1), uint16(12), make([]byte, 36), false)
	f.Add(uint8(2), uint16(21), []byte{0x5a}, false)
	f.Add(uint8(3), uint16(300), []byte("garbage"), true)
	f.Fuzz(func(t *testing.T, which uint8, at uint16, patch []byte, cut bool) {
		e := newEnv(t)
		o := e.opts()
		o.SegmentBytes = 900
		o.IndexIntervalBytes = 40
		l := e.open(o)
		for i := range 30 {
			mustAppend(t, l, simpleBatch(t, "x", 1+i%3, epoch0.UnixMilli()+int64(i)), 0)
		}
		want := readAll(t, l, 0)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		names, _ := e.fs.List(e.dir)
		var indexes []string
		for _, n := range names {
			if strings.HasSuffix(n, ".index") || strings.HasSuffix(n, ".timeindex") {
				indexes = append(indexes, path.Join(e.dir, n))
			}
		}
		victim := indexes[int(which)%len(indexes)]
		b, _ := e.fs.ReadFile(victim)
		pos := int(at) % (len(b) + 1)
		if cut {
			b = b[:pos]
		}
		b = append(b[:pos:pos], append(patch, b[min(pos+len(patch), len(b)):]...)...)
		if err := e.fs.WriteFile(victim, b); err != nil {
			t.Fatal(err)
		}
		l = e.open(o)
		checkEveryOffset(t, l, want)
		l.Close()
		last := spansOf(t, want[len(want)-1:])[0].last
		checkTruncate(t, e, o, e.open(o), want, int64(at)%(last+1))
	})
}
