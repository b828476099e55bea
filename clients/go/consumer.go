package fjord

import (
	"context"
	"errors"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
)

const fetchMethod = "/fjord.v1.FetchService/Fetch"

// maxBatchOverhead is the room a fetch response may need beyond
// FetchMaxBytes: one batch up to the broker's largest accepted message
// (64 MiB) plus per-partition framing.
const maxBatchOverhead = 65 << 20

// Consumer reads explicitly assigned partitions (see GroupConsumer for
// consumer groups). Assign, Unassign, Seek and Position may be called from any
// goroutine, also while a Poll is running; Poll calls are serialized.
//
// When a Poll returns records, the consumer immediately sends the next
// Fetch to each leader in the background (at most one per leader), so the
// broker reads while the application processes and the next Poll usually
// finds records waiting. Prefetched records are applied only inside Poll:
// Position never runs ahead of what Poll returned, and Assign, Unassign,
// Seek and Close discard prefetches made before them.
type Consumer struct {
	c   *Client
	cfg cfg

	// ctx is cancelled by Close; prefetches run under it. wg counts the
	// prefetch goroutines, which Close waits for.
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	pollMu sync.Mutex // serializes Poll; guards pending and throttle
	// throttle is the delay a fetch refused by a quota asked for, waited
	// before the next fetch instead of the backoff.
	throttle time.Duration
	// pending holds the one in-flight prefetch per leader broker. Its
	// goroutines deliver on prefetched (unbuffered: an undelivered
	// result is the buffer) or exit when their context ends.
	pending    map[int32]*prefetch
	prefetched chan prefetchResult
	// stashed holds a delivered response a Poll did not take (it had
	// already taken one from that leader); its prefetch stays in pending.
	stashed map[int32]prefetchResult

	mu      sync.Mutex // guards parts, closed, changed, gen
	gen     uint64
	parts   map[topicPartition]*consumerPart
	closed  bool
	changed chan struct{} // closed (and replaced) when assignments change
}

type consumerPart struct {
	at       Offset // where to start when !resolved
	pos      int64  // next offset to return, once resolved
	resolved bool
	gen      uint64 // bumped by Assign/Seek, to drop fetches made before
}

// NewConsumer returns a consumer with no assignments.
func NewConsumer(c *Client, opts ...ConsumerOpt) (*Consumer, error) {
	cfg := c.cfg
	for _, o := range opts {
		o.apply(&cfg)
	}
	return newConsumer(c, cfg), nil
}

// newConsumer returns a consumer with settings cfg (a GroupConsumer
// fetches through one).
func newConsumer(c *Client, cfg cfg) *Consumer {
	ctx, stop := context.WithCancel(context.Background())
	return &Consumer{
		c: c, cfg: cfg, ctx: ctx, stop: stop,
		pending:    map[int32]*prefetch{},
		stashed:    map[int32]prefetchResult{},
		prefetched: make(chan prefetchResult),
		parts:      map[topicPartition]*consumerPart{},
		changed:    make(chan struct{}),
	}
}

// notifyLocked wakes a Poll waiting for assignments. Callers hold mu.
func (c *Consumer) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Assign adds (or replaces) the assignment of a partition, starting at at.
func (c *Consumer) Assign(topic string, partition int32, at Offset) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.parts[topicPartition{topic, partition}] = &consumerPart{at: at, gen: c.gen}
	c.notifyLocked()
}

// Unassign stops reading a partition.
func (c *Consumer) Unassign(topic string, partition int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.parts, topicPartition{topic, partition})
	c.notifyLocked()
}

// Seek moves an assigned partition to at (assigning it if it was not).
// Records already returned by Poll are not recalled.
func (c *Consumer) Seek(topic string, partition int32, at Offset) {
	c.Assign(topic, partition, at)
}

// Position returns the next offset Poll will return for a partition, and
// false if the partition is unassigned or its start is not resolved yet.
func (c *Consumer) Position(topic string, partition int32) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.parts[topicPartition{topic, partition}]
	if !ok || !p.resolved {
		return 0, false
	}
	return p.pos, true
}

// Close stops the consumer; a running Poll returns ErrClosed. It cancels
// any prefetch and returns once the prefetch goroutines have stopped.
func (c *Consumer) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.notifyLocked()
	}
	c.mu.Unlock()
	// No prefetch starts once closed is set (see startPrefetch), so the
	// Wait cannot race with an Add.
	c.stop()
	c.wg.Wait()
	return nil
}

