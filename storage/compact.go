package storage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// CompactResult reports what Compact did.
type CompactResult struct {
	Passes          int   // key-map passes
	SegmentsCleaned int   // segments rewritten (counted once per pass)
	RecordsRemoved  int64 // records dropped
	BytesBefore     int64 // size of the cleanable segments before
	BytesAfter      int64 // and after
	CleanedUpTo     int64 // every offset below is compacted
}

// mapEntryOverhead approximates a Go map entry's cost beyond its key bytes.
const mapEntryOverhead = 48

// Compact keeps only the latest record of each key in the non-active
// segments below the high watermark (offsets are preserved, leaving gaps),
// and drops tombstones (null values) once their timestamp is older than
// DeleteRetention. Records without a key are kept. The key map is bounded
// by CompactionMapBytes: a larger dirty section is cleaned in several
// passes. Each segment is rewritten to <base>.log.cleaned (+ indexes),
// fsynced, renamed to .swap and then over the original, so a crash at any
// point leaves either the old or the new segment (see Open). A no-op unless
// the cleanup policy includes compact.
func (l *Log) Compact(ctx context.Context, now time.Time) (CompactResult, error) {
	l.compactMu.Lock()
	defer l.compactMu.Unlock()
	var res CompactResult
	l.mu.RLock()
	if err := l.checkWritableLocked(); err != nil {
		l.mu.RUnlock()
		return res, err
	}
	opts := l.opts
	retain := l.producers.lastOffsets()
	limit := min(l.hw, l.active().base)
	var segs []*segment
	for _, s := range l.segs[:len(l.segs)-1] {
		if s.next > limit {
			break
		}
		segs = append(segs, s)
		res.BytesBefore += s.size
	}
	l.mu.RUnlock()
	if !opts.CleanupPolicy.compacts() || len(segs) == 0 {
		return res, nil
	}
	cutoff := int64(math.MinInt64)
	if opts.DeleteRetention > 0 {
		cutoff = now.UnixMilli() - opts.DeleteRetention.Milliseconds()
	} else if opts.DeleteRetention < 0 {
		cutoff = math.MaxInt64
	}
	end := segs[len(segs)-1].next
	scanFrom := segs[0].base
	for scanFrom < end {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		keys, mapEnd, err := l.buildKeyMap(segs, scanFrom, opts.CompactionMapBytes)
		if isNotExist(err) {
			// Retention or truncation removed a segment under us.
			return res, nil
		}
		if err != nil {
			return res, err
		}
		if mapEnd <= scanFrom {
			return res, fmt.Errorf("storage: compaction made no progress at offset %d", scanFrom)
		}
		res.Passes++
		for i, s := range segs {
			if s.base >= mapEnd {
				break
			}
			if err := ctx.Err(); err != nil {
				return res, err
			}
			ns, removed, err := l.cleanSegment(s, keys, mapEnd, cutoff, retain)
			if isNotExist(err) {
				return res, nil
			}
			if err != nil {
				return res, err
			}
			if ns == nil {
				// The segment went away (retention, truncation): stop.
				return res, nil
			}
			segs[i] = ns
			res.SegmentsCleaned++
			res.RecordsRemoved += removed
		}
		scanFrom = mapEnd
		res.CleanedUpTo = mapEnd
	}
	for _, s := range segs {
		res.BytesAfter += s.size
	}
	return res, nil
}

// forEachFrame calls fn for each frame of s (a non-active segment, or a
// snapshot of one).
func (l *Log) forEachFrame(s *segment, fn func(fh *frameHeader, batch []byte) error) error {
	l.mu.RLock()
	v, err := l.viewLocked(s, false)
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	defer l.releaseView(v)
	sc := frameScanner{f: v.log.f, path: s.logPath, end: v.size}
	for sc.pos < sc.end {
		fh, frame, bad, err := sc.next()
		if err != nil {
			return err
		}
		if bad != "" {
			return &CorruptionError{Path: s.logPath, Position: sc.pos, Offset: -1, Reason: bad}
		}
		if err := fn(&fh, frame[frameHeaderSize:]); err != nil {
			return err
		}
		sc.pos += fh.size()
	}
	return nil
}

