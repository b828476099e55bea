package server

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/fjordlog/fjord/storage"
)

// topicPartition names a partition.
type topicPartition struct {
	topic     string
	partition int32
}

func (tp topicPartition) String() string { return tp.topic + "-" + strconv.Itoa(int(tp.partition)) }

// partition is this broker's replica of one partition: the log plus the
// replication state the broker keeps for it. In single-node mode the ISR is
// this broker alone, so the high watermark is the offset every ISR member
// (this one) counts: its synced offset under flush.policy=sync, its log end
// offset under flush.policy=replication.
type partition struct {
	tp      topicPartition
	topicID string
	log     *storage.Log
	// quit is closed when the broker begins shutting down.
	quit <-chan struct{}

	// mu guards the fields below.
	mu          sync.Mutex
	leader      int32
	leaderEpoch int32
	cfg         topicConfig
	// waiters are parked operations (acks=all produces, long-poll fetches)
	// woken when the high watermark or log start moves.
	waiters map[*waiter]struct{}
	// flushQueued is set while the partition waits in the flusher's queue.
	flushQueued bool
	deleted     bool
}

// waiter is a parked operation; ch has room for one wake-up so notifiers
// never block.
type waiter struct{ ch chan struct{} }

func newWaiter() *waiter { return &waiter{ch: make(chan struct{}, 1)} }

func (w *waiter) wake() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

func (p *partition) addWaiter(w *waiter) {
	p.mu.Lock()
	if p.waiters == nil {
		p.waiters = make(map[*waiter]struct{})
	}
	p.waiters[w] = struct{}{}
	p.mu.Unlock()
}

func (p *partition) removeWaiter(w *waiter) {
	p.mu.Lock()
	delete(p.waiters, w)
	p.mu.Unlock()
}

// notify wakes every parked operation.
func (p *partition) notify() {
	p.mu.Lock()
	for w := range p.waiters {
		w.wake()
	}
	p.mu.Unlock()
}

func (p *partition) state() (leader, epoch int32, cfg topicConfig) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leader, p.leaderEpoch, p.cfg
}

// advanceHighWatermark moves the high watermark to what every ISR member
// has. In single-node mode that is this replica's synced offset (sync
// policy) or its log end offset (replication policy).
func (p *partition) advanceHighWatermark() error {
	_, _, cfg := p.state()
	target := p.log.LogEndOffset()
	if cfg.syncOnAck() {
		target = p.log.RecoveryPoint()
	}
	if target <= p.log.HighWatermark() {
		return nil
	}
	if err := p.log.SetHighWatermark(target); err != nil {
		return err
	}
	p.notify()
	return nil
}

// waitHighWatermark parks until the high watermark reaches offset, ctx ends,
// or timeout passes.
func (p *partition) waitHighWatermark(ctx context.Context, offset int64, timeout time.Duration) error {
	if p.log.HighWatermark() >= offset {
		return nil
	}
	w := newWaiter()
	p.addWaiter(w)
	defer p.removeWaiter(w)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		if p.log.HighWatermark() >= offset {
			return nil
		}
		p.mu.Lock()
		deleted := p.deleted
		p.mu.Unlock()
		if deleted {
			return errorf(ReasonUnknownTopicOrPartition, "partition %s was deleted while waiting for acknowledgement", p.tp).withPartition(p.tp.topic, p.tp.partition)
		}
		select {
		case <-w.ch:
		case <-timer.C:
			return errorf(ReasonRequestTimedOut, "timed out after %s waiting for the high watermark of %s to reach %d", timeout, p.tp, offset).withPartition(p.tp.topic, p.tp.partition)
		case <-p.quit:
			return errorf(ReasonBrokerShuttingDown, "broker is shutting down").withPartition(p.tp.topic, p.tp.partition)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// logError classifies an error from p's log: a log closed because its topic
// was deleted reports UNKNOWN_TOPIC_OR_PARTITION rather than a shutdown.
func (p *partition) logError(err error) *Error {
	p.mu.Lock()
	deleted := p.deleted
	p.mu.Unlock()
	if deleted && errors.Is(err, storage.ErrClosed) {
		return errorf(ReasonUnknownTopicOrPartition, "partition %s was deleted", p.tp).withPartition(p.tp.topic, p.tp.partition)
	}
	return asError(err).withPartition(p.tp.topic, p.tp.partition)
}
