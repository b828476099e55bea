package server

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	"github.com/fjordlog/fjord/server/replication"
	"github.com/fjordlog/fjord/storage"
)

// maxReplicaFetchWait caps the long poll a follower may ask for.
const maxReplicaFetchWait = 5 * time.Second

// replicaService implements fjord.cluster.v1.ReplicaService: the leader side
// of replication.
type replicaService struct {
	clusterv1.UnimplementedReplicaServiceServer
	b *broker
}

func (s *replicaService) Replicate(stream clusterv1.ReplicaService_ReplicateServer) error {
	for {
		select {
		case <-s.b.quit:
			return toStatus(errorf(ReasonBrokerShuttingDown, "broker is shutting down"))
		default:
		}
		req, err := stream.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		start := time.Now()
		resp, err := s.b.replicaFetch(stream.Context(), req)
		s.b.metrics.requestDone(apiReplicaFetch, start)
		if err != nil {
			return toStatus(err)
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// replicaFetch answers one follower fetch round: it records the follower's
// progress with each partition's leader state machine, then returns data,
// parking until data or a high watermark move arrives or max_wait passes.
func (b *broker) replicaFetch(ctx context.Context, req *clusterv1.ReplicateRequest) (*clusterv1.ReplicateResponse, error) {
	if len(req.GetPartitions()) == 0 {
		return nil, errorf(ReasonInvalidRequest, "replica fetch has no partitions")
	}
	wait := min(time.Duration(req.GetMaxWaitMs())*time.Millisecond, maxReplicaFetchWait)
	maxBytes := int(req.GetMaxBytes())
	if maxBytes <= 0 {
		maxBytes = defaultFetchMaxBytes
	}
	parts := make([]*partition, len(req.GetPartitions()))
	errs := make([]*Error, len(req.GetPartitions()))
	now := b.nowMs()
	for i, rp := range req.GetPartitions() {
		parts[i], errs[i] = b.recordFollowerFetch(req.GetReplicaId(), rp, now)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var w *waiter
	defer func() {
		if w != nil {
			for _, p := range parts {
				if p != nil {
					p.removeWaiter(w)
				}
			}
		}
	}()
	for {
		resp, ready := b.replicaRead(req, parts, errs, maxBytes)
		if ready || wait <= 0 {
			return resp, nil
		}
		if w == nil {
			w = newAppendWaiter()
			for _, p := range parts {
				if p != nil {
					p.addWaiter(w)
				}
			}
			continue // re-read: something may have arrived while registering
		}
		select {
		case <-w.ch:
		case <-timer.C:
			resp, _ := b.replicaRead(req, parts, errs, maxBytes)
			return resp, nil
		case <-b.quit:
			return nil, errorf(ReasonBrokerShuttingDown, "broker is shutting down")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// recordFollowerFetch reports one partition's fetch offsets to its leader
// state machine.
func (b *broker) recordFollowerFetch(replica int32, rp *clusterv1.ReplicaFetchPartition, now int64) (*partition, *Error) {
	tp := topicPartition{rp.GetTopic(), rp.GetPartition()}
	p, err := b.lookup(tp)
	if err != nil {
		return nil, asError(err)
	}
	if rp.GetTopicId() != "" && rp.GetTopicId() != p.topicID {
		return nil, errorf(ReasonUnknownTopicOrPartition, "topic %q was re-created (id %s, the follower has %s)", tp.topic, p.topicID, rp.GetTopicId()).withPartition(tp.topic, tp.partition)
	}
	p.mu.Lock()
	ldr := p.ldr
	if ldr == nil {
		leader, epoch := p.meta.Leader, p.meta.LeaderEpoch
		p.mu.Unlock()
		return nil, b.notLeader(tp, leader, epoch)
	}
	rd, aerr := ldr.Append(p.log.LogEndOffset())
	wake := aerr == nil && p.applyReady(b, rd)
	rd, ferr := ldr.Fetch(replication.FetchRequest{ReplicaID: replica, LeaderEpoch: rp.GetLeaderEpoch(),
		FetchOffset: rp.GetFetchOffset(), DurableOffset: rp.GetDurableOffset(), Now: now})
	if ferr == nil {
		wake = p.applyReady(b, rd) || wake
	}
	p.mu.Unlock()
	if wake {
		p.notify()
	}
	if ferr != nil {
		e := asError(ferr).withPartition(tp.topic, tp.partition)
		if e.Reason == ReasonOffsetOutOfRange {
			e.with("log_start_offset", strconv.FormatInt(p.log.LogStartOffset(), 10), "log_end_offset", strconv.FormatInt(p.log.LogEndOffset(), 10))
		}
		return p, e
	}
	return p, nil
}

// replicaRead builds the response from the logs as they are now. ready is
// true when it carries anything the follower needs at once: data, an error
// or a high watermark beyond the follower's.
func (b *broker) replicaRead(req *clusterv1.ReplicateRequest, parts []*partition, errs []*Error, maxBytes int) (*clusterv1.ReplicateResponse, bool) {
	resp := &clusterv1.ReplicateResponse{Partitions: make([]*clusterv1.ReplicaFetchResult, len(parts))}
	ready := false
	budget := maxBytes
	for i, rp := range req.GetPartitions() {
		r := &clusterv1.ReplicaFetchResult{Topic: rp.GetTopic(), Partition: rp.GetPartition(), HighWatermark: -1, LogStartOffset: -1, LogEndOffset: -1}
		resp.Partitions[i] = r
		p := parts[i]
		if p != nil {
			r.LogStartOffset, r.LogEndOffset = p.log.LogStartOffset(), p.log.LogEndOffset()
		}
		if errs[i] != nil {
			r.Error = toProto(errs[i])
			ready = true
			continue
		}
		p.mu.Lock()
		ldr := p.ldr
		var hw int64
		if ldr != nil {
			hw = ldr.HighWatermark()
		}
		p.mu.Unlock()
		if ldr == nil || ldr.LeaderEpoch() != rp.GetLeaderEpoch() {
			leader, epoch, _ := p.state()
			errs[i] = b.notLeader(p.tp, leader, epoch)
			r.Error = toProto(errs[i])
			ready = true
			continue
		}
		r.HighWatermark = hw
		if hw > rp.GetHighWatermark() {
			ready = true
		}
		if budget <= 0 || rp.GetFetchOffset() >= r.LogEndOffset {
			continue
		}
		// Never send past the log end the leader state machine knows, so
		// the follower's next fetch offset is one it accepts.
		leo := r.LogEndOffset
		limit := min(int(rp.GetMaxBytes()), budget)
		if limit <= 0 {
			limit = budget
		}
		rr, err := p.log.Read(rp.GetFetchOffset(), limit, leo)
		if err != nil {
			if errors.Is(err, storage.ErrClosed) {
				errs[i] = p.logError(err)
			} else {
				errs[i] = asError(err).withPartition(p.tp.topic, p.tp.partition)
			}
			r.Error = toProto(errs[i])
			ready = true
			continue
		}
		if len(rr.Batches) > 0 {
			r.Batches = rr.Batches
			budget -= rr.Bytes
			ready = true
		}
	}
	return resp, ready
}

func (s *replicaService) OffsetForLeaderEpoch(ctx context.Context, req *clusterv1.OffsetForLeaderEpochRequest) (*clusterv1.OffsetForLeaderEpochResponse, error) {
	b := s.b
	resp := &clusterv1.OffsetForLeaderEpochResponse{}
	for _, q := range req.GetPartitions() {
		a := &clusterv1.EpochAnswer{Topic: q.GetTopic(), Partition: q.GetPartition(), LeaderEpoch: -1, EndOffset: -1}
		resp.Partitions = append(resp.Partitions, a)
		tp := topicPartition{q.GetTopic(), q.GetPartition()}
		p, err := b.lookup(tp)
		if err != nil {
			a.Error = toProto(err)
			continue
		}
		p.roleMu.RLock()
		p.mu.Lock()
		ldr := p.ldr
		leader, epoch := p.meta.Leader, p.meta.LeaderEpoch
		var ans replication.EpochEndOffset
		if ldr != nil {
			ans, err = ldr.EndOffsetForEpoch(p.log, req.GetReplicaId(), q.GetCurrentLeaderEpoch(), q.GetLeaderEpoch())
		}
		p.mu.Unlock()
		p.roleMu.RUnlock()
		switch {
		case ldr == nil:
			a.Error = toProto(b.notLeader(tp, leader, epoch))
		case err != nil:
			a.Error = toProto(asError(err).withPartition(tp.topic, tp.partition))
		default:
			a.LeaderEpoch, a.EndOffset = ans.Epoch, ans.EndOffset
		}
	}
	return resp, nil
}