type fetchPart struct {
	tp    topicPartition
	pos   int64
	gen   uint64
	epoch int32 // the leader epoch (from metadata) the fetch is sent for
}

type fetchResult struct {
	leader int32
	parts  []fetchPart
	resp   *wirev1.FetchResponse
	err    error
}

// prefetch is a Fetch sent in the background to one leader.
type prefetch struct {
	leader  int32
	parts   []fetchPart
	ctx     context.Context
	cancel  context.CancelFunc
	changed chan struct{} // Consumer.changed when the fetch was planned
}

type prefetchResult struct {
	pf  *prefetch
	res fetchResult
}

// Poll long-polls the leaders of every assigned partition (one Fetch per
// leader broker, concurrently) and returns the records that arrive, in
// offset order per partition, advancing positions past them. It returns when
// records arrive, when a partition fails with a non-retriable error, or
// when ctx ends (nil records, ctx.Err()). Records and an error may be
// returned together: handle the records first. Retriable failures (a moved
// leader, an unreachable broker, a fenced or unknown leader epoch) are
// retried inside Poll from the same position, at the leader the error names
// or else after a metadata refresh. Each Fetch carries the leader epoch the
// client knows (current_leader_epoch), so a broker that is no longer, or not
// yet, the leader of that epoch refuses it rather than serve another
// leader's log.
//
// After returning records, Poll has the next Fetch to each leader sent in
// the background (see Consumer); the next Poll takes its response first,
// with errors reported exactly as for a fetch Poll made itself.
func (c *Consumer) Poll(ctx context.Context) ([]*Record, error) {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	for attempt := 1; ; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			c.dropPrefetches()
			return nil, ErrClosed
		}
		changed := c.changed
		var unresolved []topicPartition
		for tp, p := range c.parts {
			if !p.resolved {
				unresolved = append(unresolved, tp)
			}
		}
		c.mu.Unlock()

		var errs []error
		for _, tp := range unresolved {
			if err := c.resolve(ctx, tp); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}

		if len(c.pending) > 0 {
			recs, errs, retry, err := c.takePrefetched(ctx, changed)
			if err != nil {
				return nil, err
			}
			if len(recs) > 0 || len(errs) > 0 {
				if len(recs) > 0 {
					c.startPrefetch(ctx)
				}
				return recs, errors.Join(errs...)
			}
			if retry {
				if err := sleepCtx(ctx, c.retryDelay(attempt)); err != nil {
					return nil, err
				}
				attempt++
			}
			continue // nothing usable: fetch directly
		}

		byLeader, retry, err := c.plan(ctx)
		if err != nil {
			return nil, err
		}
		if len(byLeader) == 0 {
			// Nothing fetchable: wait for an assignment change, or back off
			// until leaders are known again.
			var wait <-chan time.Time
			if retry {
				t := time.NewTimer(c.retryDelay(attempt))
				defer t.Stop()
				attempt++
				wait = t.C
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-changed:
			case <-wait:
			}
			continue
		}

		recs, errs, retry := c.fetchAll(ctx, byLeader, changed)
		if len(recs) > 0 || len(errs) > 0 {
			if len(recs) > 0 {
				c.startPrefetch(ctx)
			}
			return recs, errors.Join(errs...)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if retry {
			if err := sleepCtx(ctx, c.retryDelay(attempt)); err != nil {
				return nil, err
			}
			attempt++
		} else {
			attempt = 1
		}
	}
}

// retryDelay is how long Poll waits before fetching again: the delay a
// throttled fetch asked for, else the backoff. Called under pollMu.
func (c *Consumer) retryDelay(attempt int) time.Duration {
	if d := c.throttle; d > 0 {
		c.throttle = 0
		return d
	}
	return c.cfg.backoff(attempt)
}

// resolve turns a partition's start Offset into a position.
func (c *Consumer) resolve(ctx context.Context, tp topicPartition) error {
	c.mu.Lock()
	p, ok := c.parts[tp]
	if !ok || p.resolved {
		c.mu.Unlock()
		return nil
	}
	at, gen := p.at, p.gen
	c.mu.Unlock()
	off, err := c.c.listOffset(ctx, tp.topic, tp.partition, at)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.parts[tp]; ok && p.gen == gen {
		p.pos, p.resolved = off, true
	}
	return nil
}

