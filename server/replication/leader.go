package replication

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultLagTimeMax is replica.lag.time.max.ms: a follower that has not
// caught up for this long leaves the ISR. Units are those of the now values
// the caller passes (milliseconds by convention).
const DefaultLagTimeMax = 30_000

// LeaderConfig is the controller's view of a partition plus the topic
// settings the leader needs. The zero values of MinInSync and LagTimeMax
// select the defaults.
type LeaderConfig struct {
	// Topic and Partition name the partition in errors.
	Topic     string
	Partition int32
	// ReplicaID is this broker, the leader. It must be in Replicas and ISR.
	ReplicaID int32
	// Replicas is the assignment; ISR the committed in-sync subset.
	Replicas []int32
	ISR      []int32
	// LeaderEpoch is bumped by the controller on every leader change;
	// PartitionEpoch on every change of the partition's state (leader, ISR,
	// replicas) and is the compare-and-set version of ISR proposals.
	LeaderEpoch    int32
	PartitionEpoch int32
	// MinInSync is min.insync.replicas (default 1). It may not exceed the
	// number of replicas.
	MinInSync int
	// LagTimeMax is replica.lag.time.max (default DefaultLagTimeMax), in the
	// unit of the now arguments.
	LagTimeMax int64
	// SyncPolicy is flush.policy=sync: only durable (fsynced) offsets count
	// toward the high watermark, the leader's own included. Otherwise
	// (flush.policy=replication) log end offsets count.
	SyncPolicy bool
}

// Offsets is the leader's log as the caller sees it when it becomes leader.
type Offsets struct {
	// LogEnd is the log end offset (storage.Log.LogEndOffset).
	LogEnd int64
	// Durable is the offset below which the log is synced
	// (storage.Log.RecoveryPoint). Ignored without SyncPolicy.
	Durable int64
	// HighWatermark is the replica's last known high watermark
	// (storage.Log.HighWatermark); a new leader starts from it.
	HighWatermark int64
}

// ISRChange is a proposal for the controller: set the ISR to NewISR if the
// partition is still at PartitionEpoch and LeaderEpoch (compare-and-set).
// The controller answers by committing (ApplyISR with a higher partition
// epoch) or rejecting (ISRProposalFailed).
type ISRChange struct {
	LeaderEpoch    int32
	PartitionEpoch int32
	NewISR         []int32
}

func (c *ISRChange) String() string {
	return fmt.Sprintf("isr=%s leader-epoch=%d partition-epoch=%d", fmtIDs(c.NewISR), c.LeaderEpoch, c.PartitionEpoch)
}

// Ready is what a Leader method asks the caller to do.
type Ready struct {
	// HighWatermarkChanged: store HighWatermark (storage.Log.SetHighWatermark),
	// wake parked acks=all produces and consumer long polls, and send it to
	// followers with their next fetch responses.
	HighWatermarkChanged bool
	HighWatermark        int64
	// ProposeISR, if set, must be sent to the controller. No other proposal
	// is made until ApplyISR or ISRProposalFailed resolves it.
	ProposeISR *ISRChange
}

func (r Ready) String() string {
	var b strings.Builder
	if r.HighWatermarkChanged {
		fmt.Fprintf(&b, "hw -> %d\n", r.HighWatermark)
	}
	if r.ProposeISR != nil {
		fmt.Fprintf(&b, "propose %s\n", r.ProposeISR)
	}
	if b.Len() == 0 {
		return "no change\n"
	}
	return b.String()
}

// FetchRequest is one partition of a follower's fetch as the leader sees it.
type FetchRequest struct {
	ReplicaID int32
	// LeaderEpoch is the follower's current leader epoch (KIP-320 fencing).
	LeaderEpoch int32
	// FetchOffset is the follower's log end offset: it has every offset
	// below, identical to the leader's.
	FetchOffset int64
	// DurableOffset is the follower's synced offset; with SyncPolicy only
	// this much counts toward the high watermark (clamped to FetchOffset).
	DurableOffset int64
	// Now is the caller's clock.
	Now int64
}

