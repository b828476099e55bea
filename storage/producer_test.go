package storage_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

// idemBatch builds a batch of n records from producer pid (epoch pepoch)
// starting at sequence seq.
func idemBatch(t testing.TB, pid int64, pepoch, seq int32, n int) []byte {
	t.Helper()
	b := storage.BatchBuilder{ProducerID: pid, ProducerEpoch: pepoch, BaseSequence: seq}
	for i := range n {
		b.Add([]byte(fmt.Sprintf("k%d", i)), []byte(fmt.Sprintf("p%d-e%d-s%d", pid, pepoch, int64(seq)+int64(i))), epoch0.UnixMilli())
	}
	raw, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// asReplica turns a producer batch into what a leader would have stored at
// base with leader epoch epoch.
func asReplica(t testing.TB, raw []byte, base int64, epoch int32) []byte {
	t.Helper()
	h, payload, err := storage.ParseBatchHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	h.BaseOffset, h.LeaderEpoch = base, epoch
	return storage.AppendBatch(nil, &h, payload)
}

// outcome classifies an AppendLeader result for table tests.
func outcome(res storage.AppendResult, err error) string {
	var ooo *storage.OutOfOrderSequenceError
	var fenced *storage.ProducerFencedError
	var unknown *storage.UnknownProducerIDError
	switch {
	case err == nil && res.Duplicate:
		return fmt.Sprintf("dup %d..%d", res.BaseOffset, res.LastOffset)
	case err == nil:
		return fmt.Sprintf("ok %d..%d", res.BaseOffset, res.LastOffset)
	case errors.As(err, &ooo) && errors.Is(err, storage.ErrOutOfOrderSequence):
		return fmt.Sprintf("out of order: want %d got %d", ooo.Expected, ooo.Got)
	case errors.As(err, &fenced) && errors.Is(err, storage.ErrProducerFenced):
		return fmt.Sprintf("fenced by %d", fenced.CurrentEpoch)
	case errors.As(err, &unknown) && errors.Is(err, storage.ErrUnknownProducerID):
		return "unknown producer"
	case errors.Is(err, storage.ErrInvalidBatch):
		return "invalid"
	}
	return "error: " + err.Error()
}

// TestIdempotentAppend drives AppendLeader through Kafka's sequence and
// epoch rules, step by step.
func TestIdempotentAppend(t *testing.T) {
	type step struct {
		pid          int64
		pepoch, seq  int32
		n            int
		want         string
		lastSeq      int32 // after the step, if the producer has state
		noStateAfter bool
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"in order and duplicates", []step{
			{pid: 1, seq: 0, n: 3, want: "ok 0..2", lastSeq: 2},
			{pid: 1, seq: 3, n: 2, want: "ok 3..4", lastSeq: 4},
			{pid: 1, seq: 0, n: 3, want: "dup 0..2", lastSeq: 4},
			{pid: 1, seq: 3, n: 2, want: "dup 3..4", lastSeq: 4},
			{pid: 1, seq: 5, n: 1, want: "ok 5..5", lastSeq: 5},
		}},
		{"gap and overlap are out of order", []step{
			{pid: 1, seq: 0, n: 3, want: "ok 0..2", lastSeq: 2},
			{pid: 1, seq: 4, n: 1, want: "out of order: want 3 got 4", lastSeq: 2},
			{pid: 1, seq: 2, n: 2, want: "out of order: want 3 got 2", lastSeq: 2},
			{pid: 1, seq: 0, n: 2, want: "out of order: want 3 got 0", lastSeq: 2},
			{pid: 1, seq: 3, n: 1, want: "ok 3..3", lastSeq: 3},
		}},
		{"unknown producer must start at 0", []step{
			{pid: 5, pepoch: 3, seq: 7, n: 1, want: "unknown producer", noStateAfter: true},
			{pid: 5, pepoch: 3, seq: 0, n: 1, want: "ok 0..0", lastSeq: 0},
		}},
		{"epoch bump starts at 0 and fences the old epoch", []step{
			{pid: 1, seq: 0, n: 2, want: "ok 0..1", lastSeq: 1},
			{pid: 1, pepoch: 1, seq: 2, n: 1, want: "out of order: want 0 got 2", lastSeq: 1},
			{pid: 1, pepoch: 1, seq: 0, n: 1, want: "ok 2..2", lastSeq: 0},
			{pid: 1, pepoch: 0, seq: 2, n: 1, want: "fenced by 1", lastSeq: 0},
			// A retry of the old epoch's batch is fenced, not a duplicate.
			{pid: 1, pepoch: 0, seq: 0, n: 2, want: "fenced by 1", lastSeq: 0},
			{pid: 1, pepoch: 1, seq: 0, n: 1, want: "dup 2..2", lastSeq: 0},
			{pid: 1, pepoch: 1, seq: 1, n: 1, want: "ok 3..3", lastSeq: 1},
		}},
		{"producers are independent", []step{
			{pid: 1, seq: 0, n: 1, want: "ok 0..0", lastSeq: 0},
			{pid: 2, seq: 0, n: 2, want: "ok 1..2", lastSeq: 1},
			{pid: 1, seq: 1, n: 1, want: "ok 3..3", lastSeq: 1},
			{pid: 2, seq: 0, n: 2, want: "dup 1..2", lastSeq: 1},
		}},
		{"no producer id is never checked", []step{
			{pid: 0, seq: 5, n: 1, want: "ok 0..0", noStateAfter: true},
			{pid: 0, seq: 5, n: 1, want: "ok 1..1", noStateAfter: true},
			{pid: -1, seq: -1, n: 1, want: "ok 2..2", noStateAfter: true},
		}},
		{"negative sequence or epoch is invalid", []step{
			{pid: 1, seq: -1, n: 1, want: "invalid", noStateAfter: true},
			{pid: 1, pepoch: -1, seq: 0, n: 1, want: "invalid", noStateAfter: true},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			l := e.open(e.opts())
			defer l.Close()
			for i, s := range tc.steps {
				leo := l.LogEndOffset()
				res, err := l.AppendLeader(idemBatch(t, s.pid, s.pepoch, s.seq, s.n), 0)
				if got := outcome(res, err); got != s.want {
					t.Fatalf("step %d: %s, want %s", i, got, s.want)
				}
				if !strings.HasPrefix(s.want, "ok") && l.LogEndOffset() != leo {
					t.Fatalf("step %d: LEO moved from %d to %d", i, leo, l.LogEndOffset())
				}
				_, last, ok := l.ProducerState(s.pid)
				if ok == s.noStateAfter || (ok && last != s.lastSeq) {
					t.Fatalf("step %d: state last seq %d ok %v, want %d ok %v", i, last, ok, s.lastSeq, !s.noStateAfter)
				}
			}
		})
	}
}

