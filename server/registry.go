package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/storage"
)

// This file gives the schema registry (package schemaregistry) its
// storage: the internal compacted topic _schemas with one partition. The
// leader of _schemas-0 appends the registry's records like the group
// coordinator appends its own (as leader in its epoch, acks=all); every
// broker tails the partition: a replica reads its local log up to its high
// watermark, any other broker fetches from the leader like a consumer.
// Before _schemas exists, the controller leader is the writer: the first
// write reaching it creates the topic.

// schemasTopic is the registry's topic.
const schemasTopic = schemaregistry.Topic

// Registry tuning.
const (
	// schemasReadBytes bounds one tail read.
	schemasReadBytes = 1 << 20
	// schemasAppendTimeout bounds the wait for a registry write to commit.
	schemasAppendTimeout = 10 * time.Second
)

// registryBackend implements schemaregistry.Backend on the broker.
type registryBackend struct {
	b *broker
	// createMu serializes creating _schemas from this broker.
	createMu sync.Mutex
}

var _ schemaregistry.Backend = (*registryBackend)(nil)

var schemasTP = topicPartition{schemasTopic, 0}

func unavailable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", schemaregistry.ErrUnavailable, fmt.Sprintf(format, args...))
}

// schemasTopicSpec is how _schemas is created: one compacted partition on
// min(3, live brokers) replicas, min.insync.replicas min(2, RF).
func schemasTopicSpec(img *cluster.Image) topicSpec {
	live := int32(0)
	for _, br := range img.Brokers() {
		if img.Alive(br.ID) {
			live++
		}
	}
	rf := max(min(3, live), 1)
	return topicSpec{Name: schemasTopic, Partitions: 1, ReplicationFactor: rf, Internal: true, Configs: map[string]string{
		cfgCleanupPolicy:     "compact",
		cfgMinInsyncReplicas: strconv.Itoa(int(min(2, rf))),
	}}
}

// Writer names the leader of _schemas-0, this broker or another; before
// the topic exists, the controller leader, which creates it.
func (rb *registryBackend) Writer(ctx context.Context) (schemaregistry.Writer, error) {
	b := rb.b
	img := b.ctl.image()
	t, ok := img.Topic(schemasTopic)
	if !ok {
		if !b.caughtUp(img) {
			return schemaregistry.Writer{}, unavailable("broker %d is still catching up on cluster metadata", b.id)
		}
		if !b.ctl.ctrl.IsLeader() {
			id, known := b.ctl.ctrl.LeaderID()
			cc, err := b.ctl.leaderConn()
			if err != nil || !known {
				return schemaregistry.Writer{}, unavailable("no controller leader to create %s", schemasTopic)
			}
			return schemaregistry.Writer{LeaderID: id, Conn: cc}, nil
		}
		var err error
		if t, err = rb.createTopic(ctx); err != nil {
			return schemaregistry.Writer{}, err
		}
	}
	pm := t.Partitions[0]
	if pm.Leader == b.id {
		p, err := b.leaderFor(schemasTP)
		if err != nil {
			return schemaregistry.Writer{}, unavailable("%v", err)
		}
		p.mu.Lock()
		ldr, epoch := p.ldr, p.meta.LeaderEpoch
		p.mu.Unlock()
		if ldr == nil || ldr.LeaderEpoch() != epoch || b.draining.Load() {
			return schemaregistry.Writer{}, unavailable("broker %d is not leading %s yet", b.id, schemasTP)
		}
		return schemaregistry.Writer{Local: true, Epoch: epoch, LogEnd: p.log.LogEndOffset()}, nil
	}
	cc, err := rb.conn(img, pm.Leader)
	if err != nil {
		return schemaregistry.Writer{}, err
	}
	return schemaregistry.Writer{LeaderID: pm.Leader, Conn: cc}, nil
}

// conn connects to a broker by id.
func (rb *registryBackend) conn(img *cluster.Image, id int32) (*grpc.ClientConn, error) {
	if id < 0 {
		return nil, unavailable("%s has no leader", schemasTP)
	}
	bm, ok := img.Broker(id)
	if !ok || bm.Address == "" {
		return nil, unavailable("the address of broker %d, leader of %s, is not known", id, schemasTP)
	}
	cc, err := rb.b.ctl.peers.conn(id, bm.Address)
	if err != nil {
		return nil, unavailable("cannot reach broker %d at %s: %v", id, bm.Address, err)
	}
	return cc, nil
}

