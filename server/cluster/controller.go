package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

// Peer is one voter of the controller quorum.
type Peer struct {
	ID   int32
	Addr string
}

// RaftOptions tunes hashicorp/raft; zero fields keep raft.DefaultConfig's
// values (1 s heartbeat and election timeouts, snapshot every 8192 entries
// checked every 120 s, 10240 trailing entries).
type RaftOptions struct {
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	CommitTimeout      time.Duration
	SnapshotThreshold  uint64
	SnapshotInterval   time.Duration
	TrailingLogs       uint64
}

// Options configures a Controller. The zero value plus a NodeID is a
// single in-memory voter on an in-memory transport (tests only): set Dir
// for durability and RaftAddr or Transport for peers.
type Options struct {
	// NodeID is this node's id in the quorum; in combined mode it equals
	// the broker id.
	NodeID int32
	// Dir holds raft.db (bbolt log and stable store) and snapshots/. Empty
	// keeps everything in memory.
	Dir string
	// RaftAddr is the TCP address to listen on for raft traffic, such as
	// "127.0.0.1:9093". Ignored when Transport is set.
	RaftAddr string
	// AdvertiseAddr is the raft address peers dial when it differs from
	// RaftAddr (for example when listening on 0.0.0.0).
	AdvertiseAddr string
	// Transport, when set, replaces the TCP transport (raft.NewInmemTransport
	// in tests). The controller closes it.
	Transport raft.Transport
	// TLS, when set, runs the TCP transport over TLS (see RaftTLS).
	TLS *RaftTLS
	// Peers is the static voter list, this node included. Empty means a
	// quorum of one.
	Peers []Peer
	// Bootstrap makes a node without raft state bootstrap Peers (every node
	// of a static list may do so: they bootstrap the same configuration). A
	// node with Bootstrap false and Peers set waits to be added with
	// AddVoter. A quorum of one always bootstraps.
	Bootstrap bool
	// Raft tunes the raft library.
	Raft RaftOptions
	// SessionTimeout is how long the leader waits for a broker heartbeat
	// before fencing the broker. Default 9 s.
	SessionTimeout time.Duration
	// TickInterval is how often the leader checks sessions and leader
	// balance. Default SessionTimeout/4.
	TickInterval time.Duration
	// ApplyTimeout bounds a proposal whose context has no deadline.
	// Default 10 s.
	ApplyTimeout time.Duration
	// DisableAutoLeaderRebalance turns off the automatic preferred-leader
	// election the leader runs every tick.
	DisableAutoLeaderRebalance bool
	// Clock drives fencing. Default SystemClock.
	Clock Clock
	// Logger receives controller events. Default: discard.
	Logger *slog.Logger
	// RaftLogOutput receives hashicorp/raft's own log. Default: discard.
	RaftLogOutput io.Writer
	// NewTopicID generates topic ids. Default: 16 random bytes in hex.
	NewTopicID func() string
}

