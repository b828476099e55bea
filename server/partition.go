package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/replication"
	"github.com/fjordlog/fjord/storage"
)

// topicPartition names a partition.
type topicPartition struct {
	topic     string
	partition int32
}

func (tp topicPartition) String() string { return tp.topic + "-" + strconv.Itoa(int(tp.partition)) }

// partition is this broker's replica of one partition: the log plus the
// replication role it plays in the current leader epoch. As leader it holds
// a replication.Leader (follower progress, high watermark, ISR proposals,
// acks=all completion); as follower a replication.Follower driven by the
// fetcher of its leader's broker.
type partition struct {
	b       *broker
	tp      topicPartition
	topicID string
	log     *storage.Log
	// quit is closed when the broker begins shutting down.
	quit <-chan struct{}

	// roleMu orders log writes against role changes: leader appends and the
	// follower's truncations and replica appends hold it shared and check
	// the role they act for; becoming leader or follower holds it
	// exclusively. So no append of an old role lands after a new one began.
	roleMu sync.RWMutex

	// mu guards the fields below.
	mu sync.Mutex
	// meta is the partition as of the last reconciled image.
	meta cluster.PartitionMeta
	cfg  topicConfig
	// ldr is set while this broker leads meta.LeaderEpoch; ldrCfg is what
	// it was made from.
	ldr    *replication.Leader
	ldrCfg replication.LeaderConfig
	// fol is set while this broker follows meta.Leader; askEpoch is the
	// epoch to ask the leader about while truncating; retryAt delays the
	// next fetch after an error.
	fol      *replication.Follower
	askEpoch int32
	retryAt  time.Time
	// waiters are parked operations (acks=all produces, long-poll fetches,
	// replica fetches) woken when the log or high watermark moves.
	waiters map[*waiter]struct{}
	// appendWaiters counts the waiters with appends set.
	appendWaiters int
	// flushQueued is set while the partition waits in the flusher's queue.
	flushQueued bool
	deleted     bool
}

// waiter is a parked operation; ch has room for one wake-up so notifiers
// never block.
type waiter struct {
	ch chan struct{}
	// appends: also woken by appends that do not move the high watermark
	// (follower fetches wait for data; consumers and acks only for the HW).
	appends bool
}

func newWaiter() *waiter { return &waiter{ch: make(chan struct{}, 1)} }

// newAppendWaiter is a waiter that appends wake too.
func newAppendWaiter() *waiter { return &waiter{ch: make(chan struct{}, 1), appends: true} }

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
	if _, ok := p.waiters[w]; !ok && w.appends {
		p.appendWaiters++
	}
	p.waiters[w] = struct{}{}
	p.mu.Unlock()
}

func (p *partition) removeWaiter(w *waiter) {
	p.mu.Lock()
	if _, ok := p.waiters[w]; ok && w.appends {
		p.appendWaiters--
	}
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

// leaderHighWatermark is the high watermark a leader may publish as the
// end of committed data. A new leader starts with the high watermark it
// had as a follower, which can be below what the previous leader
// acknowledged; until it reaches the start offset of its epoch it answers
// OFFSET_NOT_AVAILABLE (retriable), as Kafka does (KIP-207), rather than
// an end that a reader could take for "nothing more was acknowledged".
func (p *partition) leaderHighWatermark() (int64, error) {
	p.mu.Lock()
	ldr := p.ldr
	p.mu.Unlock()
	hw := p.log.HighWatermark()
	if ldr != nil && hw < ldr.EpochStartOffset() {
		return 0, errorf(ReasonOffsetNotAvailable, "the high watermark of %s (%d) has not reached the start of leader epoch %d (%d) yet", p.tp, hw, ldr.LeaderEpoch(), ldr.EpochStartOffset()).withPartition(p.tp.topic, p.tp.partition)
	}
	return hw, nil
}

func (p *partition) state() (leader, epoch int32, cfg topicConfig) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.meta.Leader, p.meta.LeaderEpoch, p.cfg
}

// applyReady carries out what the leader state machine asked for; p.mu is
// held. It returns whether waiters must be woken (after unlocking).
func (p *partition) applyReady(b *broker, rd replication.Ready) bool {
	if rd.ProposeISR != nil {
		b.proposeISR(p, *rd.ProposeISR)
	}
	if !rd.HighWatermarkChanged {
		return false
	}
	if err := p.log.SetHighWatermark(rd.HighWatermark); err != nil && !errors.Is(err, storage.ErrClosed) {
		b.logger.Error("set high watermark", "partition", p.tp.String(), "hw", rd.HighWatermark, "err", err)
	}
	return true
}