var errMapFull = errors.New("storage: key map full")

// buildKeyMap maps each key in [from, ...) to its latest offset, stopping
// after the batch that fills the map. mapEnd is the offset after the last
// batch mapped.
func (l *Log) buildKeyMap(segs []*segment, from int64, capBytes int64) (map[string]int64, int64, error) {
	keys := make(map[string]int64)
	var used int64
	mapEnd := from
	for _, s := range segs {
		if s.next <= from {
			continue
		}
		err := l.forEachFrame(s, func(fh *frameHeader, batch []byte) error {
			if fh.nextOffset() <= from {
				return nil
			}
			it, err := NewRecordIterator(batch)
			if err != nil {
				return &CorruptionError{Path: s.logPath, Offset: fh.baseOffset, Reason: err.Error()}
			}
			defer it.Close()
			var r Record
			for it.Next(&r) {
				if r.Key == nil || r.Offset < from {
					continue
				}
				if _, ok := keys[string(r.Key)]; !ok {
					used += int64(len(r.Key)) + mapEntryOverhead
				}
				keys[string(r.Key)] = r.Offset
			}
			if it.Err() != nil {
				return &CorruptionError{Path: s.logPath, Offset: fh.baseOffset, Reason: it.Err().Error()}
			}
			mapEnd = fh.nextOffset()
			if used >= capBytes {
				return errMapFull
			}
			return nil
		})
		if errors.Is(err, errMapFull) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		mapEnd = max(mapEnd, s.next)
	}
	return keys, mapEnd, nil
}

