package fjord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/fjordlog/fjord/clients/go/fjordfake"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// idemHarness drives one partition's batches of an idempotent producer
// through collect, failed and finish by hand, with no broker: the producer
// id is set as if InitProducerId had answered, and the sender is registered
// but not running. Batch i holds i+1 records, so stamps show sequence
// arithmetic.
type idemHarness struct {
	*orderHarness
	dups [][]*Record // OnPossibleDuplicates calls
	// mu serializes promises: once fenced, the metadata loop fails queued
	// batches too.
	mu sync.Mutex
}

var harnessPID = producerID{id: 7}

func newIdemHarness(t *testing.T, n int) *idemHarness {
	t.Helper()
	c, err := NewClient(context.Background(), SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	h := &idemHarness{}
	p, err := NewProducer(c, RetryBackoff(func(int) time.Duration { return 0 }),
		OnPossibleDuplicates(func(recs []*Record) { h.dups = append(h.dups, recs) }))
	if err != nil {
		t.Fatal(err)
	}
	if !p.cfg.idempotence {
		t.Fatal("a producer is not idempotent by default")
	}
	h.orderHarness = &orderHarness{t: t, p: p, errs: map[int]error{}}
	t.Cleanup(func() {
		// Drop what a failed test left unresolved, so Close does not wait.
		p.mu.Lock()
		p.pending, p.buffered = 0, 0
		h.pp.ready, h.pp.unacked = nil, nil
		p.mu.Unlock()
		p.Close()
		c.Close()
	})
	tp := topicPartition{"t", 0}
	h.s = &sender{p: p, broker: 1, wake: make(chan struct{}, 1), slots: make(chan struct{}, 5)}
	h.pp = &producerPart{tp: tp, leader: 1}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pid = harnessPID
	p.senders[1] = h.s
	p.parts[tp] = h.pp
	for range n {
		h.add()
	}
	return h
}

// add queues one more batch (of len(batches)+1 records).
func (h *idemHarness) add() {
	i := len(h.batches)
	b := &producerBatch{tp: h.pp.tp, order: uint64(i), created: time.Now(), bytes: i + 1}
	for range i + 1 {
		b.recs = append(b.recs, promised{r: &Record{Topic: "t"}, size: 1, promise: func(_ *Record, err error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if _, seen := h.errs[i]; seen {
				return // one entry per batch
			}
			h.errs[i] = err
			if err == nil {
				h.log = append(h.log, fmt.Sprintf("B%d ok", i))
			} else {
				h.log = append(h.log, fmt.Sprintf("B%d %v", i, err))
			}
		}})
	}
	h.batches = append(h.batches, b)
	h.pp.ready = append(h.pp.ready, b)
	h.pp.nextOrder = uint64(i + 1)
	h.p.pending += i + 1
	h.p.buffered += i + 1
}

// wantStamp checks batch i's stamp.
func (h *idemHarness) wantStamp(i int, epoch, seq int32) {
	h.t.Helper()
	h.p.mu.Lock()
	got := h.batches[i].stamp
	h.p.mu.Unlock()
	if want := (stamp{producerID{harnessPID.id, epoch}, seq}); got != want {
		h.t.Fatalf("B%d stamped %+v, want %+v", i, got, want)
	}
}

// bumped completes an epoch bump as the id loop would, after checking that
// one was asked for.
func (h *idemHarness) bumped(epoch int32) {
	h.t.Helper()
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	if h.p.bumpFrom != h.p.pid {
		h.t.Fatalf("no bump of %+v asked for (bumpFrom %+v)", h.p.pid, h.p.bumpFrom)
	}
	h.p.pid, h.p.bumpFrom = producerID{harnessPID.id, epoch}, producerID{}
}

var (
	outOfOrder    = &Error{Reason: ReasonOutOfOrderSequenceNumber, Topic: "t"}
	unknownID     = &Error{Reason: ReasonUnknownProducerID, Topic: "t"}
	fencedEpoch   = &Error{Reason: ReasonInvalidProducerEpoch, Topic: "t"}
	invalidRecord = &Error{Reason: ReasonInvalidRecord, Topic: "t"}
	// A response lost: the stream broke, or the acks=ALL wait timed out.
	// (Not UNAVAILABLE, which would send the partition to the metadata
	// loop for a leader, away from the harness.)
	streamDropped = &Error{Reason: ReasonRequestTimedOut, Retriable: true, Indefinite: true, Partition: -1}
	maxSeq        = int32(math.MaxInt32)
)

func TestAddSeqWraps(t *testing.T) {
	for _, c := range []struct {
		s    int32
		n    int
		want int32
	}{
		{0, 1, 1},
		{5, 3, 8},
		{maxSeq, 1, 0},
		{maxSeq - 2, 5, 2},
		{maxSeq, 0, maxSeq},
	} {
		if got := addSeq(c.s, c.n); got != c.want {
			t.Errorf("addSeq(%d, %d) = %d, want %d", c.s, c.n, got, c.want)
		}
	}
}

// Batches are stamped in order when first sent, with consecutive sequence
// numbers; at most five are in flight.
func TestIdempotentStampsAndWindow(t *testing.T) {
	h := newIdemHarness(t, 7)
	for i := range 5 {
		h.send(i)
	}
	h.send(-1) // five in flight: the window is full
	h.ok(0)
	h.send(5)
	for i, seq := range []int32{0, 1, 3, 6, 10, 15} {
		h.wantStamp(i, 0, seq)
	}
	for i := 1; i <= 5; i++ {
		h.ok(i)
	}
	h.send(6)
	h.wantStamp(6, 0, 21)
	h.ok(6)
	h.wantLog("B0 ok", "B1 ok", "B2 ok", "B3 ok", "B4 ok", "B5 ok", "B6 ok")
}

// An indefinite failure is retried with the same stamp, before the later
// batches, which follow one at a time; a later batch acknowledged while an
// earlier one is unresolved has its promise wait, so promises stay in order.
func TestIdempotentRetryKeepsStampAndOrder(t *testing.T) {
	h := newIdemHarness(t, 4)
	h.send(0)
	h.send(1)
	h.send(2)
	h.fail(0, streamDropped) // the stream broke: all three are unresolved
	h.fail(1, streamDropped)
	h.ok(2) // say its response came from elsewhere: it waits for B0 and B1
	h.wantLog()
	h.send(0) // the retry goes alone
	h.send(-1)
	h.ok(0)
	h.wantLog("B0 ok")
	h.send(1)
	h.send(-1)
	h.ok(1)
	h.wantLog("B0 ok", "B1 ok", "B2 ok")
	h.send(3) // pipelining resumes
	h.ok(3)
	for i, seq := range []int32{0, 1, 3, 6} {
		h.wantStamp(i, 0, seq)
	}
	if len(h.dups) != 0 {
		t.Fatalf("possible duplicates reported: %v", h.dups)
	}
}

// A batch sent after one that failed gets OUT_OF_ORDER_SEQUENCE_NUMBER
// (the broker is missing the earlier one): it waits for the earlier one
// and goes again with its stamp; nothing restarts.
func TestIdempotentOutOfOrderBehindRetryWaits(t *testing.T) {
	h := newIdemHarness(t, 2)
	h.send(0)
	h.send(1)
	h.fail(0, definite)
	h.fail(1, outOfOrder)
	h.send(0)
	h.ok(0)
	h.send(1)
	h.ok(1)
	h.wantLog("B0 ok", "B1 ok")
	h.wantStamp(1, 0, 1)
	if h.p.bumpFrom != (producerID{}) {
		t.Fatalf("bump asked for: %+v", h.p.bumpFrom)
	}
}

// UNKNOWN_PRODUCER_ID for the first unresolved batch: the broker lost the
// producer. The epoch is bumped, and the unresolved batches restart at
// sequence 0 under it once nothing is in flight. Records whose earlier
// attempt had an unknown outcome are reported as possible duplicates.
func TestIdempotentStateLossRestartsSequence(t *testing.T) {
	h := newIdemHarness(t, 4)
	h.send(0)
	h.send(1)
	h.send(2)
	h.ok(0)
	h.fail(1, streamDropped)
	h.fail(2, streamDropped)
	h.send(1)
	h.fail(1, unknownID)
	h.send(-1) // waiting for the new epoch
	h.bumped(1)
	h.send(1)
	h.wantStamp(1, 1, 0)
	h.wantStamp(2, 1, 2)
	if len(h.dups) != 1 || len(h.dups[0]) != 2+3 {
		t.Fatalf("possible duplicates %v, want one call with B1's and B2's five records", h.dups)
	}
	h.ok(1)
	h.send(2)
	h.ok(2)
	h.send(3)
	h.wantStamp(3, 1, 5)
	h.ok(3)
	h.wantLog("B0 ok", "B1 ok", "B2 ok", "B3 ok")
}

// A batch that fails for good leaves a gap when batches after it were
// stamped: the next one gets OUT_OF_ORDER_SEQUENCE_NUMBER as the first
// unresolved batch and restarts the sequence; it was never written, so no
// duplicate is possible and none is reported.
func TestIdempotentGapAfterFailedBatch(t *testing.T) {
	h := newIdemHarness(t, 2)
	h.send(0)
	h.send(1)
	h.fail(0, invalidRecord)
	h.wantLog("B0 " + invalidRecord.Error())
	if IsIndefinite(h.errs[0]) {
		t.Fatalf("B0 failed indefinitely: %v", h.errs[0])
	}
	h.fail(1, outOfOrder)
	h.bumped(1)
	h.send(1)
	h.wantStamp(1, 1, 0)
	h.ok(1)
	h.wantLog("B0 "+invalidRecord.Error(), "B1 ok")
	if len(h.dups) != 0 {
		t.Fatalf("possible duplicates reported: %v", h.dups)
	}
}

// The sequence numbers of a batch that certainly was not written, with
// none handed out after it, go to the next batch: no gap, no bump.
func TestIdempotentFailedLastBatchReusesSequence(t *testing.T) {
	h := newIdemHarness(t, 2)
	h.send(0)
	h.fail(0, invalidRecord)
	h.send(1)
	h.wantStamp(1, 0, 0)
	h.ok(1)
	if h.p.bumpFrom != (producerID{}) {
		t.Fatalf("bump asked for: %+v", h.p.bumpFrom)
	}
}

// A batch that fails for good after an attempt with an unknown outcome
// fails indefinitely, whatever its last error.
func TestIdempotentFinalFailureAfterUnknownOutcomeIsIndefinite(t *testing.T) {
	h := newIdemHarness(t, 1)
	h.p.cfg.maxRetries = 1
	h.send(0)
	h.fail(0, streamDropped)
	h.send(0)
	h.fail(0, &Error{Reason: ReasonNotEnoughReplicas, Retriable: true, Topic: "t"})
	err := h.errs[0]
	if err == nil || !IsIndefinite(err) || !errors.Is(err, ErrNotEnoughReplicas) || !errors.Is(err, ErrRequestTimedOut) {
		t.Fatalf("B0 failed with %v, want an indefinite failure naming both attempts", err)
	}
}

// After a bump asked for by another partition, a partition with a batch of
// the old epoch in flight finishes it (retries included) under the old
// epoch, where the broker still knows it, and only then starts the new
// epoch at sequence 0.
func TestIdempotentOldEpochFinishesFirst(t *testing.T) {
	h := newIdemHarness(t, 2)
	h.send(0)
	h.p.mu.Lock()
	h.p.pid = producerID{harnessPID.id, 1}
	h.p.mu.Unlock()
	h.send(-1) // B1 waits: B0 of epoch 0 is unresolved
	h.fail(0, streamDropped)
	h.send(0)
	h.wantStamp(0, 0, 0)
	h.send(-1)
	h.ok(0)
	h.send(1)
	h.wantStamp(1, 1, 0)
	h.ok(1)
	h.wantLog("B0 ok", "B1 ok")
	if len(h.dups) != 0 {
		t.Fatalf("possible duplicates reported: %v", h.dups)
	}
}

// INVALID_PRODUCER_EPOCH fences the producer: the batch fails definitely
// with ErrProducerFenced, so do the queued ones once nothing is in flight,
// and every later Produce.
func TestIdempotentFencing(t *testing.T) {
	h := newIdemHarness(t, 3)
	h.send(0)
	h.send(1)
	h.fail(0, fencedEpoch)
	h.send(-1)
	h.fail(1, streamDropped) // in flight when fenced: fails with it, indefinitely
	h.send(-1)               // this collect, or the metadata loop, fails the queued B2
	if err := h.p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		err := h.errs[i]
		if !errors.Is(err, ErrProducerFenced) || !errors.Is(err, ErrInvalidProducerEpoch) || IsIndefinite(err) != (i == 1) {
			t.Fatalf("B%d failed with %v (indefinite %v)", i, err, IsIndefinite(err))
		}
	}
	var late error
	h.p.Produce(context.Background(), &Record{Topic: "t"}, func(_ *Record, err error) { late = err })
	if !errors.Is(late, ErrProducerFenced) {
		t.Fatalf("Produce after fencing: %v", late)
	}
}