// plan groups resolved partitions by leader. retry is true when some
// partition's leader is unknown for now.
func (c *Consumer) plan(ctx context.Context) (map[int32][]fetchPart, bool, error) {
	c.mu.Lock()
	var parts []fetchPart
	for tp, p := range c.parts {
		if p.resolved {
			parts = append(parts, fetchPart{tp: tp, pos: p.pos, gen: p.gen})
		}
	}
	c.mu.Unlock()
	byLeader := map[int32][]fetchPart{}
	retry := false
	var errs []error
	for _, fp := range parts {
		id, epoch, err := c.c.leader(ctx, fp.tp.topic, fp.tp.partition)
		if err != nil {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			if IsRetriable(err) {
				c.c.markStale(fp.tp.topic)
				retry = true
				continue
			}
			errs = append(errs, err)
			continue
		}
		fp.epoch = epoch
		byLeader[id] = append(byLeader[id], fp)
	}
	if len(errs) > 0 {
		return nil, false, errors.Join(errs...)
	}
	return byLeader, retry, nil
}

// fetchAll sends one Fetch per leader and processes the responses. When one
// leader returns records the others are cancelled (their records, if any
// arrived, are still used).
// changed is Consumer.changed from before byLeader was planned.
func (c *Consumer) fetchAll(ctx context.Context, byLeader map[int32][]fetchPart, changed chan struct{}) ([]*Record, []error, bool) {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan fetchResult, len(byLeader))
	for leader, parts := range byLeader {
		go func() { results <- c.fetch(fctx, leader, parts) }()
	}
	var recs []*Record
	var errs []error
	retry := false
	for range byLeader {
		res := <-results
		next := c.prefetchNext(res, changed)
		r, e, rt := c.handle(fctx, res)
		c.keepPrefetch(next)
		recs = append(recs, r...)
		errs = append(errs, e...)
		retry = retry || rt
		if len(r) > 0 {
			cancel()
		}
	}
	return recs, errs, retry
}

// handle turns one fetch result into records, errors and whether to retry;
// ctx is the context the fetch ran under (its end means we cancelled it).
func (c *Consumer) handle(ctx context.Context, res fetchResult) ([]*Record, []error, bool) {
	if res.err != nil {
		if ctx.Err() != nil {
			return nil, nil, false // cancelled by us or the caller
		}
		err := errorFromRPC(ctx, res.err, false)
		if fe := (*Error)(nil); errors.As(err, &fe) && fe.Reason == ReasonThrottlingQuotaExceeded {
			// Over the fetch quota: nothing was read; wait as told.
			c.throttle = max(c.throttle, fe.RetryAfter)
			return nil, nil, true
		}
		if IsRetriable(err) {
			// The leader may be gone: look its partitions up again.
			for _, fp := range res.parts {
				c.c.markStale(fp.tp.topic)
			}
			return nil, nil, true
		}
		return nil, []error{err}, false
	}
	return c.apply(res)
}

// prefetchNext starts the next Fetch to res's leader before res is
// decoded, so the broker reads while Poll decodes and the application
// processes. The positions come from the batch headers: they are what
// apply will set unless a batch turns out corrupt, and then the prefetch
// would be stale, and keepPrefetch cancels it. Nothing is prefetched after
// a failed fetch, a partition error or an empty response. It returns the
// prefetch started, if any.
func (c *Consumer) prefetchNext(res fetchResult, changed chan struct{}) *prefetch {
	if res.err != nil {
		return nil
	}
	next := make([]fetchPart, len(res.parts))
	copy(next, res.parts)
	idx := make(map[topicPartition]int, len(next))
	for i, fp := range next {
		idx[fp.tp] = i
	}
	moved := false
	for _, t := range res.resp.GetTopics() {
		for _, pr := range t.GetPartitions() {
			i, ok := idx[topicPartition{t.GetTopic(), pr.GetPartition()}]
			if !ok {
				continue
			}
			if pr.GetError() != nil {
				return nil
			}
			for _, raw := range pr.GetBatches() {
				n, ok := peekNextOffset(raw)
				if !ok {
					return nil
				}
				if n > next[i].pos {
					next[i].pos, moved = n, true
				}
			}
		}
	}
	if !moved {
		return nil
	}
	c.launch(map[int32][]fetchPart{res.leader: next}, changed)
	return c.pending[res.leader]
}

// keepPrefetch cancels pf, started by prefetchNext before its response was
// applied, unless every partition is now where pf fetches from: a corrupt
// batch, a reset, a retry or a stale response leaves them elsewhere, and a
// prefetch from there would only read ahead uselessly.
func (c *Consumer) keepPrefetch(pf *prefetch) {
	if pf == nil {
		return
	}
	for _, fp := range pf.parts {
		if !c.current(fp) {
			if c.pending[pf.leader] == pf {
				c.dropPrefetch(pf.leader)
			}
			pf.cancel()
			return
		}
	}
}

