package storage

import (
	"bytes"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
)

// FuzzIndex: decoding an arbitrary index image yields a strictly
// increasing prefix (for both kinds of index), and file-backed lookups
// agree with in-memory ones.
func FuzzIndex(f *testing.F) {
	f.Add([]byte{}, uint32(100), uint32(5))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 50}, uint32(100), uint32(5))
	f.Add(bytes.Repeat([]byte{0}, 24), uint32(10), uint32(0))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 3, 0, 0, 0, 20, 0xff}, uint32(30), uint32(2))
	f.Fuzz(func(t *testing.T, img []byte, logSize, target uint32) {
		entries, ok := decodeIndex(img, int64(logSize))
		if ok && len(entries)*indexEntrySize != len(img) {
			t.Fatal("ok but not every entry decoded")
		}
		for i, e := range entries {
			if int64(e.pos) >= int64(logSize) || (i > 0 && (e.rel <= entries[i-1].rel || e.pos <= entries[i-1].pos)) {
				t.Fatalf("bad entry %d: %+v", i, e)
			}
		}
		mem := indexSource{mem: entries, n: len(entries)}
		file := indexSource{f: bytes.NewReader(img), n: len(entries)}
		a, err1 := mem.floorOffset(target)
		b, err2 := file.floorOffset(target)
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("lookup %d: mem %+v file %+v (%v %v)", target, a, b, err1, err2)
		}
		summed := indexSource{f: bytes.NewReader(img), n: len(entries), summary: new(atomic.Pointer[[]indexEntry])}
		if c, err := summed.floorOffset(target); err != nil || c != a {
			t.Fatalf("summary lookup %d: %+v want %+v (%v)", target, c, a, err)
		}
		if a.rel > target && !(a == indexEntry{}) {
			t.Fatalf("floor %+v above %d", a, target)
		}
		j := sort.Search(len(entries), func(i int) bool { return entries[i].rel > target })
		if j > 0 && entries[j-1] != a {
			t.Fatalf("floor %+v, want %+v", a, entries[j-1])
		}
		tentries, tok := decodeTimeIndex(img)
		if tok && len(tentries)*timeIndexEntrySize != len(img) {
			t.Fatal("time index ok but not every entry decoded")
		}
		for i, e := range tentries {
			if i > 0 && (e.ts <= tentries[i-1].ts || e.rel <= tentries[i-1].rel) {
				t.Fatalf("bad time entry %d: %+v", i, e)
			}
		}
	})
}

func TestEpochCache(t *testing.T) {
	var c epochCache
	for _, e := range []epochEntry{{1, 0}, {3, 10}, {4, 20}, {4, 25}, {2, 30}, {7, 40}} {
		c.assign(e.epoch, e.start)
	}
	if got := c.encode(); string(got) != "fjord-epochs 1\n1 0\n3 10\n4 20\n7 40\n" {
		t.Fatalf("entries: %q", got)
	}
	cases := []struct {
		epoch     int32
		wantEpoch int32
		wantEnd   int64
	}{
		{0, 0, 0}, {1, 1, 10}, {2, 1, 10}, {3, 3, 20}, {5, 4, 40}, {7, 7, 99}, {8, -1, -1},
	}
	for _, tc := range cases {
		if e, end := c.endOffsetFor(tc.epoch, 99); e != tc.wantEpoch || end != tc.wantEnd {
			t.Errorf("endOffsetFor(%d) = %d, %d; want %d, %d", tc.epoch, e, end, tc.wantEpoch, tc.wantEnd)
		}
	}
	c.truncateFromEnd(20)
	if l, _ := c.latest(); l.epoch != 3 {
		t.Fatalf("truncateFromEnd: latest %+v", l)
	}
	c.truncateFromStart(15)
	if string(c.encode()) != "fjord-epochs 1\n3 15\n" {
		t.Fatalf("truncateFromStart: %q", c.encode())
	}
}

func TestCheckpointRoundTripAndDamage(t *testing.T) {
	dir := t.TempDir()
	fs := OSFS{}
	st := offsetsState{recoveryPoint: 7, highWatermark: 5, logStart: 2}
	if err := writeOffsets(fs, dir, st); err != nil {
		t.Fatal(err)
	}
	got, ok, err := readOffsets(fs, dir)
	if err != nil || !ok || got != st {
		t.Fatalf("read back %+v %v %v", got, ok, err)
	}
	p := filepath.Join(dir, offsetsCheckpoint)
	b, _, _ := readWhole(fs, p)
	for i := range b {
		bad := bytes.Clone(b)
		bad[i] ^= 0x04
		if err := writeWhole(fs, p, bad, false); err != nil {
			t.Fatal(err)
		}
		if got, ok, _ := readOffsets(fs, dir); ok && got != st {
			t.Fatalf("flip at %d accepted as %+v", i, got)
		}
	}
}

