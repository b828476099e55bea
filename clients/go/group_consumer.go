package fjord

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// ErrNoOffset matches every *NoOffsetError.
var ErrNoOffset = errors.New("fjord: no committed offset and no reset offset")

// NoOffsetError is returned by GroupConsumer.Poll for a partition assigned
// to the member that has no committed offset while ResetOffset is
// NoResetOffset(). The partition stays owned but is not fetched until the
// application Seeks it.
type NoOffsetError struct {
	Topic     string
	Partition int32
}

// Error implements error.
func (e *NoOffsetError) Error() string {
	return fmt.Sprintf("fjord: no committed offset for topic %q partition %d and no reset offset: Seek it", e.Topic, e.Partition)
}

// Is makes errors.Is(err, ErrNoOffset) true.
func (e *NoOffsetError) Is(target error) bool { return target == ErrNoOffset }

// staleEpochRetries bounds how many times a commit refused with
// STALE_MEMBER_EPOCH is retried with a newer epoch.
const staleEpochRetries = 20

// defaultHeartbeatInterval is used when the coordinator names none.
const defaultHeartbeatInterval = 3 * time.Second

// maxGroupTimeout is the longest SessionTimeout and RebalanceTimeout: the
// join carries them as int32 milliseconds.
const maxGroupTimeout = math.MaxInt32 * time.Millisecond

// defaultMaxPollInterval is MaxPollInterval's default, Kafka's.
const defaultMaxPollInterval = 5 * time.Minute

// GroupConsumer is a member of a consumer group: the group's coordinator
// assigns it partitions of the subscribed topics (server-side assignment,
// Kafka's KIP-848 protocol over one gRPC stream), and it consumes them from
// their committed offsets, committing its progress.
//
// NewGroupConsumer starts a goroutine that finds the coordinator, joins
// and heartbeats, also while the application processes records; it resumes
// the session on another stream (same member id and epoch) when one
// breaks or the coordinator moves. Everything else happens inside Poll, on
// the caller's goroutine: when the assignment changes, Poll stops fetching
// the revoked partitions, calls OnRevoked, commits their positions
// (auto-commit), releases them, then looks up the committed offsets of the
// new ones (starting at ResetOffset, default AtEnd, where there is none),
// calls OnAssigned, and acknowledges. So callbacks never run concurrently
// with each other or with Poll, and a member that stops polling stops
// releasing partitions: the coordinator removes it after its
// RebalanceTimeout. Besides, a member whose application does not call Poll
// for MaxPollInterval (default 5m) leaves the group, so that its partitions
// move; the next Poll rejoins. If the member is fenced (its session expired, or it was
// removed), the next Poll calls OnLost for everything it owned and drops it
// without committing; the member then rejoins as a new member.
//
// Delivery is at least once: with auto-commit, the positions of the
// records a Poll returned are committed at a later Poll, at a revocation or
// at Close, so process records before polling again. Commit and
// CommitRecords commit explicitly.
//
// Poll must not be called concurrently with itself, and neither Poll nor
// Close from a callback. Close may be called while a Poll runs (which then
// returns ErrClosed). Commit, CommitRecords, Assignment, Pause, Resume,
// Seek and MemberID may be called from any goroutine, callbacks included.
// A GroupConsumer must be closed (before its Client) to stop its goroutine.
type GroupConsumer struct {
	c        *Client
	group    string
	cfg      groupCfg
	memberID string
	cons     *Consumer // fetches the owned partitions that are not paused

	loopCtx  context.Context
	loopStop context.CancelFunc
	loopDone chan struct{} // closed when the membership goroutine exits
	ackCh    chan struct{} // (cap 1) acked changed
	rejoinCh chan struct{} // (cap 1) Poll dropped what a fenced member lost
	leaveCh  chan struct{} // closed by Close: leave the group
	subCh    chan struct{} // (cap 1) the subscription changed

	pollMu sync.Mutex // serializes Poll and Close; guards the fields below
	// reconciledSeq is the target last reconciled.
	reconciledSeq  uint64
	lastAutoCommit time.Time

	commitMu sync.Mutex // serializes commits, so offsets go out in order

	mu     sync.Mutex // guards every field below, and calls on cons that change its partitions
	closed bool
	// fatal stops the member for good (e.g. FENCED_INSTANCE_ID, a refused
	// join); Poll returns it.
	fatal error
	// epoch is the member epoch last received (0: joining as new).
	epoch int32
	// target is the assignment last received, to reconcile to.
	target memberTarget
	// lost is set when the member was fenced: Poll drops everything owned.
	lost bool
	// acked is the last target Poll reconciled to, for the membership
	// goroutine to acknowledge.
	acked memberTarget
	// gen counts Membership streams; connected is true while one has
	// answered.
	gen       uint64
	connected bool
	owned     map[TopicPartition]*ownedPart
	// sub is the subscription, subSeq counts its changes (Subscribe).
	sub    *fjordv1.Subscription
	subSeq uint64
	// polling is true while Poll runs; lastPoll is when it last returned
	// (or the consumer's creation), for MaxPollInterval.
	polling  bool
	lastPoll time.Time
	// pollCancel ends the fetch wait of a running Poll, for it to
	// reconcile (or return, once closed).
	pollCancel context.CancelFunc
}