// TestIdempotentDuplicateWindow: each of a producer's last five batches is
// recognized as a duplicate and answered with its original offsets; an
// older retry is out of order, as in Kafka (whose producer never has more
// than five batches in flight, so it cannot legitimately retry one).
func TestIdempotentDuplicateWindow(t *testing.T) {
	for _, tsType := range []storage.TimestampType{storage.CreateTime, storage.LogAppendTime} {
		t.Run(fmt.Sprint(tsType), func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			o.TimestampType = tsType
			l := e.open(o)
			defer l.Close()
			type sent struct {
				seq int32
				n   int
				res storage.AppendResult
			}
			var all []sent
			seq := int32(0)
			for i := range 8 {
				n := 1 + i%3
				e.clock.Advance(time.Second)
				mustAppend(t, l, simpleBatch(t, "other", 1, 1), 0)
				res := mustAppend(t, l, idemBatch(t, 42, 0, seq, n), 0)
				all = append(all, sent{seq, n, res})
				seq += int32(n)
			}
			leo := l.LogEndOffset()
			e.clock.Advance(time.Second)
			for i, s := range all {
				res, err := l.AppendLeader(idemBatch(t, 42, 0, s.seq, s.n), 0)
				if i < len(all)-5 {
					var ooo *storage.OutOfOrderSequenceError
					if !errors.As(err, &ooo) || ooo.Expected != seq || ooo.Got != s.seq || ooo.ProducerID != 42 {
						t.Fatalf("retry of batch %d (6th-newest or older): %+v %v", i, res, err)
					}
					continue
				}
				if err != nil || !res.Duplicate || res.BaseOffset != s.res.BaseOffset || res.LastOffset != s.res.LastOffset ||
					res.MaxTimestamp != s.res.MaxTimestamp || res.LogAppendTime != s.res.LogAppendTime || res.Records != s.n || res.Bytes != 0 {
					t.Fatalf("retry of batch %d: %+v %v, original %+v", i, res, err, s.res)
				}
			}
			if l.LogEndOffset() != leo {
				t.Fatalf("duplicates appended: LEO %d, was %d", l.LogEndOffset(), leo)
			}
			if tsType == storage.LogAppendTime && all[7].res.LogAppendTime != epoch0.Add(8*time.Second).UnixMilli() {
				t.Fatalf("log append time %d", all[7].res.LogAppendTime)
			}
		})
	}
}

