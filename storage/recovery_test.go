package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"testing"

	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

// TestCrashKeepsSyncedData: after a machine crash (only synced state
// survives, plus random parts of unsynced tails), Open succeeds, every
// synced batch is there byte for byte, and nothing else but a prefix of the
// unsynced batches is.
func TestCrashKeepsSyncedData(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			e := newEnv(t)
			o := e.opts()
			o.SegmentBytes = 2 << 10
			o.IndexIntervalBytes = 200
			l := e.open(o)
			var all [][]byte
			synced := 0
			for i := 0; i < 60; i++ {
				mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 1+rng.IntN(4), int64(i)), int32(i/20))
				if rng.IntN(8) == 0 {
					if err := l.Sync(); err != nil {
						t.Fatal(err)
					}
					synced = i + 1
				}
			}
			all = readAll(t, l, 0)
			crashed := e.fs.CrashClone(storagefake.CrashOptions{Rand: rng})
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			e2 := *e
			e2.fs = crashed
			o.FS = crashed
			l2 := e2.open(o)
			got := readAll(t, l2, 0)
			if len(got) < synced || !equalBatches(got, all[:len(got)]) {
				t.Fatalf("after crash: %d batches (synced %d, total %d), prefix equal=%v", len(got), synced, len(all), equalBatches(got, all[:min(len(got), len(all))]))
			}
			if l2.RecoveryPoint() != l2.LogEndOffset() {
				t.Fatalf("rp %d leo %d", l2.RecoveryPoint(), l2.LogEndOffset())
			}
			// Appending after recovery works and survives another reopen.
			mustAppend(t, l2, simpleBatch(t, "after", 2, 1), 5)
			leo := l2.LogEndOffset()
			if err := l2.Close(); err != nil {
				t.Fatal(err)
			}
			l3 := e2.open(o)
			defer l3.Close()
			if l3.LogEndOffset() != leo {
				t.Fatalf("leo %d want %d", l3.LogEndOffset(), leo)
			}
		})
	}
}

// TestCorruptionBelowRecoveryPoint: damage to synced data fails Open with
// a corruption error instead of truncating.
func TestCorruptionBelowRecoveryPoint(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	l := e.open(o)
	for i := 0; i < 10; i++ {
		mustAppend(t, l, simpleBatch(t, "x", 3, 1), 0)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	p := path.Join(e.dir, "00000000000000000000.log")
	b, _ := e.fs.ReadFile(p)
	b[len(b)/2] ^= 1
	if err := e.fs.WriteFile(p, b); err != nil {
		t.Fatal(err)
	}
	// Remove the index so recovery has to scan from the start.
	_, err := storage.Open(e.dir, o)
	if !storage.IsCorruption(err) {
		t.Fatalf("open: %v", err)
	}
	var ce *storage.CorruptionError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "storage: corruption") {
		t.Fatalf("error: %v", err)
	}
}

// TestRecoveryIdempotent: recovering, crashing (losing nothing since
// recovery syncs) and recovering again gives the same log; and the torn
// tail cases (garbage, zeros, partial frame) are all truncated.
func TestRecoveryTails(t *testing.T) {
	tails := map[string]func([]byte) []byte{
		"zeros":     func(b []byte) []byte { return append(b, make([]byte, 100)...) },
		"garbage":   func(b []byte) []byte { return append(b, bytes.Repeat([]byte{0xab}, 77)...) },
		"torn":      func(b []byte) []byte { return b[:len(b)-7] },
		"bitflip":   func(b []byte) []byte { b[len(b)-3] ^= 0x10; return b },
		"hdr-flip":  func(b []byte) []byte { b[len(b)-60+9] ^= 0x10; return b },
		"untouched": func(b []byte) []byte { return b },
	}
	for name, mangle := range tails {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			l := e.open(o)
			for i := 0; i < 5; i++ {
				mustAppend(t, l, simpleBatch(t, "x", 3, 1), 0)
			}
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			synced := readAll(t, l, 0)
			last := batchOf(t, storage.CompressionNone, kv{"k", "last", 9})
			mustAppend(t, l, last, 0)
			// Crash: the offsets checkpoint still says rp=0 or the Sync'd value,
			// whatever Close would have written is lost.
			crashed := e.fs.CrashClone(storagefake.CrashOptions{})
			// Put the full unsynced frame into the crashed image, then mangle.
			full, _ := e.fs.ReadFile(path.Join(e.dir, "00000000000000000000.log"))
			crashed.WriteFile(path.Join(e.dir, "00000000000000000000.log"), mangle(bytes.Clone(full)))
			l.Close()
			o.FS = crashed
			l2, err := storage.Open(e.dir, o)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, l2, 0)
			want := len(synced)
			if name == "untouched" || name == "zeros" || name == "garbage" {
				want++
			}
			if len(got) != want || !equalBatches(got[:len(synced)], synced) {
				t.Fatalf("got %d batches want %d", len(got), want)
			}
			leo := l2.LogEndOffset()
			// Crash again right after recovery: same result.
			again := crashed.CrashClone(storagefake.CrashOptions{})
			l2.Close()
			o.FS = again
			l3, err := storage.Open(e.dir, o)
			if err != nil {
				t.Fatal(err)
			}
			defer l3.Close()
			if l3.LogEndOffset() != leo || !equalBatches(readAll(t, l3, 0), got) {
				t.Fatal("second recovery differs")
			}
		})
	}
}

