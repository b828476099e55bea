package fjord

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// orderHarness drives one partition's batches of a producer without
// idempotence through collect, failed and finish by hand, with no broker:
// the sender is registered but not running.
type orderHarness struct {
	t       *testing.T
	p       *Producer
	s       *sender
	pp      *producerPart
	batches []*producerBatch
	log     []string      // promise calls, in order: "B<i> ok" or "B<i> <error>"
	errs    map[int]error // the error each batch's promise got
}

func newOrderHarness(t *testing.T, n int) *orderHarness {
	t.Helper()
	c, err := NewClient(context.Background(), SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewProducer(c, RetryBackoff(func(int) time.Duration { return 0 }), Idempotence(false))
	if err != nil {
		t.Fatal(err)
	}
	h := &orderHarness{t: t, p: p, errs: map[int]error{}}
	t.Cleanup(func() {
		p.Close()
		c.Close()
	})
	tp := topicPartition{"t", 0}
	h.s = &sender{p: p, broker: 1, wake: make(chan struct{}, 1), slots: make(chan struct{}, 5)}
	h.pp = &producerPart{tp: tp, leader: 1}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.senders[1] = h.s
	p.parts[tp] = h.pp
	for i := range n {
		b := &producerBatch{tp: tp, order: uint64(i), created: time.Now(), bytes: 1}
		b.recs = []promised{{r: &Record{Topic: "t"}, size: 1, promise: func(_ *Record, err error) {
			h.errs[i] = err
			if err == nil {
				h.log = append(h.log, fmt.Sprintf("B%d ok", i))
			} else {
				h.log = append(h.log, fmt.Sprintf("B%d %v", i, err))
			}
		}}}
		h.batches = append(h.batches, b)
		h.pp.ready = append(h.pp.ready, b)
	}
	h.pp.nextOrder = uint64(n)
	p.pending, p.buffered = n, n
	return h
}

// send runs collect and checks which batch it sent (-1: none).
func (h *orderHarness) send(want int) {
	h.t.Helper()
	h.sendVia(h.s, want)
}

// sendVia is send through another broker's sender.
func (h *orderHarness) sendVia(s *sender, want int) {
	h.t.Helper()
	got, _ := s.collect()
	switch {
	case want < 0 && len(got) > 0:
		h.t.Fatalf("sent B%d, want nothing sent", got[0].order)
	case want >= 0 && (len(got) != 1 || got[0] != h.batches[want]):
		h.t.Fatalf("sent %v, want B%d", got, want)
	}
}

func (h *orderHarness) ok(i int) {
	h.p.finish(h.batches[i], nil, &fjordv1.ProducePartitionResponse{BaseOffset: int64(i)}, true)
}

func (h *orderHarness) fail(i int, err error) { h.p.failed(h.batches[i], err, noHint) }

func (h *orderHarness) wantLog(want ...string) {
	h.t.Helper()
	if fmt.Sprint(h.log) != fmt.Sprint(want) {
		h.t.Fatalf("promises %q, want %q", h.log, want)
	}
}

var (
	definite   = &Error{Reason: ReasonNotEnoughReplicas, Retriable: true, Topic: "t"}
	indefinite = &Error{Reason: ReasonRequestTimedOut, Retriable: true, Indefinite: true, Topic: "t"}
)

// A batch that failed is not retried after a later batch of its partition
// was written: it fails with ErrWouldReorder, before the later batch's
// promise runs, and it holds back the batches queued behind it meanwhile.
func TestRetryNeverOvertakesLaterBatch(t *testing.T) {
	h := newOrderHarness(t, 3)
	h.send(0)
	h.send(1)
	h.fail(0, definite) // B1 is still in flight
	h.send(-1)          // neither B0 (would race B1) nor B2 (behind B0) goes
	h.ok(1)
	h.wantLog("B0 "+fmt.Errorf("%w: %w", ErrWouldReorder, definite).Error(), "B1 ok")
	if err := h.errs[0]; !errors.Is(err, ErrWouldReorder) || !errors.Is(err, ErrNotEnoughReplicas) || IsIndefinite(err) {
		t.Fatalf("B0 failed with %v", err)
	}
	h.send(2)
	h.ok(2)
}

// A later batch that failed indefinitely may be in the log: the earlier
// one waiting for its retry fails too.
func TestRetryNeverFollowsIndefiniteLaterBatch(t *testing.T) {
	h := newOrderHarness(t, 2)
	h.send(0)
	h.send(1)
	h.fail(0, definite)
	h.fail(1, indefinite)
	h.wantLog("B0 "+fmt.Errorf("%w: %w", ErrWouldReorder, definite).Error(), "B1 "+indefinite.Error())
}

// When every later batch in flight failed definitely too, they are all
// retried in order, one at a time, and pipelining resumes after them.
func TestRetriesGoInOrderOneAtATime(t *testing.T) {
	h := newOrderHarness(t, 4)
	h.send(0)
	h.send(1)
	h.fail(0, definite)
	h.fail(1, definite)
	h.send(0)
	h.send(-1) // B0 is a retry in flight: B1 waits
	h.ok(0)
	h.send(1)
	h.send(-1)
	h.ok(1)
	h.send(2)
	h.send(3) // no retry in flight: B3 is pipelined behind B2
	h.ok(2)
	h.ok(3)
	h.wantLog("B0 ok", "B1 ok", "B2 ok", "B3 ok")
}

// After a leader change, nothing goes to the new leader while batches sent
// to the old one are unanswered: one of them may fail and need a retry
// ahead of the batches behind it.
func TestNewLeaderWaitsForOldLeadersAnswers(t *testing.T) {
	h := newOrderHarness(t, 3)
	s2 := &sender{p: h.p, broker: 2, wake: make(chan struct{}, 1), slots: make(chan struct{}, 5)}
	h.p.mu.Lock()
	h.p.senders[2] = s2
	h.p.mu.Unlock()
	h.send(0)
	h.send(1)
	h.fail(0, indefinite) // it names the new leader:
	h.p.mu.Lock()
	h.pp.leader = 2
	h.p.mu.Unlock()
	h.sendVia(s2, -1) // B1 is still in flight to broker 1
	h.fail(1, definite)
	h.sendVia(s2, 1)
	h.sendVia(s2, -1)
	h.ok(1)
	h.sendVia(s2, 2)
	h.ok(2)
	h.wantLog("B0 "+indefinite.Error(), "B1 ok", "B2 ok")
}