func (o *Options) ensureDefaults() {
	if o.SessionTimeout <= 0 {
		o.SessionTimeout = 9 * time.Second
	}
	if o.TickInterval <= 0 {
		o.TickInterval = o.SessionTimeout / 4
	}
	if o.ApplyTimeout <= 0 {
		o.ApplyTimeout = 10 * time.Second
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.NewTopicID == nil {
		o.NewTopicID = randomID
	}
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Controller is one member of the controller quorum: a raft node whose FSM
// is the metadata state machine. Every method is safe for concurrent use.
// Proposals succeed only on the leader; elsewhere they fail with a
// *NotLeaderError naming the leader (no forwarding: the caller, which owns
// the network API, re-routes).
type Controller struct {
	opts   Options
	fsm    *fsm
	raft   *raft.Raft
	store  *raftboltdb.BoltStore // nil in memory
	logs   raft.LogStore
	trans  raft.Transport
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// propMu serializes proposals that plan against the image (topic
	// creation, partition growth), so each plans on its predecessor's
	// result and placements stay balanced.
	propMu sync.Mutex

	// liveMu guards live, leading and lastLeader.
	liveMu  sync.Mutex
	live    *Liveness
	leading bool
	// lastLeader is the last other node seen leading (-1: none).
	lastLeader int32

	// closeMu guards closed, so that no waiter joins wg once Close waits.
	closeMu sync.RWMutex
	closed  bool

	closeOnce sync.Once
	closeErr  error
}

// Open starts a controller node.
func Open(opts Options) (_ *Controller, err error) {
	opts.ensureDefaults()
	if opts.NodeID < 0 {
		return nil, fmt.Errorf("cluster: node id %d must not be negative", opts.NodeID)
	}
	hlog := hclog.NewNullLogger()
	if opts.RaftLogOutput != nil {
		hlog = hclog.New(&hclog.LoggerOptions{Name: "raft-" + strconv.Itoa(int(opts.NodeID)), Output: opts.RaftLogOutput, Level: hclog.Info})
	}
	c := &Controller{opts: opts, fsm: newFSM(opts.Logger), live: NewLiveness(opts.SessionTimeout), lastLeader: -1}
	var (
		stable raft.StableStore
		snaps  raft.SnapshotStore
		trans  = opts.Transport
	)
	var closers []io.Closer
	defer func() {
		if err != nil {
			for _, cl := range closers {
				_ = cl.Close()
			}
		}
	}()
	if opts.Dir == "" {
		mem := raft.NewInmemStore()
		c.logs, stable, snaps = mem, mem, raft.NewInmemSnapshotStore()
	} else {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("cluster: create %s: %w", opts.Dir, err)
		}
		store, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(opts.Dir, "raft.db")})
		if err != nil {
			return nil, fmt.Errorf("cluster: open raft log: %w", err)
		}
		closers = append(closers, store)
		c.store, stable = store, store
		if c.logs, err = raft.NewLogCache(512, store); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
		if snaps, err = raft.NewFileSnapshotStoreWithLogger(opts.Dir, 2, hlog); err != nil {
			return nil, fmt.Errorf("cluster: open snapshots: %w", err)
		}
	}
	if trans == nil {
		if opts.RaftAddr == "" {
			_, trans = raft.NewInmemTransport("")
		} else {
			var adv net.Addr
			if opts.AdvertiseAddr != "" {
				if adv, err = net.ResolveTCPAddr("tcp", opts.AdvertiseAddr); err != nil {
					return nil, fmt.Errorf("cluster: advertise address: %w", err)
				}
			}
			var nt *raft.NetworkTransport
			if opts.TLS != nil {
				nt, err = newTLSTransport(opts.RaftAddr, adv, opts.TLS, hlog)
			} else {
				nt, err = raft.NewTCPTransportWithLogger(opts.RaftAddr, adv, 3, 10*time.Second, hlog)
			}
			if err != nil {
				return nil, fmt.Errorf("cluster: raft transport: %w", err)
			}
			trans = nt
		}
	}
	if cl, ok := trans.(io.Closer); ok {
		closers = append(closers, cl)
	}

	conf := raft.DefaultConfig()
	conf.LocalID = serverID(opts.NodeID)
	conf.Logger = hlog
	ro := opts.Raft
	setDur(&conf.HeartbeatTimeout, ro.HeartbeatTimeout)
	setDur(&conf.ElectionTimeout, ro.ElectionTimeout)
	setDur(&conf.LeaderLeaseTimeout, ro.LeaderLeaseTimeout)
	setDur(&conf.CommitTimeout, ro.CommitTimeout)
	setDur(&conf.SnapshotInterval, ro.SnapshotInterval)
	if ro.SnapshotThreshold > 0 {
		conf.SnapshotThreshold = ro.SnapshotThreshold
	}
	if ro.TrailingLogs > 0 {
		conf.TrailingLogs = ro.TrailingLogs
	}
	if err := raft.ValidateConfig(conf); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}

	existing, err := raft.HasExistingState(c.logs, stable, snaps)
	if err != nil {
		return nil, fmt.Errorf("cluster: read raft state: %w", err)
	}
	if !existing && (opts.Bootstrap || len(opts.Peers) == 0) {
		var cfg raft.Configuration
		for _, p := range opts.Peers {
			cfg.Servers = append(cfg.Servers, raft.Server{ID: serverID(p.ID), Address: raft.ServerAddress(p.Addr)})
		}
		if len(cfg.Servers) == 0 {
			cfg.Servers = []raft.Server{{ID: conf.LocalID, Address: trans.LocalAddr()}}
		}
		if err := raft.BootstrapCluster(conf, c.logs, stable, snaps, trans, cfg); err != nil {
			return nil, fmt.Errorf("cluster: bootstrap: %w", err)
		}
	}
	r, err := raft.NewRaft(conf, c.fsm, c.logs, stable, snaps, trans)
	if err != nil {
		return nil, fmt.Errorf("cluster: start raft: %w", err)
	}
	c.raft, c.trans = r, trans
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(1)
	go c.run()
	return c, nil
}

