package fjord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc"
)

// The idempotent producer (Kafka's, with KIP-360's epoch bumps).
//
// The producer gets an id and epoch from InitProducerId when it first has a
// batch to send. Each partition numbers its records: a batch is stamped,
// when first sent, with the id, the epoch and the sequence number of its
// first record, and keeps that stamp through every retry, so the broker,
// which remembers the last five batches of each producer per partition,
// answers a retry of a batch it has with the original offsets instead of
// appending it again. That makes every retriable failure safe to retry,
// indefinite ones included.
//
// Order: per partition, at most maxIdempotentInFlight batches are in
// flight. A batch that fails is queued again in its place; it is sent
// again only when nothing of its partition is in flight, alone, and the
// batches after it follow one at a time (a batch sent after one that
// failed fails with OUT_OF_ORDER_SEQUENCE_NUMBER unless the failed one was
// written after all; either way it is sent again, and the broker drops it
// if it has it). Outcomes are promised in order: a batch acknowledged while
// an earlier one is unresolved waits for it (done, in unacked).
//
// Sequence restarts: when the first unresolved batch of a partition fails
// with OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID, the broker's
// sequence for the producer does not lead to it: a batch before it failed
// for good without being written (a gap), or the broker lost the
// producer's state for the partition (it expired, or an unclean election
// made a replica without it leader). The partition's sequence restarts: the
// producer bumps its epoch (InitProducerId with its id and epoch) and, once
// nothing of the partition is in flight, stamps its unresolved batches
// again under the new epoch from sequence 0 (rewrite). After a gap none of
// them can have been written (the broker takes a sequence number only after
// the one before it); after a state loss, one whose earlier attempt had an
// unknown outcome may have been, and is then written twice: such records
// are reported to OnPossibleDuplicates. A batch that fails for good does
// not restart anything by itself: if it was not written, the next batch
// finds the gap; if it was, the next batch follows it. A bump moves every
// partition to the new epoch, but a partition that lost nothing first
// finishes its batches already stamped with the old epoch (the broker still
// knows it there), then starts the new epoch's sequence at 0.
//
// Fencing: INVALID_PRODUCER_EPOCH means a newer epoch of the producer id
// wrote to the partition: another producer took the id over. The producer
// becomes unusable (fatal): every batch it holds and every later record
// fails with ErrProducerFenced.

// maxIdempotentInFlight caps an idempotent producer's in-flight batches per
// partition: the broker recognizes retries of a producer's last five
// batches.
const maxIdempotentInFlight = 5

// addSeq returns the sequence number n records after s, wrapping from
// MaxInt32 to 0 as the broker does.
func addSeq(s int32, n int) int32 {
	return int32((int64(s) + int64(n)) % (math.MaxInt32 + 1))
}

// sendableIdempotent reports whether b, the first queued batch of pp (an
// idempotent producer's partition), may be sent now, and first moves pp to
// the producer's current epoch when it may. It returns records stamped
// again under a new epoch after an attempt with an unknown outcome.
func (s *sender) sendableIdempotent(pp *producerPart, b *producerBatch) (bool, []*Record) {
	p := s.p
	if p.fatal != nil {
		return false, nil
	}
	if p.pid == (producerID{}) {
		p.wakeIDLocked()
		return false, nil
	}
	var risky []*Record
	if pp.pid != p.pid && pp.inflight == 0 && (pp.rewrite || len(pp.unacked) == 0) {
		risky = p.restartSequenceLocked(pp)
	}
	switch {
	case pp.rewrite:
		// Waiting for the new epoch, or for the batches in flight.
		return false, risky
	case b.sent:
		// A retry goes alone, once every earlier batch is resolved: it is
		// the first unresolved one then.
		return pp.inflight == 0, risky
	}
	// A new batch: behind batches of an older epoch, a retry or a full
	// window, or batches in flight to a former leader, it waits.
	return pp.pid == p.pid && !pp.probing && pp.inflight < maxIdempotentInFlight &&
		(pp.inflight == 0 || pp.sentTo == s.broker), risky
}

// stampLocked gives b, about to be sent for the first time, pp's next
// sequence numbers.
func (p *Producer) stampLocked(pp *producerPart, b *producerBatch) {
	b.stamp = stamp{pp.pid, pp.seq}
	pp.seq = addSeq(pp.seq, len(b.recs))
	pp.unacked = append(pp.unacked, b)
}

