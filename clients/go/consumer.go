package fjord

import (
	"context"
	"errors"
	"sync"
	"time"

	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
)

const fetchMethod = "/fjord.v1.FetchService/Fetch"

// maxBatchOverhead is the room a fetch response may need beyond
// FetchMaxBytes: one batch up to the broker's largest accepted message
// (64 MiB) plus per-partition framing.
const maxBatchOverhead = 65 << 20

// Consumer reads explicitly assigned partitions (there are no consumer
// groups yet). Assign, Unassign, Seek and Position may be called from any
// goroutine, also while a Poll is running; Poll calls are serialized.
type Consumer struct {
	c   *Client
	cfg cfg

	pollMu sync.Mutex // serializes Poll

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
	return &Consumer{c: c, cfg: cfg, parts: map[topicPartition]*consumerPart{}, changed: make(chan struct{})}, nil
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

// Close stops the consumer; a running Poll returns ErrClosed.
func (c *Consumer) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		c.notifyLocked()
	}
	return nil
}

type fetchPart struct {
	tp  topicPartition
	pos int64
	gen uint64
}

type fetchResult struct {
	parts []fetchPart
	resp  *wirev1.FetchResponse
	err   error
}

// Poll long-polls the leaders of every assigned partition (one Fetch per
// leader broker, concurrently) and returns the records that arrive, in
// offset order per partition, advancing positions past them. It returns when
// records arrive, when a partition fails with a non-retriable error, or
// when ctx ends (nil records, ctx.Err()). Records and an error may be
// returned together: handle the records first. Retriable failures (a moved
// leader, an unreachable broker) are retried inside Poll after a metadata
// refresh.
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

		byLeader, retry, err := c.plan(ctx)
		if err != nil {
			return nil, err
		}
		if len(byLeader) == 0 {
			// Nothing fetchable: wait for an assignment change, or back off
			// until leaders are known again.
			var wait <-chan time.Time
			if retry {
				t := time.NewTimer(c.cfg.backoff(attempt))
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

		recs, errs, retry := c.fetchAll(ctx, byLeader)
		if len(recs) > 0 || len(errs) > 0 {
			return recs, errors.Join(errs...)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if retry {
			if err := sleepCtx(ctx, c.cfg.backoff(attempt)); err != nil {
				return nil, err
			}
			attempt++
		} else {
			attempt = 1
		}
	}
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
		id, _, err := c.c.leader(ctx, fp.tp.topic, fp.tp.partition)
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
func (c *Consumer) fetchAll(ctx context.Context, byLeader map[int32][]fetchPart) ([]*Record, []error, bool) {
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
		if res.err != nil {
			if fctx.Err() != nil {
				continue // cancelled by us or the caller
			}
			err := errorFromRPC(fctx, res.err, false)
			if IsRetriable(err) {
				c.c.markStale("")
				retry = true
				continue
			}
			errs = append(errs, err)
			continue
		}
		r, e, rt := c.apply(res)
		recs = append(recs, r...)
		errs = append(errs, e...)
		retry = retry || rt
		if len(r) > 0 {
			cancel()
		}
	}
	return recs, errs, retry
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
		t.Partitions = append(t.Partitions, &fjordv1.FetchPartition{Partition: fp.tp.partition, Offset: fp.pos, MaxBytes: c.cfg.fetchPartitionMaxBytes})
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.requestTimeout+c.cfg.fetchMaxWait)
	defer cancel()
	resp := new(wirev1.FetchResponse)
	// The response holds up to FetchMaxBytes, or one batch larger than that
	// (the broker always returns a first batch whole): lift gRPC's 4 MiB
	// default receive limit accordingly.
	limit := grpc.MaxCallRecvMsgSize(int(c.cfg.fetchMaxBytes) + maxBatchOverhead)
	if err := cc.Invoke(actx, fetchMethod, req, resp, limit); err != nil {
		return fetchResult{parts: parts, err: err}
	}
	return fetchResult{parts: parts, resp: resp}
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
					if pr.GetLeaderId() > 0 {
						c.c.setLeader(tp.topic, tp.partition, pr.GetLeaderId(), pr.GetLeaderEpoch())
					} else {
						c.c.markStale(tp.topic)
					}
					retry = true
				default:
					errs = append(errs, e)
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
			if perr != nil {
				errs = append(errs, perr)
			}
			c.mu.Lock()
			if p, ok := c.parts[tp]; ok && p.gen == fp.gen && p.resolved && p.pos == fp.pos {
				p.pos = pos
				recs = append(recs, out...)
			}
			c.mu.Unlock()
		}
	}
	return recs, errs, retry
}

// reset moves a partition whose position fell out of range to ResetOffset.
func (c *Consumer) reset(fp fetchPart) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.parts[fp.tp]; ok && p.gen == fp.gen {
		c.gen++
		*p = consumerPart{at: c.cfg.resetOffset, gen: c.gen}
	}
}
