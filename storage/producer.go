package storage

import (
	"math"
	"slices"
)

// maxProducerBatches is how many of a producer's latest batches are kept
// for duplicate detection: Kafka's limit on in-flight requests per
// connection for an idempotent producer, so every retry a well-behaved
// producer can send is recognized.
const maxProducerBatches = 5

// producerBatch is what duplicate detection needs of one stored batch.
type producerBatch struct {
	firstSeq, lastSeq       int32
	firstOffset, lastOffset int64
	maxTimestamp            int64
}

// producerEntry is one producer id's state (Kafka's ProducerStateEntry):
// its epoch and its latest batches in that epoch, oldest first. An entry
// always holds at least one batch.
type producerEntry struct {
	epoch int32
	// lastAppend is the log's clock (ms) when this replica appended or
	// replayed the producer's latest batch; expiry is measured from it.
	lastAppend int64
	n          int
	batches    [maxProducerBatches]producerBatch
}

func (e *producerEntry) newest() *producerBatch { return &e.batches[e.n-1] }

func (e *producerEntry) push(b producerBatch) {
	if e.n == maxProducerBatches {
		copy(e.batches[:], e.batches[1:])
		e.n--
	}
	e.batches[e.n] = b
	e.n++
}

// find returns the cached batch with exactly this sequence range.
func (e *producerEntry) find(firstSeq, lastSeq int32) (producerBatch, bool) {
	for _, b := range e.batches[:e.n] {
		if b.firstSeq == firstSeq && b.lastSeq == lastSeq {
			return b, true
		}
	}
	return producerBatch{}, false
}

// producerStates is a partition's idempotent-producer state (Kafka's
// ProducerStateManager) as of the log end offset. Guarded by the owning
// Log's mu.
type producerStates struct {
	m map[int64]*producerEntry
	// gen counts changes, so Close can skip rewriting an unchanged snapshot.
	gen uint64
}

// nextSeq is the sequence after s; sequences wrap from MaxInt32 to 0.
func nextSeq(s int32) int32 {
	if s == math.MaxInt32 {
		return 0
	}
	return s + 1
}

// lastSeqOf is the sequence of a batch's last record (base + last offset
// delta, wrapping past MaxInt32 to 0); base and delta are non-negative.
func lastSeqOf(base, lastOffsetDelta int32) int32 {
	return int32((int64(base) + int64(lastOffsetDelta)) % (math.MaxInt32 + 1))
}

// isIdempotent reports whether h carries producer state to track.
// Producer ids <= 0 mean "none" (0 in Fjord, -1 in Kafka clients).
func isIdempotent(h *BatchHeader) bool { return h.ProducerID > 0 }

// check validates a leader append of h (an idempotent batch whose
// LastOffsetDelta is final) against the state: a duplicate of a cached
// batch returns it (dup true); otherwise a nil error means h may be
// appended.
func (p *producerStates) check(h *BatchHeader) (producerBatch, bool, error) {
	pid, epoch, seq := h.ProducerID, h.ProducerEpoch, h.BaseSequence
	e := p.m[pid]
	switch {
	case e == nil:
		// Expired, never seen, or its batches were truncated or deleted
		// before this replica learned of them: only a fresh start is safe
		// to accept (the client bumps its epoch on this error).
		if seq != 0 {
			return producerBatch{}, false, &UnknownProducerIDError{ProducerID: pid, Epoch: epoch, Sequence: seq}
		}
		return producerBatch{}, false, nil
	case epoch < e.epoch:
		return producerBatch{}, false, &ProducerFencedError{ProducerID: pid, Epoch: epoch, CurrentEpoch: e.epoch}
	case epoch > e.epoch:
		if seq != 0 {
			return producerBatch{}, false, &OutOfOrderSequenceError{ProducerID: pid, Epoch: epoch, Expected: 0, Got: seq}
		}
		return producerBatch{}, false, nil
	}
	if b, ok := e.find(seq, lastSeqOf(seq, h.LastOffsetDelta)); ok {
		return b, true, nil
	}
	if want := nextSeq(e.newest().lastSeq); seq != want {
		return producerBatch{}, false, &OutOfOrderSequenceError{ProducerID: pid, Epoch: epoch, Expected: want, Got: seq}
	}
	return producerBatch{}, false, nil
}

// apply records that h was stored at [h.BaseOffset, h.LastOffset()] at
// clock time now (ms). It does not validate: leaders validate first,
// replicas and replay follow the log as written (a batch of another epoch,
// lower or higher, resets the producer to that epoch, as in Kafka).
// Batches with a negative base sequence are not tracked.
func (p *producerStates) apply(h *BatchHeader, now int64) {
	if !isIdempotent(h) || h.BaseSequence < 0 || h.LastOffsetDelta < 0 {
		return
	}
	if p.m == nil {
		p.m = make(map[int64]*producerEntry)
	}
	e := p.m[h.ProducerID]
	if e == nil {
		e = &producerEntry{epoch: h.ProducerEpoch}
		p.m[h.ProducerID] = e
	}
	if e.epoch != h.ProducerEpoch {
		e.epoch, e.n = h.ProducerEpoch, 0
	}
	e.push(producerBatch{
		firstSeq: h.BaseSequence, lastSeq: lastSeqOf(h.BaseSequence, h.LastOffsetDelta),
		firstOffset: h.BaseOffset, lastOffset: h.LastOffset(), maxTimestamp: h.MaxTimestamp,
	})
	e.lastAppend = now
	p.gen++
}

// expire removes producers whose last append is at or before cutoff (ms)
// and returns how many.
func (p *producerStates) expire(cutoff int64) int {
	n := 0
	for pid, e := range p.m {
		if e.lastAppend <= cutoff {
			delete(p.m, pid)
			n++
		}
	}
	if n > 0 {
		p.gen++
	}
	return n
}

// reachesOffset reports whether any producer's state includes a batch
// ending at or after offset (so truncating there changes the state).
func (p *producerStates) reachesOffset(offset int64) bool {
	for _, e := range p.m {
		if e.newest().lastOffset >= offset {
			return true
		}
	}
	return false
}

// lastOffsets maps each producer to the last offset of its latest batch
// (the batch compaction must keep).
func (p *producerStates) lastOffsets() map[int64]int64 {
	if len(p.m) == 0 {
		return nil
	}
	out := make(map[int64]int64, len(p.m))
	for pid, e := range p.m {
		out[pid] = e.newest().lastOffset
	}
	return out
}

func (p *producerStates) reset() {
	p.m = nil
	p.gen++
}

// sortedIDs returns the producer ids in increasing order.
func (p *producerStates) sortedIDs() []int64 {
	ids := make([]int64, 0, len(p.m))
	for pid := range p.m {
		ids = append(ids, pid)
	}
	slices.Sort(ids)
	return ids
}

// ProducerState returns an idempotent producer's current epoch and the
// sequence of its latest stored record; ok is false if the log has no
// state for producerID (never seen, expired, or lost with truncated or
// deleted data).
func (l *Log) ProducerState(producerID int64) (epoch int32, lastSeq int32, ok bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e := l.producers.m[producerID]
	if e == nil {
		return 0, 0, false
	}
	return e.epoch, e.newest().lastSeq, true
}

// NumProducers returns the number of idempotent producers with state.
func (l *Log) NumProducers() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.producers.m)
}