func setDur(dst *time.Duration, v time.Duration) {
	if v > 0 {
		*dst = v
	}
}

func serverID(id int32) raft.ServerID { return raft.ServerID(strconv.Itoa(int(id))) }

// Close stops the fencing timer and the raft node and releases the stores.
// Proposals in flight end with ErrIndeterminate.
func (c *Controller) Close() error {
	c.closeOnce.Do(func() {
		c.closeMu.Lock()
		c.closed = true
		c.closeMu.Unlock()
		c.cancel()
		err := c.raft.Shutdown().Error()
		// Shutdown closes the listener but not pooled outbound connections,
		// whose reader goroutines on the peers would otherwise linger.
		if cs, ok := c.trans.(interface{ CloseStreams() }); ok {
			cs.CloseStreams()
		}
		c.wg.Wait()
		if c.store != nil {
			err = errors.Join(err, c.store.Close())
		}
		c.closeErr = err
	})
	return c.closeErr
}

// Image returns the current metadata image.
func (c *Controller) Image() *Image {
	img, _ := c.fsm.current()
	return img
}

// Watch returns the current image and a channel closed as soon as a newer
// image replaces it. Watchers loop: act on the image, wait on the channel,
// call Watch again. Intermediate images may be skipped, never reordered.
func (c *Controller) Watch() (*Image, <-chan struct{}) { return c.fsm.current() }

// WaitFor blocks until an image satisfies cond and returns that image.
func (c *Controller) WaitFor(ctx context.Context, cond func(*Image) bool) (*Image, error) {
	for {
		img, changed := c.Watch()
		if cond(img) {
			return img, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return img, ctx.Err()
		case <-c.ctx.Done():
			return img, ErrClosed
		}
	}
}

// LeaderID returns the controller leader's node id, or -1 and false when no
// leader is known.
func (c *Controller) LeaderID() (int32, bool) {
	_, id := c.raft.LeaderWithID()
	n, err := strconv.ParseInt(string(id), 10, 32)
	if id == "" || err != nil {
		return -1, false
	}
	return int32(n), true
}

// IsLeader reports whether this node is the controller leader.
func (c *Controller) IsLeader() bool { return c.raft.State() == raft.Leader }

// LeaderChanges is how many times, while this node led the quorum, a
// committed record gave an existing partition a new leader: elections
// after a broker was fenced, preferred-leader elections, moves by
// reassignment or controlled shutdown (a partition left without a leader
// is not counted).
func (c *Controller) LeaderChanges() int64 { return c.fsm.leaderChanges.Load() }

func (c *Controller) notLeader() error {
	addr, _ := c.raft.LeaderWithID()
	id, _ := c.LeaderID()
	return &NotLeaderError{LeaderID: id, LeaderAddr: string(addr)}
}

func (c *Controller) timeout(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		// Deadlines are wall-clock by nature, unlike the fencing clock.
		return max(time.Until(dl), time.Millisecond)
	}
	return c.opts.ApplyTimeout
}

// wait waits for f or ctx and maps raft's errors to this package's.
func (c *Controller) wait(ctx context.Context, f raft.Future) error {
	done := make(chan error, 1)
	c.closeMu.RLock()
	if c.closed {
		c.closeMu.RUnlock()
		return fmt.Errorf("%w: %w", ErrIndeterminate, ErrClosed)
	}
	c.wg.Add(1)
	c.closeMu.RUnlock()
	go func() {
		defer c.wg.Done()
		done <- f.Error() // raft resolves every future, at the latest on shutdown
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrIndeterminate, ctx.Err())
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return c.notLeader()
	case errors.Is(err, raft.ErrLeadershipLost):
		return fmt.Errorf("%w: %w", ErrIndeterminate, c.notLeader())
	case errors.Is(err, raft.ErrRaftShutdown):
		return fmt.Errorf("%w: %w", ErrIndeterminate, ErrClosed)
	default:
		return fmt.Errorf("cluster: raft: %w", err)
	}
}