// TestIndexRebuild: deleting or garbling index files is repaired on Open
// and lookups still work.
func TestIndexRebuild(t *testing.T) {
	for _, mode := range []string{"delete", "garbage", "truncate", "zero"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			o.SegmentBytes = 3 << 10
			o.IndexIntervalBytes = 100
			l := e.open(o)
			for i := 0; i < 100; i++ {
				mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 2, int64(i*10+1)), 0)
			}
			want := readAll(t, l, 0)
			l.Close()
			names, _ := e.fs.List(e.dir)
			for _, n := range names {
				if !strings.HasSuffix(n, "index") {
					continue
				}
				p := path.Join(e.dir, n)
				b, _ := e.fs.ReadFile(p)
				switch mode {
				case "delete":
					e.fs.Remove(p)
				case "garbage":
					for i := range b {
						b[i] = byte(i * 7)
					}
					e.fs.WriteFile(p, b)
				case "truncate":
					e.fs.WriteFile(p, b[:len(b)/2+1])
				case "zero":
					e.fs.WriteFile(p, make([]byte, len(b)))
				}
			}
			l = e.open(o)
			defer l.Close()
			if !equalBatches(readAll(t, l, 0), want) {
				t.Fatal("data differs after index damage")
			}
			for off := int64(0); off < l.LogEndOffset(); off += 7 {
				res, err := l.Read(off, 1, 1<<62)
				if err != nil || len(res.Batches) != 1 {
					t.Fatalf("read %d: %v", off, err)
				}
				if recs := decodeBatches(t, res.Batches); recs[0].offset > off || recs[len(recs)-1].offset < off {
					t.Fatalf("read %d got %v", off, recs)
				}
				o, ts, err := l.OffsetForTimestamp(off/2*10 + 1)
				if err != nil || o != off/2*2 || ts != off/2*10+1 {
					t.Fatalf("time lookup %d: %d %d %v", off/2*10+1, o, ts, err)
				}
			}
		})
	}
}

// TestMissingSegmentBelowRecoveryPoint: a synced segment that vanished is
// corruption, not a shorter log.
func TestMissingSegmentBelowRecoveryPoint(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 300
	l := e.open(o)
	for i := 0; i < 12; i++ {
		mustAppend(t, l, simpleBatch(t, "x", 2, 1), 0)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := e.fs.List(e.dir)
	var logs []string
	for _, n := range names {
		if strings.HasSuffix(n, ".log") {
			logs = append(logs, n)
		}
	}
	e.fs.Remove(path.Join(e.dir, logs[len(logs)-1]))
	if _, err := storage.Open(e.dir, o); !storage.IsCorruption(err) {
		t.Fatalf("missing last segment: %v", err)
	}
	e.fs.Remove(path.Join(e.dir, logs[1]))
	if _, err := storage.Open(e.dir, o); !storage.IsCorruption(err) {
		t.Fatalf("missing middle segment: %v", err)
	}
}

// TestCrashDuringRecovery: recovery interrupted at any mutating step (the
// k-th remove, truncate, write, sync, rename... fails and the machine
// crashes) and then run again gives the same log as an uninterrupted one.
func TestCrashDuringRecovery(t *testing.T) {
	// A log with several segments, synced up to the middle, then a torn
	// unsynced tail: the segment holding offset ~20 is garbled.
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 400
	o.IndexIntervalBytes = 90
	l := e.open(o)
	for i := 0; i < 40; i++ {
		mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 2, int64(i+1)), int32(i/8))
		if i == 9 {
			l.Sync()
		}
	}
	l.Close()
	names, _ := e.fs.List(e.dir)
	var logs []string
	for _, n := range names {
		if strings.HasSuffix(n, ".log") {
			logs = append(logs, n)
		}
	}
	victim := path.Join(e.dir, logs[len(logs)/2])
	b, _ := e.fs.ReadFile(victim)
	b[len(b)/2] ^= 0xff
	e.fs.WriteFile(victim, b)
	// Pretend the checkpoint was last written at offset 20.
	e.fs.WriteFile(path.Join(e.dir, "offsets.checkpoint"), mustCheckpoint(t, 20))
	base := e.fs.CrashClone(storagefake.CrashOptions{})

	ref := func() [][]byte {
		fs := base.CrashClone(storagefake.CrashOptions{})
		o.FS = fs
		l, err := storage.Open(e.dir, o)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return readAll(t, l, 0)
	}()
	if len(ref) == 0 || len(ref) >= 40 {
		t.Fatalf("reference recovery kept %d batches", len(ref))
	}
	for k := 0; k < 40; k++ {
		fs := base.CrashClone(storagefake.CrashOptions{})
		efs := storagefake.NewErrorFS(fs)
		n := 0
		efs.SetInjector(func(op storagefake.Op, p string) error {
			switch op {
			case storagefake.OpRead, storagefake.OpOpen, storagefake.OpList:
				return nil
			}
			n++
			if n == k {
				return storagefake.ErrInjected
			}
			return nil
		})
		o.FS = efs
		if l, err := storage.Open(e.dir, o); err == nil {
			l.Close()
		}
		o.FS = fs.CrashClone(storagefake.CrashOptions{})
		l, err := storage.Open(e.dir, o)
		if err != nil {
			t.Fatalf("k=%d: second recovery: %v", k, err)
		}
		got := readAll(t, l, 0)
		l.Close()
		if !equalBatches(got, ref) {
			t.Fatalf("k=%d: second recovery kept %d batches, uninterrupted %d", k, len(got), len(ref))
		}
	}
}

func mustCheckpoint(t *testing.T, rp int64) []byte {
	body := fmt.Sprintf("fjord-offsets 1\nrecovery-point %d\nhigh-watermark 0\nlog-start 0\n", rp)
	return []byte(fmt.Sprintf("%scrc %08x\n", body, storage.CRC32C([]byte(body))))
}
