package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/fjordlog/fjord/storage"
)

// broker owns this node's partition replicas and keeps them in line with the
// metadata image: it opens logs for partitions assigned to it, applies
// config changes, deletes logs of deleted topics, flushes and runs retention
// and compaction.
type broker struct {
	id      int32
	dataDir string
	logger  *slog.Logger
	clock   storage.Clock
	ctrl    *localController
	base    storage.Options

	// reconcileMu serializes reconcile; it is taken before mu.
	reconcileMu sync.Mutex
	// mu guards partitions and closed.
	mu         sync.RWMutex
	partitions map[topicPartition]*partition
	closed     bool

	flushQ chan *partition
	// quit is closed when shutdown begins so parked operations end at once.
	quit     chan struct{}
	quitOnce sync.Once
	stop     chan struct{}
	wg       sync.WaitGroup
}

// flushWorkers is the number of goroutines running group-commit fsyncs.
const flushWorkers = 4

func newBroker(id int32, dataDir string, ctrl *localController, base storage.Options, logger *slog.Logger) *broker {
	return &broker{
		id: id, dataDir: dataDir, ctrl: ctrl, base: base, logger: logger, clock: base.Clock,
		partitions: make(map[topicPartition]*partition),
		flushQ:     make(chan *partition, 4096),
		quit:       make(chan struct{}),
		stop:       make(chan struct{}),
	}
}

// beginShutdown releases parked long polls and acks=all waits.
func (b *broker) beginShutdown() { b.quitOnce.Do(func() { close(b.quit) }) }

func (b *broker) logDir(tp topicPartition) string {
	return filepath.Join(b.dataDir, tp.topic+"-"+strconv.Itoa(int(tp.partition)))
}

// start runs the flushers and the maintenance loop.
func (b *broker) start(maintainEvery time.Duration) {
	for i := 0; i < flushWorkers; i++ {
		b.wg.Add(1)
		go b.flushLoop()
	}
	b.wg.Add(1)
	go b.maintainLoop(maintainEvery)
}