// Propose appends rec to the metadata log and returns the result of
// applying it. A state machine rejection (a *Error) means the record was
// committed and changed nothing.
func (c *Controller) Propose(ctx context.Context, rec Record) (Result, error) {
	data, err := rec.Marshal()
	if err != nil {
		return Result{}, err
	}
	if c.ctx.Err() != nil {
		return Result{}, ErrClosed
	}
	if !c.IsLeader() {
		return Result{}, c.notLeader()
	}
	f := c.raft.Apply(data, c.timeout(ctx))
	if err := c.wait(ctx, f); err != nil {
		return Result{}, err
	}
	resp := f.Response().(applyResponse)
	return resp.res, resp.err
}

// barrier waits until every entry committed before this leadership term is
// applied, so plans start from a current image.
func (c *Controller) barrier(ctx context.Context) error {
	if !c.IsLeader() {
		return c.notLeader()
	}
	return c.wait(ctx, c.raft.Barrier(c.timeout(ctx)))
}

// BrokerRegistration is a broker's registration request.
type BrokerRegistration struct {
	ID            int32
	IncarnationID string
	Address       string
	Rack          string
	// LostUnsyncedData: see RegisterBroker.
	LostUnsyncedData bool
}

// RegisterBroker registers a broker incarnation and returns its record; the
// broker starts fenced and becomes active by heartbeating without
// WantFence. It fails with ErrDuplicateBroker while another incarnation of
// the id holds a live session.
func (c *Controller) RegisterBroker(ctx context.Context, reg BrokerRegistration) (Broker, error) {
	if !c.IsLeader() {
		return Broker{}, c.notLeader()
	}
	if old, ok := c.Image().Broker(reg.ID); ok && old.IncarnationID != reg.IncarnationID && old.State != BrokerFenced {
		c.liveMu.Lock()
		fresh := c.live.Fresh(reg.ID, c.opts.Clock.Now())
		c.liveMu.Unlock()
		if fresh {
			return Broker{}, brokerErr(ErrDuplicateBroker, reg.ID, "incarnation %s holds the id", old.IncarnationID)
		}
	}
	res, err := c.Propose(ctx, NewRecord(&RegisterBroker{ID: reg.ID, IncarnationID: reg.IncarnationID, Address: reg.Address, Rack: reg.Rack, LostUnsyncedData: reg.LostUnsyncedData}))
	if err != nil {
		return Broker{}, err
	}
	c.liveMu.Lock()
	c.live.Heartbeat(reg.ID, c.opts.Clock.Now())
	c.liveMu.Unlock()
	return *res.Broker, nil
}

// HeartbeatRequest is a broker heartbeat.
type HeartbeatRequest struct {
	BrokerID    int32
	BrokerEpoch int64
	// WantFence keeps a fenced broker fenced (it is still catching up on
	// metadata); a fenced broker heartbeating without it is unfenced.
	WantFence bool
	// WantShutdown starts a controlled shutdown.
	WantShutdown bool
}

// HeartbeatResponse tells the broker its state.
type HeartbeatResponse struct {
	State BrokerState
	// ShouldShutdown is true once a broker in controlled shutdown leads no
	// partition: it may stop.
	ShouldShutdown bool
}

// Heartbeat renews a broker session on the leader. Heartbeats are not
// logged; only the state changes they cause are (UnfenceBroker,
// ControlledShutdown).
func (c *Controller) Heartbeat(ctx context.Context, req HeartbeatRequest) (HeartbeatResponse, error) {
	if !c.IsLeader() {
		return HeartbeatResponse{}, c.notLeader()
	}
	b, ok := c.Image().Broker(req.BrokerID)
	if !ok {
		return HeartbeatResponse{}, brokerErr(ErrUnknownBroker, req.BrokerID, "")
	}
	if b.Epoch != req.BrokerEpoch {
		return HeartbeatResponse{}, brokerErr(ErrStaleBrokerEpoch, req.BrokerID, "epoch %d, registered epoch is %d", req.BrokerEpoch, b.Epoch)
	}
	c.liveMu.Lock()
	c.live.Heartbeat(req.BrokerID, c.opts.Clock.Now())
	c.liveMu.Unlock()
	var rec *Record
	switch {
	case req.WantShutdown && b.State == BrokerActive:
		r := ShutdownRecord(b.ID, b.Epoch)
		rec = &r
	case !req.WantShutdown && !req.WantFence && b.State == BrokerFenced:
		r := UnfenceRecord(b.ID, b.Epoch)
		rec = &r
	}
	if rec != nil {
		res, err := c.Propose(ctx, *rec)
		if err != nil {
			return HeartbeatResponse{}, err
		}
		b = *res.Broker
	}
	resp := HeartbeatResponse{State: b.State}
	if req.WantShutdown && b.State != BrokerActive {
		resp.ShouldShutdown = !leadsAny(c.Image(), b.ID)
	}
	return resp, nil
}