// TestIdempotentSequenceWrap: the sequence after MaxInt32 is 0, within a
// batch and across batches. Producers only get there by sending 2^31
// records, so the state is seeded through a replica append.
func TestIdempotentSequenceWrap(t *testing.T) {
	e := newEnv(t)
	l := e.open(e.opts())
	defer l.Close()
	if _, err := l.AppendReplica(asReplica(t, idemBatch(t, 3, 2, math.MaxInt32-4, 2), 0, 0)); err != nil {
		t.Fatal(err)
	}
	if ep, last, ok := l.ProducerState(3); !ok || ep != 2 || last != math.MaxInt32-3 {
		t.Fatalf("state %d %d %v", ep, last, ok)
	}
	steps := []struct {
		seq     int32
		n       int
		want    string
		lastSeq int32
	}{
		{math.MaxInt32 - 2, 2, "ok 2..3", math.MaxInt32 - 1},
		{math.MaxInt32, 1, "ok 4..4", math.MaxInt32},
		{1, 1, "out of order: want 0 got 1", math.MaxInt32},
		{0, 3, "ok 5..7", 2},
		{math.MaxInt32, 1, "dup 4..4", 2},
		{3, 1, "ok 8..8", 3},
	}
	for i, s := range steps {
		res, err := l.AppendLeader(idemBatch(t, 3, 2, s.seq, s.n), 0)
		if got := outcome(res, err); got != s.want {
			t.Fatalf("step %d: %s, want %s", i, got, s.want)
		}
		if _, last, _ := l.ProducerState(3); last != s.lastSeq {
			t.Fatalf("step %d: last seq %d, want %d", i, last, s.lastSeq)
		}
	}
	// A batch whose own records wrap.
	l2 := newEnv(t).open(storage.Options{FS: storagefake.NewMemFS()})
	defer l2.Close()
	if _, err := l2.AppendReplica(asReplica(t, idemBatch(t, 3, 0, math.MaxInt32-1, 4), 0, 0)); err != nil {
		t.Fatal(err)
	}
	if _, last, _ := l2.ProducerState(3); last != 1 {
		t.Fatalf("last seq of a wrapping batch: %d", last)
	}
	if got := outcome(l2.AppendLeader(idemBatch(t, 3, 0, math.MaxInt32-1, 4), 0)); got != "dup 0..3" {
		t.Fatalf("retry of a wrapping batch: %s", got)
	}
}

