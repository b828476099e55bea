package storage

import (
	"errors"
	"math"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Log is one partition's log. All methods are safe for concurrent use.
type Log struct {
	dir   string
	fs    FS
	files *FileCache

	// truncMu is held shared by readers while they copy file bytes and
	// exclusively by TruncateTo and compaction swaps, so bytes being read
	// are never rewritten in place. Order: truncMu, compactMu, cpMu, syncMu, mu.
	truncMu sync.RWMutex
	// compactMu serializes Compact passes.
	compactMu sync.Mutex
	// cpMu serializes offsets-checkpoint writes so a stale snapshot never
	// overwrites a newer one, and keeps truncations (which take it) from
	// rewriting an index file while writeCheckpoint fsyncs them outside mu.
	cpMu sync.Mutex
	// syncMu serializes fsyncs: whoever holds it syncs for every append made
	// before it snapshotted the LEO (group commit).
	syncMu sync.Mutex

	// mu guards every field below and every mutable field of the segments.
	mu            sync.RWMutex
	opts          Options
	segs          []*segment // by base offset; the last is active
	logStart      int64
	hw            int64
	recoveryPoint int64 // every offset below is durable
	// indexSyncedTo: every offset and time index entry for an offset below
	// it is durable. Open trusts the index entries below the checkpointed
	// recovery point, so the checkpoint never names one above this;
	// writeCheckpoint fsyncs the index files to raise it.
	indexSyncedTo int64
	// indexSyncErr, once an index fsync failed, stops indexSyncedTo from
	// rising until the log is reopened: a later fsync can succeed although
	// the kernel dropped the unwritten pages.
	indexSyncErr  error
	epochs        epochCache
	closed        bool
	failed        error     // set when a failed write left unknown state
	unsyncedMsgs  int64     // records appended since the last sync
	unsyncedSince time.Time // clock time of the oldest unsynced append
	truncGen      uint64    // bumped by truncation: in-flight syncs must not advance the recovery point
	scratch       []byte    // frame assembly buffer for appends
	combiner      crcCombiner
	cp            offsetsState   // what offsets.checkpoint holds; offsetsUnknown after a failed write
	producers     producerStates // idempotent producers as of the LEO
	snapOffset    int64          // offset of the last producer snapshot written or loaded, -1 if none
	snapGen       uint64         // producers.gen when it was
}

// AppendResult describes an appended batch.
type AppendResult struct {
	BaseOffset    int64
	LastOffset    int64
	MaxTimestamp  int64
	LogAppendTime int64 // -1 unless the log uses LogAppendTime
	Records       int
	Bytes         int // stored RecordBatch bytes (without framing); 0 for a duplicate
	// Duplicate is true when AppendLeader recognized a retry of an
	// idempotent producer's batch that is already stored: nothing was
	// appended, and BaseOffset, LastOffset and MaxTimestamp (and
	// LogAppendTime, if the log uses LogAppendTime) are the stored batch's.
	Duplicate bool
}

// ReadResult is the outcome of Read.
type ReadResult struct {
	// Batches are stored RecordBatch bytes, sub-slices of one freshly
	// allocated buffer owned by the caller.
	Batches [][]byte
	// NextOffset follows the last returned batch (the requested offset if
	// none).
	NextOffset int64
	// Bytes is the sum of len(Batches[i]).
	Bytes int
	// SegmentBase and Position locate the first batch.
	SegmentBase, Position int64
	// Snapshot of the log's offsets at the time of the read.
	LogStartOffset, LogEndOffset, HighWatermark int64
}

func (l *Log) active() *segment { return l.segs[len(l.segs)-1] }

func (l *Log) leoLocked() int64 { return l.active().next }

func (l *Log) checkOpenLocked() error {
	if l.closed {
		return ErrClosed
	}
	return nil
}

func (l *Log) checkWritableLocked() error {
	if l.closed {
		return ErrClosed
	}
	if l.failed != nil {
		return l.failed
	}
	return nil
}

func (l *Log) fail(err error) error {
	if l.failed == nil {
		l.failed = errors.Join(ErrFailed, err)
		l.opts.Logger.Error("storage: log failed", "dir", l.dir, "err", err)
	}
	return l.failed
}

// Dir returns the log's directory.
func (l *Log) Dir() string { return l.dir }

// LogStartOffset returns the first readable offset.
func (l *Log) LogStartOffset() int64 { l.mu.RLock(); defer l.mu.RUnlock(); return l.logStart }

// LogEndOffset returns the offset the next append gets (LEO).
func (l *Log) LogEndOffset() int64 { l.mu.RLock(); defer l.mu.RUnlock(); return l.leoLocked() }

// HighWatermark returns the last value given to SetHighWatermark (clamped
// to the LEO).
func (l *Log) HighWatermark() int64 { l.mu.RLock(); defer l.mu.RUnlock(); return l.hw }

// RecoveryPoint returns the offset below which every batch is durable.
func (l *Log) RecoveryPoint() int64 { l.mu.RLock(); defer l.mu.RUnlock(); return l.recoveryPoint }

// NumSegments returns the number of segments, active one included.
func (l *Log) NumSegments() int { l.mu.RLock(); defer l.mu.RUnlock(); return len(l.segs) }

// Size returns the bytes of all segment .log files.
func (l *Log) Size() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var n int64
	for _, s := range l.segs {
		n += s.size
	}
	return n
}