// startPrefetch sends, in the background, a Fetch for the current
// positions to every leader that has none in flight. Poll calls it (holding
// pollMu) after returning records.
func (c *Consumer) startPrefetch(ctx context.Context) {
	c.mu.Lock()
	changed := c.changed
	c.mu.Unlock()
	byLeader, _, err := c.plan(ctx)
	if err != nil {
		return // the next Poll plans again and reports it
	}
	c.launch(byLeader, changed)
}

// launch starts a prefetch for each leader in byLeader that has none in
// flight; changed is Consumer.changed from before the parts were planned.
func (c *Consumer) launch(byLeader map[int32][]fetchPart, changed chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	for leader, parts := range byLeader {
		if _, busy := c.pending[leader]; busy {
			continue
		}
		pctx, cancel := context.WithCancel(c.ctx)
		pf := &prefetch{leader: leader, parts: parts, ctx: pctx, cancel: cancel, changed: changed}
		c.pending[leader] = pf
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			res := c.fetch(pctx, leader, parts)
			select {
			case c.prefetched <- prefetchResult{pf, res}:
			case <-pctx.Done():
			}
		}()
	}
}

// takePrefetched waits for the prefetches in flight and applies them,
// exactly as fetchAll applies direct fetches. It returns as soon as some
// records or errors arrived (taking also those already delivered, at most
// one response per leader; the others stay in flight or stashed), or when
// none is left. Prefetches planned before the latest assignment change
// (changed is the current Consumer.changed) are discarded, and all of them
// are if it changes while waiting. err is ctx's error if ctx ends first.
func (c *Consumer) takePrefetched(ctx context.Context, changed chan struct{}) (recs []*Record, errs []error, retry bool, err error) {
	for leader, pf := range c.pending {
		if pf.changed != changed {
			c.dropPrefetch(leader)
		}
	}
	taken := map[int32]bool{} // leaders whose response gave records or errors
	for len(c.pending) > 0 {
		var pr prefetchResult
		got := false
		for leader, st := range c.stashed {
			if !taken[leader] {
				pr, got = st, true
				delete(c.stashed, leader)
				break
			}
		}
		switch {
		case got:
		case len(recs) > 0 || len(errs) > 0:
			select {
			case pr = <-c.prefetched:
			default:
				return recs, errs, retry, nil
			}
		default:
			select {
			case pr = <-c.prefetched:
			case <-changed:
				c.dropPrefetches()
				return nil, nil, false, nil
			case <-ctx.Done():
				return nil, nil, false, ctx.Err()
			}
		}
		leader := pr.pf.leader
		if c.pending[leader] != pr.pf {
			continue // discarded while it was delivering
		}
		if taken[leader] {
			// The prefetch started after this Poll's response from the
			// same leader: keep it for the next Poll, so one Poll does not
			// chain through the log.
			c.stashed[leader] = pr
			continue
		}
		delete(c.pending, leader)
		var next *prefetch
		if pr.pf.ctx.Err() == nil {
			next = c.prefetchNext(pr.res, pr.pf.changed)
		}
		r, e, rt := c.handle(pr.pf.ctx, pr.res)
		c.keepPrefetch(next)
		pr.pf.cancel()
		if len(r) > 0 || len(e) > 0 {
			taken[leader] = true
		} else if len(recs) == 0 && len(errs) == 0 && !rt && len(c.pending) > 0 {
			// An empty long poll ended while other leaders' go on: poll
			// this leader again rather than leave it unwatched.
			c.startPrefetch(ctx)
		}
		recs = append(recs, r...)
		errs = append(errs, e...)
		retry = retry || rt
	}
	return recs, errs, retry, nil
}

// dropPrefetch cancels a leader's prefetch and forgets its response.
func (c *Consumer) dropPrefetch(leader int32) {
	if pf, ok := c.pending[leader]; ok {
		pf.cancel()
		delete(c.pending, leader)
	}
	delete(c.stashed, leader)
}

// dropPrefetches cancels every prefetch and forgets their responses.
func (c *Consumer) dropPrefetches() {
	for leader := range c.pending {
		c.dropPrefetch(leader)
	}
}