// createTopic creates _schemas on the controller leader and waits until
// this broker's image has it.
func (rb *registryBackend) createTopic(ctx context.Context) (*cluster.TopicMeta, error) {
	b := rb.b
	rb.createMu.Lock()
	defer rb.createMu.Unlock()
	if t, ok := b.ctl.image().Topic(schemasTopic); ok {
		return t, nil
	}
	spec := schemasTopicSpec(b.ctl.image())
	if _, err := b.createTopic(ctx, spec, false); err != nil && asError(err).Reason != ReasonTopicAlreadyExists {
		return nil, unavailable("cannot create %s: %v", schemasTopic, err)
	} else if err == nil {
		b.logger.Info("created the schema registry topic", "topic", schemasTopic, "replication_factor", spec.ReplicationFactor)
	}
	img, err := b.ctl.waitImage(ctx, func(img *cluster.Image) bool { _, ok := img.Topic(schemasTopic); return ok })
	if err != nil {
		return nil, unavailable("%s was created but broker %d has not seen it yet", schemasTopic, b.id)
	}
	t, _ := img.Topic(schemasTopic)
	return t, nil
}

// Append writes records to _schemas-0 as its leader in epoch and waits
// until they are committed.
func (rb *registryBackend) Append(ctx context.Context, epoch int32, recs []schemaregistry.Record) (int64, error) {
	b := rb.b
	notLeader := func() error {
		return fmt.Errorf("%w (broker %d, leader epoch %d)", schemaregistry.ErrNotLeader, b.id, epoch)
	}
	p, err := b.leaderFor(schemasTP)
	if err != nil || b.draining.Load() {
		return 0, notLeader()
	}
	irecs := make([]internalRecord, len(recs))
	for i, r := range recs {
		irecs[i] = internalRecord{key: r.Key, value: r.Value}
	}
	until, err := b.appendAsLeader(p, epoch, irecs, notLeader)
	if err != nil {
		return 0, err
	}
	// A controlled shutdown lets it replicate before leadership moves.
	b.acksInFlight.Add(1)
	defer b.acksInFlight.Add(-1)
	if err := p.waitAck(ctx, b, epoch, until, schemasAppendTimeout); err != nil {
		return 0, err
	}
	return until, nil
}

// Read returns committed records of _schemas-0 from offset: from the local
// replica if this broker hosts one, otherwise fetched from the leader.
func (rb *registryBackend) Read(ctx context.Context, offset int64, wait time.Duration) (schemaregistry.ReadResult, error) {
	b := rb.b
	img := b.ctl.image()
	t, ok := img.Topic(schemasTopic)
	if !ok {
		// Nothing to read yet: wait for the topic (or wait's end).
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		_, _ = b.ctl.ctrl.WaitFor(wctx, func(img *cluster.Image) bool { _, ok := img.Topic(schemasTopic); return ok })
		select {
		case <-b.quit:
			return schemaregistry.ReadResult{}, errorf(ReasonBrokerShuttingDown, "broker is shutting down")
		default:
		}
		return schemaregistry.ReadResult{Next: offset}, ctx.Err()
	}
	b.mu.RLock()
	p := b.partitions[schemasTP]
	b.mu.RUnlock()
	if p != nil && p.topicID == t.ID {
		return rb.readLocal(ctx, p, offset, wait)
	}
	return rb.readRemote(ctx, img, t.Partitions[0].Leader, offset, wait)
}

func (rb *registryBackend) readLocal(ctx context.Context, p *partition, offset int64, wait time.Duration) (schemaregistry.ReadResult, error) {
	w := newWaiter()
	p.addWaiter(w)
	defer p.removeWaiter(w)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		hw := p.log.HighWatermark()
		if offset < hw {
			rr, err := p.log.Read(offset, schemasReadBytes, hw)
			if err != nil {
				return schemaregistry.ReadResult{}, p.logError(err)
			}
			recs, err := recordsOf(rr.Batches, offset)
			return schemaregistry.ReadResult{Records: recs, Next: max(rr.NextOffset, offset), End: hw}, err
		}
		select {
		case <-w.ch:
		case <-timer.C:
			return schemaregistry.ReadResult{Next: offset, End: hw}, nil
		case <-p.quit:
			return schemaregistry.ReadResult{}, errorf(ReasonBrokerShuttingDown, "broker is shutting down")
		case <-ctx.Done():
			return schemaregistry.ReadResult{}, ctx.Err()
		}
	}
}