// memberTarget is one MembershipResponse's assignment.
type memberTarget struct {
	seq      uint64 // counts responses
	gen      uint64 // the stream it came on
	epoch    int32
	assigned []TopicPartition // sorted
}

// ownedPart is the consumer's state of one partition it owns.
type ownedPart struct {
	start    Offset // where fetching (re)starts: for Resume, and until resolved
	paused   bool
	noOffset bool // no committed offset and no reset offset: not fetched until Seek
	// consumed is the offset after the last record Poll returned (-1:
	// none), consumedEpoch that record's leader epoch.
	consumed      int64
	consumedEpoch int32
	committed     int64 // the committed offset as far as known (-1: none)
}

// commitPos is an offset to commit.
type commitPos struct {
	offset   int64
	epoch    int32
	metadata string
}

// OffsetAndMetadata is a position to commit for one partition: the next
// offset to consume, the leader epoch of the last consumed record (-1 if
// unknown) and free-form client data (at most 4096 bytes), which
// Admin.FetchOffsets and DescribeGroup return with the offset.
type OffsetAndMetadata struct {
	Offset      int64
	LeaderEpoch int32
	Metadata    string
}

// NewGroupConsumer returns a member of group and starts joining it in the
// background. A subscription (Topics or TopicPattern) is required.
func NewGroupConsumer(c *Client, group string, opts ...GroupOpt) (*GroupConsumer, error) {
	gc := groupCfg{cfg: c.cfg, autoCommit: true, autoCommitInterval: 5 * time.Second, maxPollInterval: defaultMaxPollInterval}
	for _, o := range opts {
		o.applyGroup(&gc)
	}
	if !gc.cfg.resetOffsetSet {
		gc.cfg.resetOffset = AtEnd()
	}
	switch {
	case group == "":
		return nil, errors.New("fjord: empty group id")
	case len(gc.topics) == 0 && gc.pattern == "":
		return nil, errors.New("fjord: group consumer needs Topics or TopicPattern")
	case len(gc.topics) > 0 && gc.pattern != "":
		return nil, errors.New("fjord: Topics and TopicPattern are exclusive")
	case gc.sessionTimeout < 0, gc.rebalanceTimeout < 0:
		return nil, errors.New("fjord: negative group timeout")
	case gc.sessionTimeout > maxGroupTimeout, gc.rebalanceTimeout > maxGroupTimeout:
		return nil, fmt.Errorf("fjord: group timeout above %v (the join carries milliseconds as int32)", maxGroupTimeout)
	case gc.maxPollInterval <= 0:
		return nil, errors.New("fjord: MaxPollInterval must be positive")
	case gc.autoCommit && gc.autoCommitInterval <= 0:
		return nil, errors.New("fjord: AutoCommitInterval must be positive")
	}
	ctx, stop := context.WithCancel(context.Background())
	g := &GroupConsumer{
		c: c, group: group, cfg: gc, memberID: newMemberID(),
		cons:    newConsumer(c, gc.cfg),
		loopCtx: ctx, loopStop: stop, loopDone: make(chan struct{}),
		ackCh: make(chan struct{}, 1), rejoinCh: make(chan struct{}, 1), leaveCh: make(chan struct{}), subCh: make(chan struct{}, 1),
		lastAutoCommit: time.Now(),
		owned:          map[TopicPartition]*ownedPart{},
		sub:            &fjordv1.Subscription{Topics: gc.topics, Pattern: gc.pattern},
		lastPoll:       time.Now(),
	}
	go g.run()
	return g, nil
}