func (c *Consumer) fetch(ctx context.Context, leader int32, parts []fetchPart) fetchResult {
	cc, err := c.c.brokerConn(leader)
	if err != nil {
		return fetchResult{err: err}
	}
	req := &fjordv1.FetchRequest{
		MaxWaitMs: int32(c.cfg.fetchMaxWait.Milliseconds()),
		MinBytes:  c.cfg.fetchMinBytes,
		MaxBytes:  c.cfg.fetchMaxBytes,
	}
	topics := map[string]*fjordv1.FetchTopic{}
	for _, fp := range parts {
		t, ok := topics[fp.tp.topic]
		if !ok {
			t = &fjordv1.FetchTopic{Topic: fp.tp.topic}
			topics[fp.tp.topic] = t
			req.Topics = append(req.Topics, t)
		}
		t.Partitions = append(t.Partitions, &fjordv1.FetchPartition{Partition: fp.tp.partition, Offset: fp.pos,
			MaxBytes: c.cfg.fetchPartitionMaxBytes, CurrentLeaderEpoch: proto.Int32(fp.epoch)})
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.requestTimeout+c.cfg.fetchMaxWait)
	defer cancel()
	resp := new(wirev1.FetchResponse)
	// The response holds up to FetchMaxBytes, or one batch larger than that
	// (the broker always returns a first batch whole): lift gRPC's 4 MiB
	// default receive limit accordingly.
	limit := grpc.MaxCallRecvMsgSize(int(c.cfg.fetchMaxBytes) + maxBatchOverhead)
	if err := cc.Invoke(actx, fetchMethod, req, resp, limit); err != nil {
		return fetchResult{leader: leader, parts: parts, err: err}
	}
	return fetchResult{leader: leader, parts: parts, resp: resp}
}

// apply decodes one fetch response and advances positions.
func (c *Consumer) apply(res fetchResult) (recs []*Record, errs []error, retry bool) {
	asked := map[topicPartition]fetchPart{}
	for _, fp := range res.parts {
		asked[fp.tp] = fp
	}
	for _, t := range res.resp.GetTopics() {
		for _, pr := range t.GetPartitions() {
			tp := topicPartition{t.GetTopic(), pr.GetPartition()}
			fp, ok := asked[tp]
			if !ok {
				continue
			}
			if e := errorFromProto(pr.GetError(), tp.topic, tp.partition); e != nil {
				switch {
				case errors.Is(e, ErrOffsetOutOfRange) && c.cfg.resetOffset.kind != offsetNone:
					c.reset(fp)
					retry = true
				case e.Retriable:
					// The position stays: the retry fetches the same offset,
					// from the leader the error names (NOT_LEADER_OR_FOLLOWER)
					// or, for other errors (a stale or future leader epoch,
					// no leader yet), from the one fresh metadata names.
					if _, ok := c.c.setLeader(tp.topic, tp.partition, hintOf(e, pr.GetLeaderId(), pr.GetLeaderEpoch(), res.leader)); !ok {
						c.c.markStale(tp.topic)
					}
					retry = true
				default:
					if c.current(fp) {
						errs = append(errs, e)
					}
				}
				continue
			}
			pos := fp.pos
			var out []*Record
			var perr error
			for _, raw := range pr.GetBatches() {
				batchRecs, info, err := decodeBatch(raw, tp.topic, tp.partition, pos)
				if err != nil {
					var fe *Error
					if errors.As(err, &fe) {
						fe.Topic, fe.Partition = tp.topic, tp.partition
					}
					perr = err
					break
				}
				out = append(out, batchRecs...)
				next := info.nextOffset()
				if n := len(out); n > 0 {
					next = max(next, out[n-1].Offset+1)
				}
				pos = max(pos, next)
			}
			c.mu.Lock()
			if p, ok := c.parts[tp]; ok && p.gen == fp.gen && p.resolved && p.pos == fp.pos {
				p.pos = pos
				recs = append(recs, out...)
				if perr != nil {
					errs = append(errs, perr)
				}
			}
			c.mu.Unlock()
		}
	}
	return recs, errs, retry
}

// current reports whether a partition is still where fp fetched it from:
// errors and records from a fetch made before a Seek, an Unassign or a
// later fetch are stale.
func (c *Consumer) current(fp fetchPart) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.parts[fp.tp]
	return ok && p.gen == fp.gen && p.resolved && p.pos == fp.pos
}

// reset moves a partition whose position fell out of range to ResetOffset.
func (c *Consumer) reset(fp fetchPart) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.parts[fp.tp]; ok && p.gen == fp.gen && p.pos == fp.pos {
		c.gen++
		*p = consumerPart{at: c.cfg.resetOffset, gen: c.gen}
	}
}