// followerState is what the leader knows of one follower (Kafka's
// ReplicaState). Offsets are -1 until the follower fetches in this epoch.
type followerState struct {
	id      int32
	leo     int64
	durable int64
	// lastFetchLeaderLEO is the leader's LEO when the previous fetch arrived;
	// lastFetch is when. A fetch at or past lastFetchLeaderLEO proves the
	// follower was caught up at lastFetch.
	lastFetchLeaderLEO int64
	lastFetch          int64
	lastCaughtUp       int64
}

// Leader is the leader side of one partition in one leader epoch: follower
// progress, the high watermark and ISR changes. It is a pure state machine
// (no I/O, no clock, no goroutines) and not safe for concurrent use; the
// caller serializes calls, typically under the partition's lock. A new
// leader epoch needs a new Leader.
type Leader struct {
	cfg        LeaderConfig
	isr        []int32 // committed, sorted
	pe         int32   // committed partition epoch
	pending    *ISRChange
	leo        int64
	durable    int64
	hw         int64
	epochStart int64 // LEO when this epoch began (Kafka's leaderEpochStartOffset)
	followers  []followerState
	resigned   bool
}

// NewLeader starts leading with cfg, the log at off, at time now. Followers
// in the ISR count as caught up at now; every follower's offsets are unknown
// until it fetches, so the high watermark cannot advance before every ISR
// member has fetched in this epoch.
func NewLeader(cfg LeaderConfig, off Offsets, now int64) (*Leader, error) {
	if cfg.MinInSync == 0 {
		cfg.MinInSync = 1
	}
	if cfg.LagTimeMax == 0 {
		cfg.LagTimeMax = DefaultLagTimeMax
	}
	cfg.Replicas = sortedIDs(cfg.Replicas)
	cfg.ISR = sortedIDs(cfg.ISR)
	switch {
	case !slices.Contains(cfg.Replicas, cfg.ReplicaID):
		return nil, fmt.Errorf("%w: leader %d not in replicas %s", ErrInvalidConfig, cfg.ReplicaID, fmtIDs(cfg.Replicas))
	case !slices.Contains(cfg.ISR, cfg.ReplicaID):
		return nil, fmt.Errorf("%w: leader %d not in isr %s", ErrInvalidConfig, cfg.ReplicaID, fmtIDs(cfg.ISR))
	case cfg.MinInSync < 1 || cfg.MinInSync > len(cfg.Replicas):
		return nil, fmt.Errorf("%w: min.insync.replicas %d not in [1, %d]", ErrInvalidConfig, cfg.MinInSync, len(cfg.Replicas))
	case cfg.LagTimeMax < 0:
		return nil, fmt.Errorf("%w: negative replica lag time", ErrInvalidConfig)
	case off.LogEnd < 0 || off.HighWatermark < 0 || off.HighWatermark > off.LogEnd:
		return nil, fmt.Errorf("%w: high watermark %d, log end %d", ErrInvalidConfig, off.HighWatermark, off.LogEnd)
	}
	for _, id := range cfg.ISR {
		if !slices.Contains(cfg.Replicas, id) {
			return nil, fmt.Errorf("%w: isr member %d not a replica", ErrInvalidConfig, id)
		}
	}
	l := &Leader{
		cfg:        cfg,
		isr:        cfg.ISR,
		pe:         cfg.PartitionEpoch,
		leo:        off.LogEnd,
		durable:    min(max(off.Durable, 0), off.LogEnd),
		hw:         off.HighWatermark,
		epochStart: off.LogEnd,
	}
	for _, id := range cfg.Replicas {
		if id == cfg.ReplicaID {
			continue
		}
		f := followerState{id: id, leo: -1, durable: -1, lastFetchLeaderLEO: -1}
		if slices.Contains(cfg.ISR, id) {
			f.lastCaughtUp = now
		}
		l.followers = append(l.followers, f)
	}
	return l, nil
}

// HighWatermark is the offset below which every ISR member has the data
// (durably, under SyncPolicy). It never decreases during a Leader's life.
func (l *Leader) HighWatermark() int64 { return l.hw }

// LeaderEpoch is the epoch this Leader leads.
func (l *Leader) LeaderEpoch() int32 { return l.cfg.LeaderEpoch }

// PartitionEpoch is the last committed partition epoch.
func (l *Leader) PartitionEpoch() int32 { return l.pe }

// EpochStartOffset is the log end offset when this epoch began.
func (l *Leader) EpochStartOffset() int64 { return l.epochStart }

