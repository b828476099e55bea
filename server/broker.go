package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/replication"
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
	ctl     *control
	base    storage.Options
	repl    replicaOptions
	// epoch is this incarnation's broker epoch once registered (0 before).
	epoch atomic.Int64
	// fetchers pull the partitions this broker follows, one per leader.
	fetchers *fetcherSet
	// pids hands out idempotent producer ids.
	pids producerIDs
	// coord runs the consumer group coordinator for the __consumer_offsets
	// partitions this broker leads (set once before the broker starts).
	coord *coordinator
	// registry is the schema registry (set once before the broker starts).
	registry *schemaregistry.Registry
	// metrics records produce/fetch/ISR counters (set once before the
	// broker starts; nil records nothing).
	metrics *metrics
	// draining refuses new appends during a controlled shutdown while
	// acksInFlight (appended acks=all batches not yet answered) drains.
	draining     atomic.Bool
	acksInFlight atomic.Int64
	// quotas enforces client byte-rate quotas (quota.go).
	quotas quotaManager

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
	// shutdownSession hands the controller session to controlledShutdown.
	shutdownSession chan struct{}
	stop            chan struct{}
	wg              sync.WaitGroup
}

// flushWorkers is the number of goroutines running group-commit fsyncs.
const flushWorkers = 4

// replicaOptions tune replication on this broker.
type replicaOptions struct {
	// lagTimeMax is replica.lag.time.max: a follower not caught up for this
	// long leaves the ISR.
	lagTimeMax time.Duration
	// fetchWait bounds how long a leader holds an idle replica fetch.
	fetchWait time.Duration
	// fetchBytes bounds one replica fetch response.
	fetchBytes int
}

func newBroker(id int32, dataDir string, ctl *control, base storage.Options, repl replicaOptions, logger *slog.Logger) *broker {
	b := &broker{
		id: id, dataDir: dataDir, ctl: ctl, base: base, repl: repl, logger: logger, clock: base.Clock,
		partitions: make(map[topicPartition]*partition),
		flushQ:     make(chan *partition, 4096),
		quit:       make(chan struct{}),
		stop:       make(chan struct{}),

		shutdownSession: make(chan struct{}),
	}
	b.fetchers = newFetcherSet(b)
	return b
}

// nowMs is the replication state machines' clock.
func (b *broker) nowMs() int64 { return b.clock.Now().UnixMilli() }

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
	b.wg.Add(1)
	go b.tickLoop()
}

