package storage

import (
	"fmt"
	"log/slog"
	"math"
)

// segView is a snapshot of a segment taken under Log.mu, with the file
// handles a read needs acquired so they outlive deletion or replacement.
type segView struct {
	seg    *segment
	base   int64
	next   int64
	size   int64
	log    *cachedFile
	idx    indexSource
	idxF   *cachedFile
	logger *slog.Logger
}

func (l *Log) viewLocked(s *segment, needTime bool) (*segView, error) {
	v := &segView{seg: s, base: s.base, next: s.next, size: s.size, logger: l.opts.Logger}
	var err error
	if v.log, err = l.files.acquire(l.fs, s.logPath); err != nil {
		return nil, err
	}
	if s.idx != nil {
		v.idx = indexSource{mem: s.idx[:len(s.idx):len(s.idx)], tmem: s.tidx[:len(s.tidx):len(s.tidx)], n: len(s.idx)}
		if needTime {
			v.idx.n = len(s.tidx)
		}
		return v, nil
	}
	n, path := s.idxN, s.idxPath
	if needTime {
		n, path = s.tidxN, s.tidxPath
	}
	v.idx.n = n
	if n > 0 {
		f, err := l.files.acquire(l.fs, path)
		if err != nil {
			l.files.release(v.log)
			return nil, err
		}
		v.idxF = f
		v.idx.f = f.f
		if !needTime {
			v.idx.summary = &s.summary
		}
	}
	return v, nil
}

func (l *Log) releaseView(v *segView) {
	l.files.release(v.log)
	if v.idxF != nil {
		l.files.release(v.idxF)
	}
}

// Read returns stored batches starting with the one containing offset; see
// the package documentation for the exact contract. maxOffset excludes
// batches whose last offset is >= maxOffset (pass the HW for consumers, the
// LEO or math.MaxInt64 for replicas).
func (l *Log) Read(offset int64, maxBytes int, maxOffset int64) (ReadResult, error) {
	l.truncMu.RLock()
	defer l.truncMu.RUnlock()
	var res ReadResult
	next := int64(-1) // base of the segment to try next, -1 = by offset
	for {
		l.mu.RLock()
		if err := l.checkOpenLocked(); err != nil {
			l.mu.RUnlock()
			return res, err
		}
		leo := l.leoLocked()
		res = ReadResult{NextOffset: offset, LogStartOffset: l.logStart, LogEndOffset: leo, HighWatermark: l.hw}
		if offset < l.logStart || offset > leo {
			l.mu.RUnlock()
			return res, &OffsetOutOfRangeError{Offset: offset, Start: res.LogStartOffset, End: leo}
		}
		if offset == leo || offset >= maxOffset {
			l.mu.RUnlock()
			return res, nil
		}
		i := l.segmentFor(offset)
		if next >= 0 {
			for i < len(l.segs) && l.segs[i].base < next {
				i++
			}
			if i == len(l.segs) {
				// No batch at or after offset: it sits in a compaction gap
				// at the end of the log. Let the caller skip the gap.
				l.mu.RUnlock()
				res.NextOffset = max(offset, min(leo, maxOffset))
				return res, nil
			}
		}
		v, err := l.viewLocked(l.segs[i], false)
		l.mu.RUnlock()
		if err != nil {
			return res, err
		}
		found, err := l.readSegment(v, offset, maxBytes, maxOffset, &res)
		l.releaseView(v)
		if err != nil || found {
			return res, err
		}
		// Nothing at or after offset in that segment (a compaction gap):
		// continue with the following one.
		next = v.base + 1
	}
}

// readSegment fills res from one segment; found is false when the segment
// holds no batch with last offset >= offset.
func (l *Log) readSegment(v *segView, offset int64, maxBytes int, maxOffset int64, res *ReadResult) (found bool, err error) {
	sc, _, err := v.seek(uint32(min(max(offset-v.base, 0), math.MaxUint32)), 4<<10)
	if err != nil {
		return false, err
	}
	// Skip to the batch containing offset.
	var fh frameHeader
	for {
		if sc.pos >= sc.end {
			return false, nil
		}
		var bad string
		fh, bad, err = sc.peek()
		if err != nil {
			return false, err
		}
		if bad != "" {
			return false, &CorruptionError{Path: v.seg.logPath, Position: sc.pos, Offset: -1, Reason: bad}
		}
		if fh.lastOffset() >= offset {
			break
		}
		sc.pos += fh.size()
	}
	if fh.lastOffset() >= maxOffset {
		return true, nil
	}
	// Read the first frame and as many following ones as maxBytes allows
	// into one fresh buffer.
	first := fh.size()
	// Size the buffer for maxBytes of batches plus their frame headers,
	// guessing the count from the first batch's size.
	budget := int64(max(maxBytes, 0))
	want := first + budget + frameHeaderSize*(budget/first+1)
	want = min(want, v.size-sc.pos)
	buf := make([]byte, want)
	n, rerr := v.log.f.ReadAt(buf, sc.pos)
	if int64(n) < first {
		return false, ioErr("read", v.seg.logPath, fmt.Errorf("short read at %d: %v", sc.pos, rerr))
	}
	buf = buf[:n]
	res.SegmentBase, res.Position = v.base, sc.pos
	for p := int64(0); p+frameHeaderSize <= int64(len(buf)); {
		fh, bad := parseFrameHeader(buf[p:])
		if bad != "" || p+fh.size() > int64(len(buf)) {
			if p == 0 {
				return false, &CorruptionError{Path: v.seg.logPath, Position: sc.pos, Offset: offset, Reason: "frame changed under read"}
			}
			break
		}
		frame := buf[p : p+fh.size()]
		if !fh.verify(frame) {
			return false, &CorruptionError{Path: v.seg.logPath, Position: sc.pos + p, Offset: fh.baseOffset, Reason: "frame crc mismatch"}
		}
		b := frame[frameHeaderSize:]
		if fh.lastOffset() >= maxOffset || (p > 0 && res.Bytes+len(b) > maxBytes) {
			break
		}
		res.Batches = append(res.Batches, b[:len(b):len(b)])
		res.Bytes += len(b)
		res.NextOffset = fh.nextOffset()
		p += fh.size()
	}
	return true, nil
}