func leadsAny(img *Image, id int32) bool {
	for _, t := range img.topics {
		for _, p := range t.Partitions {
			if p.Leader == id {
				return true
			}
		}
	}
	return false
}

// CreateTopic places and creates a topic and returns it as applied.
func (c *Controller) CreateTopic(ctx context.Context, spec TopicSpec) (*TopicMeta, error) {
	c.propMu.Lock()
	defer c.propMu.Unlock()
	if err := c.barrier(ctx); err != nil {
		return nil, err
	}
	rec, err := c.Image().PlanCreateTopic(spec, c.opts.NewTopicID())
	if err != nil {
		return nil, err
	}
	res, err := c.Propose(ctx, rec)
	if err != nil {
		return nil, err
	}
	return res.Topic, nil
}

// DeleteTopic deletes a topic; a non-empty id must match the topic's.
func (c *Controller) DeleteTopic(ctx context.Context, name, id string) error {
	_, err := c.Propose(ctx, NewRecord(&DeleteTopic{Name: name, ID: id}))
	return err
}

// AlterConfigs sets and deletes topic configs (values validated by the
// caller) and returns the topic as applied.
func (c *Controller) AlterConfigs(ctx context.Context, topic string, set map[string]string, del []string) (*TopicMeta, error) {
	res, err := c.Propose(ctx, NewRecord(&AlterConfigs{Topic: topic, Set: set, Delete: del}))
	if err != nil {
		return nil, err
	}
	return res.Topic, nil
}

// CreatePartitions grows topic to total partitions.
func (c *Controller) CreatePartitions(ctx context.Context, topic string, total int32) (*TopicMeta, error) {
	c.propMu.Lock()
	defer c.propMu.Unlock()
	if err := c.barrier(ctx); err != nil {
		return nil, err
	}
	rec, err := c.Image().PlanCreatePartitions(topic, total)
	if err != nil {
		return nil, err
	}
	res, err := c.Propose(ctx, rec)
	if err != nil {
		return nil, err
	}
	return res.Topic, nil
}

// ChangePartition proposes a compare-and-set on a partition's leader and
// ISR (see the ChangePartition record) and returns the partition as
// applied.
func (c *Controller) ChangePartition(ctx context.Context, ch ChangePartition) (PartitionMeta, error) {
	res, err := c.Propose(ctx, NewRecord(&ch))
	if err != nil {
		return PartitionMeta{}, err
	}
	return *res.Partition, nil
}

// ElectPreferredLeaders runs a preferred-leader election for the listed
// partitions, or every partition when none are listed.
func (c *Controller) ElectPreferredLeaders(ctx context.Context, tps []TopicPartition) ([]Election, error) {
	res, err := c.Propose(ctx, NewRecord(&ElectPreferredLeaders{Partitions: tps}))
	if err != nil {
		return nil, err
	}
	return res.Elections, nil
}

// ReassignPartitions starts, replaces or cancels partition reassignments
// (see the ReassignPartitions record) and returns one result per listed
// partition, in order; each partition succeeds or fails on its own. The
// error is for the proposal as a whole. Ongoing reassignments are listed
// by Image.Reassigning; each completes once its target replicas are in
// the ISR.
func (c *Controller) ReassignPartitions(ctx context.Context, rs []Reassignment) ([]ReassignmentResult, error) {
	res, err := c.Propose(ctx, NewRecord(&ReassignPartitions{Partitions: rs}))
	if err != nil {
		return nil, err
	}
	return res.Reassignments, nil
}