// SetHighWatermark sets the HW; it must be within [log start, LEO]. It is
// checkpointed by Maintain and Close.
func (l *Log) SetHighWatermark(hw int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkOpenLocked(); err != nil {
		return err
	}
	if leo := l.leoLocked(); hw < l.logStart || hw > leo {
		return &OffsetOutOfRangeError{Offset: hw, Start: l.logStart, End: leo}
	}
	l.hw = hw
	return nil
}

// LatestEpoch returns the latest leader epoch in the log.
func (l *Log) LatestEpoch() (int32, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.epochs.latest()
	return e.epoch, ok
}

// EndOffsetForEpoch answers a follower's OffsetForLeaderEpoch (KIP-101,
// KIP-279): the largest epoch <= epoch known here and the offset where it
// ended (the start of the next epoch, or the LEO for the latest epoch).
// (-1, -1) if epoch is above the latest or the log has no epochs.
func (l *Log) EndOffsetForEpoch(epoch int32) (int32, int64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.epochs.endOffsetFor(epoch, l.leoLocked())
}

// SetOptions changes the configuration of an open log. FS and Files cannot
// change (they are ignored); the rest take effect at the next operation.
func (l *Log) SetOptions(opts Options) error {
	opts.FS, opts.Files = l.fs, l.files
	opts = opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkOpenLocked(); err != nil {
		return err
	}
	l.opts = opts
	return nil
}

// Options returns the options in effect.
func (l *Log) Options() Options { l.mu.RLock(); defer l.mu.RUnlock(); return l.opts }

// Close syncs, writes checkpoints and closes the log. Later calls of any
// method return ErrClosed.
func (l *Log) Close() error {
	err := l.Sync()
	if errors.Is(err, ErrClosed) {
		return err
	}
	cpErr := l.writeCheckpoint()
	l.truncMu.Lock()
	defer l.truncMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if l.failed == nil {
		// Best effort: without it, the next Open replays the batches
		// after the previous snapshot.
		if serr := l.writeProducerSnapshotLocked(); serr != nil {
			l.opts.Logger.Warn("storage: producer snapshot at close failed", "dir", l.dir, "err", serr)
		}
	}
	l.closed = true
	a := l.active()
	if ferr := a.flushIndexes(l.fs); err == nil {
		err = ferr
	}
	if a.w != nil {
		if cerr := a.w.unref(); err == nil {
			err = ioErr("close", a.logPath, cerr)
		}
		a.w = nil
	}
	for _, s := range l.segs {
		l.forgetFiles(s)
	}
	if err == nil {
		err = cpErr
	}
	return err
}

// Delete closes the log and removes its directory.
func (l *Log) Delete() error {
	if err := l.Close(); err != nil && !errors.Is(err, ErrClosed) {
		l.opts.Logger.Warn("storage: close before delete failed", "dir", l.dir, "err", err)
	}
	if err := l.fs.RemoveAll(l.dir); err != nil {
		return ioErr("remove", l.dir, err)
	}
	return nil
}

func (l *Log) forgetFiles(s *segment) {
	l.files.forget(l.fs, s.logPath)
	l.files.forget(l.fs, s.idxPath)
	l.files.forget(l.fs, s.tidxPath)
}

// offsetsUnknown is l.cp after a failed checkpoint write: the rename may
// have happened (only the directory fsync failed), so the file may hold the
// new state or the old one. It equals no real state, so the next write is
// never skipped as unchanged; otherwise a state that went back to the last
// one written successfully (TruncateTo lowering the recovery point again)
// would leave the failed write's higher recovery point on disk, above the
// end of the truncated log.
var offsetsUnknown = offsetsState{recoveryPoint: -1, highWatermark: -1, logStart: -1}