// newMemberID returns a random (version 4) UUID.
func newMemberID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// MemberID returns the member id, chosen once per GroupConsumer and kept
// across reconnects; a member fenced by the coordinator rejoins with it
// as a new member (epoch 0).
func (g *GroupConsumer) MemberID() string { return g.memberID }

// Assignment returns the partitions the member owns, sorted. Partitions
// are added and removed inside Poll.
func (g *GroupConsumer) Assignment() []TopicPartition {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ownedListLocked()
}

func (g *GroupConsumer) ownedListLocked() []TopicPartition {
	out := make([]TopicPartition, 0, len(g.owned))
	for tp := range g.owned {
		out = append(out, tp)
	}
	sortTPs(out)
	return out
}

func sortTPs(tps []TopicPartition) {
	slices.SortFunc(tps, func(a, b TopicPartition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
}

// Subscribe replaces the subscription of the running consumer with topics
// (by name; it drops a TopicPattern). The change is sent to the
// coordinator at once on the live session, and carried by every join
// afterwards (a reconnect, a rejoin); the coordinator then revokes the
// partitions of topics no longer subscribed and assigns those of the new
// ones, which Poll applies as for any rebalance (OnRevoked, OnAssigned).
// It returns without waiting for the new assignment; ErrClosed after
// Close, ctx's error if it ended.
func (g *GroupConsumer) Subscribe(ctx context.Context, topics ...string) error {
	if len(topics) == 0 {
		return errors.New("fjord: Subscribe needs topics")
	}
	return g.subscribe(ctx, &fjordv1.Subscription{Topics: slices.Clone(topics)})
}

// SubscribePattern replaces the subscription of the running consumer with
// every topic whose whole name matches the RE2 regular expression re (see
// TopicPattern), as Subscribe does with names.
func (g *GroupConsumer) SubscribePattern(ctx context.Context, re string) error {
	if re == "" {
		return errors.New("fjord: SubscribePattern needs a pattern")
	}
	if _, err := regexp.Compile(re); err != nil {
		return fmt.Errorf("fjord: bad topic pattern: %w", err)
	}
	return g.subscribe(ctx, &fjordv1.Subscription{Pattern: re})
}

func (g *GroupConsumer) subscribe(ctx context.Context, sub *fjordv1.Subscription) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return ErrClosed
	}
	g.sub = sub
	g.subSeq++
	g.mu.Unlock()
	select {
	case g.subCh <- struct{}{}:
	default:
	}
	return nil
}

// Subscription returns the current subscription: topic names, or a
// pattern.
func (g *GroupConsumer) Subscription() (topics []string, pattern string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.sub.GetTopics()), g.sub.GetPattern()
}

// pollExpired reports whether the application has not called Poll for
// longer than MaxPollInterval.
func (g *GroupConsumer) pollExpired() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.polling && !g.closed && time.Since(g.lastPoll) > g.cfg.maxPollInterval
}

// Pause stops fetching owned partitions; they stay owned (and keep their
// position) until Resume. Partitions not owned are ignored. Records of
// them already fetched may still be returned by a Poll running meanwhile.
func (g *GroupConsumer) Pause(tps ...TopicPartition) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, tp := range tps {
		p, ok := g.owned[tp]
		if !ok || p.paused {
			continue
		}
		p.paused = true
		if p.noOffset {
			continue
		}
		if pos, ok := g.cons.Position(tp.Topic, tp.Partition); ok {
			p.start = AtOffset(pos)
		}
		g.cons.Unassign(tp.Topic, tp.Partition)
	}
	g.wakeLocked()
}