// leaderProgress reports the log's end and synced offsets to the leader
// state machine after an append or a sync.
func (p *partition) leaderProgress(b *broker) {
	p.mu.Lock()
	var wake bool
	if p.ldr != nil {
		if rd, err := p.ldr.Append(p.log.LogEndOffset()); err == nil {
			wake = p.applyReady(b, rd)
		}
		if p.ldrCfg.SyncPolicy {
			if rd, err := p.ldr.Sync(p.log.RecoveryPoint()); err == nil {
				wake = p.applyReady(b, rd) || wake
			}
		}
	}
	if !wake && p.appendWaiters > 0 {
		// The HW did not move: wake only followers waiting for data, not
		// every consumer long poll and acks=all wait on this partition.
		for w := range p.waiters {
			if w.appends {
				w.wake()
			}
		}
	}
	p.mu.Unlock()
	if wake {
		p.notify()
	}
}

// waitAck parks an acks=all produce until the high watermark passes until
// while this broker still leads epoch. Losing leadership first is an
// indefinite NOT_LEADER_OR_FOLLOWER: the batch may or may not survive.
func (p *partition) waitAck(ctx context.Context, b *broker, epoch int32, until int64, timeout time.Duration) error {
	var w *waiter
	defer func() {
		if w != nil {
			p.removeWaiter(w)
		}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		ldr, deleted, leader, leaderEpoch := p.ldr, p.deleted, p.meta.Leader, p.meta.LeaderEpoch
		var done bool
		var err error
		if ldr != nil && ldr.LeaderEpoch() == epoch && !deleted {
			done, err = ldr.AckReady(until)
		}
		if w == nil {
			w = newWaiter()
			if p.waiters == nil {
				p.waiters = make(map[*waiter]struct{})
			}
			p.waiters[w] = struct{}{}
		}
		p.mu.Unlock()
		switch {
		case deleted:
			return p.droppedError(b, "while waiting for acknowledgement")
		case ldr == nil || ldr.LeaderEpoch() != epoch:
			e := b.notLeader(p.tp, leader, leaderEpoch)
			e.Message = fmt.Sprintf("server: broker %d lost leadership of %s (epoch %d) before the batch was replicated; it may or may not be kept", b.id, p.tp, epoch)
			return e
		case done && err != nil:
			return asError(err).withPartition(p.tp.topic, p.tp.partition)
		case done:
			return nil
		}
		select {
		case <-w.ch:
		case <-timer.C:
			return errorf(ReasonRequestTimedOut, "timed out after %s waiting for %s to replicate up to offset %d", timeout, p.tp, until).withPartition(p.tp.topic, p.tp.partition)
		case <-p.quit:
			return errorf(ReasonBrokerShuttingDown, "broker is shutting down").withPartition(p.tp.topic, p.tp.partition)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// droppedError reports a request that raced the removal of this replica:
// UNKNOWN_TOPIC_OR_PARTITION if the topic was deleted, NOT_LEADER_OR_FOLLOWER
// (retriable, naming the leader) if a reassignment moved the partition off
// this broker.
func (p *partition) droppedError(b *broker, when string) *Error {
	if t, ok := b.ctl.image().Topic(p.tp.topic); ok && t.ID == p.topicID && int(p.tp.partition) < len(t.Partitions) {
		pm := t.Partitions[p.tp.partition]
		e := b.notLeader(p.tp, pm.Leader, pm.LeaderEpoch)
		e.Message = fmt.Sprintf("server: partition %s was moved off broker %d %s", p.tp, b.id, when)
		return e
	}
	return errorf(ReasonUnknownTopicOrPartition, "partition %s was deleted %s", p.tp, when).withPartition(p.tp.topic, p.tp.partition)
}

// logError classifies an error from p's log: a log closed because its topic
// was deleted reports UNKNOWN_TOPIC_OR_PARTITION rather than a shutdown.
func (p *partition) logError(err error) *Error {
	p.mu.Lock()
	deleted := p.deleted
	p.mu.Unlock()
	if deleted && errors.Is(err, storage.ErrClosed) {
		return p.droppedError(p.b, "during the request")
	}
	return asError(err).withPartition(p.tp.topic, p.tp.partition)
}

// retire ends p's role (resigning a leader, so parked acks=all produces get
// an indefinite NOT_LEADER) before its log is closed or deleted.
func (p *partition) retire(deleted bool) {
	p.roleMu.Lock()
	p.mu.Lock()
	p.deleted = p.deleted || deleted
	if p.ldr != nil {
		p.ldr.Resign()
		p.ldr = nil
	}
	p.fol = nil
	p.mu.Unlock()
	p.roleMu.Unlock()
}