func TestFileCacheBounded(t *testing.T) {
	dir := t.TempDir()
	fs := OSFS{}
	c := NewFileCache(3)
	var held []*cachedFile
	for i := 0; i < 10; i++ {
		p := filepath.Join(dir, segmentName(int64(i), logSuffix))
		if err := writeWhole(fs, p, []byte{byte(i)}, false); err != nil {
			t.Fatal(err)
		}
		cf, err := c.acquire(fs, p)
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			held = append(held, cf)
		} else {
			c.release(cf)
		}
		if c.Len() > 3+len(held) {
			t.Fatalf("cache holds %d handles", c.Len())
		}
	}
	if c.Len() != 3 {
		t.Fatalf("len %d", c.Len())
	}
	// A forgotten handle in use stays usable until released.
	c.forget(fs, held[0].key.path)
	var b [1]byte
	if _, err := held[0].f.ReadAt(b[:], 0); err != nil || b[0] != 0 {
		t.Fatalf("forgotten handle: %v", err)
	}
	c.release(held[0])
	if _, err := held[0].f.ReadAt(b[:], 0); err == nil {
		t.Fatal("handle still open after forget+release")
	}
	c.release(held[1])
	for _, p := range []string{held[1].key.path} {
		c.forget(fs, p)
	}
}

func TestFrameHeader(t *testing.T) {
	frame := make([]byte, frameHeaderSize, 64)
	frame = append(frame, "batch"...)
	putFrameHeader(frame, 42, 3, 1234, 7)
	fh, bad := parseFrameHeader(frame)
	if bad != "" || !fh.verify(frame) || fh.baseOffset != 42 || fh.lastOffset() != 45 || fh.maxTimestamp != 1234 || fh.leaderEpoch != 7 || fh.batchLen() != 5 {
		t.Fatalf("%+v %s", fh, bad)
	}
	for i := 4; i < len(frame); i++ {
		bad := bytes.Clone(frame)
		bad[i] ^= 1
		fh, reason := parseFrameHeader(bad)
		if reason == "" && fh.verify(bad) {
			t.Fatalf("flip at %d undetected", i)
		}
	}
}

func TestIndexSummaryLookup(t *testing.T) {
	var img []byte
	var entries []indexEntry
	for i := 0; i < 1000; i++ {
		e := indexEntry{rel: uint32(3 * i), pos: uint32(100 * i)}
		entries = append(entries, e)
		img = appendIndexEntry(img, e)
	}
	s := indexSource{f: bytes.NewReader(img), n: len(entries), summary: new(atomic.Pointer[[]indexEntry])}
	for target := uint32(0); target < 3100; target++ {
		got, err := s.floorOffset(target)
		want := entries[min(int(target/3), 999)]
		if err != nil || got != want {
			t.Fatalf("floor(%d) = %+v, want %+v (%v)", target, got, want, err)
		}
	}
	if p := s.summary.Load(); p == nil || len(*p) != 8 {
		t.Fatal("summary not built")
	}
}

func TestCRC32CCombine(t *testing.T) {
	b := make([]byte, 5000)
	for i := range b {
		b[i] = byte(i*7 + i/13)
	}
	var comb crcCombiner
	for _, split := range []int{0, 1, 31, 32, 100, 2500, 2500, 4999, 5000, 100, 100} {
		a, c := b[:split], b[split:]
		if got, want := crc32cCombine(CRC32C(a), CRC32C(c), len(c)), CRC32C(b); got != want {
			t.Fatalf("split %d: %08x want %08x", split, got, want)
		}
		if got, want := comb.combine(CRC32C(a), CRC32C(c), len(c)), CRC32C(b); got != want {
			t.Fatalf("combiner, split %d: %08x want %08x", split, got, want)
		}
	}
	frame := append(make([]byte, frameHeaderSize), b...)
	putFrameHeaderTail(frame, 9, 2, 77, 3, CRC32C(b[1000:]), 4000, &comb)
	fh, bad := parseFrameHeader(frame)
	if bad != "" || !fh.verify(frame) {
		t.Fatal("frame crc from combine does not verify")
	}
}
