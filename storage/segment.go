package storage

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const (
	logSuffix       = ".log"
	indexSuffix     = ".index"
	timeIndexSuffix = ".timeindex"
	cleanedSuffix   = ".cleaned"
	swapSuffix      = ".swap"
)

func segmentName(base int64, suffix string) string { return fmt.Sprintf("%020d%s", base, suffix) }

// parseSegmentName returns the base offset of "<20 digits><suffix>".
func parseSegmentName(name, suffix string) (int64, bool) {
	stem, ok := strings.CutSuffix(name, suffix)
	if !ok || len(stem) != 20 {
		return 0, false
	}
	v, err := strconv.ParseInt(stem, 10, 64)
	return v, err == nil && v >= 0
}

// sharedFile is a reference-counted write handle so Sync can fsync outside
// the log lock while a roll or truncation drops the log's own reference.
type sharedFile struct {
	File
	refs atomic.Int32
}

func newSharedFile(f File) *sharedFile {
	s := &sharedFile{File: f}
	s.refs.Store(1)
	return s
}

func (s *sharedFile) ref() *sharedFile { s.refs.Add(1); return s }

func (s *sharedFile) unref() error {
	if s.refs.Add(-1) == 0 {
		return s.File.Close()
	}
	return nil
}

// segment is one .log file and its indexes. Every mutable field is guarded
// by the owning Log's mu.
type segment struct {
	base                       int64
	logPath, idxPath, tidxPath string

	next     int64 // offset after the last batch; base when empty
	size     int64 // bytes of valid frames
	maxTs    int64 // largest batch max timestamp; math.MinInt64 when empty
	firstApp time.Time

	// Index entries held in memory: all of them for the active segment
	// (idxN/tidxN count those already written to the files), none for the
	// others (idxN/tidxN count the entries in the files).
	idx         []indexEntry
	tidx        []timeEntry
	idxN, tidxN int
	sinceIndex  int64 // log bytes since the last index entry
	// writebackFrom is where the next writeback range starts.
	writebackFrom int64
	lastIndexTs   int64 // timestamp of the last time index entry
	w             *sharedFile
	// summary samples the .index file of a non-active segment (see
	// indexSource); built lazily by readers, hence atomic.
	summary      atomic.Pointer[[]indexEntry]
	synced       bool // every frame is durable (for non-active segments)
	indexesDirty bool // in-memory entries not yet written
	// indexUnsynced: the index files were written since their last fsync
	// (see Log.indexSyncedTo).
	indexUnsynced bool
	// indexWarned: a lookup found a bad index entry (logged once).
	indexWarned atomic.Bool
}

func newSegment(dir string, base int64) *segment {
	return &segment{
		base:        base,
		logPath:     filepath.Join(dir, segmentName(base, logSuffix)),
		idxPath:     filepath.Join(dir, segmentName(base, indexSuffix)),
		tidxPath:    filepath.Join(dir, segmentName(base, timeIndexSuffix)),
		next:        base,
		maxTs:       math.MinInt64,
		lastIndexTs: math.MinInt64,
	}
}

func (s *segment) empty() bool { return s.size == 0 }

// indexFull reports whether another index entry would exceed maxBytes.
func (s *segment) indexFull(maxBytes int) bool {
	n, t := s.idxN, s.tidxN
	if s.idx != nil {
		n, t = len(s.idx), len(s.tidx)
	}
	return (n+1)*indexEntrySize > maxBytes || (t+1)*timeIndexEntrySize > maxBytes
}