// writeCheckpoint persists the recovery point, HW and log start if they
// changed, after making the index entries below the recovery point durable
// (see indexSyncedTo).
func (l *Log) writeCheckpoint() error {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	var ierr error
	if l.recoveryPoint > l.indexSyncedTo && l.indexSyncErr == nil {
		ierr = l.syncIndexesLocked()
	}
	st := l.offsetsLocked()
	same := st == l.cp
	l.mu.Unlock()
	if same {
		return ierr
	}
	err := writeOffsets(l.fs, l.dir, st)
	l.mu.Lock()
	l.cp = st
	if err != nil {
		l.cp = offsetsUnknown
	}
	l.mu.Unlock()
	return errors.Join(ierr, err)
}

// writeCheckpointLocked is writeCheckpoint for callers holding cpMu and mu
// that only lower the recovery point (so need no index fsync).
func (l *Log) writeCheckpointLocked() error {
	st := l.offsetsLocked()
	if st == l.cp {
		return nil
	}
	if err := writeOffsets(l.fs, l.dir, st); err != nil {
		l.cp = offsetsUnknown
		return err
	}
	l.cp = st
	return nil
}

func (l *Log) offsetsLocked() offsetsState {
	return offsetsState{recoveryPoint: min(l.recoveryPoint, l.indexSyncedTo), highWatermark: l.hw, logStart: l.logStart}
}

// syncIndexesLocked raises indexSyncedTo to the LEO: it writes out the
// active segment's pending index entries and fsyncs every index file
// written since its last fsync (the active segment's, and those of
// segments rolled since). That is two small fsyncs per checkpoint, where
// fsyncing the indexes with every Sync would double the cost of each. mu
// is released during the fsyncs so appends continue; the caller holds
// cpMu, so no truncation rewrites an index meanwhile, and a roll that
// writes one again marks it unsynced again.
func (l *Log) syncIndexesLocked() error {
	leo := l.leoLocked()
	if err := l.active().flushIndexes(l.fs); err != nil {
		return err
	}
	var segs []*segment
	for _, s := range l.segs {
		if s.indexUnsynced {
			s.indexUnsynced = false
			segs = append(segs, s)
		}
	}
	l.mu.Unlock()
	var err error
	for _, s := range segs {
		if err = s.syncIndexes(l.fs); err != nil {
			break
		}
	}
	l.mu.Lock()
	if err != nil {
		l.indexSyncErr = err
		l.opts.Logger.Error("storage: index fsync failed; the checkpointed recovery point stays until reopened", "dir", l.dir, "err", err)
		return err
	}
	l.indexSyncedTo = max(l.indexSyncedTo, leo)
	return nil
}

func (l *Log) writeEpochsLocked() error {
	return writeCheckpointFile(l.fs, l.dir, epochCheckpoint, l.epochs.encode())
}

// segmentFor returns the index of the last segment with base <= offset
// (0 if none).
func (l *Log) segmentFor(offset int64) int {
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].base > offset }) - 1
	return max(i, 0)
}

// rollLocked makes a new empty active segment starting at the LEO.
func (l *Log) rollLocked() error {
	old := l.active()
	base := old.next
	if err := old.flushIndexes(l.fs); err != nil {
		return err
	}
	s := newSegment(l.dir, base)
	f, err := l.fs.Create(s.logPath)
	if err != nil {
		return ioErr("create", s.logPath, err)
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		f.Close()
		if rerr := l.fs.Remove(s.logPath); rerr != nil {
			// A stray segment file could later overlap the active one.
			return l.fail(ioErr("remove", s.logPath, rerr))
		}
		return ioErr("sync dir", l.dir, err)
	}
	s.w = newSharedFile(f)
	s.idx, s.tidx = []indexEntry{}, []timeEntry{}
	old.idx, old.tidx = nil, nil
	if old.w != nil {
		_ = old.w.unref()
		old.w = nil
	}
	old.synced = old.next <= l.recoveryPoint
	l.segs = append(l.segs, s)
	// Snapshots at segment boundaries bound what Open and truncation
	// replay. Best effort: a missing one only means a longer replay.
	if err := l.writeProducerSnapshotLocked(); err != nil {
		l.opts.Logger.Warn("storage: producer snapshot failed", "dir", l.dir, "offset", base, "err", err)
	}
	return nil
}

// shouldRollLocked decides whether an append of frameLen bytes ending at
// lastOffset must go to a new segment.
func (l *Log) shouldRollLocked(frameLen int, lastOffset int64, now time.Time) bool {
	a := l.active()
	if a.empty() {
		return false
	}
	return a.size+int64(frameLen) > l.opts.SegmentBytes ||
		a.indexFull(l.opts.MaxIndexBytes) ||
		lastOffset-a.base > math.MaxUint32 ||
		(l.opts.SegmentAge > 0 && now.Sub(a.firstApp) >= l.opts.SegmentAge)
}

func joinPath(dir, name string) string { return filepath.Join(dir, name) }
