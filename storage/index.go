package storage

import (
	"errors"
	"io"
	"sort"
	"sync/atomic"
)

// Index files. Both are sparse, append-only arrays of fixed-size big-endian
// entries, one pair added every IndexIntervalBytes of log:
//
//	.index      [uint32 offset - segment base][uint32 byte position of the batch]
//	.timeindex  [int64 largest max timestamp of all earlier batches in the
//	             segment][uint32 offset - segment base of the batch]
//
// A .timeindex entry is only added when the timestamp grew. Lookups binary
// search the entries (in memory for the active segment, with pread on the
// file for the others) and scan frames forward from the entry found.
const (
	indexEntrySize     = 8
	timeIndexEntrySize = 12
)

type indexEntry struct {
	rel uint32
	pos uint32
}

type timeEntry struct {
	ts  int64
	rel uint32
}

func appendIndexEntry(dst []byte, e indexEntry) []byte {
	return be.AppendUint32(be.AppendUint32(dst, e.rel), e.pos)
}

func appendTimeEntry(dst []byte, e timeEntry) []byte {
	return be.AppendUint32(be.AppendUint64(dst, uint64(e.ts)), e.rel)
}

func decodeIndexEntry(b []byte) indexEntry {
	return indexEntry{rel: be.Uint32(b), pos: be.Uint32(b[4:])}
}

func decodeTimeEntry(b []byte) timeEntry {
	return timeEntry{ts: int64(be.Uint64(b)), rel: be.Uint32(b[8:])}
}

// decodeIndex parses a whole .index file image, checking that offsets and
// positions strictly increase and positions stay below logSize. It returns
// the longest valid prefix and whether the whole image was valid.
func decodeIndex(b []byte, logSize int64) ([]indexEntry, bool) {
	n := len(b) / indexEntrySize
	out := make([]indexEntry, 0, n)
	for i := 0; i < n; i++ {
		e := decodeIndexEntry(b[i*indexEntrySize:])
		if int64(e.pos) >= logSize || (i > 0 && (e.rel <= out[i-1].rel || e.pos <= out[i-1].pos)) {
			return out, false
		}
		out = append(out, e)
	}
	return out, len(b)%indexEntrySize == 0
}

// decodeTimeIndex parses a .timeindex image: timestamps must increase
// (an entry is only added when the timestamp grew) and so must offsets
// (each entry sits at a distinct offset index entry).
func decodeTimeIndex(b []byte) ([]timeEntry, bool) {
	n := len(b) / timeIndexEntrySize
	out := make([]timeEntry, 0, n)
	for i := 0; i < n; i++ {
		e := decodeTimeEntry(b[i*timeIndexEntrySize:])
		if i > 0 && (e.ts <= out[i-1].ts || e.rel <= out[i-1].rel) {
			return out, false
		}
		out = append(out, e)
	}
	return out, len(b)%timeIndexEntrySize == 0
}

// summaryStride is the sampling rate of the in-memory summary kept for
// the offset index of a non-active segment: one entry in 128, so a 1 GiB
// segment (2 MiB of index) costs 16 KiB of memory and a lookup costs one
// 1 KiB pread instead of a binary search of preads.
const summaryStride = 128

// indexSource reads entries from memory or from a file.
type indexSource struct {
	mem  []indexEntry
	tmem []timeEntry
	f    io.ReaderAt
	n    int
	err  error
	// summary, for file-backed offset indexes: every summaryStride-th
	// entry, built on first use and shared through the segment.
	summary *atomic.Pointer[[]indexEntry]
}

func (s *indexSource) entry(i int) indexEntry {
	if s.f == nil {
		return s.mem[i]
	}
	var b [indexEntrySize]byte
	if _, err := s.f.ReadAt(b[:], int64(i)*indexEntrySize); err != nil && s.err == nil {
		s.err = err
	}
	return decodeIndexEntry(b[:])
}

// block reads entries [from, to) of a file-backed index with one pread.
func (s *indexSource) block(from, to int) ([]indexEntry, error) {
	b := make([]byte, (to-from)*indexEntrySize)
	if _, err := s.f.ReadAt(b, int64(from)*indexEntrySize); err != nil && !(errors.Is(err, io.EOF) && len(b) == 0) {
		return nil, err
	}
	out := make([]indexEntry, to-from)
	for i := range out {
		out[i] = decodeIndexEntry(b[i*indexEntrySize:])
	}
	return out, nil
}

func (s *indexSource) loadSummary() ([]indexEntry, error) {
	if p := s.summary.Load(); p != nil {
		return *p, nil
	}
	all, err := s.block(0, s.n)
	if err != nil {
		return nil, err
	}
	sum := make([]indexEntry, 0, (s.n+summaryStride-1)/summaryStride)
	for i := 0; i < len(all); i += summaryStride {
		sum = append(sum, all[i])
	}
	s.summary.CompareAndSwap(nil, &sum)
	return sum, nil
}

// floorOffset returns the entry with the largest rel <= rel, or the zero
// entry (position 0) if none.
func (s *indexSource) floorOffset(rel uint32) (indexEntry, error) {
	if s.f != nil && s.summary != nil && s.n > 0 {
		sum, err := s.loadSummary()
		if err != nil {
			return indexEntry{}, err
		}
		k := sort.Search(len(sum), func(i int) bool { return sum[i].rel > rel }) - 1
		if k < 0 {
			return indexEntry{}, nil
		}
		blk, err := s.block(k*summaryStride, min((k+1)*summaryStride, s.n))
		if err != nil {
			return indexEntry{}, err
		}
		j := sort.Search(len(blk), func(i int) bool { return blk[i].rel > rel }) - 1
		if j < 0 {
			return indexEntry{}, nil // blk[0] == sum[k] <= rel unless the file changed
		}
		return blk[j], nil
	}
	i := sort.Search(s.n, func(i int) bool { return s.entry(i).rel > rel }) - 1
	if s.err != nil || i < 0 {
		return indexEntry{}, s.err
	}
	e := s.entry(i)
	return e, s.err
}

func (s *indexSource) timeEntry(i int) timeEntry {
	if s.f == nil {
		return s.tmem[i]
	}
	var b [timeIndexEntrySize]byte
	if _, err := s.f.ReadAt(b[:], int64(i)*timeIndexEntrySize); err != nil && s.err == nil {
		s.err = err
	}
	return decodeTimeEntry(b[:])
}

// floorTime returns the offset of the last entry whose timestamp is below
// ts (every batch before it has a smaller timestamp), or 0.
func (s *indexSource) floorTime(ts int64) (uint32, error) {
	i := sort.Search(s.n, func(i int) bool { return s.timeEntry(i).ts >= ts }) - 1
	if s.err != nil || i < 0 {
		return 0, s.err
	}
	e := s.timeEntry(i)
	return e.rel, s.err
}