// Resume fetches paused partitions again, from where they were paused.
func (g *GroupConsumer) Resume(tps ...TopicPartition) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, tp := range tps {
		p, ok := g.owned[tp]
		if !ok || !p.paused {
			continue
		}
		p.paused = false
		if !p.noOffset {
			g.cons.Assign(tp.Topic, tp.Partition, p.start)
		}
	}
}

// Seek moves the position of an owned partition (a paused one resumes
// from there). It does not commit: the next commit of the partition is
// that of the records Poll returns from there, and a commit below the
// group's committed offset is skipped (use Admin.ResetOffsets to move a
// committed offset backwards). A partition the member does not own is
// ignored.
func (g *GroupConsumer) Seek(topic string, partition int32, at Offset) {
	if at.kind == offsetNone {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.owned[TopicPartition{topic, partition}]
	if !ok {
		return
	}
	p.start, p.noOffset = at, false
	if !p.paused {
		g.cons.Seek(topic, partition, at)
	}
}

// wakeLocked ends the fetch wait of a running Poll. Callers hold mu.
func (g *GroupConsumer) wakeLocked() {
	if g.pollCancel != nil {
		g.pollCancel()
	}
}

// needsReconcileLocked reports whether Poll has membership news to handle.
func (g *GroupConsumer) needsReconcileLocked() bool {
	return g.closed || g.fatal != nil || g.lost || g.target.seq != g.reconciledSeq
}

// Poll returns records of the partitions the member owns, waiting until
// some arrive or ctx ends (nil records, ctx.Err()). Records and an error
// may be returned together: handle the records first. Each call first
// applies membership changes (calling OnLost, OnRevoked and OnAssigned on
// the caller's goroutine) and, with auto-commit, commits when
// AutoCommitInterval has passed since the last auto-commit; a failed
// commit is returned as the error (with no records) and retried at the
// next interval. Poll returns a *NoOffsetError while an assigned partition
// has no committed offset and ResetOffset is NoResetOffset(), ErrClosed
// after Close, and the member's fatal error if it was stopped for good
// (e.g. ErrFencedInstanceID, or its join was refused).
func (g *GroupConsumer) Poll(ctx context.Context) ([]*Record, error) {
	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	g.mu.Lock()
	g.polling = true
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.polling, g.lastPoll = false, time.Now()
		g.mu.Unlock()
	}()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g.mu.Lock()
		closed := g.closed
		g.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		if err := g.reconcile(ctx); err != nil {
			return nil, err
		}
		g.mu.Lock()
		fatal := g.fatal
		var noOffset []error
		for tp, p := range g.owned {
			if p.noOffset {
				noOffset = append(noOffset, &NoOffsetError{Topic: tp.Topic, Partition: tp.Partition})
			}
		}
		g.mu.Unlock()
		if fatal != nil {
			return nil, fatal
		}
		if len(noOffset) > 0 {
			return nil, errors.Join(noOffset...)
		}
		if err := g.maybeAutoCommit(ctx); err != nil {
			return nil, err
		}

		pctx, cancel := context.WithCancel(ctx)
		g.mu.Lock()
		if g.needsReconcileLocked() {
			g.mu.Unlock()
			cancel()
			continue
		}
		g.pollCancel = cancel
		var stopTimer func() bool
		if g.cfg.autoCommit && g.uncommittedLocked() {
			// Wake up to auto-commit on time even if no record arrives.
			stopTimer = time.AfterFunc(time.Until(g.lastAutoCommit.Add(g.cfg.autoCommitInterval)), cancel).Stop
		}
		g.mu.Unlock()
		recs, err := g.cons.Poll(pctx)
		if stopTimer != nil {
			stopTimer()
		}
		g.mu.Lock()
		g.pollCancel = nil
		reconcile := g.needsReconcileLocked()
		g.mu.Unlock()
		woken := pctx.Err() != nil && ctx.Err() == nil
		cancel()

		var rerr error
		if reconcile && len(recs) > 0 {
			// Apply the news before handing the records out, so that the
			// records of partitions just revoked or lost are dropped, not
			// returned after their positions were committed.
			rerr = g.reconcile(ctx)
		}
		recs = g.consumed(recs)
		if woken && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			err = nil
		}
		if err = errors.Join(err, rerr); len(recs) > 0 || err != nil {
			return recs, err
		}
	}
}