// A split batch's halves share its sequence numbers.
func TestIdempotentSplitSharesSequence(t *testing.T) {
	h := newIdemHarness(t, 4)
	h.send(0)
	h.ok(0)
	h.send(1)
	h.send(2)
	h.fail(2, outOfOrder) // not the first: it waits
	h.p.failed(h.batches[1], &Error{Reason: ReasonMessageTooLarge, Topic: "t"}, noHint)
	h.p.mu.Lock()
	first, second := h.pp.ready[0], h.pp.ready[1]
	h.p.mu.Unlock()
	if len(first.recs) != 1 || len(second.recs) != 1 || first.stamp.baseSeq != 1 || second.stamp.baseSeq != 2 {
		t.Fatalf("halves %+v and %+v", first.stamp, second.stamp)
	}
	for _, half := range []*producerBatch{first, second} {
		got, _ := h.s.collect()
		if len(got) != 1 || got[0] != half {
			t.Fatalf("sent %v, want a half", got)
		}
		h.p.finish(half, nil, &fjordv1.ProducePartitionResponse{BaseOffset: 1}, true)
	}
	h.send(2)
	h.wantStamp(2, 0, 3)
	h.ok(2)
	h.wantLog("B0 ok", "B1 ok", "B2 ok")
}

// Sequence numbers wrap from MaxInt32 to 0, also inside a batch, and a
// retry of a batch that wraps is recognized (against the fake broker,
// which numbers as the real one does).
func TestIdempotentSequenceWrapsAround(t *testing.T) {
	fc, err := fjordfake.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if err := fc.CreateTopic("t", 1); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(context.Background(), SeedBrokers(fc.Addrs()...), RetryBackoff(func(int) time.Duration { return time.Millisecond }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := NewProducer(c, Linger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	batch := func(n int) {
		t.Helper()
		errs := make([]error, n)
		for i := range n {
			p.Produce(ctx, &Record{Topic: "t", Value: []byte{byte(i)}}, func(_ *Record, err error) { errs[i] = err })
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	}
	batch(1)
	// Move the partition's sequence to just before the wrap, on both sides.
	p.mu.Lock()
	pid, pp := p.pid, p.parts[topicPartition{"t", 0}]
	pp.seq = maxSeq - 2
	p.mu.Unlock()
	fc.SetProducerState("t", 0, pid.id, pid.epoch, maxSeq-3)
	fc.InjectProduceErrorAfterAppend("t", 0, ReasonRequestTimedOut, 1)
	batch(5) // MaxInt32-2 .. MaxInt32, 0, 1; appended, answered with an error, retried
	batch(2) // 2, 3
	var got []string
	for _, raw := range fc.Batches("t", 0) {
		var b fjordv1.RecordBatch
		if err := proto.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d+%d", b.GetBaseSequence(), b.GetRecordCount()))
	}
	if want := fmt.Sprint([]string{"0+1", fmt.Sprintf("%d+5", maxSeq-2), "2+2"}); fmt.Sprint(got) != want {
		t.Fatalf("stored batches (base sequence+records) %v, want %v", got, want)
	}
}

// A bump past the last epoch (32767) gets a new producer id at epoch 0.
func TestIdempotentEpochOverflowTakesNewID(t *testing.T) {
	fc, err := fjordfake.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if err := fc.CreateTopic("t", 1); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(context.Background(), SeedBrokers(fc.Addrs()...), RetryBackoff(func(int) time.Duration { return time.Millisecond }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := NewProducer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.ProduceSync(ctx, &Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	first := p.pid
	p.pid.epoch = math.MaxInt16 // as if bumped that often
	p.mu.Unlock()
	if err := p.ProduceSync(ctx, &Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	fc.ForgetProducers("t", 0)
	if err := p.ProduceSync(ctx, &Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	now := p.pid
	p.mu.Unlock()
	if now.id == first.id || now.epoch != 0 {
		t.Fatalf("producer id after the last epoch: %+v (first %+v)", now, first)
	}
	var last fjordv1.RecordBatch
	batches := fc.Batches("t", 0)
	if err := proto.Unmarshal(batches[len(batches)-1], &last); err != nil {
		t.Fatal(err)
	}
	if last.GetProducerId() != now.id || last.GetProducerEpoch() != 0 || last.GetBaseSequence() != 0 || len(batches) != 3 {
		t.Fatalf("%d batches, the last stamped %d/%d/%d", len(batches), last.GetProducerId(), last.GetProducerEpoch(), last.GetBaseSequence())
	}
}