// noteFrame updates the segment (and, when active, its in-memory index)
// for a frame appended at s.size.
func (s *segment) noteFrame(f *frameHeader, interval int) {
	if s.sinceIndex >= int64(interval) && s.idx != nil {
		rel := uint32(f.baseOffset - s.base)
		s.idx = append(s.idx, indexEntry{rel: rel, pos: uint32(s.size)})
		if s.maxTs > s.lastIndexTs {
			s.tidx = append(s.tidx, timeEntry{ts: s.maxTs, rel: rel})
			s.lastIndexTs = s.maxTs
		}
		s.sinceIndex = 0
		s.indexesDirty = true
	}
	s.sinceIndex += f.size()
	s.size += f.size()
	s.next = f.nextOffset()
	if f.maxTimestamp > s.maxTs {
		s.maxTs = f.maxTimestamp
	}
}

// takeWriteback returns a writeback of the bytes appended since the last
// one if they are at least every bytes (none if every < 1 or the file
// cannot start writeback).
func (s *segment) takeWriteback(every int64) writeback {
	if every < 1 || s.size-s.writebackFrom < every {
		return writeback{}
	}
	wf, ok := s.w.File.(WritebackFile)
	if !ok {
		return writeback{}
	}
	wb := writeback{w: s.w.ref(), wf: wf, off: s.writebackFrom, n: s.size - s.writebackFrom}
	s.writebackFrom = s.size
	return wb
}

// writeback is a WritebackFile.StartWriteback call prepared under the log
// lock and made after it is released, so appends and reads proceed while
// the kernel queues the I/O (which can block when the device queue is
// full). It holds a reference so a roll cannot close the file first; a
// truncation meanwhile is harmless (the range then has no dirty pages).
type writeback struct {
	w      *sharedFile
	wf     WritebackFile
	off, n int64
}

// run starts the writeback. An error is ignored: the call is only a hint,
// and a failed write of those pages is reported by the next Sync (the
// kernel records writeback errors for fsync whoever started the I/O).
func (wb writeback) run() {
	if wb.w == nil {
		return
	}
	_ = wb.wf.StartWriteback(wb.off, wb.n)
	_ = wb.w.unref()
}

// flushIndexes appends the in-memory entries not yet in the files.
func (s *segment) flushIndexes(fs FS) error {
	if !s.indexesDirty || s.idx == nil {
		return nil
	}
	n, err := writeEntries(fs, s.idxPath, s.idxN, indexEntrySize, func(from int) []byte {
		var b []byte
		for _, e := range s.idx[from:] {
			b = appendIndexEntry(b, e)
		}
		return b
	})
	if err != nil {
		return err
	}
	s.idxN = n + len(s.idx[n:])
	n, err = writeEntries(fs, s.tidxPath, s.tidxN, timeIndexEntrySize, func(from int) []byte {
		var b []byte
		for _, e := range s.tidx[from:] {
			b = appendTimeEntry(b, e)
		}
		return b
	})
	if err != nil {
		return err
	}
	s.tidxN = n + len(s.tidx[n:])
	s.indexesDirty = false
	s.indexUnsynced = true
	return nil
}

