package storage

import (
	"math"
	"time"
)

// EnforceRetention deletes whole non-active segments from the front of the
// log while they are past Retention (by their largest timestamp) or the
// log is larger than RetentionBytes, and only segments wholly below the
// high watermark. It advances the log start offset and is a no-op unless
// the cleanup policy includes delete.
func (l *Log) EnforceRetention(now time.Time) (int, error) {
	l.mu.Lock()
	if err := l.checkWritableLocked(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	if !l.opts.CleanupPolicy.deletes() {
		l.mu.Unlock()
		return 0, nil
	}
	var total int64
	for _, s := range l.segs {
		total += s.size
	}
	cutoff := int64(math.MinInt64)
	if l.opts.Retention > 0 {
		cutoff = now.UnixMilli() - l.opts.Retention.Milliseconds()
	}
	n := 0
	for n < len(l.segs)-1 && l.segs[n].next <= l.hw {
		s := l.segs[n]
		byTime := s.maxTs < cutoff
		byBytes := l.opts.RetentionBytes > 0 && total-s.size >= l.opts.RetentionBytes
		if !byTime && !byBytes {
			break
		}
		total -= s.size
		n++
	}
	if n == 0 {
		l.mu.Unlock()
		return 0, nil
	}
	err := l.deleteFrontLocked(n, l.segs[n].base)
	l.mu.Unlock()
	if err != nil {
		return n, err
	}
	return n, l.writeCheckpoint()
}

// deleteFrontLocked removes the first n segments and moves the log start
// to at least newStart.
func (l *Log) deleteFrontLocked(n int, newStart int64) error {
	dead := append([]*segment(nil), l.segs[:n]...)
	l.segs = append(l.segs[:0:0], l.segs[n:]...)
	// Compaction can leave a gap before the next segment's base; start
	// there, as Open would.
	l.logStart = max(l.logStart, newStart, l.segs[0].base)
	l.hw = max(l.hw, l.logStart)
	for _, s := range dead {
		l.opts.Logger.Info("storage: deleting segment", "path", s.logPath, "base", s.base, "next", s.next)
		// A segment that fails to go is below the checkpointed log start;
		// Open deletes it.
		_ = l.removeSegmentFiles(s)
	}
	// Producer state stays (until it expires, as in Kafka since KIP-360);
	// only snapshots whose replay needs the deleted batches go.
	l.pruneSnapshotsLocked()
	if l.epochs.truncateFromStart(l.logStart) {
		return l.writeEpochsLocked()
	}
	return nil
}

// DeleteRecordsBefore moves the log start offset up to offset (which may
// fall inside a segment) and deletes segments wholly below it. offset must
// be <= LEO; the broker checks it against the HW.
func (l *Log) DeleteRecordsBefore(offset int64) error {
	l.mu.Lock()
	if err := l.checkWritableLocked(); err != nil {
		l.mu.Unlock()
		return err
	}
	leo := l.leoLocked()
	if offset > leo || offset < 0 {
		l.mu.Unlock()
		return &OffsetOutOfRangeError{Offset: offset, Start: l.logStart, End: leo}
	}
	if offset <= l.logStart {
		l.mu.Unlock()
		return nil
	}
	if a := l.active(); !a.empty() && a.next <= offset {
		if err := l.rollLocked(); err != nil {
			l.mu.Unlock()
			return err
		}
	}
	n := 0
	for n < len(l.segs)-1 && l.segs[n].next <= offset {
		n++
	}
	err := l.deleteFrontLocked(n, offset)
	l.mu.Unlock()
	if err != nil {
		return err
	}
	return l.writeCheckpoint()
}

// TruncateTo removes every batch whose last offset is >= offset (used by
// followers to drop a divergent suffix). Truncation is by whole batches:
// afterwards the LEO is offset if offset was a batch boundary, else the
// base of the batch containing it. Offsets below the log start truncate
// everything and restart the log at offset. The recovery point and HW are
// lowered with it, epochs starting at or after the new LEO are removed,
// and producer state is put back to what it was at the new LEO (snapshots
// after it are deleted; see the package doc).
func (l *Log) TruncateTo(offset int64) error {
	l.truncMu.Lock()
	defer l.truncMu.Unlock()
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkWritableLocked(); err != nil {
		return err
	}
	if offset >= l.leoLocked() {
		return nil
	}
	if offset < 0 {
		return &OffsetOutOfRangeError{Offset: offset, Start: l.logStart, End: l.leoLocked()}
	}
	if offset < l.logStart || offset <= l.segs[0].base {
		return l.truncateFullyLocked(offset)
	}
	i := l.segmentFor(offset)
	s := l.segs[i]
	pos, newLEO, err := l.findTruncation(s, offset)
	if err != nil {
		return err
	}
	if newLEO < l.logStart {
		// The batch holding the log start goes: the log restarts empty at
		// the log start (which never moves backwards).
		return l.truncateFullyLocked(l.logStart)
	}
	// Snapshots after the new end describe batches about to go; the
	// directory fsync below makes their removal durable.
	if err := l.removeSnapshotsAbove(newLEO); err != nil {
		return err
	}
	rebuild := l.producers.reachesOffset(newLEO)
	// Lower the recovery point durably before touching the files, so a
	// crash cannot make recovery treat truncated-then-rewritten bytes as
	// trusted.
	l.truncGen++
	l.recoveryPoint = min(l.recoveryPoint, newLEO)
	l.indexSyncedTo = min(l.indexSyncedTo, newLEO)
	l.hw = min(l.hw, newLEO)
	if err := l.writeCheckpointLocked(); err != nil {
		return err
	}
	for j := len(l.segs) - 1; j > i; j-- {
		d := l.segs[j]
		if d.w != nil {
			_ = d.w.unref()
			d.w = nil
		}
		if err := l.removeSegmentFiles(d); err != nil {
			l.segs = l.segs[:j+1]
			return l.fail(err)
		}
	}
	l.segs = l.segs[:i+1]
	// Removed segments must not reappear after a crash.
	if err := l.fs.SyncDir(l.dir); err != nil {
		return l.fail(ioErr("sync dir", l.dir, err))
	}
	if s.w == nil {
		f, err := l.fs.OpenReadWrite(s.logPath)
		if err != nil {
			return l.fail(ioErr("open", s.logPath, err))
		}
		s.w = newSharedFile(f)
	}
	if err := s.w.Truncate(pos); err != nil {
		return l.fail(ioErr("truncate", s.logPath, err))
	}
	if err := s.w.Sync(); err != nil {
		return l.fail(ioErr("sync", s.logPath, err))
	}
	l.forgetFiles(s)
	prevEpoch := int32(math.MinInt32)
	fresh := newSegment(l.dir, s.base)
	if _, err := l.loadSegment(fresh, math.MaxInt64, &prevEpoch); err != nil {
		return l.fail(err)
	}
	fresh.w, fresh.firstApp, fresh.writebackFrom = s.w, s.firstApp, fresh.size
	fresh.indexUnsynced = s.indexUnsynced
	if fresh.next != newLEO {
		// The epoch assignments loadSegment made are harmless (only ones
		// below the new LEO survive the truncation below).
		return l.fail(&CorruptionError{Path: s.logPath, Position: pos, Offset: newLEO, Reason: "segment end after truncation disagrees"})
	}
	l.segs[i] = fresh
	// The index files keep the entries they hold below the cut (no rewrite
	// that a crash could garble) and lose the rest. Entries they lacked
	// below indexSyncedTo (a damaged file, a changed index interval) must
	// be durable before a checkpoint covers them; the usual missing ones,
	// appended since the last flush, are above it.
	below := func(rel uint32) bool { return fresh.base+int64(rel) < l.indexSyncedTo }
	needSync := (fresh.idxN < len(fresh.idx) && below(fresh.idx[fresh.idxN].rel)) ||
		(fresh.tidxN < len(fresh.tidx) && below(fresh.tidx[fresh.tidxN].rel))
	if err := fresh.flushIndexes(l.fs); err != nil {
		return l.fail(err)
	}
	if needSync {
		if err := fresh.syncIndexes(l.fs); err != nil {
			return l.fail(err)
		}
		fresh.indexUnsynced = false
	}
	l.unsyncedMsgs = 0
	if l.epochs.truncateFromEnd(newLEO) {
		if err := l.writeEpochsLocked(); err != nil {
			return l.fail(err)
		}
	}
	if rebuild {
		// Some producer's state came from removed batches: rebuild it as
		// of the new end from the newest snapshot at or below it plus the
		// batches after that. (If no producer has a batch at or after the
		// new end, the state is already what it was there.)
		if _, _, err := l.loadProducerStateLocked(); err != nil {
			return l.fail(err)
		}
	}
	return nil
}

// findTruncation returns the position of the first batch in s whose last
// offset is >= offset, and the LEO once everything from there is removed
// (the end of the batch before it, which compaction may have left below
// the cut batch's base).
func (l *Log) findTruncation(s *segment, offset int64) (int64, int64, error) {
	v, err := l.viewLocked(s, false)
	if err != nil {
		return 0, 0, err
	}
	defer l.releaseView(v)
	rel := uint32(min(max(offset-s.base, 0), math.MaxUint32))
	for {
		sc, e, err := v.seek(rel, 64<<10)
		if err != nil {
			return 0, 0, err
		}
		start := sc.pos
		newLEO := s.base
		for sc.pos < sc.end {
			fh, bad, err := sc.peek()
			if err != nil {
				return 0, 0, err
			}
			if bad != "" {
				return 0, 0, &CorruptionError{Path: s.logPath, Position: sc.pos, Offset: -1, Reason: bad}
			}
			if fh.lastOffset() >= offset {
				break
			}
			newLEO = fh.nextOffset()
			sc.pos += fh.size()
		}
		if sc.pos == start && start > 0 {
			// The cut is at an index entry: find the end of the batch
			// before it by scanning from the previous entry.
			rel = e.rel - 1
			continue
		}
		if sc.pos >= sc.end {
			return s.size, s.next, nil
		}
		return sc.pos, newLEO, nil
	}
}

// truncateFullyLocked deletes every segment and restarts the log, empty, at
// offset (log start = LEO = offset).
func (l *Log) truncateFullyLocked(offset int64) error {
	// Producer snapshots describe the old log; the directory fsync after
	// the new segment is created makes their removal durable.
	if err := l.removeSnapshotsAbove(-1); err != nil {
		return err
	}
	l.producers.reset()
	l.truncGen++
	// Until the new segment exists, a crash must recover whatever is left
	// without trusting any of it.
	l.recoveryPoint, l.hw = 0, min(l.hw, offset)
	if err := l.writeCheckpointLocked(); err != nil {
		return err
	}
	s := newSegment(l.dir, offset)
	for j := len(l.segs) - 1; j >= 0; j-- {
		d := l.segs[j]
		if d.w != nil {
			_ = d.w.unref()
			d.w = nil
		}
		if err := l.removeSegmentFiles(d); err != nil {
			l.segs = l.segs[:j+1]
			return l.fail(err)
		}
	}
	// From here on the log is s, even if creating it fails (the log is
	// then failed and refuses writes).
	l.segs = []*segment{s}
	f, err := l.fs.Create(s.logPath)
	if err != nil {
		return l.fail(ioErr("create", s.logPath, err))
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		f.Close()
		return l.fail(ioErr("sync dir", l.dir, err))
	}
	s.w = newSharedFile(f)
	s.idx, s.tidx, s.synced = []indexEntry{}, []timeEntry{}, true
	l.segs = []*segment{s}
	l.logStart, l.hw, l.recoveryPoint, l.indexSyncedTo, l.unsyncedMsgs = offset, offset, offset, offset, 0
	l.epochs = epochCache{}
	if err := l.writeEpochsLocked(); err != nil {
		return l.fail(err)
	}
	return l.writeCheckpointLocked()
}

// TruncateFullyAndStartAt empties the log and restarts it at offset (a
// follower whose log is entirely behind the leader's log start). All
// producer state and snapshots go with it.
func (l *Log) TruncateFullyAndStartAt(offset int64) error {
	l.truncMu.Lock()
	defer l.truncMu.Unlock()
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkWritableLocked(); err != nil {
		return err
	}
	if offset < 0 {
		return &OffsetOutOfRangeError{Offset: offset, Start: l.logStart, End: l.leoLocked()}
	}
	return l.truncateFullyLocked(offset)
}