// seek returns a scanner over v's log (read-ahead chunk) at the frame named
// by the offset index entry with the largest offset <= rel, and that entry
// (the zero entry for the segment start). Index entries are hints: Open
// trusts those below the recovery point without reading the frames they
// name, and a disk that lost synced index pages (or an index written
// before index files were fsynced) could make one point into the middle
// of a frame or at a later batch, which would fail the read or silently
// skip records. So the entry is checked against the frame header there
// (which the scan reads first anyway, from the same buffer), and a bad
// one is replaced by the segment start: slower, never wrong.
func (v *segView) seek(rel uint32, chunk int) (frameScanner, indexEntry, error) {
	sc := frameScanner{f: v.log.f, path: v.seg.logPath, end: v.size, chunk: chunk}
	if rel == 0 {
		return sc, indexEntry{}, nil
	}
	e, err := v.idx.floorOffset(rel)
	if err != nil {
		return sc, indexEntry{}, ioErr("read", v.seg.idxPath, err)
	}
	if e.pos == 0 && e.rel == 0 {
		return sc, indexEntry{}, nil
	}
	sc.pos = int64(e.pos)
	fh, bad, err := sc.peek()
	if err != nil {
		return sc, indexEntry{}, err
	}
	if bad == "" && fh.baseOffset != v.base+int64(e.rel) {
		bad = fmt.Sprintf("frame there starts at offset %d", fh.baseOffset)
	}
	if bad != "" {
		if v.seg.indexWarned.CompareAndSwap(false, true) {
			v.logger.Warn("storage: bad index entry; scanning from the segment start", "path", v.seg.idxPath,
				"offset", v.base+int64(e.rel), "position", e.pos, "reason", bad)
		}
		sc.pos = 0
		return sc, indexEntry{}, nil
	}
	return sc, e, nil
}

// OffsetForTimestamp returns the first offset (>= log start) whose record
// timestamp is >= ts, and that record's timestamp. If no record qualifies it
// returns the LEO and timestamp -1 (a consumer seeking there waits for new
// records).
func (l *Log) OffsetForTimestamp(ts int64) (int64, int64, error) {
	l.truncMu.RLock()
	defer l.truncMu.RUnlock()
	next := int64(math.MinInt64)
	for {
		l.mu.RLock()
		if err := l.checkOpenLocked(); err != nil {
			l.mu.RUnlock()
			return 0, 0, err
		}
		leo, logStart := l.leoLocked(), l.logStart
		var s *segment
		for _, c := range l.segs {
			if c.base >= next && c.maxTs >= ts && c.next > logStart {
				s = c
				break
			}
		}
		if s == nil {
			l.mu.RUnlock()
			return leo, -1, nil
		}
		v, err := l.viewLocked(s, true)
		l.mu.RUnlock()
		if err != nil {
			return 0, 0, err
		}
		off, fts, found, err := l.searchTime(v, ts, logStart)
		l.releaseView(v)
		if err != nil || found {
			return off, fts, err
		}
		next = v.base + 1
	}
}

func (l *Log) searchTime(v *segView, ts, logStart int64) (int64, int64, bool, error) {
	rel, err := v.idx.floorTime(ts)
	if err != nil {
		return 0, 0, false, ioErr("read", v.seg.tidxPath, err)
	}
	var start int64
	if rel > 0 {
		// Every time index entry coincides with an offset index entry.
		l.mu.RLock()
		iv, verr := l.viewLocked(v.seg, false)
		l.mu.RUnlock()
		if verr != nil {
			return 0, 0, false, verr
		}
		isc, _, err := iv.seek(rel, 4<<10)
		l.releaseView(iv)
		if err != nil {
			return 0, 0, false, err
		}
		start = isc.pos
	}
	sc := frameScanner{f: v.log.f, path: v.seg.logPath, pos: start, end: v.size}
	for sc.pos < sc.end {
		fh, frame, bad, err := sc.next()
		if err != nil {
			return 0, 0, false, err
		}
		if bad != "" {
			return 0, 0, false, &CorruptionError{Path: v.seg.logPath, Position: sc.pos, Offset: -1, Reason: bad}
		}
		sc.pos += fh.size()
		if fh.maxTimestamp < ts || fh.lastOffset() < logStart {
			continue
		}
		it, err := NewRecordIterator(frame[frameHeaderSize:])
		if err != nil {
			return 0, 0, false, &CorruptionError{Path: v.seg.logPath, Position: sc.pos - fh.size(), Offset: fh.baseOffset, Reason: err.Error()}
		}
		var r Record
		for it.Next(&r) {
			if r.Offset >= logStart && r.Timestamp >= ts {
				it.Close()
				return r.Offset, r.Timestamp, true, nil
			}
		}
		it.Close()
	}
	return 0, 0, false, nil
}