// syncIndexes fsyncs both index files; a missing one (never written, or
// its segment deleted meanwhile) is skipped.
func (s *segment) syncIndexes(fs FS) error {
	for _, p := range []string{s.idxPath, s.tidxPath} {
		f, err := fs.OpenReadWrite(p)
		if err != nil {
			if isNotExist(err) {
				continue
			}
			return ioErr("open", p, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return ioErr("sync", p, err)
		}
	}
	return nil
}

// writeEntries writes entries [from:] at their place in path (creating it,
// and then writing everything, if missing) and returns the from it used.
func writeEntries(fs FS, path string, from, size int, encode func(from int) []byte) (int, error) {
	f, err := fs.OpenReadWrite(path)
	if err != nil {
		from = 0
		if f, err = fs.Create(path); err != nil {
			return 0, ioErr("create", path, err)
		}
	}
	defer f.Close()
	b := encode(from)
	off := int64(from * size)
	if _, err := f.WriteAt(b, off); err != nil {
		return 0, ioErr("write", path, err)
	}
	if err := f.Truncate(off + int64(len(b))); err != nil {
		return 0, ioErr("truncate", path, err)
	}
	return from, nil
}

// writeIndexFiles replaces both index files with the given entries.
func writeIndexFiles(fs FS, idxPath, tidxPath string, idx []indexEntry, tidx []timeEntry, sync bool) error {
	var b []byte
	for _, e := range idx {
		b = appendIndexEntry(b, e)
	}
	if err := writeWhole(fs, idxPath, b, sync); err != nil {
		return err
	}
	b = b[:0]
	for _, e := range tidx {
		b = appendTimeEntry(b, e)
	}
	return writeWhole(fs, tidxPath, b, sync)
}

func writeWhole(fs FS, path string, b []byte, sync bool) error {
	f, err := fs.Create(path)
	if err != nil {
		return ioErr("create", path, err)
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		f.Close()
		return ioErr("write", path, err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return ioErr("sync", path, err)
		}
	}
	return ioErr("close", path, f.Close())
}

// readWhole reads a whole (small) file; a missing file reads as empty.
func readWhole(fs FS, path string) ([]byte, bool, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	n, err := f.Size()
	if err != nil {
		return nil, false, ioErr("stat", path, err)
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, 0); err != nil && n > 0 {
		return nil, false, ioErr("read", path, err)
	}
	return b, true, nil
}

// frameScanner reads frames sequentially from a .log file.
type frameScanner struct {
	f        File
	path     string
	pos, end int64
	buf      []byte
	bufStart int64
	chunk    int // read-ahead size; default 1 MiB
}

// next returns the frame at s.pos (header, whole frame bytes). bad is a
// non-empty reason when the bytes at s.pos are not a valid frame (torn,
// garbage, CRC mismatch); err is an I/O error.
func (s *frameScanner) next() (fh frameHeader, frame []byte, bad string, err error) {
	if s.end-s.pos < frameHeaderSize {
		return fh, nil, "truncated frame header", nil
	}
	hdr, err := s.window(s.pos, frameHeaderSize)
	if err != nil {
		return fh, nil, "", err
	}
	fh, bad = parseFrameHeader(hdr)
	if bad != "" {
		return fh, nil, bad, nil
	}
	if s.pos+fh.size() > s.end {
		return fh, nil, "truncated frame", nil
	}
	frame, err = s.window(s.pos, int(fh.size()))
	if err != nil {
		return fh, nil, "", err
	}
	if !fh.verify(frame) {
		return fh, nil, "frame crc mismatch", nil
	}
	return fh, frame, "", nil
}

// peek returns the frame header at s.pos without reading or checking the
// frame's body.
func (s *frameScanner) peek() (frameHeader, string, error) {
	if s.end-s.pos < frameHeaderSize {
		return frameHeader{}, "truncated frame header", nil
	}
	hdr, err := s.window(s.pos, frameHeaderSize)
	if err != nil {
		return frameHeader{}, "", err
	}
	fh, bad := parseFrameHeader(hdr)
	if bad == "" && s.pos+fh.size() > s.end {
		bad = "truncated frame"
	}
	return fh, bad, nil
}

// window returns file bytes [pos, pos+n), reading ahead in 1 MiB chunks.
func (s *frameScanner) window(pos int64, n int) ([]byte, error) {
	if pos >= s.bufStart && pos+int64(n) <= s.bufStart+int64(len(s.buf)) {
		return s.buf[pos-s.bufStart : pos-s.bufStart+int64(n)], nil
	}
	chunk := s.chunk
	if chunk == 0 {
		chunk = 1 << 20
	}
	want := max(n, chunk)
	if rem := s.end - pos; int64(want) > rem {
		want = int(rem)
	}
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	s.buf = s.buf[:want]
	m, err := s.f.ReadAt(s.buf, pos)
	s.buf, s.bufStart = s.buf[:m], pos
	if m < n {
		if err == nil {
			err = fmt.Errorf("short read")
		}
		return nil, ioErr("read", s.path, err)
	}
	return s.buf[:n], nil
}
