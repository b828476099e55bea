package storage

import "math"

// Producer state snapshots: <20-digit offset>.snapshot holds the producer
// state as of that offset (every batch below it applied, none at or above
// it). Big-endian binary:
//
//	[4]  magic "FJPS"
//	[2]  uint16 version (1)
//	[8]  int64 offset (equal to the file name's)
//	[4]  uint32 producer count, then per producer, by increasing id:
//	       [8] int64 producer id   [4] int32 epoch
//	       [8] int64 last append time (ms, the log's clock)
//	       [1] uint8 batch count (1..5), then per batch, oldest first:
//	           [4] int32 first sequence   [4] int32 last sequence
//	           [8] int64 first offset     [8] int64 last offset
//	           [8] int64 max timestamp
//	[4]  uint32 CRC-32C of every byte before it
const (
	snapshotSuffix  = ".snapshot"
	snapshotMagic   = "FJPS"
	snapshotVersion = 1
	// maxProducerSnapshots is how many snapshots are kept (the newest
	// ones); older ones, and those below the first segment, are deleted.
	maxProducerSnapshots = 3

	snapshotHeaderSize = 4 + 2 + 8 + 4
	snapshotEntrySize  = 8 + 4 + 8 + 1
	snapshotBatchSize  = 4 + 4 + 8 + 8 + 8
)

func encodeProducerSnapshot(p *producerStates, offset int64) []byte {
	ids := p.sortedIDs()
	b := make([]byte, 0, snapshotHeaderSize+len(ids)*(snapshotEntrySize+2*snapshotBatchSize)+4)
	b = append(b, snapshotMagic...)
	b = be.AppendUint16(b, snapshotVersion)
	b = be.AppendUint64(b, uint64(offset))
	b = be.AppendUint32(b, uint32(len(ids)))
	for _, pid := range ids {
		e := p.m[pid]
		b = be.AppendUint64(b, uint64(pid))
		b = be.AppendUint32(b, uint32(e.epoch))
		b = be.AppendUint64(b, uint64(e.lastAppend))
		b = append(b, byte(e.n))
		for _, pb := range e.batches[:e.n] {
			b = be.AppendUint32(b, uint32(pb.firstSeq))
			b = be.AppendUint32(b, uint32(pb.lastSeq))
			b = be.AppendUint64(b, uint64(pb.firstOffset))
			b = be.AppendUint64(b, uint64(pb.lastOffset))
			b = be.AppendUint64(b, uint64(pb.maxTimestamp))
		}
	}
	return be.AppendUint32(b, CRC32C(b))
}

// decodeProducerSnapshot parses a snapshot taken at offset; a non-empty
// reason says why it is unusable.
func decodeProducerSnapshot(b []byte, offset int64) (producerStates, string) {
	var p producerStates
	if len(b) < snapshotHeaderSize+4 {
		return p, "short file"
	}
	body := b[:len(b)-4]
	if CRC32C(body) != be.Uint32(b[len(b)-4:]) {
		return p, "crc mismatch"
	}
	if string(body[:4]) != snapshotMagic || be.Uint16(body[4:]) != snapshotVersion {
		return p, "bad magic or version"
	}
	if int64(be.Uint64(body[6:])) != offset {
		return p, "offset differs from file name"
	}
	count := be.Uint32(body[14:])
	body = body[snapshotHeaderSize:]
	if uint64(count)*(snapshotEntrySize+snapshotBatchSize) > uint64(len(body)) {
		return p, "producer count exceeds file"
	}
	if count > 0 {
		p.m = make(map[int64]*producerEntry, count)
	}
	prev := int64(0)
	for range count {
		if len(body) < snapshotEntrySize {
			return producerStates{}, "truncated entry"
		}
		e := &producerEntry{epoch: int32(be.Uint32(body[8:])), lastAppend: int64(be.Uint64(body[12:])), n: int(body[20])}
		pid := int64(be.Uint64(body))
		body = body[snapshotEntrySize:]
		if pid <= prev || e.epoch < 0 || e.n < 1 || e.n > maxProducerBatches || len(body) < e.n*snapshotBatchSize {
			return producerStates{}, "bad entry"
		}
		prev = pid
		last := int64(-1)
		for i := range e.n {
			pb := producerBatch{
				firstSeq: int32(be.Uint32(body)), lastSeq: int32(be.Uint32(body[4:])),
				firstOffset: int64(be.Uint64(body[8:])), lastOffset: int64(be.Uint64(body[16:])),
				maxTimestamp: int64(be.Uint64(body[24:])),
			}
			body = body[snapshotBatchSize:]
			if pb.firstSeq < 0 || pb.lastSeq < 0 || pb.firstOffset <= last || pb.lastOffset < pb.firstOffset || pb.lastOffset >= offset {
				return producerStates{}, "bad batch"
			}
			last = pb.lastOffset
			e.batches[i] = pb
		}
		p.m[pid] = e
	}
	if len(body) != 0 {
		return producerStates{}, "trailing bytes"
	}
	return p, ""
}