// ISR returns the committed ISR (a copy, sorted).
func (l *Leader) ISR() []int32 { return slices.Clone(l.isr) }

// MaximalISR is the committed ISR plus a replica whose addition is pending.
// The high watermark is computed over it, so a replica counts from the
// moment it is proposed until a removal commits.
func (l *Leader) MaximalISR() []int32 {
	if l.pending != nil && len(l.pending.NewISR) > len(l.isr) {
		return slices.Clone(l.pending.NewISR)
	}
	return slices.Clone(l.isr)
}

// Pending is the unresolved ISR proposal, or nil.
func (l *Leader) Pending() *ISRChange { return l.pending }

// Resigned reports whether Resign was called.
func (l *Leader) Resigned() bool { return l.resigned }

// Resign ends this leadership (new leader epoch, deletion, shutdown). Every
// later call fails with ErrNotLeader, and AckReady reports ErrNotLeader so
// waiting acks=all produces end with an indefinite, retriable error.
func (l *Leader) Resign() { l.resigned = true; l.pending = nil }

// Append records the leader's new log end offset after an append.
func (l *Leader) Append(leo int64) (Ready, error) {
	if l.resigned {
		return Ready{}, ErrNotLeader
	}
	if leo < l.leo {
		return Ready{}, fmt.Errorf("%w: leader log end offset %d below %d", ErrInvalidOffset, leo, l.leo)
	}
	l.leo = leo
	return l.ready(), nil
}

// Sync records the leader's durable offset after an fsync
// (storage.Log.RecoveryPoint). Lower values than before are ignored.
func (l *Leader) Sync(durable int64) (Ready, error) {
	if l.resigned {
		return Ready{}, ErrNotLeader
	}
	if durable > l.leo {
		return Ready{}, fmt.Errorf("%w: durable offset %d above log end %d", ErrInvalidOffset, durable, l.leo)
	}
	l.durable = max(l.durable, durable)
	return l.ready(), nil
}

// Fetch records a follower's fetch: its progress, its caught-up time, maybe
// a higher high watermark and an ISR expansion. On error nothing changes
// and the caller answers the fetch with the error.
func (l *Leader) Fetch(req FetchRequest) (Ready, error) {
	if l.resigned {
		return Ready{}, ErrNotLeader
	}
	if err := l.checkEpoch(req.ReplicaID, req.LeaderEpoch); err != nil {
		return Ready{}, err
	}
	f := l.follower(req.ReplicaID)
	if f == nil {
		return Ready{}, fmt.Errorf("%w: replica %d of %s-%d", ErrUnknownReplica, req.ReplicaID, l.cfg.Topic, l.cfg.Partition)
	}
	if req.FetchOffset < 0 || req.FetchOffset > l.leo {
		return Ready{}, &OffsetOutOfRangeError{Topic: l.cfg.Topic, Partition: l.cfg.Partition,
			Replica: req.ReplicaID, Offset: req.FetchOffset, LogEndOffset: l.leo}
	}
	// Kafka's updateFollowerFetchState: caught up now if at the leader's
	// LEO, or caught up as of the previous fetch if it has reached what the
	// leader had then.
	switch {
	case req.FetchOffset >= l.leo:
		f.lastCaughtUp = max(f.lastCaughtUp, req.Now)
	case f.lastFetchLeaderLEO >= 0 && req.FetchOffset >= f.lastFetchLeaderLEO:
		f.lastCaughtUp = max(f.lastCaughtUp, f.lastFetch)
	}
	f.lastFetchLeaderLEO = l.leo
	f.lastFetch = req.Now
	f.leo = req.FetchOffset
	f.durable = min(max(req.DurableOffset, 0), req.FetchOffset)
	r := l.ready()
	if r.ProposeISR == nil && l.pending == nil {
		if c := l.maybeExpand(); c != nil {
			r.ProposeISR = c
		}
	}
	return r, nil
}

// Tick advances the clock: followers in the ISR that have not caught up
// within LagTimeMax are proposed for removal, out-of-sync followers that
// caught up for addition (one proposal at a time).
func (l *Leader) Tick(now int64) (Ready, error) {
	if l.resigned {
		return Ready{}, ErrNotLeader
	}
	r := l.ready()
	if l.pending == nil {
		if c := l.maybeShrink(now); c != nil {
			r.ProposeISR = c
		} else if c := l.maybeExpand(); c != nil {
			r.ProposeISR = c
		}
	}
	return r, nil
}