// restartSequenceLocked moves pp to the producer's current id and epoch
// with sequence 0, and stamps its unresolved batches again from there (none
// is in flight). It returns the records of those whose outcome was unknown
// on an earlier attempt: they may be written twice.
func (p *Producer) restartSequenceLocked(pp *producerPart) []*Record {
	pp.pid, pp.seq, pp.rewrite = p.pid, 0, false
	var risky []*Record
	for _, b := range pp.unacked {
		if b.done {
			continue
		}
		b.stamp = stamp{pp.pid, pp.seq}
		pp.seq = addSeq(pp.seq, len(b.recs))
		b.encoded = nil // encoded again with the new stamp
		if b.maybeWritten != nil {
			for _, r := range b.recs {
				risky = append(risky, r.r)
			}
		}
	}
	return risky
}

// possibleDuplicates reports records stamped again after an attempt with
// an unknown outcome.
func (p *Producer) possibleDuplicates(recs []*Record) {
	if len(recs) > 0 && p.cfg.onPossibleDups != nil {
		p.cfg.onPossibleDups(recs)
	}
}

// failedIdempotent is failed for an idempotent producer: every retriable
// failure is retried, indefinite ones included, and sequence errors
// restart the partition's sequence or wait for an earlier batch.
func (p *Producer) failedIdempotent(b *producerBatch, err error, hint leaderHint) {
	var fe *Error
	retriable := errors.As(err, &fe) && fe.Retriable
	if b.maybeWritten == nil && IsIndefinite(err) {
		b.maybeWritten = err
	}
	seqErr := errors.Is(err, ErrOutOfOrderSequenceNumber) || errors.Is(err, ErrUnknownProducerID)
	if seqErr {
		b.seqErrs++
	}
	p.mu.Lock()
	pp := p.parts[b.tp]
	p.rerouteLocked(pp, err, hint)
	backoff := p.cfg.backoff(b.attempts)
	if fe != nil {
		backoff = max(backoff, fe.RetryAfter)
	}
	if d, ok := throttleDelay(b, err); ok {
		backoff = d
	}
	var final error
	switch {
	case p.fatal != nil:
		final = p.fatal
	case errors.Is(err, ErrInvalidProducerEpoch):
		final = p.fenceLocked(err)
	case seqErr:
		if len(pp.unacked) > 0 && pp.unacked[0] == b {
			// Nothing before b is missing: the broker lost the
			// partition's sequence.
			pp.rewrite = true
			p.bumpLocked(pp.pid)
		}
		// Otherwise an earlier batch is missing, and b goes after it. The
		// wait is for that batch or the new epoch, not a backoff.
		backoff = 0
	case errors.Is(err, ErrMessageTooLarge) && len(b.recs) > 1 && !p.stopped:
		p.splitLocked(pp, b)
		p.mu.Unlock()
		return
	case !retriable:
		final = err
	case p.cfg.maxRetries >= 0 && b.attempts-b.seqErrs-b.throttles > p.cfg.maxRetries:
		final = err
	}
	if final == nil {
		switch {
		case p.stopped:
			final = fmt.Errorf("%w: %w", ErrClosed, err)
		case time.Since(b.created)+backoff > p.cfg.deliveryTimeout:
			final = fmt.Errorf("%w: %w", ErrDeliveryTimeout, err)
		}
	}
	if final != nil {
		p.mu.Unlock()
		p.finish(b, final, nil, true)
		return
	}
	p.requeueLocked(pp, b, backoff)
	p.mu.Unlock()
}

// resolve records the outcome of a stamped batch, and promises, in order,
// the outcomes of pp's batches no unresolved earlier batch holds back. A
// batch that fails for good after an attempt with an unknown outcome fails
// indefinitely, whatever its last error. The sequence numbers of one that
// certainly was not written are handed out again if none were after them.
func (p *Producer) resolve(b *producerBatch, err error, resp *fjordv1.ProducePartitionResponse, inflight bool) {
	if err != nil && b.maybeWritten != nil && !IsIndefinite(err) {
		err = &maybeWrittenError{last: err, earlier: b.maybeWritten}
	}
	p.mu.Lock()
	pp := p.parts[b.tp]
	if pp == nil || !slices.Contains(pp.unacked, b) {
		p.mu.Unlock()
		p.deliver(b, err, resp, inflight)
		return
	}
	if inflight {
		p.landedLocked(pp)
	}
	b.done, b.doneErr, b.doneResp = true, err, resp
	if err != nil && !IsIndefinite(err) && pp.unacked[len(pp.unacked)-1] == b &&
		b.stamp.producerID == pp.pid && addSeq(b.stamp.baseSeq, len(b.recs)) == pp.seq {
		pp.seq = b.stamp.baseSeq
	}
	var out []*producerBatch
	for len(pp.unacked) > 0 && pp.unacked[0].done {
		out = append(out, pp.unacked[0])
		pp.unacked[0] = nil
		pp.unacked = pp.unacked[1:]
	}
	if len(pp.unacked) == 0 {
		pp.unacked = nil // let the backing array go
	}
	p.mu.Unlock()
	for _, x := range out {
		p.deliver(x, x.doneErr, x.doneResp, false)
	}
}

