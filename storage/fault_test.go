package storage_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"

	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

// TestFaultInjection appends, syncs and truncates through a file system
// that fails writes (torn: half the bytes land), fsyncs, truncates,
// creates and directory syncs at random, then crashes the machine. No
// batch acknowledged by a successful Sync may be lost, nothing that was
// not successfully appended may appear, and reads never return garbage.
func TestFaultInjection(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	for seed := 0; seed < seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runFaults(t, uint64(seed)) })
	}
}

func runFaults(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	mem := storagefake.NewMemFS()
	efs := storagefake.NewErrorFS(mem)
	e := newEnv(t)
	o := e.opts()
	o.FS = efs
	o.SegmentBytes = int64(400 + rng.IntN(1500))
	o.IndexIntervalBytes = 1 + rng.IntN(300)
	o.WritebackBytes = int64(seed%700) - 100 // some seeds never start writeback
	l := e.open(o)
	rate := 2 + rng.IntN(15) // percent of operations failing
	efs.SetInjector(func(op storagefake.Op, path string) error {
		if op == storagefake.OpRead || op == storagefake.OpList || op == storagefake.OpOpen {
			return nil
		}
		if rng.IntN(100) < rate {
			t.Logf("inject op %d on %s", op, path)
			if rng.IntN(2) == 0 {
				return syscall.ENOSPC
			}
			return storagefake.ErrInjected
		}
		return nil
	})
	var acked []gotRecord // records of successful appends, in offset order
	var bases []int64     // base offsets of the acked batches
	synced := 0           // len(acked) covered by a successful Sync
	failed := false
	for step := 0; step < 200 && !failed; step++ {
		switch op := rng.IntN(10); {
		case op < 6:
			n := 1 + rng.IntN(4)
			recs := make([]kv, n)
			for i := range recs {
				recs[i] = kv{fmt.Sprint(i), fmt.Sprintf("s%d-%d", step, i), 1}
			}
			res, err := l.AppendLeader(batchOf(t, storage.CompressionNone, recs...), 0)
			t.Logf("append %d records: %+v %v", n, res, err)
			if err != nil {
				if !errors.Is(err, storage.ErrIO) && !errors.Is(err, storage.ErrFailed) {
					t.Fatalf("append: unexpected error class: %v", err)
				}
				failed = errors.Is(err, storage.ErrFailed)
				continue
			}
			if res.BaseOffset != int64(len(acked)) {
				t.Fatalf("append at %d after %d acked records", res.BaseOffset, len(acked))
			}
			bases = append(bases, res.BaseOffset)
			for i, r := range recs {
				acked = append(acked, gotRecord{res.BaseOffset + int64(i), 1, r.key, r.value})
			}
		case op < 8:
			before := len(acked)
			err := l.Sync()
			t.Logf("sync at %d records: %v", before, err)
			if err != nil {
				failed = errors.Is(err, storage.ErrFailed)
				continue
			}
			synced = before
		case op < 9 && len(acked) > 0:
			off := rng.Int64N(int64(len(acked)))
			res, err := l.Read(off, rng.IntN(500), 1<<62)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			got := decodeBatches(t, res.Batches)
			for _, r := range got {
				if r != acked[r.offset] {
					t.Fatalf("read garbage at %d: %v want %v", r.offset, r, acked[r.offset])
				}
			}
		default:
			if len(acked) == 0 {
				continue
			}
			off := rng.Int64N(int64(len(acked)))
			err := l.TruncateTo(off)
			t.Logf("truncate %d: %v", off, err)
			// Whatever the outcome, the caller gave up on offsets from the
			// batch holding off on: they may be gone.
			cut := off
			for len(bases) > 0 && bases[len(bases)-1] > off {
				bases = bases[:len(bases)-1]
			}
			if len(bases) > 0 {
				cut = bases[len(bases)-1]
			}
			synced = min(synced, int(cut))
			if err != nil {
				failed = errors.Is(err, storage.ErrFailed)
				if !failed && !errors.Is(err, storage.ErrIO) {
					t.Fatalf("truncate: %v", err)
				}
				if !failed {
					acked = acked[:min(len(acked), int(l.LogEndOffset()))]
				}
				continue
			}
			leo := l.LogEndOffset()
			acked = acked[:leo]
			for len(bases) > 0 && bases[len(bases)-1] >= leo {
				bases = bases[:len(bases)-1]
			}
		}
	}
	efs.SetInjector(nil)
	l.Close()
	crashed := mem.CrashClone(storagefake.CrashOptions{Rand: rng})
	o.FS = crashed
	l2, err := storage.Open(e.dir, o)
	if err != nil {
		if failed && storage.IsCorruption(err) && strings.Contains(err.Error(), "below recovery point") {
			t.Fatalf("corruption below recovery point after faults: %v", err)
		}
		t.Fatalf("open after crash: %v", err)
	}
	defer l2.Close()
	got := decodeBatches(t, readAll(t, l2, 0))
	if len(got) < synced {
		t.Fatalf("lost synced data: have %d records, %d were synced", len(got), synced)
	}
	for i, r := range got {
		if i >= len(acked) || r != acked[i] {
			t.Fatalf("record %d after crash: %v, not an acked record", i, r)
		}
	}
}

// TestCheckpointAfterFailedCheckpointWrite: a checkpoint write that fails
// after its rename (the directory fsync) may have replaced the file, so
// the log must not assume the file still holds the last state it wrote
// successfully. Here Maintain fails to checkpoint recovery point 24 that
// way; TruncateTo(13) then brings the state back to exactly the last one
// written successfully (recovery point 12) and, unless that checkpoint is
// written anyway, Open finds a recovery point above the end of the log
// (what seeds 1237 and 2602 of TestFaultInjectionLong ran into).
func TestCheckpointAfterFailedCheckpointWrite(t *testing.T) {
	mem := storagefake.NewMemFS()
	efs := storagefake.NewErrorFS(mem)
	e := newEnv(t)
	o := e.opts()
	o.FS = efs
	l := e.open(o)
	appendSynced := func() {
		for i := range 6 {
			mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), 2, 1), 0)
		}
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	appendSynced()
	if err := l.Maintain(e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	appendSynced()
	armed := true
	efs.SetInjector(func(op storagefake.Op, p string) error {
		if op == storagefake.OpSyncDir && armed {
			armed = false
			return storagefake.ErrInjected
		}
		return nil
	})
	if err := l.Maintain(e.clock.Now()); !errors.Is(err, storage.ErrIO) {
		t.Fatalf("maintain with failing directory sync: %v", err)
	}
	if err := l.TruncateTo(13); err != nil {
		t.Fatal(err)
	}
	if l.LogEndOffset() != 12 || l.RecoveryPoint() != 12 {
		t.Fatalf("leo %d rp %d after truncating to 13", l.LogEndOffset(), l.RecoveryPoint())
	}
	crashed := mem.CrashClone(storagefake.CrashOptions{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for name, fs := range map[string]*storagefake.MemFS{"crash": crashed, "reopen": mem} {
		o.FS = fs
		l2, err := storage.Open(e.dir, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l2.LogEndOffset() != 12 {
			t.Fatalf("%s: leo %d", name, l2.LogEndOffset())
		}
		l2.Close()
	}
}
