package fjordfake

import (
	"context"
	"math"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// Idempotent producers, as the broker keeps them: per partition and
// producer id, the epoch and the last maxProducerBatches batches. A retry
// of one of them is answered with its original offsets and not appended
// again; a batch that does not continue the sequence fails with
// OUT_OF_ORDER_SEQUENCE_NUMBER, one of an older epoch with
// INVALID_PRODUCER_EPOCH, and one of a producer the partition does not
// know, unless it starts at sequence 0, with UNKNOWN_PRODUCER_ID. Nothing
// is appended on these errors.

// maxProducerBatches is how many batches per producer are remembered for
// duplicate detection (the broker's window).
const maxProducerBatches = 5

// maxProducerEpoch is the largest epoch before InitProducerId hands out a
// new producer id instead of bumping.
const maxProducerEpoch = math.MaxInt16

type producerState struct {
	epoch   int32
	batches []producerBatch // oldest first, at most maxProducerBatches
}

type producerBatch struct {
	firstSeq, lastSeq int32
	base, last        int64
}

// lastSeqOf is the sequence of a batch's last record, wrapping past
// MaxInt32 to 0.
func lastSeqOf(base int32, records int64) int32 {
	return int32((int64(base) + records - 1) % (math.MaxInt32 + 1))
}

// nextSeq is the sequence after s.
func nextSeq(s int32) int32 {
	if s == math.MaxInt32 {
		return 0
	}
	return s + 1
}

func (s *brokerServer) initProducerID(_ context.Context, req *fjordv1.InitProducerIdRequest) (*fjordv1.InitProducerIdResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if id := req.GetProducerId(); id > 0 && req.GetProducerEpoch() < maxProducerEpoch {
		return &fjordv1.InitProducerIdResponse{ProducerId: id, ProducerEpoch: req.GetProducerEpoch() + 1}, nil
	}
	c.nextPID++
	return &fjordv1.InitProducerIdResponse{ProducerId: c.nextPID}, nil
}

// checkProducerLocked validates an idempotent batch of n records against
// pt's producer state: a duplicate returns the original batch (dup true);
// a nil error otherwise means the batch may be appended.
func checkProducerLocked(pt *partition, pid int64, epoch, seq int32, n int64) (producerBatch, bool, *fjordv1.Error) {
	st := pt.producers[pid]
	switch {
	case st == nil:
		if seq != 0 {
			return producerBatch{}, false, perr("UNKNOWN_PRODUCER_ID", "producer %d unknown, base sequence %d", pid, seq)
		}
		return producerBatch{}, false, nil
	case epoch < st.epoch:
		return producerBatch{}, false, perr("INVALID_PRODUCER_EPOCH", "producer %d epoch %d is older than %d", pid, epoch, st.epoch)
	case epoch > st.epoch:
		if seq != 0 {
			return producerBatch{}, false, perr("OUT_OF_ORDER_SEQUENCE_NUMBER", "producer %d new epoch %d starts at %d, want 0", pid, epoch, seq)
		}
		return producerBatch{}, false, nil
	}
	last := lastSeqOf(seq, n)
	for _, b := range st.batches {
		if b.firstSeq == seq && b.lastSeq == last {
			return b, true, nil
		}
	}
	if want := nextSeq(st.batches[len(st.batches)-1].lastSeq); seq != want {
		return producerBatch{}, false, perr("OUT_OF_ORDER_SEQUENCE_NUMBER", "producer %d sequence %d, want %d", pid, seq, want)
	}
	return producerBatch{}, false, nil
}

// recordProducerLocked notes an appended idempotent batch.
func recordProducerLocked(pt *partition, pid int64, epoch int32, b producerBatch) {
	if pt.producers == nil {
		pt.producers = map[int64]*producerState{}
	}
	st := pt.producers[pid]
	if st == nil || st.epoch != epoch {
		st = &producerState{epoch: epoch}
		pt.producers[pid] = st
	}
	if len(st.batches) == maxProducerBatches {
		st.batches = append(st.batches[:0], st.batches[1:]...)
	}
	st.batches = append(st.batches, b)
}

// ForgetProducers drops a partition's idempotent producer state, as the
// broker does when a producer expires (producer.id.expiration) or its
// batches are deleted: the producer's next batch, unless it starts a new
// sequence at 0, fails with UNKNOWN_PRODUCER_ID.
func (c *Cluster) ForgetProducers(topicName string, p int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.topics[topicName]; ok && int(p) < len(t.parts) {
		t.parts[p].producers = nil
	}
}

// FenceProducers bumps the epoch of every producer every partition knows,
// as another producer instance with the same id would by writing with the
// epoch InitProducerId gave it: the current instances' batches then fail
// with INVALID_PRODUCER_EPOCH.
func (c *Cluster) FenceProducers() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.topics {
		for _, pt := range t.parts {
			for _, st := range pt.producers {
				st.epoch++
				st.batches = st.batches[len(st.batches)-1:]
			}
		}
	}
}

// SetProducerState makes a partition know producer id at epoch with its
// last record at sequence lastSeq (as if it had written it at the log end),
// so that tests can start a producer's sequence anywhere, e.g. just before
// it wraps from MaxInt32 to 0.
func (c *Cluster) SetProducerState(topicName string, p int32, id int64, epoch, lastSeq int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.topics[topicName]; ok && int(p) < len(t.parts) {
		pt := t.parts[p]
		if pt.producers == nil {
			pt.producers = map[int64]*producerState{}
		}
		pt.producers[id] = &producerState{epoch: epoch, batches: []producerBatch{{firstSeq: lastSeq, lastSeq: lastSeq, base: pt.leo - 1, last: pt.leo - 1}}}
	}
}

// InjectProduceErrorAfterAppend makes the next n produce attempts for a
// partition append their batches and then answer with reason, flagged
// indefinite (the batch is in the log), as a broker does when an acks=ALL
// wait times out (REQUEST_TIMED_OUT) or a response is lost.
func (c *Cluster) InjectProduceErrorAfterAppend(topicName string, p int32, reason string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := tpKey{topicName, p}
	for range n {
		c.postErrs[k] = append(c.postErrs[k], reason)
	}
}
