package server

import (
	"context"
	"errors"
	"sync"
	"time"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	"github.com/fjordlog/fjord/server/replication"
	"github.com/fjordlog/fjord/storage"
)

// Follower fetch tuning.
const (
	// fetcherBackoff is the pause after a failed connection or round.
	fetcherBackoff = 100 * time.Millisecond
	// partitionBackoff delays a partition whose fetch failed (it waits for
	// metadata rather than hammering the leader).
	partitionBackoff = 200 * time.Millisecond
	// replicaPartitionMaxBytes bounds one partition's share of a replica
	// fetch, so one busy partition cannot starve the others on the stream.
	replicaPartitionMaxBytes = 8 << 20
)

// fetcherSet runs one fetcher per leader broker this broker follows.
type fetcherSet struct {
	b  *broker
	mu sync.Mutex
	// byLeader holds the running fetchers; leaderOf where each partition is.
	byLeader map[int32]*fetcher
	leaderOf map[*partition]int32
	closed   bool
	wg       sync.WaitGroup
}

func newFetcherSet(b *broker) *fetcherSet {
	return &fetcherSet{b: b, byLeader: make(map[int32]*fetcher), leaderOf: make(map[*partition]int32)}
}

// assign makes the fetcher of leader pull p (moving it from another one).
func (fs *fetcherSet) assign(p *partition, leader int32) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return
	}
	if cur, ok := fs.leaderOf[p]; ok {
		if cur == leader {
			fs.byLeader[leader].kick()
			return
		}
		fs.removeLocked(p)
	}
	f := fs.byLeader[leader]
	if f == nil {
		f = newFetcher(fs.b, leader)
		fs.byLeader[leader] = f
		fs.wg.Add(1)
		go func() {
			defer fs.wg.Done()
			f.run()
		}()
	}
	f.add(p)
	fs.leaderOf[p] = leader
}

// remove stops pulling p.
func (fs *fetcherSet) remove(p *partition) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.removeLocked(p)
}

func (fs *fetcherSet) removeLocked(p *partition) {
	leader, ok := fs.leaderOf[p]
	if !ok {
		return
	}
	delete(fs.leaderOf, p)
	f := fs.byLeader[leader]
	if f == nil {
		return
	}
	if f.remove(p) == 0 {
		f.stop()
		delete(fs.byLeader, leader)
	}
}

// close stops every fetcher and waits for them.
func (fs *fetcherSet) close() {
	fs.mu.Lock()
	fs.closed = true
	for id, f := range fs.byLeader {
		f.stop()
		delete(fs.byLeader, id)
	}
	// A reconcile still running after close may remove partitions; with
	// no fetchers left there is nothing for it to find.
	clear(fs.leaderOf)
	fs.mu.Unlock()
	fs.wg.Wait()
}

// fetcher pulls every partition this broker follows from one leader broker
// over one Replicate stream.
type fetcher struct {
	b      *broker
	leader int32
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}

	mu    sync.Mutex
	parts map[*partition]struct{}
}

func newFetcher(b *broker, leader int32) *fetcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &fetcher{b: b, leader: leader, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), parts: make(map[*partition]struct{})}
}

func (f *fetcher) kick() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *fetcher) add(p *partition) {
	f.mu.Lock()
	f.parts[p] = struct{}{}
	f.mu.Unlock()
	f.kick()
}

func (f *fetcher) remove(p *partition) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.parts, p)
	return len(f.parts)
}

func (f *fetcher) stop() { f.cancel() }

func (f *fetcher) snapshot() []*partition {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*partition, 0, len(f.parts))
	for p := range f.parts {
		out = append(out, p)
	}
	return out
}

// pause waits d, a kick or the end of the fetcher; false means stop.
func (f *fetcher) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.ctx.Done():
		return false
	case <-f.wake:
	case <-t.C:
	}
	return true
}

// run connects to the leader and replicates until stopped, reconnecting
// after errors.
func (f *fetcher) run() {
	for f.ctx.Err() == nil {
		err := f.session()
		if f.ctx.Err() != nil {
			return
		}
		f.b.logger.Debug("replica fetcher restarting", "leader", f.leader, "err", err)
		if !f.pause(fetcherBackoff) {
			return
		}
	}
}