// ApplyISR applies an ISR the controller committed at partitionEpoch (the
// result of our proposal or the controller's own change, such as fencing a
// dead broker) within this leader epoch. A partition epoch not above the
// current one is stale and ignored. Any pending proposal is resolved: it
// either is this commit or lost the compare-and-set to it.
func (l *Leader) ApplyISR(isr []int32, partitionEpoch int32) (Ready, error) {
	if l.resigned {
		return Ready{}, ErrNotLeader
	}
	if partitionEpoch <= l.pe {
		return Ready{}, nil
	}
	isr = sortedIDs(isr)
	if !slices.Contains(isr, l.cfg.ReplicaID) {
		// The controller removes a leader from the ISR only while moving
		// leadership; the new epoch's metadata will resign us.
		return Ready{}, fmt.Errorf("%w: committed isr %s without leader %d", ErrInvalidConfig, fmtIDs(isr), l.cfg.ReplicaID)
	}
	for _, id := range isr {
		if l.follower(id) == nil && id != l.cfg.ReplicaID {
			return Ready{}, fmt.Errorf("%w: isr member %d not a replica", ErrInvalidConfig, id)
		}
	}
	l.isr, l.pe, l.pending = isr, partitionEpoch, nil
	return l.ready(), nil
}

// ISRProposalFailed drops the pending proposal after the controller rejected
// it (stale partition epoch, fenced leader epoch, ineligible replica) or the
// request was lost. The next Tick or Fetch may propose again.
func (l *Leader) ISRProposalFailed() (Ready, error) {
	if l.resigned {
		return Ready{}, ErrNotLeader
	}
	l.pending = nil
	return l.ready(), nil
}

// CanAcceptAcksAll reports whether an acks=all produce may be appended: the
// committed ISR has at least min.insync.replicas members. If not, the produce
// fails with NOT_ENOUGH_REPLICAS before touching the log.
func (l *Leader) CanAcceptAcksAll() bool {
	return !l.resigned && len(l.isr) >= l.cfg.MinInSync
}

// CheckAcksAll is CanAcceptAcksAll as an error: nil, ErrNotLeader or a
// *NotEnoughReplicasError.
func (l *Leader) CheckAcksAll() error {
	if l.resigned {
		return ErrNotLeader
	}
	if len(l.isr) < l.cfg.MinInSync {
		return &NotEnoughReplicasError{Topic: l.cfg.Topic, Partition: l.cfg.Partition, ISR: len(l.isr), MinInSync: l.cfg.MinInSync}
	}
	return nil
}

// AckReady reports whether an acks=all produce whose batch ends before
// offset (its last offset + 1) is finished: done is false while the high
// watermark is below offset. When done, err is nil (acknowledge),
// a *NotEnoughReplicasError with AfterAppend (the maximal ISR shrank below
// min.insync.replicas meanwhile), or ErrNotLeader (leadership moved: the
// outcome is unknown and must never be reported as success).
func (l *Leader) AckReady(offset int64) (done bool, err error) {
	if l.resigned {
		return true, ErrNotLeader
	}
	if l.hw < offset {
		return false, nil
	}
	if n := len(l.MaximalISR()); n < l.cfg.MinInSync {
		return true, &NotEnoughReplicasError{Topic: l.cfg.Topic, Partition: l.cfg.Partition, ISR: n, MinInSync: l.cfg.MinInSync, AfterAppend: true}
	}
	return true, nil
}

// EndOffsetForEpoch answers a follower's OffsetForLeaderEpoch(epoch) after
// checking its current leader epoch (KIP-320); see LeaderEndOffsetForEpoch.
func (l *Leader) EndOffsetForEpoch(log LeaderLog, replicaID, currentLeaderEpoch, epoch int32) (EpochEndOffset, error) {
	if l.resigned {
		return UndefinedEpochEndOffset, ErrNotLeader
	}
	if err := l.checkEpoch(replicaID, currentLeaderEpoch); err != nil {
		return UndefinedEpochEndOffset, err
	}
	return LeaderEndOffsetForEpoch(log, l.cfg.LeaderEpoch, epoch), nil
}