// TestIdempotentReplica: followers build the state from replicated batches
// without checking it, so a follower that becomes leader detects retries
// of batches the old leader stored.
func TestIdempotentReplica(t *testing.T) {
	e := newEnv(t)
	leader := e.open(e.opts())
	defer leader.Close()
	for i := range 4 {
		mustAppend(t, leader, idemBatch(t, 9, 1, int32(2*i), 2), 0)
		mustAppend(t, leader, simpleBatch(t, "x", 1, 1), 0)
	}
	e2 := newEnv(t)
	e2.dir = "/data/replica"
	f := e2.open(e2.opts())
	defer f.Close()
	for _, b := range readAll(t, leader, 0) {
		if _, err := f.AppendReplica(b); err != nil {
			t.Fatal(err)
		}
	}
	// Unvalidated: an out-of-order or lower-epoch batch is taken as is.
	stale := asReplica(t, idemBatch(t, 10, 5, 0, 1), f.LogEndOffset(), 0)
	older := asReplica(t, idemBatch(t, 10, 4, 7, 1), f.LogEndOffset()+1, 0)
	for _, b := range [][]byte{stale, older} {
		if _, err := f.AppendReplica(b); err != nil {
			t.Fatal(err)
		}
	}
	if ep, last, ok := f.ProducerState(10); !ok || ep != 4 || last != 7 {
		t.Fatalf("replica state of producer 10: %d %d %v", ep, last, ok)
	}
	if ep, last, ok := f.ProducerState(9); !ok || ep != 1 || last != 7 || f.NumProducers() != 2 {
		t.Fatalf("replica state of producer 9: %d %d %v (%d producers)", ep, last, ok, f.NumProducers())
	}
	// The follower, promoted, recognizes a retry of the leader's last batch.
	if got := outcome(f.AppendLeader(idemBatch(t, 9, 1, 6, 2), 1)); got != "dup 9..10" {
		t.Fatalf("retry on new leader: %s", got)
	}
	if got := outcome(f.AppendLeader(idemBatch(t, 9, 1, 8, 1), 1)); got != "ok 14..14" {
		t.Fatalf("next batch on new leader: %s", got)
	}
}

// producerView captures ProducerState for the given ids.
func producerView(l *storage.Log, ids ...int64) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d producers;", l.NumProducers())
	for _, id := range ids {
		if ep, last, ok := l.ProducerState(id); ok {
			fmt.Fprintf(&sb, " %d:e%d/s%d", id, ep, last)
		}
	}
	return sb.String()
}

// TestProducerStateTruncation: truncation puts the state back to what it
// was at the new end, so the producer re-sends the truncated batches with
// their original sequences and they are appended again (not taken for
// duplicates).
func TestProducerStateTruncation(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 300
	o.IndexIntervalBytes = 1
	l := e.open(o)
	defer func() { l.Close() }()
	type sent struct {
		seq  int32
		base int64
	}
	var history []sent
	var views []string // producerView before each batch
	for i := range 12 {
		views = append(views, producerView(l, 1, 2))
		pid := int64(1 + i%2)
		seq := int32(i / 2 * 2)
		if i == 8 {
			// Producer 1 bumps its epoch (sequence restarts at 0).
			res := mustAppend(t, l, idemBatch(t, pid, 1, 0, 2), 0)
			history = append(history, sent{0, res.BaseOffset})
			continue
		}
		ep := int32(0)
		if pid == 1 && i > 8 {
			ep, seq = 1, seq-8
		}
		res := mustAppend(t, l, idemBatch(t, pid, ep, seq, 2), 0)
		history = append(history, sent{seq, res.BaseOffset})
	}
	if l.NumSegments() < 4 {
		t.Fatalf("want several segments, have %d", l.NumSegments())
	}
	for _, cut := range []int{11, 9, 8, 5, 2} {
		if err := l.TruncateTo(history[cut].base); err != nil {
			t.Fatal(err)
		}
		if got := producerView(l, 1, 2); got != views[cut] {
			t.Fatalf("truncate to batch %d: %s, want %s", cut, got, views[cut])
		}
		// The same state comes back from the snapshots after a reopen.
		l.Close()
		l = e.open(o)
		if got := producerView(l, 1, 2); got != views[cut] {
			t.Fatalf("reopen after truncating to batch %d: %s, want %s", cut, got, views[cut])
		}
	}
	// Batch 2 (producer 1, seq 2..3) was truncated: resending it appends it.
	if got := outcome(l.AppendLeader(idemBatch(t, 1, 0, 2, 2), 0)); got != fmt.Sprintf("ok %d..%d", history[2].base, history[2].base+1) {
		t.Fatalf("resend after truncation: %s", got)
	}
	if got := outcome(l.AppendLeader(idemBatch(t, 1, 0, 0, 2), 0)); got != "dup 0..1" {
		t.Fatalf("retry of a kept batch: %s", got)
	}
	if err := l.TruncateFullyAndStartAt(100); err != nil {
		t.Fatal(err)
	}
	if l.NumProducers() != 0 {
		t.Fatalf("producers after full truncation: %d", l.NumProducers())
	}
	if got := outcome(l.AppendLeader(idemBatch(t, 1, 0, 4, 1), 0)); got != "unknown producer" {
		t.Fatalf("after full truncation: %s", got)
	}
	if names := snapshotNames(e.fs, e.dir); len(names) != 0 {
		t.Fatalf("snapshots after full truncation: %v", names)
	}
}