// reconcile brings local replicas in line with img: it opens logs of
// partitions assigned here, applies config changes, makes each replica
// leader or follower as the image says, and deletes logs of partitions no
// longer assigned. Logs are opened (recovering them) and deleted without
// holding b.mu, so creating or deleting a large topic does not stall
// traffic to other partitions.
func (b *broker) reconcile(img *cluster.Image) error {
	b.reconcileMu.Lock()
	defer b.reconcileMu.Unlock()

	// Plan against the current replicas.
	type wanted struct {
		tp  topicPartition
		t   *cluster.TopicMeta
		pm  cluster.PartitionMeta
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
	for _, t := range img.Topics() {
		for i, pm := range t.Partitions {
			if !slices.Contains(pm.Replicas, b.id) {
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
		b.fetchers.remove(p)
		p.retire(true)
		p.notify()
		if err := p.log.Delete(); err != nil {
			b.logger.Error("delete partition log", "partition", p.tp.String(), "err", err)
		}
	}

	var errs []error
	for _, w := range want {
		cfg := topicConfigOf(w.t)
		p := w.cur
		if p == nil {
			l, err := storage.Open(b.logDir(w.tp), cfg.storageOptions(b.base))
			if err != nil {
				errs = append(errs, fmt.Errorf("server: open %s: %w", w.tp, err))
				continue
			}
			p = &partition{b: b, tp: w.tp, topicID: w.t.ID, log: l, quit: b.quit}
			p.meta.Leader = cluster.NoLeader
		} else if err := p.log.SetOptions(cfg.storageOptions(b.base)); err != nil {
			errs = append(errs, fmt.Errorf("server: apply config to %s: %w", w.tp, err))
		}
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
		if err := b.applyRole(p, w.pm, cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if b.coord != nil {
		// Start and stop group coordinator shards with the leaderships of
		// __consumer_offsets just applied.
		b.coord.sync(img)
	}
	return errors.Join(errs...)
}

// leaderConfig is the replication.Leader configuration for pm on this broker.
func (b *broker) leaderConfig(tp topicPartition, pm cluster.PartitionMeta, cfg topicConfig) replication.LeaderConfig {
	return replication.LeaderConfig{
		Topic: tp.topic, Partition: tp.partition, ReplicaID: b.id,
		Replicas: slices.Clone(pm.Replicas), ISR: slices.Clone(pm.ISR),
		LeaderEpoch: pm.LeaderEpoch, PartitionEpoch: pm.PartitionEpoch,
		MinInSync:  min(max(cfg.minInsync(), 1), len(pm.Replicas)),
		LagTimeMax: b.repl.lagTimeMax.Milliseconds(),
		SyncPolicy: cfg.syncOnAck(),
	}
}

// sameLeaderSetup reports whether a leader made from a needs no rebuild to
// serve b: same epoch, replicas and settings (ISR changes are applied to a
// running leader).
func sameLeaderSetup(a, b replication.LeaderConfig) bool {
	return a.LeaderEpoch == b.LeaderEpoch && slices.Equal(a.Replicas, b.Replicas) && a.MinInSync == b.MinInSync &&
		a.LagTimeMax == b.LagTimeMax && a.SyncPolicy == b.SyncPolicy
}

// applyRole makes p leader or follower as pm says.
func (b *broker) applyRole(p *partition, pm cluster.PartitionMeta, cfg topicConfig) error {
	p.mu.Lock()
	p.cfg = cfg
	unchanged := p.meta.LeaderEpoch == pm.LeaderEpoch && p.meta.Leader == pm.Leader && (p.ldr != nil || p.fol != nil || pm.Leader < 0)
	if unchanged && pm.Leader == b.id {
		unchanged = sameLeaderSetup(p.ldrCfg, b.leaderConfig(p.tp, pm, cfg))
	}
	if unchanged {
		var wake bool
		if p.ldr != nil && pm.PartitionEpoch > p.ldr.PartitionEpoch() {
			rd, err := p.ldr.ApplyISR(slices.Clone(pm.ISR), pm.PartitionEpoch)
			if err != nil {
				b.logger.Error("apply isr change", "partition", p.tp.String(), "err", err)
			} else {
				wake = p.applyReady(b, rd)
			}
		}
		p.meta = pm
		p.mu.Unlock()
		if wake {
			p.notify()
		}
		return nil
	}
	p.mu.Unlock()

	// A new leader epoch, leader or leader setup: change roles with appends
	// excluded.
	p.roleMu.Lock()
	p.mu.Lock()
	old := p.meta
	p.meta = pm
	if p.ldr != nil && (pm.Leader != b.id || p.ldr.LeaderEpoch() != pm.LeaderEpoch) {
		p.ldr.Resign()
		p.ldr = nil
	}
	var err error
	var following int32 = cluster.NoLeader
	switch {
	case pm.Leader == b.id:
		p.fol = nil
		lc := b.leaderConfig(p.tp, pm, cfg)
		var ldr *replication.Leader
		ldr, err = replication.NewLeader(lc, replication.Offsets{
			LogEnd: p.log.LogEndOffset(), Durable: p.log.RecoveryPoint(), HighWatermark: p.log.HighWatermark()}, b.nowMs())
		if err == nil {
			p.ldr, p.ldrCfg = ldr, lc
			if old.Leader != b.id || old.LeaderEpoch != pm.LeaderEpoch {
				b.logger.Info("leading partition", "partition", p.tp.String(), "leader_epoch", pm.LeaderEpoch, "isr", fmt.Sprint(pm.ISR))
				b.metrics.leaderElected()
			}
		} else {
			err = fmt.Errorf("server: lead %s: %w", p.tp, err)
		}
	case pm.Leader >= 0:
		following = pm.Leader
		if p.fol == nil || p.fol.LeaderEpoch() != pm.LeaderEpoch || p.fol.LeaderID() != pm.Leader {
			p.fol = replication.NewFollower(pm.Leader, pm.LeaderEpoch)
			p.startTruncation(b)
			b.logger.Info("following partition", "partition", p.tp.String(), "leader", pm.Leader, "leader_epoch", pm.LeaderEpoch)
		}
	default:
		p.fol = nil
	}
	p.mu.Unlock()
	p.roleMu.Unlock()
	p.notify()
	if following >= 0 {
		b.fetchers.assign(p, following)
	} else {
		b.fetchers.remove(p)
	}
	if err == nil && pm.Leader == b.id {
		// Appends before this leadership may already be synced.
		p.leaderProgress(b)
	}
	return err
}

// startTruncation begins a follower's epoch truncation; p.mu and p.roleMu
// are held.
func (p *partition) startTruncation(b *broker) {
	rd := p.fol.Start(p.log)
	p.execFollowerReady(b, rd)
}

// execFollowerReady truncates as the follower asked and records what to
// ask next; p.mu and p.roleMu (shared at least) are held.
func (p *partition) execFollowerReady(b *broker, rd replication.FollowerReady) {
	if rd.Truncate && rd.TruncateTo < p.log.LogEndOffset() {
		b.logger.Info("truncating divergent log suffix", "partition", p.tp.String(), "from", p.log.LogEndOffset(), "to", rd.TruncateTo)
		if err := p.log.TruncateTo(rd.TruncateTo); err != nil {
			b.logger.Error("truncate", "partition", p.tp.String(), "err", err)
			p.retryAt = b.clock.Now().Add(time.Second)
		}
	}
	if rd.Ask {
		p.askEpoch = rd.AskEpoch
	}
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
	img := b.ctl.image()
	if !b.caughtUp(img) {
		// A restarting broker does not know yet which topics exist.
		return nil, errorf(ReasonLeaderNotAvailable, "broker %d is still catching up on cluster metadata", b.id).withPartition(tp.topic, tp.partition)
	}
	t, ok := img.Topic(tp.topic)
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

func (b *broker) notLeader(tp topicPartition, leader, epoch int32) *Error {
	e := errorf(ReasonNotLeaderOrFollower, "broker %d is not the leader of %s; the leader is broker %d", b.id, tp, leader).
		withPartition(tp.topic, tp.partition).with("leader_id", strconv.Itoa(int(leader)), "leader_epoch", strconv.Itoa(int(epoch)))
	if leader < 0 {
		e.Reason = ReasonLeaderNotAvailable
		e.Message = fmt.Sprintf("server: partition %s has no leader (no in-sync replica is alive)", tp)
		return e
	}
	if bm, ok := b.ctl.image().Broker(leader); ok {
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
	p.mu.Lock()
	leader, epoch, leading := p.meta.Leader, p.meta.LeaderEpoch, p.ldr != nil
	p.mu.Unlock()
	if leader != b.id {
		return nil, b.notLeader(tp, leader, epoch)
	}
	if !leading {
		return nil, errorf(ReasonLeaderNotAvailable, "partition %s is still becoming leader on broker %d", tp, b.id).withPartition(tp.topic, tp.partition)
	}
	return p, nil
}

// appended is called after a leader append: the leader state machine
// learns the new log end offset (under the replication flush policy that
// can move the high watermark at once); under the sync policy the partition
// is queued for a group-commit fsync.
func (b *broker) appended(p *partition) {
	p.leaderProgress(b)
	_, _, cfg := p.state()
	if !cfg.syncOnAck() {
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
			p.leaderProgress(b)
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
		p.leaderProgress(b)
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
	if b.coord != nil {
		b.coord.close()
	}
	close(b.stop)
	b.fetchers.close()
	b.wg.Wait()
	if b.metrics != nil {
		_ = b.metrics.close() // flushes the OTLP exporter, if any
	}
	var errs []error
	for _, p := range b.snapshot() {
		p.retire(false)
		if err := p.log.Sync(); err != nil {
			b.logger.Error("sync partition at shutdown", "partition", p.tp.String(), "err", err)
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
	p.mu.Lock()
	leader, epoch, deleted := p.meta.Leader, p.meta.LeaderEpoch, p.deleted
	p.mu.Unlock()
	if deleted {
		return p.droppedError(b, "during the request")
	}
	if leader != b.id {
		return b.notLeader(p.tp, leader, epoch)
	}
	return nil
}

// tickLoop lets every leader check follower lag (ISR shrink and expand).
func (b *broker) tickLoop() {
	defer b.wg.Done()
	every := max(b.repl.lagTimeMax/4, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			now := b.nowMs()
			for _, p := range b.snapshot() {
				p.mu.Lock()
				var wake bool
				if p.ldr != nil {
					if rd, err := p.ldr.Tick(now); err == nil {
						wake = p.applyReady(b, rd)
					}
				}
				p.mu.Unlock()
				if wake {
					p.notify()
				}
			}
		}
	}
}

// proposeISR sends a leader's ISR change to the controller in the
// background and reports the outcome to the leader; p.mu is held.
func (b *broker) proposeISR(p *partition, ch replication.ISRChange) {
	ldr := p.ldr
	epoch := b.epoch.Load()
	// Like KIP-841: never ask to add a broker the image says is fenced or
	// shutting down (the leader state machine knows offsets, not liveness;
	// a dead follower that was caught up on an idle partition looks
	// eligible forever).
	img := b.ctl.image()
	var dead []int32
	for _, id := range ch.NewISR {
		if !slices.Contains(p.meta.ISR, id) && !img.Alive(id) {
			dead = append(dead, id)
		}
	}
	if len(dead) == 0 {
		b.logger.Info("proposing isr change", "partition", p.tp.String(), "isr", fmt.Sprint(ch.NewISR), "leader_epoch", ch.LeaderEpoch, "partition_epoch", ch.PartitionEpoch)
	}
	isrBefore := len(p.meta.ISR)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		var pm cluster.PartitionMeta
		var err error
		backoff := 200 * time.Millisecond
		if len(dead) > 0 {
			err = errorf(ReasonIneligibleReplica, "brokers %v are not alive", dead)
			backoff = time.Second
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			pm, err = b.ctl.alterPartition(ctx, cluster.ChangePartition{
				Topic: p.tp.topic, Partition: p.tp.partition, PartitionEpoch: ch.PartitionEpoch,
				Broker: &cluster.BrokerRef{ID: b.id, Epoch: epoch}, LeaderEpoch: ch.LeaderEpoch, ISR: ch.NewISR})
			cancel()
			if err != nil {
				b.logger.Warn("isr change rejected", "partition", p.tp.String(), "isr", fmt.Sprint(ch.NewISR), "err", err)
			} else {
				b.metrics.isrChanged(isrBefore, len(pm.ISR))
			}
		}
		if err != nil {
			// Give the image time to catch up before the leader proposes again.
			select {
			case <-time.After(backoff):
			case <-b.stop:
				return
			}
		}
		p.mu.Lock()
		var wake bool
		if p.ldr == ldr && ldr.Pending() != nil {
			var rd replication.Ready
			var aerr error
			if err == nil && pm.PartitionEpoch > ldr.PartitionEpoch() {
				rd, aerr = ldr.ApplyISR(slices.Clone(pm.ISR), pm.PartitionEpoch)
			} else if err != nil {
				rd, aerr = ldr.ISRProposalFailed()
			}
			if aerr == nil {
				wake = p.applyReady(b, rd)
			}
		}
		p.mu.Unlock()
		if wake {
			p.notify()
		}
	}()
}

// checkLeaderOrUnavailable explains why p cannot take an append now: it is
// deleted, led elsewhere, or this broker is still becoming its leader.
func (b *broker) checkLeaderOrUnavailable(p *partition) error {
	if err := b.checkLeader(p); err != nil {
		return err
	}
	return errorf(ReasonLeaderNotAvailable, "partition %s is changing leadership on broker %d", p.tp, b.id).withPartition(p.tp.topic, p.tp.partition)
}