// cleanSegment rewrites s without superseded records and expired
// tombstones and swaps the result in. It returns the new segment, or nil
// if s is no longer part of the log. A batch left without records that is
// the latest batch of a producer in retain (producer id -> last offset of
// its latest batch) stays as a header without records, as Kafka's cleaner
// keeps it, so replicas and replays still learn that producer's state.
func (l *Log) cleanSegment(s *segment, keys map[string]int64, mapEnd, cutoff int64, retain map[int64]int64) (*segment, int64, error) {
	ns := newSegment(l.dir, s.base)
	ns.idx, ns.tidx = []indexEntry{}, []timeEntry{}
	cleanLog := ns.logPath + cleanedSuffix
	f, err := l.fs.Create(cleanLog)
	if err != nil {
		return nil, 0, ioErr("create", cleanLog, err)
	}
	defer func() {
		if f != nil {
			f.Close()
			_ = l.fs.Remove(cleanLog)
			_ = l.fs.Remove(ns.idxPath + cleanedSuffix)
			_ = l.fs.Remove(ns.tidxPath + cleanedSuffix)
		}
	}()
	l.mu.RLock()
	interval := l.opts.IndexIntervalBytes
	l.mu.RUnlock()
	var removed int64
	var frame, records []byte
	type emptyBatch struct {
		fh frameHeader
		h  BatchHeader
	}
	var pending *emptyBatch // last batch seen, dropped entirely
	write := func(fh *frameHeader, batch []byte) error {
		pending = nil
		frame = append(frame[:0], make([]byte, frameHeaderSize)...)
		frame = append(frame, batch...)
		putFrameHeader(frame, fh.baseOffset, fh.lastOffsetDelta, fh.maxTimestamp, fh.leaderEpoch)
		if _, err := f.WriteAt(frame, ns.size); err != nil {
			return ioErr("write", cleanLog, err)
		}
		nfh := *fh
		nfh.length = uint32(len(frame) - 4)
		ns.noteFrame(&nfh, interval)
		return nil
	}
	err = l.forEachFrame(s, func(fh *frameHeader, batch []byte) error {
		if fh.baseOffset >= mapEnd {
			return write(fh, batch)
		}
		it, err := NewRecordIterator(batch)
		if err != nil {
			return &CorruptionError{Path: s.logPath, Offset: fh.baseOffset, Reason: err.Error()}
		}
		defer it.Close()
		h := it.Header()
		records = records[:0]
		var kept, total int32
		var r Record
		for it.Next(&r) {
			total++
			keep := r.Key == nil || r.Offset >= mapEnd
			if !keep {
				latest, ok := keys[string(r.Key)]
				keep = !ok || latest <= r.Offset
				if keep && r.Value == nil && r.Timestamp < cutoff {
					keep = false
				}
			}
			if keep {
				kept++
				records = protowire.AppendTag(records, 1, protowire.BytesType)
				records = protowire.AppendBytes(records, r.raw)
			}
		}
		if it.Err() != nil {
			return &CorruptionError{Path: s.logPath, Offset: fh.baseOffset, Reason: it.Err().Error()}
		}
		removed += int64(total - kept)
		switch kept {
		case total:
			return write(fh, batch)
		case 0:
			if last, ok := retain[h.ProducerID]; ok && h.ProducerID > 0 && last == fh.lastOffset() {
				return write(fh, emptied(h))
			}
			// Dropped, unless it turns out to be the segment's last batch.
			pending = &emptyBatch{fh: *fh, h: h}
			return nil
		}
		h.RecordCount = kept
		h.UncompressedSize = int32(len(records))
		payload := records
		if h.Compressed && h.Compression != CompressionNone && h.Compression != CompressionUnspecified {
			if payload, err = compress(h.Compression, nil, records); err != nil {
				return err
			}
		}
		h.CRC, h.HasCRC = CRC32C(payload), true
		return write(fh, AppendBatch(nil, &h, payload))
	})
	if err == nil && pending != nil {
		// Keep the segment's last batch as a header without records so the
		// segment still ends where it did: segments stay contiguous, which
		// lets recovery detect lost segment tails.
		err = write(&pending.fh, emptied(pending.h))
	}
	if err != nil {
		return nil, 0, err
	}
	if err := f.Sync(); err != nil {
		return nil, 0, ioErr("sync", cleanLog, err)
	}
	if err := writeIndexFiles(l.fs, ns.idxPath+cleanedSuffix, ns.tidxPath+cleanedSuffix, ns.idx, ns.tidx, true); err != nil {
		return nil, 0, err
	}
	// ns ends where s did (its last batch is always kept).

	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.segmentFor(s.base)
	if l.closed || i >= len(l.segs)-1 || l.segs[i] != s {
		return nil, removed, nil
	}
	// .cleaned -> .swap (indexes first, the log last: the commit point),
	// then .swap -> final. Open completes a swap whose .log.swap exists.
	for _, p := range []string{ns.idxPath, ns.tidxPath, ns.logPath} {
		if err := l.fs.Rename(p+cleanedSuffix, p+swapSuffix); err != nil {
			return nil, 0, ioErr("rename", p+cleanedSuffix, err)
		}
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		return nil, 0, l.fail(ioErr("sync dir", l.dir, err))
	}
	l.forgetFiles(s)
	for _, p := range []string{ns.idxPath, ns.tidxPath, ns.logPath} {
		if err := l.fs.Rename(p+swapSuffix, p); err != nil {
			return nil, 0, l.fail(ioErr("rename", p+swapSuffix, err))
		}
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		return nil, 0, l.fail(ioErr("sync dir", l.dir, err))
	}
	f.Close()
	f = nil
	ns.idxN, ns.tidxN = len(ns.idx), len(ns.tidx)
	ns.idx, ns.tidx = nil, nil
	ns.synced = s.synced
	l.segs[i] = ns
	return ns, removed, nil
}

// emptied returns a batch with h's header (offsets, epochs, timestamps,
// producer fields) and no records.
func emptied(h BatchHeader) []byte {
	h.RecordCount, h.UncompressedSize, h.Compression, h.Compressed = 0, 0, CompressionNone, false
	h.CRC, h.HasCRC = CRC32C(nil), true
	return AppendBatch(nil, &h, nil)
}
