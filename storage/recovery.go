package storage

import (
	"fmt"
	"math"
	"strings"
)

// Open opens (creating if needed) the log in dir and recovers it: it
// finishes or abandons interrupted compaction swaps, verifies every frame
// from the recovery point on, truncates at the first invalid byte after it,
// rebuilds missing or bad indexes and fsyncs what it recovered. Invalid
// data below the recovery point makes Open fail with a *CorruptionError.
func Open(dir string, opts Options) (*Log, error) {
	opts = opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	fs := opts.FS
	if err := fs.MkdirAll(dir); err != nil {
		return nil, ioErr("mkdir", dir, err)
	}
	l := &Log{dir: dir, fs: fs, files: opts.Files, opts: opts, snapOffset: -1}
	if err := l.finishSwaps(); err != nil {
		return nil, err
	}
	cp, _, err := readOffsets(fs, dir)
	if err != nil {
		return nil, err
	}
	epochs, _, err := readEpochs(fs, dir)
	if err != nil {
		return nil, err
	}
	l.epochs = epochs
	names, err := fs.List(dir)
	if err != nil {
		return nil, ioErr("list", dir, err)
	}
	var bases []int64
	logs := map[int64]bool{}
	for _, n := range names {
		if b, ok := parseSegmentName(n, logSuffix); ok {
			bases = append(bases, b)
			logs[b] = true
		}
	}
	for _, n := range names {
		b, ok := parseSegmentName(n, indexSuffix)
		if !ok {
			b, ok = parseSegmentName(n, timeIndexSuffix)
		}
		if ok && !logs[b] {
			_ = fs.Remove(joinPath(dir, n))
		}
	}
	// Segments wholly below the checkpointed log start were being deleted.
	for len(bases) > 1 && bases[1] <= cp.logStart {
		if err := l.removeSegmentFiles(newSegment(dir, bases[0])); err != nil {
			return nil, err
		}
		bases = bases[1:]
	}
	if len(bases) == 0 {
		s := newSegment(dir, cp.logStart)
		f, err := fs.Create(s.logPath)
		if err != nil {
			return nil, ioErr("create", s.logPath, err)
		}
		if err := fs.SyncDir(dir); err != nil {
			f.Close()
			return nil, ioErr("sync dir", dir, err)
		}
		f.Close()
		bases = []int64{cp.logStart}
	}

	rp := cp.recoveryPoint
	prevEpoch := int32(math.MinInt32)
	for i, base := range bases {
		s := newSegment(dir, base)
		if i > 0 && base != l.segs[i-1].next {
			// Segments are contiguous (roll starts the next at the LEO and
			// compaction keeps each segment's last batch), so a mismatch
			// means the previous segment lost its tail or this one is stray.
			prev := l.segs[i-1]
			reason := fmt.Sprintf("segment starts at %d but previous segment ends at %d", base, prev.next)
			if prev.next < rp {
				l.closeLoaded()
				return nil, &CorruptionError{Path: s.logPath, Position: 0, Offset: prev.next, Reason: reason + fmt.Sprintf(" below recovery point %d", rp)}
			}
			l.opts.Logger.Warn("storage: dropping segments after a gap", "path", s.logPath, "reason", reason)
			if err := l.truncateTail(bases[i:], prev, prev.size); err != nil {
				l.closeLoaded()
				return nil, err
			}
			break
		}
		bad, err := l.loadSegment(s, rp, &prevEpoch)
		if err != nil {
			l.closeLoaded()
			return nil, err
		}
		l.segs = append(l.segs, s)
		if bad >= 0 {
			l.opts.Logger.Warn("storage: truncating log at invalid data", "path", s.logPath, "position", bad, "offset", s.next)
			if err := l.truncateTail(bases[i+1:], s, bad); err != nil {
				l.closeLoaded()
				return nil, err
			}
			break
		}
	}
	a := l.active()
	if a.next < rp {
		// Synced data is missing from the end (lost files or a lying disk).
		err := &CorruptionError{Path: a.logPath, Position: a.size, Offset: a.next, Reason: fmt.Sprintf("log ends below recovery point %d", rp)}
		l.closeLoaded()
		return nil, err
	}
	// Indexes of non-active segments live in their files only.
	for _, s := range l.segs[:len(l.segs)-1] {
		if err := s.persistLoadedIndex(fs); err != nil {
			l.closeLoaded()
			return nil, err
		}
	}
	f, err := fs.OpenReadWrite(a.logPath)
	if err != nil {
		l.closeLoaded()
		return nil, ioErr("open", a.logPath, err)
	}
	a.w = newSharedFile(f)
	a.writebackFrom = a.size // recovery synced the rest
	if err := a.flushIndexes(fs); err != nil {
		l.closeLoaded()
		return nil, err
	}
	if !a.empty() {
		a.firstApp = opts.Clock.Now()
	}
	leo := a.next
	// Everything recovered is now verified; make it durable, with the index
	// entries for it and any index rewritten above, so the recovery point
	// can cover it.
	for _, s := range l.segs {
		if s.next > rp || s.w != nil {
			if err := l.syncSegment(s); err != nil {
				l.closeLoaded()
				return nil, err
			}
		}
		if s.next > rp || s.indexUnsynced {
			if err := s.syncIndexes(fs); err != nil {
				l.closeLoaded()
				return nil, err
			}
			s.indexUnsynced = false
		}
		s.synced = true
	}
	l.recoveryPoint, l.indexSyncedTo = leo, leo
	l.logStart = min(max(cp.logStart, l.segs[0].base), leo)
	l.hw = min(max(cp.highWatermark, l.logStart), leo)
	changed := l.epochs.truncateFromEnd(leo)
	changed = l.epochs.truncateFromStart(l.logStart) || changed
	if changed {
		if err := l.writeEpochsLocked(); err != nil {
			l.closeLoaded()
			return nil, err
		}
	}
	if err := l.openProducerState(); err != nil {
		l.closeLoaded()
		return nil, err
	}
	l.cp = cp
	if err := l.writeCheckpoint(); err != nil {
		l.closeLoaded()
		return nil, err
	}
	return l, nil
}

