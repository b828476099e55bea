package server

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/group"
	"github.com/fjordlog/fjord/server/group/assign"
	"github.com/fjordlog/fjord/storage"
)

// This file runs the consumer group coordinator: one coordShard per
// __consumer_offsets partition this broker leads. A shard replays the
// partition's log into a group.Shard, then serves operations one at a time
// on its goroutine; each operation's records are appended as one batch in
// the shard's leader epoch, and its effects and replies are released by a
// second goroutine (the completer) once the high watermark passed the batch,
// in order. When an append or its wait fails, or leadership moves, the shard
// stops: waiting callers get NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE,
// member streams end with the same error, and the shard is loaded again
// from the log if this broker still leads the partition. So the in-memory
// state never stays ahead of the log.

// offsetsTopic holds consumer groups' state and committed offsets.
const offsetsTopic = "__consumer_offsets"

// Coordinator tuning.
const (
	// shardQueue bounds the operations queued for a shard, and the batches
	// appended but not yet committed.
	shardQueue = 1024
	// commitTimeout bounds the wait for a batch to replicate before the
	// shard gives up and reloads.
	commitTimeout = 30 * time.Second
	// loadReadBytes is the read size while loading a shard.
	loadReadBytes = 1 << 20
	// maxReloadDelay caps the back-off between failed loads.
	maxReloadDelay = 5 * time.Second
)

// coordinator owns this broker's coordShards and keeps them in line with
// the partitions of __consumer_offsets it leads.
type coordinator struct {
	b          *broker
	cfg        group.Config
	partitions int32 // of __consumer_offsets when this broker creates it
	rf         int32 // of __consumer_offsets; 0 = min(3, live brokers)

	// createMu serializes creating __consumer_offsets from this broker.
	createMu sync.Mutex
	// beforeLoad, when set (tests), runs on a shard's goroutine before it
	// loads its partition.
	beforeLoad atomic.Pointer[func(part int32)]

	// mu guards the fields below.
	mu     sync.Mutex
	shards map[int32]*coordShard
	// topics is every topic of the last image, for the shards' assignors;
	// topicsVer counts its changes.
	topics    map[string]assign.Topic
	topicsVer uint64
	closed    bool

	wg sync.WaitGroup
}

func newCoordinator(b *broker, o *Options) *coordinator {
	return &coordinator{
		b: b,
		cfg: group.Config{
			DefaultSessionTimeout: o.GroupSessionTimeout,
			MinSessionTimeout:     o.GroupMinSessionTimeout,
			MaxSessionTimeout:     o.GroupMaxSessionTimeout,
			HeartbeatInterval:     o.GroupHeartbeatInterval,
			OffsetsRetention:      o.OffsetsRetention,
		}.EnsureDefaults(),
		partitions: o.OffsetsTopicPartitions,
		rf:         o.OffsetsTopicReplicationFactor,
		shards:     make(map[int32]*coordShard),
	}
}

// leadingAt reports whether this broker leads p in leader epoch epoch.
func (b *broker) leadingAt(p *partition, epoch int32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.deleted && p.ldr != nil && p.ldr.LeaderEpoch() == epoch && p.meta.Leader == b.id && p.meta.LeaderEpoch == epoch
}