// recordsOf decodes the records of stored batches at or after offset.
func recordsOf(batches [][]byte, offset int64) ([]schemaregistry.Record, error) {
	var out []schemaregistry.Record
	for _, batch := range batches {
		for rec, err := range storage.Records(batch) {
			if err != nil {
				return out, err
			}
			if rec.Offset < offset {
				continue
			}
			out = append(out, schemaregistry.Record{Offset: rec.Offset, Key: bytes.Clone(rec.Key), Value: bytes.Clone(rec.Value)})
		}
	}
	return out, nil
}

// readRemote fetches from the leader like a consumer. A fetch behind the
// high watermark that returns nothing sits in a compaction gap, which it
// skips.
func (rb *registryBackend) readRemote(ctx context.Context, img *cluster.Image, leader int32, offset int64, wait time.Duration) (schemaregistry.ReadResult, error) {
	cc, err := rb.conn(img, leader)
	if err != nil {
		return schemaregistry.ReadResult{}, err
	}
	req := &fjordv1.FetchRequest{MaxWaitMs: int32(wait / time.Millisecond), MaxBytes: schemasReadBytes,
		Topics: []*fjordv1.FetchTopic{{Topic: schemasTopic, Partitions: []*fjordv1.FetchPartition{{Partition: 0, Offset: offset, MaxBytes: schemasReadBytes}}}}}
	fctx, cancel := context.WithTimeout(ctx, wait+10*time.Second)
	defer cancel()
	resp := new(wirev1.FetchResponse)
	if err := cc.Invoke(fctx, fjordv1.FetchService_Fetch_FullMethodName, req, resp); err != nil {
		return schemaregistry.ReadResult{}, err
	}
	if len(resp.GetTopics()) != 1 || len(resp.GetTopics()[0].GetPartitions()) != 1 {
		return schemaregistry.ReadResult{}, fmt.Errorf("server: malformed fetch response for %s", schemasTP)
	}
	pr := resp.GetTopics()[0].GetPartitions()[0]
	if e := pr.GetError(); e != nil {
		return schemaregistry.ReadResult{}, errors.New(e.GetMessage())
	}
	recs, err := recordsOf(pr.GetBatches(), offset)
	if err != nil {
		return schemaregistry.ReadResult{}, err
	}
	next := offset
	for _, batch := range pr.GetBatches() {
		if h, _, err := storage.ParseBatchHeader(batch); err == nil {
			next = max(next, h.NextOffset())
		}
	}
	if len(pr.GetBatches()) == 0 && offset < pr.GetHighWatermark() {
		next = pr.GetHighWatermark()
	}
	return schemaregistry.ReadResult{Records: recs, Next: next, End: pr.GetHighWatermark()}, nil
}

// CommittedEnd is the leader's high watermark of _schemas-0.
func (rb *registryBackend) CommittedEnd(ctx context.Context) (int64, error) {
	b := rb.b
	img := b.ctl.image()
	t, ok := img.Topic(schemasTopic)
	if !ok {
		// A broker that has not caught up on cluster metadata (just
		// restarted) may not see a _schemas that exists: 0 would let its
		// empty view answer reads.
		if !b.caughtUp(img) {
			return 0, unavailable("broker %d is still catching up on cluster metadata", b.id)
		}
		return 0, nil
	}
	pm := t.Partitions[0]
	if pm.Leader == b.id {
		p, err := b.leaderFor(schemasTP)
		if err != nil {
			return 0, unavailable("%v", err)
		}
		hw, err := p.leaderHighWatermark()
		if err != nil {
			return 0, unavailable("%s", asError(err).Message)
		}
		return hw, nil
	}
	cc, err := rb.conn(img, pm.Leader)
	if err != nil {
		return 0, err
	}
	resp, err := fjordv1.NewFetchServiceClient(cc).ListOffsets(ctx, &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{
		Topic: schemasTopic, Partitions: []*fjordv1.ListOffsetsPartition{{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_LATEST}}}}})
	if err != nil {
		return 0, unavailable("ask broker %d for the end of %s: %v", pm.Leader, schemasTP, err)
	}
	if len(resp.GetTopics()) != 1 || len(resp.GetTopics()[0].GetPartitions()) != 1 {
		return 0, fmt.Errorf("server: malformed list offsets response for %s", schemasTP)
	}
	pr := resp.GetTopics()[0].GetPartitions()[0]
	if e := pr.GetError(); e != nil {
		return 0, unavailable("broker %d: %s", pm.Leader, e.GetMessage())
	}
	return pr.GetOffset(), nil
}