// reconcile brings local replicas in line with img. Logs are opened
// (recovering them) and deleted without holding b.mu, so creating or
// deleting a large topic does not stall traffic to other partitions.
func (b *broker) reconcile(img *image) error {
	b.reconcileMu.Lock()
	defer b.reconcileMu.Unlock()

	// Plan against the current replicas.
	type wanted struct {
		tp  topicPartition
		t   *topicMeta
		pm  partitionMeta
		cur *partition // nil: open a log
	}
	var want []wanted
	wantSet := make(map[topicPartition]bool)
	var drop []*partition
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errorf(ReasonBrokerShuttingDown, "broker is shutting down")
	}
	for _, t := range img.Topics {
		for i, pm := range t.Partitions {
			if !contains(pm.Replicas, b.id) {
				continue
			}
			tp := topicPartition{t.Name, int32(i)}
			wantSet[tp] = true
			cur := b.partitions[tp]
			if cur != nil && cur.topicID != t.ID {
				// The topic was deleted and re-created under the same name.
				drop = append(drop, cur)
				cur = nil
			}
			want = append(want, wanted{tp, t, pm, cur})
		}
	}
	for tp, p := range b.partitions {
		if !wantSet[tp] {
			drop = append(drop, p)
		}
	}
	b.mu.RUnlock()

	// Retire dropped replicas first: a re-created topic reuses their dirs.
	b.mu.Lock()
	for _, p := range drop {
		delete(b.partitions, p.tp)
	}
	b.mu.Unlock()
	for _, p := range drop {
		p.mu.Lock()
		p.deleted = true
		p.mu.Unlock()
		p.notify()
		if err := p.log.Delete(); err != nil {
			b.logger.Error("delete partition log", "partition", p.tp.String(), "err", err)
		}
	}

	var errs []error
	for _, w := range want {
		cfg := w.t.config()
		p := w.cur
		if p == nil {
			l, err := storage.Open(b.logDir(w.tp), cfg.storageOptions(b.base))
			if err != nil {
				errs = append(errs, fmt.Errorf("server: open %s: %w", w.tp, err))
				continue
			}
			p = &partition{tp: w.tp, topicID: w.t.ID, log: l, quit: b.quit}
		} else if err := p.log.SetOptions(cfg.storageOptions(b.base)); err != nil {
			errs = append(errs, fmt.Errorf("server: apply config to %s: %w", w.tp, err))
		}
		p.mu.Lock()
		p.leader, p.leaderEpoch, p.cfg = w.pm.Leader, w.pm.LeaderEpoch, cfg
		p.mu.Unlock()
		if w.cur == nil {
			b.mu.Lock()
			if b.closed {
				b.mu.Unlock()
				p.log.Close()
				return errorf(ReasonBrokerShuttingDown, "broker is shutting down")
			}
			b.partitions[w.tp] = p
			b.mu.Unlock()
		}
		if err := p.advanceHighWatermark(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeOrphans deletes partition directories that no topic in img owns,
// e.g. left behind by a crash during topic deletion.
func (b *broker) removeOrphans() {
	entries, err := os.ReadDir(b.dataDir)
	if err != nil {
		return
	}
	b.mu.RLock()
	owned := make(map[string]bool, len(b.partitions))
	for tp := range b.partitions {
		owned[filepath.Base(b.logDir(tp))] = true
	}
	b.mu.RUnlock()
	for _, e := range entries {
		if !e.IsDir() || e.Name() == metaDirName || owned[e.Name()] {
			continue
		}
		if _, ok := parseLogDirName(e.Name()); !ok {
			continue
		}
		b.logger.Info("removing partition directory of a deleted topic", "dir", e.Name())
		if err := os.RemoveAll(filepath.Join(b.dataDir, e.Name())); err != nil {
			b.logger.Error("remove orphan partition directory", "dir", e.Name(), "err", err)
		}
	}
}

// parseLogDirName splits "<topic>-<n>".
func parseLogDirName(name string) (topicPartition, bool) {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '-' {
			n, err := strconv.Atoi(name[i+1:])
			if err != nil || n < 0 {
				return topicPartition{}, false
			}
			return topicPartition{name[:i], int32(n)}, true
		}
	}
	return topicPartition{}, false
}

func contains(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// lookup finds the local replica of tp; it reports UNKNOWN_TOPIC_OR_PARTITION
// for a partition the image does not have.
func (b *broker) lookup(tp topicPartition) (*partition, error) {
	b.mu.RLock()
	p, ok := b.partitions[tp]
	closed := b.closed
	b.mu.RUnlock()
	if closed {
		return nil, errorf(ReasonBrokerShuttingDown, "broker is shutting down")
	}
	if ok {
		return p, nil
	}
	img := b.ctrl.image()
	t, ok := img.Topics[tp.topic]
	if !ok {
		return nil, errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", tp.topic).withPartition(tp.topic, tp.partition)
	}
	if tp.partition < 0 || int(tp.partition) >= len(t.Partitions) {
		return nil, errorf(ReasonUnknownTopicOrPartition, "topic %q has no partition %d (it has %d)", tp.topic, tp.partition, len(t.Partitions)).withPartition(tp.topic, tp.partition)
	}
	pm := t.Partitions[tp.partition]
	if pm.Leader == b.id {
		// The image names this broker, but reconcile has not opened the log
		// yet (a topic being created, or the broker starting).
		return nil, errorf(ReasonLeaderNotAvailable, "partition %s is still being opened on broker %d", tp, b.id).withPartition(tp.topic, tp.partition)
	}
	return nil, b.notLeader(tp, pm.Leader, pm.LeaderEpoch)
}

func (b *broker) notLeader(tp topicPartition, leader, epoch int32) error {
	e := errorf(ReasonNotLeaderOrFollower, "broker %d is not the leader of %s; the leader is broker %d", b.id, tp, leader).
		withPartition(tp.topic, tp.partition).with("leader_id", strconv.Itoa(int(leader)), "leader_epoch", strconv.Itoa(int(epoch)))
	if bm, ok := b.ctrl.image().Brokers[leader]; ok {
		e.with("leader_address", bm.Address)
	}
	return e
}

// leaderFor returns tp's replica if this broker leads it.
func (b *broker) leaderFor(tp topicPartition) (*partition, error) {
	p, err := b.lookup(tp)
	if err != nil {
		return nil, err
	}
	leader, epoch, _ := p.state()
	if leader != b.id {
		return nil, b.notLeader(tp, leader, epoch)
	}
	return p, nil
}

// appended is called after a successful append: the high watermark moves at
// once under the replication flush policy; under the sync policy the
// partition is queued for a group-commit fsync.
func (b *broker) appended(p *partition) {
	_, _, cfg := p.state()
	if !cfg.syncOnAck() {
		if err := p.advanceHighWatermark(); err != nil {
			b.logger.Error("advance high watermark", "partition", p.tp.String(), "err", err)
		}
		return
	}
	p.mu.Lock()
	queued := p.flushQueued
	p.flushQueued = true
	p.mu.Unlock()
	if queued {
		return
	}
	select {
	case b.flushQ <- p:
	case <-b.stop:
	}
}

// flushLoop fsyncs queued partitions. A partition is queued at most once; a
// sync covers every append made before it started (group commit).
func (b *broker) flushLoop() {
	defer b.wg.Done()
	for {
		select {
		case <-b.stop:
			return
		case p := <-b.flushQ:
			p.mu.Lock()
			p.flushQueued = false
			p.mu.Unlock()
			if err := p.log.Sync(); err != nil {
				if !errors.Is(err, storage.ErrClosed) {
					b.logger.Error("fsync partition", "partition", p.tp.String(), "err", err)
				}
				continue
			}
			if err := p.advanceHighWatermark(); err != nil && !errors.Is(err, storage.ErrClosed) {
				b.logger.Error("advance high watermark", "partition", p.tp.String(), "err", err)
			}
		}
	}
}

// maintainLoop drives time-based segment rolls, scheduled flushes,
// retention and compaction.
func (b *broker) maintainLoop(every time.Duration) {
	defer b.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.maintain(context.Background())
		}
	}
}