func (l *Leader) checkEpoch(replica, epoch int32) error {
	if epoch != l.cfg.LeaderEpoch {
		return &EpochError{Topic: l.cfg.Topic, Partition: l.cfg.Partition, Replica: replica, Got: epoch, Current: l.cfg.LeaderEpoch}
	}
	return nil
}

func (l *Leader) follower(id int32) *followerState {
	for i := range l.followers {
		if l.followers[i].id == id {
			return &l.followers[i]
		}
	}
	return nil
}

// counted is the offset a replica contributes to the high watermark.
func (l *Leader) counted(f *followerState) int64 {
	if l.cfg.SyncPolicy {
		return f.durable
	}
	return f.leo
}

// ready advances the high watermark to the minimum counted offset over the
// maximal ISR, never moving it back.
func (l *Leader) ready() Ready {
	hw := l.leo
	if l.cfg.SyncPolicy {
		hw = l.durable
	}
	for _, id := range l.MaximalISR() {
		if f := l.follower(id); f != nil {
			hw = min(hw, l.counted(f))
		}
	}
	if hw > l.hw {
		l.hw = hw
		return Ready{HighWatermarkChanged: true, HighWatermark: hw}
	}
	return Ready{HighWatermark: l.hw}
}

// maybeShrink proposes removing ISR followers not caught up within
// LagTimeMax (Kafka's isCaughtUp: at the leader's LEO, or caught up recently
// enough). The ISR may shrink to the leader alone; min.insync.replicas then
// refuses acks=all produces.
func (l *Leader) maybeShrink(now int64) *ISRChange {
	var keep []int32
	for _, id := range l.isr {
		f := l.follower(id)
		if f == nil || f.leo == l.leo || now-f.lastCaughtUp <= l.cfg.LagTimeMax {
			keep = append(keep, id)
		}
	}
	if len(keep) == len(l.isr) {
		return nil
	}
	return l.propose(keep)
}

// maybeExpand proposes adding the first out-of-sync follower that has
// caught up: its counted offset is at the high watermark and inside this
// leader epoch (Kafka's isFollowerInSync, with the durable offset in place
// of the log end offset under SyncPolicy). The epoch start matters because a
// new leader's high watermark may lag what its predecessor committed; the
// new leader has all of that below its epoch start, and so must a joiner,
// durably under SyncPolicy, before it counts as a copy.
func (l *Leader) maybeExpand() *ISRChange {
	for i := range l.followers {
		f := &l.followers[i]
		if slices.Contains(l.isr, f.id) || f.leo < 0 {
			continue
		}
		if c := l.counted(f); c >= l.hw && c >= l.epochStart {
			return l.propose(sortedIDs(append(slices.Clone(l.isr), f.id)))
		}
	}
	return nil
}

func (l *Leader) propose(isr []int32) *ISRChange {
	l.pending = &ISRChange{LeaderEpoch: l.cfg.LeaderEpoch, PartitionEpoch: l.pe, NewISR: isr}
	c := *l.pending
	c.NewISR = slices.Clone(isr)
	return &c
}

// String describes the state for tests and debugging.
func (l *Leader) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "leader=%d epoch=%d partition-epoch=%d isr=%s", l.cfg.ReplicaID, l.cfg.LeaderEpoch, l.pe, fmtIDs(l.isr))
	if l.pending != nil {
		fmt.Fprintf(&b, " pending=%s", fmtIDs(l.pending.NewISR))
	}
	fmt.Fprintf(&b, " leo=%d", l.leo)
	if l.cfg.SyncPolicy {
		fmt.Fprintf(&b, " durable=%d", l.durable)
	}
	fmt.Fprintf(&b, " hw=%d epoch-start=%d", l.hw, l.epochStart)
	if l.resigned {
		b.WriteString(" resigned")
	}
	b.WriteString("\n")
	for _, f := range l.followers {
		fmt.Fprintf(&b, "  follower=%d leo=%d", f.id, f.leo)
		if l.cfg.SyncPolicy {
			fmt.Fprintf(&b, " durable=%d", f.durable)
		}
		fmt.Fprintf(&b, " last-fetch=%d last-caught-up=%d\n", f.lastFetch, f.lastCaughtUp)
	}
	return b.String()
}

func sortedIDs(ids []int32) []int32 {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

func fmtIDs(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}