func snapshotNames(fs *storagefake.MemFS, dir string) []string {
	names, _ := fs.List(dir)
	var out []string
	for _, n := range names {
		if strings.HasSuffix(n, ".snapshot") {
			out = append(out, n)
		}
	}
	return out
}

// damageFirstBatch flips a byte inside the first batch of a segment.
func damageFirstBatch(t *testing.T, fs *storagefake.MemFS, p string) {
	t.Helper()
	b, err := fs.ReadFile(p)
	if err != nil || len(b) < 40 {
		t.Fatalf("read %s: %v", p, err)
	}
	b[36] ^= 0xff
	if err := fs.WriteFile(p, b); err != nil {
		t.Fatal(err)
	}
}

// TestProducerSnapshotsUsedOnOpen: rolls and Close write snapshots, Open
// starts from the newest valid one instead of re-reading the log (proved
// by damaging the first segment, which Open never reads), corrupt
// snapshots fall back to older ones, and old snapshots are pruned.
func TestProducerSnapshotsUsedOnOpen(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 400
	o.IndexIntervalBytes = 1 // Open trusts indexes below the recovery point
	l := e.open(o)
	var seqs [3]int32
	for i := range 40 {
		pid := int64(1 + i%3)
		mustAppend(t, l, idemBatch(t, pid, 0, seqs[pid-1], 1+i%4), 0)
		seqs[pid-1] += int32(1 + i%4)
	}
	want := producerView(l, 1, 2, 3)
	segs := l.NumSegments()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	snaps := snapshotNames(e.fs, e.dir)
	if segs < 6 || len(snaps) != 3 {
		t.Fatalf("%d segments, snapshots %v (want the newest 3)", segs, snaps)
	}
	damageFirstBatch(t, e.fs, path.Join(e.dir, "00000000000000000000.log"))

	open := func(what string) *storage.Log {
		t.Helper()
		l, err := storage.Open(e.dir, o)
		if err != nil {
			t.Fatalf("%s: open: %v", what, err)
		}
		if got := producerView(l, 1, 2, 3); got != want {
			t.Fatalf("%s: %s, want %s", what, got, want)
		}
		return l
	}
	l = open("clean close")
	if _, err := l.Read(0, 1, 1<<62); !storage.IsCorruption(err) {
		t.Fatalf("the damage is real: read 0: %v", err)
	}
	l.Close()

	// Without the close snapshot (a crash), the roll snapshot before it
	// plus a replay of the active segment.
	e.fs.Remove(path.Join(e.dir, snaps[2]))
	l = open("crash")
	l.Close()
	// A corrupt newest snapshot is skipped (and deleted).
	e.fs.WriteFile(path.Join(e.dir, snaps[2]), []byte("garbage"))
	l = open("corrupt newest snapshot")
	if b, err := e.fs.ReadFile(path.Join(e.dir, snaps[2])); err == nil {
		t.Fatalf("corrupt snapshot kept: %q", b)
	}
	l.Close()
	// With no usable snapshot Open replays the whole log, and meets the
	// damage: the opens above really did not read the first segment.
	for _, name := range snapshotNames(e.fs, e.dir) {
		b, _ := e.fs.ReadFile(path.Join(e.dir, name))
		b[len(b)-1] ^= 1
		e.fs.WriteFile(path.Join(e.dir, name), b)
	}
	if _, err := storage.Open(e.dir, o); !storage.IsCorruption(err) {
		t.Fatalf("open replaying the damaged segment: %v", err)
	}
}

