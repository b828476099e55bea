package storage

import "time"

// AppendLeader validates a producer's serialized RecordBatch, assigns it
// offsets from the LEO, stamps leaderEpoch (and timestamps, see package
// doc), and appends it to the active segment. The batch is in the page
// cache when AppendLeader returns; it is durable after Sync/SyncTo (or the
// flush policy) covers it.
//
// A batch with a producer id > 0 is checked against that producer's state
// first (see "Idempotent producers" in the package doc): a retry of one of
// its last five batches returns the stored batch's offsets with
// Duplicate set and appends nothing; a stale epoch is a
// *ProducerFencedError, a sequence gap an *OutOfOrderSequenceError, and a
// producer without state continuing a sequence an *UnknownProducerIDError.
func (l *Log) AppendLeader(batch []byte, leaderEpoch int32) (AppendResult, error) {
	l.mu.RLock()
	maxBytes, tsType := l.opts.MaxBatchBytes, l.opts.TimestampType
	leo := int64(-1)
	if !l.closed {
		leo = l.leoLocked()
	}
	l.mu.RUnlock()
	if len(batch) > maxBytes {
		e := invalidf(-1, "batch of %d bytes exceeds max %d", len(batch), maxBytes)
		e.tooBig, e.Offset = true, leo
		return AppendResult{}, e
	}
	h, payload, err := ParseBatchHeader(batch)
	if err == nil && h.TimestampType == LogAppendTime {
		err = invalidf(-1, "producer batch claims log append time")
	}
	if err == nil {
		_, err = validateBatch(&h, payload, true, maxUncompressedBytes)
	}
	if err != nil {
		if ib, ok := err.(*InvalidBatchError); ok {
			ib.Offset = leo
		}
		return AppendResult{}, err
	}
	if isIdempotent(&h) && (h.ProducerEpoch < 0 || h.BaseSequence < 0) {
		e := invalidf(-1, "producer %d with epoch %d and base sequence %d", h.ProducerID, h.ProducerEpoch, h.BaseSequence)
		e.Offset = leo
		return AppendResult{}, e
	}
	info := batchInfo{count: h.RecordCount}

	l.mu.Lock()
	res, wb, err := l.appendLeaderLocked(&h, payload, leaderEpoch, tsType, info)
	flushing := l.opts.FlushMessages > 0
	flush := err == nil && flushing && l.unsyncedMsgs >= l.opts.FlushMessages
	l.mu.Unlock()
	wb.run()
	if err != nil {
		return res, err
	}
	if res.Duplicate && flushing {
		// The original append may still be syncing: a retry is not
		// acknowledged before the original would have been.
		return res, l.SyncTo(res.LastOffset + 1)
	}
	if flush {
		if err := l.Sync(); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (l *Log) appendLeaderLocked(h *BatchHeader, payload []byte, epoch int32, tsType TimestampType, info batchInfo) (AppendResult, writeback, error) {
	if err := l.checkWritableLocked(); err != nil {
		return AppendResult{}, writeback{}, err
	}
	leo := l.leoLocked()
	res := AppendResult{BaseOffset: leo, LogAppendTime: -1}
	if latest, ok := l.epochs.latest(); ok && epoch < latest.epoch {
		return res, writeback{}, &StaleEpochError{Epoch: epoch, Latest: latest.epoch, Offset: leo}
	}
	if isIdempotent(h) {
		dup, isDup, err := l.producers.check(h)
		if err != nil {
			return res, writeback{}, err
		}
		if isDup {
			res = AppendResult{
				BaseOffset: dup.firstOffset, LastOffset: dup.lastOffset, MaxTimestamp: dup.maxTimestamp,
				LogAppendTime: -1, Records: int(info.count), Duplicate: true,
			}
			if tsType == LogAppendTime {
				res.LogAppendTime = dup.maxTimestamp
			}
			return res, writeback{}, nil
		}
	}
	nowT := l.opts.Clock.Now()
	now := nowT.UnixMilli()
	h.BaseOffset, h.LeaderEpoch = leo, epoch
	if h.FirstTimestamp == 0 && h.MaxTimestamp == 0 {
		h.FirstTimestamp, h.MaxTimestamp = now, now
	}
	if tsType == LogAppendTime {
		h.MaxTimestamp, h.TimestampType = now, LogAppendTime
		res.LogAppendTime = now
	}
	frame := append(l.scratch[:0], make([]byte, frameHeaderSize)...)
	frame = AppendBatchHeader(frame, h)
	frame = AppendPayload(frame, h.Compressed, payload)
	l.scratch = frame[:0]
	wb, err := l.appendFrameLocked(frame, h, info.count, len(payload), nowT)
	if err != nil {
		return res, writeback{}, err
	}
	l.producers.apply(h, now)
	res.LastOffset = h.LastOffset()
	res.MaxTimestamp = h.MaxTimestamp
	res.Records = int(info.count)
	res.Bytes = len(frame) - frameHeaderSize
	return res, wb, nil
}

// AppendReplica appends a batch fetched from the leader, which already
// carries its offsets, epoch and crc. The base offset must equal the LEO;
// the crc, counts and offset deltas are verified; the bytes are stored
// verbatim.
func (l *Log) AppendReplica(batch []byte) (AppendResult, error) {
	l.mu.RLock()
	maxBytes := l.opts.MaxBatchBytes
	l.mu.RUnlock()
	if len(batch) > maxBytes {
		e := invalidf(-1, "batch of %d bytes exceeds max %d", len(batch), maxBytes)
		e.tooBig = true
		return AppendResult{}, e
	}
	h, payload, err := ParseBatchHeader(batch)
	if err != nil {
		return AppendResult{}, err
	}
	if !h.HasCRC {
		return AppendResult{}, invalidf(-1, "replica batch at offset %d has no crc", h.BaseOffset)
	}
	orig := h
	info, err := validateBatch(&h, payload, false, maxUncompressedBytes)
	if err != nil {
		if ib, ok := err.(*InvalidBatchError); ok {
			ib.Offset = orig.BaseOffset
		}
		return AppendResult{}, err
	}
	if orig.RecordCount != h.RecordCount || orig.LastOffsetDelta != h.LastOffsetDelta {
		return AppendResult{}, &InvalidBatchError{Offset: h.BaseOffset, Record: -1, Reason: "replica batch lacks record count or last offset delta"}
	}

	l.mu.Lock()
	res, wb, err := l.appendReplicaLocked(batch, &h, payload, info)
	flush := err == nil && l.opts.FlushMessages > 0 && l.unsyncedMsgs >= l.opts.FlushMessages
	l.mu.Unlock()
	wb.run()
	if err != nil {
		return res, err
	}
	if flush {
		if err := l.Sync(); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (l *Log) appendReplicaLocked(batch []byte, h *BatchHeader, payload []byte, info batchInfo) (AppendResult, writeback, error) {
	if err := l.checkWritableLocked(); err != nil {
		return AppendResult{}, writeback{}, err
	}
	leo := l.leoLocked()
	if h.BaseOffset != leo {
		return AppendResult{}, writeback{}, &UnexpectedOffsetError{Got: h.BaseOffset, Want: leo}
	}
	if latest, ok := l.epochs.latest(); ok && h.LeaderEpoch < latest.epoch {
		return AppendResult{}, writeback{}, &StaleEpochError{Epoch: h.LeaderEpoch, Latest: latest.epoch, Offset: leo}
	}
	frame := append(l.scratch[:0], make([]byte, frameHeaderSize)...)
	frame = append(frame, batch...)
	l.scratch = frame[:0]
	// The leader writes the payload last; use its CRC if that holds.
	tailLen := -1
	if len(payload) > 0 && &payload[len(payload)-1] == &batch[len(batch)-1] {
		tailLen = len(payload)
	}
	now := l.opts.Clock.Now()
	wb, err := l.appendFrameLocked(frame, h, info.count, tailLen, now)
	if err != nil {
		return AppendResult{}, writeback{}, err
	}
	// Followers keep producer state too, so a new leader has it.
	l.producers.apply(h, now.UnixMilli())
	res := AppendResult{
		BaseOffset: h.BaseOffset, LastOffset: h.LastOffset(), MaxTimestamp: h.MaxTimestamp,
		LogAppendTime: -1, Records: int(info.count), Bytes: len(batch),
	}
	if h.TimestampType == LogAppendTime {
		res.LogAppendTime = h.MaxTimestamp
	}
	return res, wb, nil
}

// appendFrameLocked writes frame (header space + batch bytes) at the end of
// the active segment, rolling first if needed. If tailLen >= 0 the frame
// ends with a payload of that length whose CRC is h.CRC. The caller runs
// the returned writeback once it has released l.mu.
func (l *Log) appendFrameLocked(frame []byte, h *BatchHeader, count int32, tailLen int, now time.Time) (writeback, error) {
	if l.shouldRollLocked(len(frame), h.LastOffset(), now) {
		if err := l.rollLocked(); err != nil {
			return writeback{}, err
		}
	}
	a := l.active()
	// A new epoch is checkpointed before its first batch is written, so a
	// failed checkpoint leaves nothing behind; an entry whose batch never
	// landed is dropped again (and by Open, which truncates epochs at the
	// LEO).
	newEpoch := l.epochs.assign(h.LeaderEpoch, h.BaseOffset)
	if newEpoch {
		if err := l.writeEpochsLocked(); err != nil {
			l.epochs.truncateFromEnd(h.BaseOffset)
			return writeback{}, err
		}
	}
	if tailLen >= 0 {
		putFrameHeaderTail(frame, h.BaseOffset, h.LastOffsetDelta, h.MaxTimestamp, h.LeaderEpoch, h.CRC, tailLen, &l.combiner)
	} else {
		putFrameHeader(frame, h.BaseOffset, h.LastOffsetDelta, h.MaxTimestamp, h.LeaderEpoch)
	}
	if _, err := a.w.WriteAt(frame, a.size); err != nil {
		if newEpoch {
			l.epochs.truncateFromEnd(h.BaseOffset)
		}
		// Cut off whatever part of the frame landed; if even that fails
		// the file's tail is unknown and recovery must sort it out.
		if terr := a.w.Truncate(a.size); terr != nil {
			return writeback{}, l.fail(ioErr("write", a.logPath, err))
		}
		return writeback{}, ioErr("write", a.logPath, err)
	}
	fh := frameHeader{length: uint32(len(frame) - 4), baseOffset: h.BaseOffset, lastOffsetDelta: h.LastOffsetDelta, maxTimestamp: h.MaxTimestamp, leaderEpoch: h.LeaderEpoch}
	if a.empty() {
		a.firstApp = now
	}
	a.noteFrame(&fh, l.opts.IndexIntervalBytes)
	if l.unsyncedMsgs == 0 {
		l.unsyncedSince = now
	}
	l.unsyncedMsgs += int64(count)
	return a.takeWriteback(l.opts.WritebackBytes), nil
}