// listSnapshots returns the offsets of the snapshot files, ascending.
func (l *Log) listSnapshots() ([]int64, error) {
	names, err := l.fs.List(l.dir)
	if err != nil {
		return nil, ioErr("list", l.dir, err)
	}
	var offs []int64
	for _, n := range names {
		if o, ok := parseSegmentName(n, snapshotSuffix); ok {
			offs = append(offs, o)
		}
	}
	return offs, nil
}

func (l *Log) snapshotPath(offset int64) string {
	return joinPath(l.dir, segmentName(offset, snapshotSuffix))
}

// removeSnapshotsAbove deletes snapshots taken after offset: they describe
// batches that are being (or were) truncated away. The caller fsyncs the
// directory before new batches can reach those offsets, so a crash cannot
// bring a stale snapshot back.
func (l *Log) removeSnapshotsAbove(offset int64) error {
	offs, err := l.listSnapshots()
	if err != nil {
		return err
	}
	for _, o := range offs {
		if o <= offset {
			continue
		}
		l.snapOffset = -1
		if err := l.fs.Remove(l.snapshotPath(o)); err != nil && !isNotExist(err) {
			return ioErr("remove", l.snapshotPath(o), err)
		}
	}
	return nil
}

// writeProducerSnapshotLocked snapshots the producer state at the LEO
// (unless that exact snapshot exists) and prunes old snapshots.
func (l *Log) writeProducerSnapshotLocked() error {
	leo := l.leoLocked()
	if l.snapOffset == leo && l.snapGen == l.producers.gen {
		return nil
	}
	body := encodeProducerSnapshot(&l.producers, leo)
	if err := writeFileAtomic(l.fs, l.dir, segmentName(leo, snapshotSuffix), body); err != nil {
		return err
	}
	l.snapOffset, l.snapGen = leo, l.producers.gen
	l.pruneSnapshotsLocked()
	return nil
}

// pruneSnapshotsLocked deletes snapshots below the first segment (their
// replay would need deleted batches) and all but the newest
// maxProducerSnapshots. Failures only leave extra files.
func (l *Log) pruneSnapshotsLocked() {
	offs, err := l.listSnapshots()
	if err != nil {
		l.opts.Logger.Warn("storage: listing snapshots failed", "dir", l.dir, "err", err)
		return
	}
	first, kept := l.segs[0].base, 0
	for i := len(offs) - 1; i >= 0; i-- {
		if offs[i] >= first && kept < maxProducerSnapshots {
			kept++
			continue
		}
		if err := l.fs.Remove(l.snapshotPath(offs[i])); err != nil && !isNotExist(err) {
			l.opts.Logger.Warn("storage: removing snapshot failed", "path", l.snapshotPath(offs[i]), "err", err)
		}
	}
}