// TestProducerSnapshotPruning: only the newest snapshots are kept, and
// none below the first segment; deleting records keeps producer state.
func TestProducerSnapshotPruning(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 300
	l := e.open(o)
	defer l.Close()
	for i := range 30 {
		mustAppend(t, l, idemBatch(t, 1, 0, int32(2*i), 2), 0)
	}
	if n := len(snapshotNames(e.fs, e.dir)); n != 3 {
		t.Fatalf("%d snapshots, want 3", n)
	}
	leo := l.LogEndOffset()
	if err := l.DeleteRecordsBefore(leo); err != nil {
		t.Fatal(err)
	}
	// The roll DeleteRecordsBefore made left one snapshot at the LEO.
	if names := snapshotNames(e.fs, e.dir); len(names) != 1 || names[0] != fmt.Sprintf("%020d.snapshot", leo) {
		t.Fatalf("snapshots after deleting records: %v", names)
	}
	if got := outcome(l.AppendLeader(idemBatch(t, 1, 0, 58, 2), 0)); got != fmt.Sprintf("dup %d..%d", leo-2, leo-1) {
		t.Fatalf("retry of a deleted batch: %s", got)
	}
}

// TestCompactionKeepsProducersLastBatch: compaction keeps a producer's
// latest batch (as a header without records if all its records are
// superseded), so a replica copying the compacted log learns the producer
// and, once leader, recognizes a retry of that batch.
func TestCompactionKeepsProducersLastBatch(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.CleanupPolicy = storage.CleanupCompact
	o.SegmentAge = time.Minute
	l := e.open(o)
	defer l.Close()
	roll := func() {
		e.clock.Advance(2 * time.Minute)
		if err := l.Maintain(e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	keyed := func(pid int64, seq int32, key string) []byte {
		b := storage.BatchBuilder{ProducerID: pid, BaseSequence: seq}
		b.Add([]byte(key), []byte("v"), 1)
		raw, err := b.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	first := mustAppend(t, l, keyed(1, 0, "a"), 0)
	last := mustAppend(t, l, keyed(1, 1, "b"), 0)
	mustAppend(t, l, keyed(0, 0, "x"), 0)
	roll()
	mustAppend(t, l, keyed(0, 0, "a"), 0)
	mustAppend(t, l, keyed(0, 0, "b"), 0)
	roll()
	mustAppend(t, l, keyed(0, 0, "y"), 0)
	if err := l.SetHighWatermark(l.LogEndOffset()); err != nil {
		t.Fatal(err)
	}
	res, err := l.Compact(context.Background(), e.clock.Now())
	if err != nil || res.RecordsRemoved != 2 {
		t.Fatalf("compact: %+v %v", res, err)
	}
	var bases []int64
	for _, b := range readAll(t, l, 0) {
		h, _, _ := storage.ParseBatchHeader(b)
		bases = append(bases, h.BaseOffset)
		if h.BaseOffset == last.BaseOffset && (h.RecordCount != 0 || h.ProducerID != 1 || h.BaseSequence != 1) {
			t.Fatalf("kept batch: %+v", h)
		}
	}
	if fmt.Sprint(bases) != fmt.Sprintf("[%d 2 3 4 5]", last.BaseOffset) || first.BaseOffset != 0 {
		t.Fatalf("batches after compaction at %v", bases)
	}
	e2 := newEnv(t)
	e2.dir = "/data/replica"
	f := e2.open(e2.opts())
	defer f.Close()
	if err := f.TruncateFullyAndStartAt(0); err != nil {
		t.Fatal(err)
	}
	for _, b := range readAll(t, l, 0) {
		// A replica fetching from the start skips the compaction gap.
		h, _, _ := storage.ParseBatchHeader(b)
		if h.BaseOffset > f.LogEndOffset() {
			if err := f.TruncateFullyAndStartAt(h.BaseOffset); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.AppendReplica(b); err != nil {
			t.Fatal(err)
		}
	}
	if ep, seq, ok := f.ProducerState(1); !ok || ep != 0 || seq != 1 {
		t.Fatalf("replica state: %d %d %v", ep, seq, ok)
	}
	if got := outcome(f.AppendLeader(keyed(1, 1, "b"), 1)); got != "dup 1..1" {
		t.Fatalf("retry on the replica: %s", got)
	}
}

// TestProducerExpiry: Maintain drops producers idle for
// ProducerIDExpiration (by the log's clock at append), the snapshot at
// close does not bring them back, and <0 keeps them forever.
func TestProducerExpiry(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.ProducerIDExpiration = time.Hour
	l := e.open(o)
	defer func() { l.Close() }()
	mustAppend(t, l, idemBatch(t, 1, 0, 0, 1), 0)
	e.clock.Advance(40 * time.Minute)
	mustAppend(t, l, idemBatch(t, 2, 0, 0, 1), 0)
	e.clock.Advance(20*time.Minute - time.Millisecond)
	if err := l.Maintain(e.clock.Now()); err != nil || l.NumProducers() != 2 {
		t.Fatalf("before expiry: %d producers, %v", l.NumProducers(), err)
	}
	e.clock.Advance(time.Millisecond)
	if err := l.Maintain(e.clock.Now()); err != nil || l.NumProducers() != 1 {
		t.Fatalf("at expiry: %d producers, %v", l.NumProducers(), err)
	}
	if _, _, ok := l.ProducerState(1); ok {
		t.Fatal("producer 1 not expired")
	}
	l.Close()
	l = e.open(o)
	if _, _, ok := l.ProducerState(1); ok || l.NumProducers() != 1 {
		t.Fatalf("expired producer back after reopen (%d producers)", l.NumProducers())
	}
	if got := outcome(l.AppendLeader(idemBatch(t, 1, 0, 1, 1), 0)); got != "unknown producer" {
		t.Fatalf("expired producer continuing: %s", got)
	}
	o.ProducerIDExpiration = -1
	if err := l.SetOptions(o); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(1000 * time.Hour)
	if err := l.Maintain(e.clock.Now()); err != nil || l.NumProducers() != 1 {
		t.Fatalf("expiry disabled: %d producers, %v", l.NumProducers(), err)
	}
}

// TestDuplicateWaitsForFlush: with FlushMessages set, a duplicate is not
// answered before the original batch is durable.
func TestDuplicateWaitsForFlush(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.FlushMessages = 100
	l := e.open(o)
	defer l.Close()
	mustAppend(t, l, idemBatch(t, 1, 0, 0, 3), 0)
	if l.RecoveryPoint() != 0 {
		t.Fatalf("recovery point %d", l.RecoveryPoint())
	}
	if res := mustAppend(t, l, idemBatch(t, 1, 0, 0, 3), 0); !res.Duplicate || l.RecoveryPoint() != 3 {
		t.Fatalf("duplicate %+v, recovery point %d", res, l.RecoveryPoint())
	}
}