// AllocateProducerIDs hands broker id (in session epoch) the next block of
// producer ids; ids are unique cluster-wide and never reused, even across
// controller failovers (the counter is in the log).
func (c *Controller) AllocateProducerIDs(ctx context.Context, id int32, epoch int64) (ProducerIDBlock, error) {
	res, err := c.Propose(ctx, AllocateProducerIDsRecord(id, epoch))
	if err != nil {
		return ProducerIDBlock{}, err
	}
	return res.ProducerIDs, nil
}

// AddVoter adds a node to the quorum (the --join path).
func (c *Controller) AddVoter(ctx context.Context, id int32, addr string) error {
	if !c.IsLeader() {
		return c.notLeader()
	}
	return c.wait(ctx, c.raft.AddVoter(serverID(id), raft.ServerAddress(addr), 0, c.timeout(ctx)))
}

// Snapshot forces a raft snapshot and log truncation now.
func (c *Controller) Snapshot() error {
	err := c.raft.Snapshot().Error()
	if err != nil {
		return fmt.Errorf("cluster: snapshot: %w", err)
	}
	return nil
}

// run is the leader's timer loop: it fences brokers whose sessions expired
// and rebalances leadership to preferred replicas.
func (c *Controller) run() {
	defer c.wg.Done()
	t := c.opts.Clock.NewTicker(c.opts.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case leader := <-c.raft.LeaderCh():
			c.leadership(leader)
		case <-t.C():
			c.tick()
		}
	}
}

func (c *Controller) leadership(leader bool) {
	c.liveMu.Lock()
	defer c.liveMu.Unlock()
	if leader && !c.leading {
		now := c.opts.Clock.Now()
		c.live.Reset(now)
		if c.lastLeader >= 0 && c.lastLeader != c.opts.NodeID {
			// The previous leader gets half a session to prove it lives.
			c.live.Suspect(c.lastLeader, now.Add(-c.opts.SessionTimeout/2))
		}
		if c.Image().ClusterID() == "" {
			c.wg.Add(1)
			go c.initCluster()
		}
	}
	c.leading = leader
	c.fsm.leading.Store(leader)
	c.opts.Logger.Info("cluster: leadership changed", "node", c.opts.NodeID, "leader", leader)
}

// initCluster names a new cluster; it runs on a new leader whose image has
// no cluster id. The barrier first applies everything committed before, so
// a cluster named by an earlier leader keeps its name.
func (c *Controller) initCluster() {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.ApplyTimeout)
	defer cancel()
	if err := c.barrier(ctx); err != nil || c.Image().ClusterID() != "" {
		return
	}
	if _, err := c.Propose(ctx, NewRecord(&InitCluster{ClusterID: randomID()})); err != nil {
		c.opts.Logger.Warn("cluster: naming the cluster failed; the next leader retries", "err", err)
	}
}

func (c *Controller) tick() {
	// A leadership change not yet seen by run must reset sessions before
	// any of them is judged.
	select {
	case leader := <-c.raft.LeaderCh():
		c.leadership(leader)
	default:
	}
	c.liveMu.Lock()
	if id, ok := c.LeaderID(); ok && id != c.opts.NodeID {
		c.lastLeader = id
	}
	leading := c.leading
	var expired []BrokerRef
	img := c.Image()
	if leading {
		expired = c.live.Expired(img, c.opts.Clock.Now())
	}
	c.liveMu.Unlock()
	if !leading || !c.IsLeader() {
		return
	}
	for _, ref := range expired {
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.ApplyTimeout)
		_, err := c.Propose(ctx, FenceRecord(ref.ID, ref.Epoch))
		cancel()
		c.opts.Logger.Info("cluster: fenced broker after session timeout", "broker", ref.ID, "epoch", ref.Epoch, "err", err)
	}
	if c.opts.DisableAutoLeaderRebalance {
		return
	}
	if tps := c.Image().Imbalanced(); len(tps) > 0 {
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.ApplyTimeout)
		_, err := c.Propose(ctx, NewRecord(&ElectPreferredLeaders{Partitions: tps}))
		cancel()
		c.opts.Logger.Info("cluster: preferred leader election", "partitions", len(tps), "err", err)
	}
}