// takeAllLocked removes and returns, once the producer is fatally failed,
// the queued batches of every partition with nothing in flight (the others
// wait for their answers, so that outcomes stay in order).
func (p *Producer) takeAllLocked() []*producerBatch {
	if p.fatal == nil {
		return nil
	}
	var out []*producerBatch
	for _, pp := range p.parts {
		if pp.inflight == 0 && len(pp.ready) > 0 {
			out = append(out, pp.ready...)
			pp.ready = nil
		}
	}
	return out
}

// fenceLocked makes the producer fail every record from now on: another
// producer took its id over (err is the INVALID_PRODUCER_EPOCH).
func (p *Producer) fenceLocked(err error) error {
	if p.fatal == nil {
		p.fatal = fmt.Errorf("%w: %w", ErrProducerFenced, err)
		p.wakeAllLocked()
	}
	return p.fatal
}

// bumpLocked asks for a new epoch of from, if from is still current.
func (p *Producer) bumpLocked(from producerID) {
	if from == p.pid && from != (producerID{}) && p.fatal == nil && !p.stopped {
		p.bumpFrom = from
		p.wakeIDLocked()
	}
}

func (p *Producer) wakeIDLocked() {
	select {
	case p.idWake <- struct{}{}:
	default:
	}
}

// wakeAllLocked wakes whoever moves each partition's queued batches, and
// the metadata loop, which fails them all once the producer is fatally
// failed.
func (p *Producer) wakeAllLocked() {
	for _, pp := range p.parts {
		if len(pp.ready) > 0 {
			p.wakeLocked(pp)
		}
	}
	if p.fatal != nil && !p.stopped {
		select {
		case p.metaWake <- struct{}{}:
		default:
		}
	}
}

// idLoop gets the producer its id, and new epochs when partitions ask for
// them, from InitProducerId, retrying retriable failures with backoff. A
// failure that is not retriable is fatal for the producer.
func (p *Producer) idLoop() {
	defer p.wg.Done()
	for attempt := 1; ; {
		select {
		case <-p.idWake:
		case <-p.ctx.Done():
			return
		}
		p.mu.Lock()
		var req producerID
		need := false
		switch {
		case p.fatal != nil:
		case p.pid == (producerID{}):
			need = true
		case p.bumpFrom == p.pid:
			need, req = true, p.pid
		}
		p.mu.Unlock()
		if !need {
			continue
		}
		id, err := p.initProducerID(req)
		if p.ctx.Err() != nil {
			return
		}
		p.mu.Lock()
		switch {
		case err == nil:
			attempt = 1
			p.pid, p.bumpFrom = id, producerID{}
		case !IsRetriable(err):
			p.fatal = fmt.Errorf("%w: InitProducerId: %w (Idempotence(false) produces without it)", ErrIdempotence, err)
		}
		// Batches go now, fail, or, while no id comes, expire.
		p.wakeAllLocked()
		p.mu.Unlock()
		if err != nil && IsRetriable(err) {
			if sleepCtx(p.ctx, p.cfg.backoff(attempt)) != nil {
				return
			}
			attempt++
			p.mu.Lock()
			p.wakeIDLocked()
			p.mu.Unlock()
		}
	}
}

// initProducerID asks a broker, trying the next one while brokers cannot
// be reached, for a new producer id (req zero) or a new epoch of req.
func (p *Producer) initProducerID(req producerID) (producerID, error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.requestTimeout)
	defer cancel()
	var err error
	for _, addr := range p.c.candidates() {
		var cc *grpc.ClientConn
		if cc, err = p.c.conn(addr); err != nil {
			return producerID{}, err
		}
		var resp *fjordv1.InitProducerIdResponse
		resp, err = fjordv1.NewProduceServiceClient(cc).InitProducerId(ctx, &fjordv1.InitProducerIdRequest{ProducerId: req.id, ProducerEpoch: req.epoch})
		if err == nil {
			if resp.GetProducerId() <= 0 || resp.GetProducerEpoch() < 0 {
				return producerID{}, &Error{Reason: ReasonInternal, Message: fmt.Sprintf("InitProducerId gave producer id %d epoch %d", resp.GetProducerId(), resp.GetProducerEpoch()), Partition: -1}
			}
			return producerID{resp.GetProducerId(), resp.GetProducerEpoch()}, nil
		}
		// Not ctx: a timed out attempt is retriable.
		err = errorFromRPC(context.Background(), err, false)
		if ctx.Err() != nil || !errors.Is(err, ErrUnavailable) {
			return producerID{}, err
		}
	}
	return producerID{}, err
}