// openProducerState drops snapshots above the recovered LEO (durably,
// before anything can be appended there), then loads the newest valid
// snapshot and replays the batches after it.
func (l *Log) openProducerState() error {
	leo := l.leoLocked()
	offs, err := l.listSnapshots()
	if err != nil {
		return err
	}
	if len(offs) > 0 && offs[len(offs)-1] > leo {
		if err := l.removeSnapshotsAbove(leo); err != nil {
			return err
		}
		if err := l.fs.SyncDir(l.dir); err != nil {
			return ioErr("sync dir", l.dir, err)
		}
	}
	snap, n, err := l.loadProducerStateLocked()
	if err != nil {
		return err
	}
	l.opts.Logger.Info("storage: loaded producer state", "dir", l.dir, "snapshot", snap, "replayed_batches", n, "producers", len(l.producers.m))
	l.pruneSnapshotsLocked()
	return nil
}

func (l *Log) closeLoaded() {
	for _, s := range l.segs {
		if s.w != nil {
			_ = s.w.unref()
			s.w = nil
		}
		l.forgetFiles(s)
	}
}

func (l *Log) syncSegment(s *segment) error {
	if s.w != nil {
		return ioErr("sync", s.logPath, s.w.Sync())
	}
	f, err := l.fs.OpenReadWrite(s.logPath)
	if err != nil {
		return ioErr("open", s.logPath, err)
	}
	defer f.Close()
	return ioErr("sync", s.logPath, f.Sync())
}

// truncateTail removes the later segments (last first, so a crash midway
// leaves a prefix that recovery truncates the same way) and cuts s at pos.
func (l *Log) truncateTail(later []int64, s *segment, pos int64) error {
	for i := len(later) - 1; i >= 0; i-- {
		if err := l.removeSegmentFiles(newSegment(l.dir, later[i])); err != nil {
			return err
		}
	}
	f, err := l.fs.OpenReadWrite(s.logPath)
	if err != nil {
		return ioErr("open", s.logPath, err)
	}
	defer f.Close()
	if err := f.Truncate(pos); err != nil {
		return ioErr("truncate", s.logPath, err)
	}
	if err := f.Sync(); err != nil {
		return ioErr("sync", s.logPath, err)
	}
	s.indexesDirty = true
	return ioErr("sync dir", l.dir, l.fs.SyncDir(l.dir))
}