// session is one connection's worth of fetch rounds.
func (f *fetcher) session() error {
	bm, ok := f.b.ctl.image().Broker(f.leader)
	if !ok {
		return errorf(ReasonLeaderNotAvailable, "leader broker %d is not registered", f.leader)
	}
	cc, err := f.b.ctl.peers.conn(f.leader, bm.Address)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	stream, err := clusterv1.NewReplicaServiceClient(cc).Replicate(ctx)
	if err != nil {
		return err
	}
	client := clusterv1.NewReplicaServiceClient(cc)
	for {
		parts := f.snapshot()
		if err := f.truncate(ctx, client, parts); err != nil {
			return err
		}
		req, sent := f.request(parts)
		if len(sent) == 0 {
			if !f.pause(partitionBackoff) {
				return nil
			}
			continue
		}
		if err := stream.Send(req); err != nil {
			return err
		}
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		res := resp.GetPartitions()
		if len(res) != len(sent) {
			return errorf(ReasonInternal, "leader %d answered %d partitions to a fetch of %d", f.leader, len(res), len(sent))
		}
		for i, s := range sent {
			f.apply(s, res[i])
		}
	}
}

// sentPartition is a partition in a fetch round and the follower it was
// sent for (a role change in between voids the answer).
type sentPartition struct {
	p   *partition
	fol *replication.Follower
}

// request builds a fetch round from partitions ready to fetch.
func (f *fetcher) request(parts []*partition) (*clusterv1.ReplicateRequest, []sentPartition) {
	b := f.b
	req := &clusterv1.ReplicateRequest{ReplicaId: b.id, BrokerEpoch: b.epoch.Load(),
		MaxWaitMs: int32(b.repl.fetchWait / time.Millisecond), MaxBytes: int32(b.repl.fetchBytes)}
	var sent []sentPartition
	now := b.clock.Now()
	for _, p := range parts {
		p.mu.Lock()
		fol := p.fol
		ok := fol != nil && fol.LeaderID() == f.leader && fol.Phase() == replication.Fetching && !now.Before(p.retryAt)
		p.mu.Unlock()
		if !ok {
			continue
		}
		req.Partitions = append(req.Partitions, &clusterv1.ReplicaFetchPartition{
			Topic: p.tp.topic, TopicId: p.topicID, Partition: p.tp.partition, LeaderEpoch: fol.LeaderEpoch(),
			FetchOffset: p.log.LogEndOffset(), DurableOffset: p.log.RecoveryPoint(), HighWatermark: p.log.HighWatermark(),
			MaxBytes: int32(min(b.repl.fetchBytes, replicaPartitionMaxBytes)),
		})
		sent = append(sent, sentPartition{p, fol})
	}
	return req, sent
}

// truncate runs the epoch truncation of partitions that are still
// truncating: one OffsetForLeaderEpoch round for all of them.
func (f *fetcher) truncate(ctx context.Context, client clusterv1.ReplicaServiceClient, parts []*partition) error {
	b := f.b
	req := &clusterv1.OffsetForLeaderEpochRequest{ReplicaId: b.id}
	var asked []sentPartition
	now := b.clock.Now()
	for _, p := range parts {
		p.mu.Lock()
		fol := p.fol
		if fol != nil && fol.LeaderID() == f.leader && fol.Phase() == replication.Truncating && !now.Before(p.retryAt) {
			req.Partitions = append(req.Partitions, &clusterv1.EpochQuery{Topic: p.tp.topic, Partition: p.tp.partition,
				CurrentLeaderEpoch: fol.LeaderEpoch(), LeaderEpoch: p.askEpoch})
			asked = append(asked, sentPartition{p, fol})
		}
		p.mu.Unlock()
	}
	if len(asked) == 0 {
		return nil
	}
	resp, err := client.OffsetForLeaderEpoch(ctx, req)
	if err != nil {
		return err
	}
	if len(resp.GetPartitions()) != len(asked) {
		return errorf(ReasonInternal, "leader %d answered %d epoch queries of %d", f.leader, len(resp.GetPartitions()), len(asked))
	}
	for i, a := range asked {
		ans := resp.GetPartitions()[i]
		p := a.p
		p.roleMu.RLock()
		p.mu.Lock()
		if p.fol == a.fol {
			if ans.GetError() != nil {
				p.retryAt = b.clock.Now().Add(partitionBackoff)
				b.logger.Debug("epoch query failed", "partition", p.tp.String(), "err", ans.GetError().GetMessage())
			} else {
				rd, err := a.fol.HandleEpochEndOffset(p.log, replication.EpochEndOffset{Epoch: ans.GetLeaderEpoch(), EndOffset: ans.GetEndOffset()})
				if err != nil {
					p.retryAt = b.clock.Now().Add(partitionBackoff)
					b.logger.Info("epoch truncation retry", "partition", p.tp.String(), "err", err)
				} else {
					p.execFollowerReady(b, rd)
				}
			}
		}
		p.mu.Unlock()
		p.roleMu.RUnlock()
	}
	return nil
}