// sync starts a shard for every __consumer_offsets partition this broker
// leads, stops the others, and hands topic changes to the running shards.
// reconcile calls it after applying an image.
func (c *coordinator) sync(img *cluster.Image) {
	topics := topicsOf(img)
	type lead struct {
		p     *partition
		epoch int32
	}
	want := map[int32]lead{}
	if t, ok := img.Topic(offsetsTopic); ok {
		for i, pm := range t.Partitions {
			if pm.Leader != c.b.id {
				continue
			}
			c.b.mu.RLock()
			p := c.b.partitions[topicPartition{offsetsTopic, int32(i)}]
			c.b.mu.RUnlock()
			if p != nil && c.b.leadingAt(p, pm.LeaderEpoch) {
				want[int32(i)] = lead{p, pm.LeaderEpoch}
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	changed := !sameTopics(c.topics, topics)
	if changed {
		c.topics = topics
		c.topicsVer++
	}
	for part, s := range c.shards {
		if w, ok := want[part]; !ok || w.p != s.p || w.epoch != s.epoch {
			s.halt(errorf(ReasonNotCoordinator, "broker %d no longer leads %s-%d in leader epoch %d", c.b.id, offsetsTopic, part, s.epoch))
			delete(c.shards, part)
		}
	}
	for part, w := range want {
		if _, ok := c.shards[part]; !ok {
			c.startLocked(part, w.p, w.epoch, 0)
		}
	}
	if changed {
		for _, s := range c.shards {
			s.topicsChanged()
		}
	}
}

// startLocked starts a shard after delay; c.mu is held.
func (c *coordinator) startLocked(part int32, p *partition, epoch int32, delay time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &coordShard{
		c: c, b: c.b, part: part, p: p, epoch: epoch, delay: delay,
		ctx: ctx, cancel: cancel,
		events:   make(chan shardEvent, shardQueue),
		topicsCh: make(chan struct{}, 1),
		done:     make(chan struct{}),
		streams:  make(map[memberKey]*memberStream),
	}
	c.shards[part] = s
	c.wg.Add(1)
	go s.run()
}

// restart loads s's partition again after s failed, if this broker still
// leads it in the same epoch.
func (c *coordinator) restart(s *coordShard) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.shards[s.part] != s {
		return
	}
	delete(c.shards, s.part)
	select {
	case <-c.b.quit:
		return
	default:
	}
	if !c.b.leadingAt(s.p, s.epoch) {
		return
	}
	delay := min(max(2*s.delay, 100*time.Millisecond), maxReloadDelay)
	c.startLocked(s.part, s.p, s.epoch, delay)
}

// currentTopics returns the topics map and its version.
func (c *coordinator) currentTopics() (map[string]assign.Topic, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.topics, c.topicsVer
}

// shard returns the running shard of a __consumer_offsets partition.
func (c *coordinator) shard(part int32) *coordShard {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shards[part]
}

// loadedShards returns the running shards, and the partitions still loading.
func (c *coordinator) loadedShards() (loaded []*coordShard, loading []int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for part, s := range c.shards {
		if s.loaded.Load() {
			loaded = append(loaded, s)
		} else {
			loading = append(loading, part)
		}
	}
	slices.SortFunc(loaded, func(a, b *coordShard) int { return int(a.part - b.part) })
	slices.Sort(loading)
	return loaded, loading
}

// close stops every shard (waiters and streams get NOT_COORDINATOR) and
// waits for their goroutines.
func (c *coordinator) close() {
	c.mu.Lock()
	c.closed = true
	for part, s := range c.shards {
		s.halt(errorf(ReasonNotCoordinator, "broker %d is shutting down", c.b.id))
		delete(c.shards, part)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// topicsOf maps every topic of img to what assignors need: partition counts
// and, when brokers have racks, each partition's replica racks.
func topicsOf(img *cluster.Image) map[string]assign.Topic {
	out := make(map[string]assign.Topic)
	for _, t := range img.Topics() {
		at := assign.Topic{Partitions: int32(len(t.Partitions))}
		racks := make([][]string, len(t.Partitions))
		any := false
		for i, pm := range t.Partitions {
			for _, r := range pm.Replicas {
				if br, ok := img.Broker(r); ok && br.Rack != "" && !slices.Contains(racks[i], br.Rack) {
					racks[i] = append(racks[i], br.Rack)
					any = true
				}
			}
			slices.Sort(racks[i])
		}
		if any {
			at.Racks = racks
		}
		out[t.Name] = at
	}
	return out
}

func sameTopics(a, b map[string]assign.Topic) bool {
	if a == nil || len(a) != len(b) {
		return false
	}
	for name, ta := range a {
		tb, ok := b[name]
		if !ok || ta.Partitions != tb.Partitions || len(ta.Racks) != len(tb.Racks) {
			return false
		}
		for i := range ta.Racks {
			if !slices.Equal(ta.Racks[i], tb.Racks[i]) {
				return false
			}
		}
	}
	return true
}

// memberKey names a group member.
type memberKey struct{ group, member string }

// shardEvent is an operation run on a shard's goroutine.
type shardEvent func(now time.Time) shardStep

// shardStep is what an operation produced.
type shardStep struct {
	out group.Output
	// bind makes this stream the member's stream, ending an older one. The
	// Err effects of out are resolved before it is bound (they address the
	// member's previous incarnation), the State effects after.
	bind *memberStream
	// unbind forgets the member's stream (a leave).
	unbind *memberStream
	// done is called once, in order, after out's records committed (with
	// nil) or when the shard stopped first (with its error).
	done func(error)
}

// delivery is one effect resolved to the stream it goes to.
type delivery struct {
	ms    *memberStream
	state *group.MemberState
	err   *group.Error
}

// pendingStep is a step waiting for its batch to commit.
type pendingStep struct {
	until      int64 // high watermark to reach; 0 without records
	err        error // the append failed
	deliveries []delivery
	done       func(error)
}

// coordShard serves the groups of one __consumer_offsets partition while
// this broker leads it in one leader epoch.
type coordShard struct {
	c     *coordinator
	b     *broker
	part  int32
	p     *partition
	epoch int32
	delay time.Duration // before loading, after a failure

	// ctx ends when the shard stops (halt).
	ctx    context.Context
	cancel context.CancelFunc
	// haltOnce guards reason, set before ctx ends.
	haltOnce sync.Once
	reason   error

	events   chan shardEvent
	topicsCh chan struct{}
	loaded   atomic.Bool
	// done is closed once the shard stopped and every step it ran got its
	// done call.
	done chan struct{}

	// Owned by the run goroutine.
	shard     *group.Shard
	streams   map[memberKey]*memberStream
	topicsVer uint64
}

// halt stops the shard with err (the first reason wins).
func (s *coordShard) halt(err error) {
	s.haltOnce.Do(func() {
		s.reason = err
		s.cancel()
	})
}

// stopErr is the error callers get from a stopped shard.
func (s *coordShard) stopErr() error {
	<-s.ctx.Done()
	return s.reason
}

func (s *coordShard) topicsChanged() {
	select {
	case s.topicsCh <- struct{}{}:
	default:
	}
}

func (s *coordShard) name() string { return offsetsTopic + "-" + strconv.Itoa(int(s.part)) }

// submit queues ev. Before the shard is loaded it answers
// COORDINATOR_LOAD_IN_PROGRESS.
func (s *coordShard) submit(ctx context.Context, ev shardEvent) error {
	if !s.loaded.Load() {
		select {
		case <-s.done:
			return s.stopErr()
		default:
		}
		return errorf(ReasonCoordinatorLoadInProgress, "broker %d is loading %s", s.b.id, s.name()).with("coordinator_id", strconv.Itoa(int(s.b.id)))
	}
	return s.enqueue(ctx, ev)
}

func (s *coordShard) enqueue(ctx context.Context, ev shardEvent) error {
	select {
	case s.events <- ev:
		return nil
	case <-s.done:
		return s.stopErr()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do runs fn on the shard and waits until its output committed; fn's
// error is returned after that (an operation that failed may still have
// had to wait for earlier batches, so that what it read was committed).
func (s *coordShard) do(ctx context.Context, fn func(sh *group.Shard, now time.Time) (group.Output, error)) error {
	errc := make(chan error, 1)
	err := s.submit(ctx, func(now time.Time) shardStep {
		out, err := fn(s.shard, now)
		return shardStep{out: out, done: func(cerr error) {
			if cerr == nil {
				cerr = err
			}
			errc <- cerr
		}}
	})
	if err != nil {
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-s.done:
		select {
		case err := <-errc:
			return err
		default:
			return s.stopErr()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run loads the shard, serves it until it stops, and reloads it after a
// failure while this broker still leads the partition.
func (s *coordShard) run() {
	defer s.c.wg.Done()
	pending := make(chan *pendingStep, shardQueue)
	completed := make(chan struct{})
	go s.complete(pending, completed)
	err := s.serve(pending)
	s.halt(err)
	close(pending)
	<-completed
	close(s.done)
	if r := asError(s.reason).Reason; r != ReasonNotCoordinator {
		s.b.logger.Warn("group coordinator shard failed; reloading", "partition", s.name(), "leader_epoch", s.epoch, "err", s.reason)
		s.c.restart(s)
	} else {
		s.b.logger.Info("group coordinator shard stopped", "partition", s.name(), "leader_epoch", s.epoch, "reason", s.reason)
	}
}

// serve returns why the shard stops.
func (s *coordShard) serve(pending chan<- *pendingStep) error {
	if s.delay > 0 {
		t := time.NewTimer(s.delay)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return s.reason
		case <-s.b.quit:
			t.Stop()
			return errorf(ReasonNotCoordinator, "broker %d is shutting down", s.b.id)
		}
	}
	if hook := s.c.beforeLoad.Load(); hook != nil {
		(*hook)(s.part)
	}
	start := time.Now()
	s.shard = group.NewShard(s.c.cfg)
	leo, err := s.load()
	if err != nil {
		return s.failure(err)
	}
	if err := s.waitHighWatermark(leo); err != nil {
		return s.failure(err)
	}
	topics, ver := s.c.currentTopics()
	s.topicsVer = ver
	if err := s.process(pending, shardStep{out: s.shard.Loaded(s.b.clock.Now(), topics)}); err != nil {
		return err
	}
	s.loaded.Store(true)
	s.b.logger.Info("group coordinator shard loaded", "partition", s.name(), "leader_epoch", s.epoch, "log_end_offset", leo, "took", time.Since(start).String())

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		// The next Tick, on the broker clock (Reset drops a stale expiry).
		var tick <-chan time.Time
		if at, ok := s.shard.NextDeadline(); ok {
			d := max(at.Sub(s.b.clock.Now()), 0)
			if timer == nil {
				timer = time.NewTimer(d)
			} else {
				timer.Reset(d)
			}
			tick = timer.C
		}
		var step shardStep
		select {
		case ev := <-s.events:
			step = ev(s.b.clock.Now())
		case <-tick:
			step = shardStep{out: s.shard.Tick(s.b.clock.Now())}
		case <-s.topicsCh:
			topics, ver := s.c.currentTopics()
			if ver == s.topicsVer {
				continue
			}
			s.topicsVer = ver
			step = shardStep{out: s.shard.SetTopics(s.b.clock.Now(), topics)}
		case <-s.ctx.Done():
			return s.reason
		case <-s.b.quit:
			return errorf(ReasonNotCoordinator, "broker %d is shutting down", s.b.id)
		}
		if err := s.process(pending, step); err != nil {
			return err
		}
	}
}

// failure classifies an error that stops the shard: lost leadership is
// NOT_COORDINATOR, anything else COORDINATOR_NOT_AVAILABLE (the shard is
// reloaded).
func (s *coordShard) failure(err error) error {
	if s.ctx.Err() != nil {
		return s.reason
	}
	e := asError(err)
	switch e.Reason {
	case ReasonNotCoordinator, ReasonCoordinatorNotAvailable:
		return e
	case ReasonNotLeaderOrFollower, ReasonLeaderNotAvailable, ReasonFencedLeaderEpoch, ReasonBrokerShuttingDown:
		return &Error{Reason: ReasonNotCoordinator, Message: fmt.Sprintf("server: broker %d no longer coordinates the groups of %s: %s", s.b.id, s.name(), e.Message), Err: err}
	}
	return &Error{Reason: ReasonCoordinatorNotAvailable, Message: fmt.Sprintf("server: the coordinator of %s on broker %d failed and is reloading: %s", s.name(), s.b.id, e.Message), Err: err}
}

// load replays the partition's log up to its end at the start of loading,
// and returns that end.
func (s *coordShard) load() (int64, error) {
	log := s.p.log
	leo := log.LogEndOffset()
	off := log.LogStartOffset()
	for off < leo {
		if s.ctx.Err() != nil {
			return 0, s.reason
		}
		rr, err := log.Read(off, loadReadBytes, leo)
		if err != nil {
			return 0, err
		}
		for _, batch := range rr.Batches {
			for rec, err := range storage.Records(batch) {
				if err != nil {
					return 0, err
				}
				if rec.Offset < off || rec.Offset >= leo {
					continue
				}
				if err := s.shard.Replay(group.Record{Key: bytes.Clone(rec.Key), Value: bytes.Clone(rec.Value)}); err != nil {
					return 0, fmt.Errorf("server: replay %s at offset %d: %w", s.name(), rec.Offset, err)
				}
			}
		}
		if rr.NextOffset <= off {
			// A load must apply the whole log: stop the shard (it reloads)
			// rather than serve a partial state.
			return 0, fmt.Errorf("server: load of %s made no progress at offset %d (log end %d)", s.name(), off, leo)
		}
		off = rr.NextOffset
	}
	return leo, nil
}

// waitHighWatermark waits until everything loaded is committed.
func (s *coordShard) waitHighWatermark(until int64) error {
	w := newWaiter()
	s.p.addWaiter(w)
	defer s.p.removeWaiter(w)
	for {
		if !s.b.leadingAt(s.p, s.epoch) {
			return errorf(ReasonNotCoordinator, "broker %d lost leadership of %s while loading it", s.b.id, s.name())
		}
		if s.p.log.HighWatermark() >= until {
			return nil
		}
		select {
		case <-w.ch:
		case <-s.ctx.Done():
			return s.reason
		case <-s.b.quit:
			return errorf(ReasonNotCoordinator, "broker %d is shutting down", s.b.id)
		}
	}
}

// process appends step's records and queues the step for the completer.
func (s *coordShard) process(pending chan<- *pendingStep, step shardStep) error {
	ps := &pendingStep{done: step.done}
	for _, e := range step.out.Effects {
		if e.Err != nil {
			ps.deliveries = append(ps.deliveries, delivery{ms: s.streams[memberKey{e.Group, e.MemberID}], err: e.Err})
		}
	}
	if ms := step.bind; ms != nil {
		if old := s.streams[ms.key]; old != nil && old != ms {
			old.finish(errorf(ReasonFencedMemberEpoch, "member %q of group %q opened a newer Membership stream; this one is superseded", ms.key.member, ms.key.group))
		}
		s.streams[ms.key] = ms
	}
	if ms := step.unbind; ms != nil && s.streams[ms.key] == ms {
		delete(s.streams, ms.key)
	}
	for _, e := range step.out.Effects {
		if e.State != nil {
			ps.deliveries = append(ps.deliveries, delivery{ms: s.streams[memberKey{e.Group, e.MemberID}], state: e.State})
		}
	}
	if len(step.out.Records) > 0 {
		if ps.until, ps.err = s.append(step.out.Records); ps.err != nil {
			// The state ran ahead of the log: stop. The step still goes to
			// the completer so that replies keep their order.
			ps.err = s.failure(ps.err)
			s.halt(ps.err)
		} else {
			// A controlled shutdown lets it replicate before leadership moves.
			s.b.acksInFlight.Add(1)
		}
	}
	// The completer drains pending until it is closed, promptly once the
	// shard stopped (its waits end with s.ctx), so this send cannot hang.
	pending <- ps
	if s.ctx.Err() != nil {
		return s.reason
	}
	return nil
}

// append writes records as leader in the shard's epoch and returns the
// high watermark that commits them.
func (s *coordShard) append(recs []group.Record) (int64, error) {
	irecs := make([]internalRecord, len(recs))
	for i, r := range recs {
		irecs[i] = internalRecord{key: r.Key, value: r.Value}
	}
	return s.b.appendAsLeader(s.p, s.epoch, irecs, func() error {
		return errorf(ReasonNotCoordinator, "broker %d no longer leads %s in leader epoch %d", s.b.id, s.name(), s.epoch)
	})
}

// complete releases pending steps in order once their batches committed.
// After a failure it fails every later step with the shard's error.
func (s *coordShard) complete(pending <-chan *pendingStep, completed chan<- struct{}) {
	defer close(completed)
	var failed error
	for ps := range pending {
		if failed == nil && ps.err != nil {
			failed = s.reason
		}
		if failed == nil && ps.until > 0 {
			if err := s.p.waitAck(s.ctx, s.b, s.epoch, ps.until, commitTimeout); err != nil {
				failed = s.failure(err)
				s.halt(failed)
				failed = s.reason
			}
		}
		if ps.until > 0 && ps.err == nil {
			s.b.acksInFlight.Add(-1)
		}
		if failed != nil {
			if ps.done != nil {
				ps.done(failed)
			}
			continue
		}
		for _, d := range ps.deliveries {
			if d.ms == nil {
				continue
			}
			if d.err != nil {
				d.ms.finish(d.err)
			} else {
				d.ms.push(d.state)
			}
		}
		if ps.done != nil {
			ps.done(nil)
		}
	}
}

// memberStream is a member's open Membership stream as the shard sees it:
// the latest state to send and whether the stream must end.
type memberStream struct {
	key  memberKey
	wake chan struct{}

	// mu guards the fields below.
	mu     sync.Mutex
	state  *group.MemberState // not sent yet
	ended  bool
	endErr error // nil: end with OK
}

func newMemberStream(key memberKey) *memberStream {
	return &memberStream{key: key, wake: make(chan struct{}, 1)}
}

func (m *memberStream) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// push replaces the state to send: each state is complete, so a slow
// stream skips intermediate ones.
func (m *memberStream) push(st *group.MemberState) {
	m.mu.Lock()
	if !m.ended {
		m.state = st
	}
	m.mu.Unlock()
	m.signal()
}

// finish ends the stream with err (nil: OK); the first call wins.
func (m *memberStream) finish(err error) {
	m.mu.Lock()
	if !m.ended {
		m.ended, m.endErr, m.state = true, err, nil
	}
	m.mu.Unlock()
	m.signal()
}

// take returns the state to send, or that the stream must end.
func (m *memberStream) take() (st *group.MemberState, ended bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, m.state = m.state, nil
	return st, m.ended, m.endErr
}

// errNotCoordinatorFor is NOT_COORDINATOR for a group led elsewhere, naming
// the coordinator so the client goes there at once.
func (b *broker) errNotCoordinatorFor(groupID string, part int32, pm cluster.PartitionMeta) *Error {
	e := errorf(ReasonNotCoordinator, "broker %d is not the coordinator of group %q (%s-%d); broker %d is", b.id, groupID, offsetsTopic, part, pm.Leader).
		with("group_id", groupID, "coordinator_id", strconv.Itoa(int(pm.Leader)), "partition", strconv.Itoa(int(part)))
	if bm, ok := b.ctl.image().Broker(pm.Leader); ok {
		e.with("coordinator_address", bm.Address)
	}
	return e
}