// removeSegmentFiles deletes a segment's files, the .log first so a crash
// leaves at worst orphan indexes (removed by Open). It returns the first
// failure other than a missing file.
func (l *Log) removeSegmentFiles(s *segment) error {
	l.forgetFiles(s)
	var first error
	for _, p := range []string{s.logPath, s.idxPath, s.tidxPath} {
		if err := l.fs.Remove(p); err != nil && !isNotExist(err) {
			l.opts.Logger.Warn("storage: remove failed", "path", p, "err", err)
			if first == nil {
				first = ioErr("remove", p, err)
			}
		}
	}
	return first
}

// loadSegment rebuilds s's in-memory state from its files, trusting index
// entries below the recovery point (durable: see Log.indexSyncedTo; the
// last one's frame is checked, and lookups check every entry they use) and
// verifying every frame from there on. It returns the position of the
// first invalid frame at or above rp (-1 if none); invalid data below rp
// is a *CorruptionError. On return s.idxN and s.tidxN count the leading
// entries the files already hold, and indexesDirty says whether the files
// differ from s.idx and s.tidx.
func (l *Log) loadSegment(s *segment, rp int64, prevEpoch *int32) (int64, error) {
	f, err := l.fs.Open(s.logPath)
	if err != nil {
		return -1, ioErr("open", s.logPath, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return -1, ioErr("stat", s.logPath, err)
	}
	idxImg, _, err := readWhole(l.fs, s.idxPath)
	if err != nil {
		return -1, err
	}
	tidxImg, _, err := readWhole(l.fs, s.tidxPath)
	if err != nil {
		return -1, err
	}
	fileIdx, idxOK := decodeIndex(idxImg, size)
	fileTidx, tidxOK := decodeTimeIndex(tidxImg)
	// Start from the last index entry below rp whose frame checks out.
	// Entries at or above rp may be garbage a crash left in unsynced index
	// pages; so may the frames they point at.
	start := -1
	for i := len(fileIdx) - 1; i >= 0; i-- {
		if s.base+int64(fileIdx[i].rel) >= rp {
			continue
		}
		sc := frameScanner{f: f, path: s.logPath, pos: int64(fileIdx[i].pos), end: size, chunk: 64 << 10}
		fh, _, bad, err := sc.next()
		if err != nil {
			return -1, err
		}
		if bad == "" && fh.baseOffset == s.base+int64(fileIdx[i].rel) {
			start = i
		}
		break
	}
	s.idx = make([]indexEntry, 0, len(fileIdx))
	s.tidx = make([]timeEntry, 0, len(fileTidx))
	s.size, s.next, s.sinceIndex = 0, s.base, 0
	if start >= 0 {
		tidx, ok := timeEntriesUpTo(fileIdx[:start+1], fileTidx)
		if ok && len(tidx) > 0 {
			e := fileIdx[start]
			s.idx = append(s.idx, fileIdx[:start+1]...)
			s.tidx = append(s.tidx, tidx...)
			s.size, s.next = int64(e.pos), s.base+int64(e.rel)
			s.maxTs = s.tidx[len(s.tidx)-1].ts
			s.lastIndexTs = s.maxTs
		}
		// Otherwise a time entry matches no offset entry, or the time index
		// lost the entries the offset index has (the first offset entry
		// always has a time entry): rebuild both from the segment start.
	}
	sc := frameScanner{f: f, path: s.logPath, pos: s.size, end: size}
	bad := int64(-1)
	for sc.pos < size {
		fh, _, reason, err := sc.next()
		if err != nil {
			return -1, err
		}
		if reason == "" {
			switch {
			case fh.baseOffset < s.next:
				reason = fmt.Sprintf("base offset %d below expected %d", fh.baseOffset, s.next)
			case fh.leaderEpoch < *prevEpoch:
				reason = fmt.Sprintf("leader epoch %d below previous %d", fh.leaderEpoch, *prevEpoch)
			case fh.lastOffset()-s.base > math.MaxUint32:
				reason = "offset too far from segment base"
			}
		}
		if reason != "" {
			if s.next < rp {
				return -1, &CorruptionError{Path: s.logPath, Position: sc.pos, Offset: s.next, Reason: reason + " below recovery point " + fmt.Sprint(rp)}
			}
			bad = sc.pos
			break
		}
		s.noteFrame(&fh, l.opts.IndexIntervalBytes)
		*prevEpoch = fh.leaderEpoch
		l.epochs.assign(fh.leaderEpoch, fh.baseOffset)
		sc.pos += fh.size()
	}
	s.idxN = commonPrefix(s.idx, fileIdx)
	s.tidxN = commonPrefix(s.tidx, fileTidx)
	s.indexesDirty = !idxOK || !tidxOK || s.idxN != len(s.idx) || s.idxN != len(fileIdx) ||
		s.tidxN != len(s.tidx) || s.tidxN != len(fileTidx)
	return bad, nil
}

// timeEntriesUpTo returns the time index entries up to idx's last offset,
// or false if one of them does not coincide with an offset index entry
// (each time entry is written with the offset entry at the same offset).
func timeEntriesUpTo(idx []indexEntry, tidx []timeEntry) ([]timeEntry, bool) {
	last, j := idx[len(idx)-1].rel, 0
	for n, t := range tidx {
		if t.rel > last {
			return tidx[:n], true
		}
		for j < len(idx) && idx[j].rel < t.rel {
			j++
		}
		if idx[j].rel != t.rel {
			return nil, false
		}
	}
	return tidx, true
}

func commonPrefix[E comparable](a, b []E) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// persistLoadedIndex writes the entries of a non-active segment's rebuilt
// index the files lack (in place, leaving the entries they already hold
// alone) and drops the in-memory copy.
func (s *segment) persistLoadedIndex(fs FS) error {
	if err := s.flushIndexes(fs); err != nil {
		return err
	}
	s.idxN, s.tidxN = len(s.idx), len(s.tidx)
	s.idx, s.tidx, s.indexesDirty = nil, nil, false
	return nil
}

// finishSwaps completes compaction swaps whose .log.swap exists (the commit
// point) and abandons the rest (.cleaned files, stray .swap indexes), and
// removes temporary checkpoint files.
func (l *Log) finishSwaps() error {
	names, err := l.fs.List(l.dir)
	if err != nil {
		return ioErr("list", l.dir, err)
	}
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	changed := false
	for _, n := range names {
		stem, ok := strings.CutSuffix(n, logSuffix+swapSuffix)
		if !ok {
			continue
		}
		for _, suf := range []string{indexSuffix, timeIndexSuffix} {
			final := joinPath(l.dir, stem+suf)
			if has[stem+suf+swapSuffix] {
				if err := l.fs.Rename(final+swapSuffix, final); err != nil {
					return ioErr("rename", final+swapSuffix, err)
				}
			} else if err := l.fs.Remove(final); err != nil && !isNotExist(err) {
				return ioErr("remove", final, err)
			}
		}
		final := joinPath(l.dir, stem+logSuffix)
		if err := l.fs.Rename(final+swapSuffix, final); err != nil {
			return ioErr("rename", final+swapSuffix, err)
		}
		changed = true
	}
	names, err = l.fs.List(l.dir)
	if err != nil {
		return ioErr("list", l.dir, err)
	}
	for _, n := range names {
		if strings.HasSuffix(n, cleanedSuffix) || strings.HasSuffix(n, swapSuffix) || strings.HasSuffix(n, tmpSuffix) {
			if err := l.fs.Remove(joinPath(l.dir, n)); err != nil && !isNotExist(err) {
				return ioErr("remove", n, err)
			}
			changed = true
		}
	}
	if changed {
		return ioErr("sync dir", l.dir, l.fs.SyncDir(l.dir))
	}
	return nil
}