// apply stores one partition's fetch result.
func (f *fetcher) apply(s sentPartition, r *clusterv1.ReplicaFetchResult) {
	b, p := f.b, s.p
	p.roleMu.RLock()
	defer p.roleMu.RUnlock()
	p.mu.Lock()
	current := p.fol == s.fol
	syncPolicy := p.cfg.syncOnAck()
	p.mu.Unlock()
	if !current {
		return
	}
	if e := r.GetError(); e != nil {
		if Reason(e.GetReason()) == ReasonOffsetOutOfRange {
			f.outOfRange(s, r)
			return
		}
		p.mu.Lock()
		p.retryAt = b.clock.Now().Add(partitionBackoff)
		p.mu.Unlock()
		b.logger.Debug("replica fetch error", "partition", p.tp.String(), "leader", f.leader, "reason", e.GetReason(), "err", e.GetMessage())
		return
	}
	appended := false
	for _, batch := range r.GetBatches() {
		if _, err := p.log.AppendReplica(batch); err != nil {
			if errors.Is(err, storage.ErrClosed) {
				return
			}
			// The log no longer lines up with the leader's: truncate again.
			b.logger.Error("append replica batch; restarting epoch truncation", "partition", p.tp.String(), "err", err)
			p.mu.Lock()
			if p.fol == s.fol {
				p.startTruncation(b)
			}
			p.mu.Unlock()
			return
		}
		appended = true
	}
	if appended && syncPolicy {
		// Only synced data counts toward the leader's high watermark: sync
		// before the next fetch reports it (one fdatasync per round).
		if err := p.log.Sync(); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("sync replica", "partition", p.tp.String(), "err", err)
		}
	}
	leo := p.log.LogEndOffset()
	if start := r.GetLogStartOffset(); start > p.log.LogStartOffset() && start <= leo {
		// The leader deleted records (DeleteRecords or retention in the
		// middle of a segment): follow its log start.
		if err := p.log.DeleteRecordsBefore(start); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("follow leader log start", "partition", p.tp.String(), "err", err)
		}
	}
	hw := replication.FollowerHighWatermark(r.GetHighWatermark(), leo)
	hwMoved := false
	if hw > p.log.HighWatermark() {
		if err := p.log.SetHighWatermark(hw); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("set follower high watermark", "partition", p.tp.String(), "err", err)
		}
		hwMoved = true
	}
	if appended || hwMoved {
		// Readers of the follower's committed records (the schema
		// registry's tailer) wait for the high watermark.
		p.notify()
	}
}

// outOfRange handles a fetch offset the leader does not have: below its log
// start the follower restarts its log there; past its end the follower
// truncates by epoch again.
func (f *fetcher) outOfRange(s sentPartition, r *clusterv1.ReplicaFetchResult) {
	b, p := f.b, s.p
	leo := p.log.LogEndOffset()
	if start := r.GetLogStartOffset(); leo < start {
		b.logger.Info("follower is behind the leader's log start; restarting the log", "partition", p.tp.String(), "leo", leo, "leader_log_start", start)
		if err := p.log.TruncateFullyAndStartAt(start); err != nil && !errors.Is(err, storage.ErrClosed) {
			b.logger.Error("restart follower log", "partition", p.tp.String(), "err", err)
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fol == s.fol {
		p.startTruncation(b)
		p.retryAt = b.clock.Now().Add(partitionBackoff)
	}
}