func (b *broker) snapshot() []*partition {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]*partition, 0, len(b.partitions))
	for _, p := range b.partitions {
		out = append(out, p)
	}
	return out
}

// maintain runs one round of housekeeping over every partition.
func (b *broker) maintain(ctx context.Context) {
	for _, p := range b.snapshot() {
		now := b.clock.Now()
		if err := p.log.Maintain(now); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("maintain partition", "partition", p.tp.String(), "err", err)
		}
		if err := p.advanceHighWatermark(); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("advance high watermark", "partition", p.tp.String(), "err", err)
		}
		if n, err := p.log.EnforceRetention(now); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("retention", "partition", p.tp.String(), "err", err)
		} else if n > 0 {
			b.logger.Info("retention deleted segments", "partition", p.tp.String(), "segments", n)
			p.notify()
		}
		_, _, cfg := p.state()
		if policy := cfg.str(cfgCleanupPolicy); policy == "compact" || policy == "compact,delete" {
			if _, err := p.log.Compact(ctx, now); err != nil && !errors.Is(err, storage.ErrClosed) {
				b.logger.Error("compaction", "partition", p.tp.String(), "err", err)
			}
		}
	}
}

// close stops background work and closes every log (flush + checkpoints).
func (b *broker) close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.beginShutdown()
	close(b.stop)
	b.wg.Wait()
	var errs []error
	for _, p := range b.snapshot() {
		if err := p.log.Sync(); err == nil {
			_ = p.advanceHighWatermark()
		}
		if err := p.log.Close(); err != nil {
			errs = append(errs, fmt.Errorf("server: close %s: %w", p.tp, err))
		}
		p.notify()
	}
	return errors.Join(errs...)
}

// checkLeader reports NOT_LEADER_OR_FOLLOWER if this broker no longer leads p.
func (b *broker) checkLeader(p *partition) error {
	leader, epoch, _ := p.state()
	p.mu.Lock()
	deleted := p.deleted
	p.mu.Unlock()
	if deleted {
		return errorf(ReasonUnknownTopicOrPartition, "partition %s was deleted", p.tp).withPartition(p.tp.topic, p.tp.partition)
	}
	if leader != b.id {
		return b.notLeader(p.tp, leader, epoch)
	}
	return nil
}

// createTopic creates a topic through the controller and opens its local
// replicas before returning, so the topic is usable at once.
func (b *broker) createTopic(spec topicSpec) (*topicMeta, error) {
	t, err := b.ctrl.createTopic(spec, false)
	if err != nil {
		return nil, err
	}
	return t, b.reconcile(b.ctrl.image())
}