// consumed keeps the records of partitions the member still owns (and
// fetches) and notes them as consumed, for commits.
func (g *GroupConsumer) consumed(recs []*Record) []*Record {
	if len(recs) == 0 {
		return recs
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	out := recs[:0]
	for _, r := range recs {
		p, ok := g.owned[TopicPartition{r.Topic, r.Partition}]
		if !ok || p.noOffset {
			continue
		}
		p.consumed, p.consumedEpoch = r.Offset+1, r.LeaderEpoch
		out = append(out, r)
	}
	return out
}

// uncommittedLocked reports whether some owned partition has consumed
// records past its committed offset.
func (g *GroupConsumer) uncommittedLocked() bool {
	for _, p := range g.owned {
		if p.consumed > p.committed {
			return true
		}
	}
	return false
}

// maybeAutoCommit commits everything consumed when the interval passed.
func (g *GroupConsumer) maybeAutoCommit(ctx context.Context) error {
	if !g.cfg.autoCommit || time.Since(g.lastAutoCommit) < g.cfg.autoCommitInterval {
		return nil
	}
	g.lastAutoCommit = time.Now()
	return g.Commit(ctx)
}

// reconcile applies what the membership goroutine received: drops
// everything on a fence (OnLost), then moves the owned partitions to the
// latest assignment (OnRevoked, commit, release; committed offsets,
// OnAssigned) and has it acknowledged. On failure the remaining work is
// done by the next call.
func (g *GroupConsumer) reconcile(ctx context.Context) error {
	g.mu.Lock()
	var lost []TopicPartition
	wasLost := g.lost
	if g.lost {
		g.lost = false
		lost = g.ownedListLocked()
		for _, tp := range lost {
			g.cons.Unassign(tp.Topic, tp.Partition)
		}
		clear(g.owned)
	}
	t := g.target
	g.mu.Unlock()
	if len(lost) > 0 && g.cfg.onLost != nil {
		g.cfg.onLost(ctx, lost)
	}
	if wasLost {
		select {
		case g.rejoinCh <- struct{}{}:
		default:
		}
	}
	if t.seq == g.reconciledSeq {
		return nil
	}

	g.mu.Lock()
	if g.fatal != nil {
		g.mu.Unlock()
		return nil
	}
	want := make(map[TopicPartition]bool, len(t.assigned))
	var added, revoked []TopicPartition
	for _, tp := range t.assigned {
		want[tp] = true
		if _, ok := g.owned[tp]; !ok {
			added = append(added, tp)
		}
	}
	for tp := range g.owned {
		if !want[tp] {
			revoked = append(revoked, tp)
			g.cons.Unassign(tp.Topic, tp.Partition)
		}
	}
	g.mu.Unlock()
	sortTPs(revoked)

	var errs []error
	if len(revoked) > 0 {
		if g.cfg.onRevoked != nil {
			g.cfg.onRevoked(ctx, revoked)
		}
		if g.cfg.autoCommit {
			// A failure must not hold the partitions back: their next
			// owner then starts from the last commit (at least once).
			if err := g.commitPartitions(ctx, revoked); err != nil {
				errs = append(errs, err)
			}
		}
		g.mu.Lock()
		for _, tp := range revoked {
			delete(g.owned, tp)
		}
		g.mu.Unlock()
	}
	if len(added) > 0 {
		committed, err := g.committedOffsets(ctx, added)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		g.mu.Lock()
		for _, tp := range added {
			off := committed[tp]
			p := &ownedPart{consumed: -1, committed: off}
			switch {
			case off >= 0:
				p.start = AtOffset(off)
			case g.cfg.cfg.resetOffset.kind != offsetNone:
				p.start = g.cfg.cfg.resetOffset
			default:
				p.noOffset = true
			}
			g.owned[tp] = p
			if !p.noOffset {
				g.cons.Assign(tp.Topic, tp.Partition, p.start)
			}
		}
		g.mu.Unlock()
		if g.cfg.onAssigned != nil {
			g.cfg.onAssigned(ctx, added)
		}
	}
	g.reconciledSeq = t.seq
	g.mu.Lock()
	g.acked = t
	g.mu.Unlock()
	select {
	case g.ackCh <- struct{}{}:
	default:
	}
	return errors.Join(errs...)
}

// committedOffsets returns the group's committed offsets of tps (-1 for
// none).
func (g *GroupConsumer) committedOffsets(ctx context.Context, tps []TopicPartition) (map[TopicPartition]int64, error) {
	topics, err := g.c.fetchOffsets(ctx, g.group, toWireTPs(tps)) // tps is sorted
	if err != nil {
		return nil, err
	}
	out := make(map[TopicPartition]int64, len(tps))
	for _, tp := range tps {
		out[tp] = -1
	}
	for _, t := range topics {
		for _, p := range t.GetPartitions() {
			tp := TopicPartition{t.GetTopic(), p.GetPartition()}
			if _, ok := out[tp]; ok {
				out[tp] = p.GetOffset()
			}
		}
	}
	return out, nil
}

// Commit commits, for every partition the member owns, the position after
// the last record Poll returned (partitions with nothing new are skipped),
// with the member's id and current epoch. A partition the coordinator
// refuses fails on its own (the error names it).
func (g *GroupConsumer) Commit(ctx context.Context) error {
	g.mu.Lock()
	tps := g.ownedListLocked()
	g.mu.Unlock()
	return g.commitPartitions(ctx, tps)
}

// commitPartitions commits the consumed positions of tps.
func (g *GroupConsumer) commitPartitions(ctx context.Context, tps []TopicPartition) error {
	want := map[TopicPartition]commitPos{}
	g.mu.Lock()
	for _, tp := range tps {
		if p, ok := g.owned[tp]; ok && p.consumed > p.committed {
			want[tp] = commitPos{offset: p.consumed, epoch: p.consumedEpoch}
		}
	}
	g.mu.Unlock()
	return g.commit(ctx, want)
}

// CommitRecords commits, for each partition of recs, the position after
// its last record there. Committing a partition the member no longer owns
// fails with ErrPartitionNotAssigned for that partition; positions at or
// below the partition's committed offset are skipped.
func (g *GroupConsumer) CommitRecords(ctx context.Context, recs ...*Record) error {
	want := map[TopicPartition]commitPos{}
	for _, r := range recs {
		tp := TopicPartition{r.Topic, r.Partition}
		if cp, ok := want[tp]; !ok || r.Offset+1 > cp.offset {
			want[tp] = commitPos{offset: r.Offset + 1, epoch: r.LeaderEpoch}
		}
	}
	return g.commit(ctx, want)
}

// CommitOffsetsWithMetadata commits explicit positions with metadata,
// as CommitRecords does: a partition the member no longer owns fails with
// ErrPartitionNotAssigned, positions at or below the partition's committed
// offset are skipped, and a metadata above the broker's limit fails with
// ErrOffsetMetadataTooLarge for its partition.
func (g *GroupConsumer) CommitOffsetsWithMetadata(ctx context.Context, offsets map[TopicPartition]OffsetAndMetadata) error {
	want := make(map[TopicPartition]commitPos, len(offsets))
	for tp, om := range offsets {
		want[tp] = commitPos{om.Offset, om.LeaderEpoch, om.Metadata}
	}
	return g.commit(ctx, want)
}

// commit sends want with the member's id and current epoch. Partitions
// the member no longer owns fail without being sent; a commit refused with
// STALE_MEMBER_EPOCH (the member's epoch moved on and the news has not
// arrived yet) is retried with the newest epoch.
func (g *GroupConsumer) commit(ctx context.Context, want map[TopicPartition]commitPos) error {
	g.commitMu.Lock()
	defer g.commitMu.Unlock()
	var errs []error
	for attempt := 1; len(want) > 0; attempt++ {
		g.mu.Lock()
		req := &fjordv1.CommitOffsetsRequest{GroupId: g.group, MemberId: g.memberID, MemberEpoch: g.epoch}
		tps := make([]TopicPartition, 0, len(want))
		for tp := range want {
			tps = append(tps, tp)
		}
		sortTPs(tps)
		for _, tp := range tps {
			p, ok := g.owned[tp]
			switch {
			case !ok:
				errs = append(errs, &Error{Reason: ReasonPartitionNotAssigned, Message: "partition not owned by the member", Topic: tp.Topic, Partition: tp.Partition})
				delete(want, tp)
				continue
			case want[tp].offset <= p.committed:
				delete(want, tp)
				continue
			}
			if n := len(req.Topics); n == 0 || req.Topics[n-1].GetTopic() != tp.Topic {
				req.Topics = append(req.Topics, &fjordv1.CommitOffsetsTopic{Topic: tp.Topic})
			}
			ct := req.Topics[len(req.Topics)-1]
			ct.Partitions = append(ct.Partitions, &fjordv1.CommitOffsetsPartition{Partition: tp.Partition, Offset: want[tp].offset, LeaderEpoch: want[tp].epoch, Metadata: want[tp].metadata})
		}
		g.mu.Unlock()
		if len(want) == 0 {
			break
		}
		failed, err := g.c.commitOffsets(ctx, req)
		if failed == nil { // the whole request failed
			if errors.Is(err, ErrStaleMemberEpoch) && attempt < staleEpochRetries {
				if err := sleepCtx(ctx, g.c.cfg.backoff(attempt)); err != nil {
					return errors.Join(append(errs, err)...)
				}
				continue
			}
			return errors.Join(append(errs, err)...)
		}
		stale := false
		g.mu.Lock()
		for tp, cp := range want {
			e, bad := failed[topicPartition{tp.Topic, tp.Partition}]
			switch {
			case !bad:
				if p, ok := g.owned[tp]; ok {
					p.committed = max(p.committed, cp.offset)
				}
				delete(want, tp)
			case errors.Is(e, ErrStaleMemberEpoch) && attempt < staleEpochRetries:
				stale = true
			default:
				errs = append(errs, e)
				delete(want, tp)
			}
		}
		g.mu.Unlock()
		if stale {
			if err := sleepCtx(ctx, g.c.cfg.backoff(attempt)); err != nil {
				return errors.Join(append(errs, err)...)
			}
		}
	}
	return errors.Join(errs...)
}

// Close leaves the group: it calls OnRevoked for the partitions the
// member owns, commits their positions (auto-commit), sends a leave (a
// temporary one for a static member, which keeps its partitions until its
// session times out) and waits for the coordinator to end the session,
// all bounded by the client's RequestTimeout. A running Poll returns
// ErrClosed. It returns the commit's error, if any.
func (g *GroupConsumer) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	g.wakeLocked()
	g.mu.Unlock()

	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), g.c.cfg.requestTimeout)
	defer cancel()
	var errs []error
	g.mu.Lock()
	var lost []TopicPartition
	if g.lost || g.fatal != nil {
		g.lost = false
		lost = g.ownedListLocked()
		clear(g.owned)
	}
	owned := g.ownedListLocked()
	for _, tp := range append(lost, owned...) {
		g.cons.Unassign(tp.Topic, tp.Partition)
	}
	g.mu.Unlock()
	if len(lost) > 0 && g.cfg.onLost != nil {
		g.cfg.onLost(ctx, lost)
	}
	if len(owned) > 0 {
		if g.cfg.onRevoked != nil {
			g.cfg.onRevoked(ctx, owned)
		}
		if g.cfg.autoCommit {
			if err := g.commitPartitions(ctx, owned); err != nil {
				errs = append(errs, err)
			}
		}
	}

	g.mu.Lock()
	connected := g.connected
	g.mu.Unlock()
	close(g.leaveCh)
	if connected {
		select {
		case <-g.loopDone:
		case <-ctx.Done():
		}
	}
	g.loopStop()
	<-g.loopDone
	g.mu.Lock()
	clear(g.owned)
	g.mu.Unlock()
	errs = append(errs, g.cons.Close())
	return errors.Join(errs...)
}