// loadProducerStateLocked rebuilds the producer state as of the LEO: from
// the newest valid snapshot in [first segment base, LEO] (corrupt ones are
// deleted and skipped) plus the batches after it, or from every batch if
// there is none. Snapshots above the LEO must be gone already. It returns
// the snapshot used (-1 for none) and the number of batches replayed.
func (l *Log) loadProducerStateLocked() (int64, int, error) {
	offs, err := l.listSnapshots()
	if err != nil {
		return -1, 0, err
	}
	leo, first := l.leoLocked(), l.segs[0].base
	gen := l.producers.gen
	l.producers = producerStates{gen: gen + 1}
	l.snapOffset = -1
	from, used := first, int64(-1)
	for i := len(offs) - 1; i >= 0 && used < 0; i-- {
		off := offs[i]
		if off > leo || off < first {
			continue
		}
		b, found, err := readWhole(l.fs, l.snapshotPath(off))
		if err != nil {
			return -1, 0, err
		}
		st, bad := decodeProducerSnapshot(b, off)
		if !found || bad != "" {
			l.opts.Logger.Warn("storage: skipping bad producer snapshot", "path", l.snapshotPath(off), "reason", bad)
			_ = l.fs.Remove(l.snapshotPath(off))
			continue
		}
		st.gen = gen + 1
		l.producers = st
		from, used = off, off
		l.snapOffset, l.snapGen = off, st.gen
	}
	n, err := l.replayProducersLocked(from)
	return used, n, err
}

// replayProducersLocked applies the batches from offset from to the LEO to
// the producer state, verifying each frame's CRC, and returns how many it
// read. The caller holds mu (or owns the log exclusively).
func (l *Log) replayProducersLocked(from int64) (int, error) {
	now := l.opts.Clock.Now().UnixMilli()
	n := 0
	for i := l.segmentFor(from); i < len(l.segs); i++ {
		s := l.segs[i]
		if s.next <= from || s.empty() {
			continue
		}
		v, err := l.viewLocked(s, false)
		if err != nil {
			return n, err
		}
		m, err := l.replaySegment(v, from, now)
		l.releaseView(v)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (l *Log) replaySegment(v *segView, from, now int64) (int, error) {
	var start int64
	if from > v.base {
		e, err := v.idx.floorOffset(uint32(min(from-v.base, math.MaxUint32)))
		if err != nil {
			return 0, ioErr("read", v.seg.idxPath, err)
		}
		start = int64(e.pos)
		// Index files are not fsynced: an entry that does not point at the
		// frame it names costs a scan from the segment's start, not a
		// failed replay.
		sc := frameScanner{f: v.log.f, path: v.seg.logPath, pos: start, end: v.size, chunk: 4 << 10}
		if fh, bad, err := sc.peek(); err != nil {
			return 0, err
		} else if bad != "" || fh.baseOffset != v.base+int64(e.rel) {
			l.opts.Logger.Warn("storage: index entry does not match its frame", "path", v.seg.idxPath, "offset", v.base+int64(e.rel), "position", start)
			start = 0
		}
	}
	n := 0
	sc := frameScanner{f: v.log.f, path: v.seg.logPath, pos: start, end: v.size}
	for sc.pos < sc.end {
		fh, frame, bad, err := sc.next()
		if err != nil {
			return n, err
		}
		if bad != "" {
			return n, &CorruptionError{Path: v.seg.logPath, Position: sc.pos, Offset: -1, Reason: bad}
		}
		pos := sc.pos
		sc.pos += fh.size()
		if fh.lastOffset() < from {
			continue
		}
		n++
		h, _, err := ParseBatchHeader(frame[frameHeaderSize:])
		if err != nil {
			return n, &CorruptionError{Path: v.seg.logPath, Position: pos, Offset: fh.baseOffset, Reason: err.Error()}
		}
		l.producers.apply(&h, now)
	}
	return n, nil
}
