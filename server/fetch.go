package server

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/storage"
)

// Fetch defaults and limits.
const (
	defaultFetchMaxBytes     = 50 << 20
	defaultPartitionMaxBytes = 1 << 20
	// maxFetchResponseBytes caps max_bytes, bounding the memory one fetch
	// holds.
	maxFetchResponseBytes = defaultFetchMaxBytes
	maxFetchWait          = 5 * time.Minute
	// subscribeChunkBytes bounds one Subscribe response message.
	subscribeChunkBytes = 1 << 20
)

// fetchService implements fjord.v1.FetchService.
type fetchService struct {
	b     *broker
	trace *tracing // nil: tracing off
}

var _ fetchServer = (*fetchService)(nil)

// checkEpoch fences a client that knows a different leader epoch.
func checkEpoch(p *partition, known *int32) error {
	if known == nil {
		return nil
	}
	clientEpoch := *known
	_, epoch, _ := p.state()
	switch {
	case clientEpoch < epoch:
		return errorf(ReasonFencedLeaderEpoch, "leader epoch %d of %s is older than the current epoch %d", clientEpoch, p.tp, epoch).withPartition(p.tp.topic, p.tp.partition)
	case clientEpoch > epoch:
		return errorf(ReasonUnknownLeaderEpoch, "leader epoch %d of %s is newer than this broker's epoch %d", clientEpoch, p.tp, epoch).withPartition(p.tp.topic, p.tp.partition)
	}
	return nil
}

// readCommitted reads from p up to its high watermark.
func readCommitted(p *partition, offset int64, maxBytes int) (storage.ReadResult, int64, error) {
	hw := p.log.HighWatermark()
	if offset > hw && offset <= p.log.LogEndOffset() {
		// Ahead of the high watermark but inside the log: nothing visible yet.
		return storage.ReadResult{NextOffset: offset}, hw, nil
	}
	rr, err := p.log.Read(offset, maxBytes, hw)
	if err != nil {
		return rr, hw, p.logError(err)
	}
	return rr, hw, nil
}

func batchesSize(bs [][]byte) int {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return n
}

func validateFetch(req *fjordv1.FetchRequest) (wait time.Duration, minBytes, maxBytes int, err error) {
	switch {
	case req.GetMaxWaitMs() < 0:
		return 0, 0, 0, errorf(ReasonInvalidRequest, "max_wait_ms %d is negative", req.GetMaxWaitMs())
	case req.GetMinBytes() < 0:
		return 0, 0, 0, errorf(ReasonInvalidRequest, "min_bytes %d is negative", req.GetMinBytes())
	case req.GetMaxBytes() < 0:
		return 0, 0, 0, errorf(ReasonInvalidRequest, "max_bytes %d is negative", req.GetMaxBytes())
	case len(req.GetTopics()) == 0:
		return 0, 0, 0, errorf(ReasonInvalidRequest, "fetch request has no topics")
	}
	for _, t := range req.GetTopics() {
		for _, p := range t.GetPartitions() {
			if p.GetOffset() < 0 {
				return 0, 0, 0, errorf(ReasonInvalidRequest, "fetch offset %d for %s-%d is negative", p.GetOffset(), t.GetTopic(), p.GetPartition())
			}
			if p.GetMaxBytes() < 0 {
				return 0, 0, 0, errorf(ReasonInvalidRequest, "max_bytes %d for %s-%d is negative", p.GetMaxBytes(), t.GetTopic(), p.GetPartition())
			}
		}
	}
	wait = min(time.Duration(req.GetMaxWaitMs())*time.Millisecond, maxFetchWait)
	minBytes = max(int(req.GetMinBytes()), 1)
	maxBytes = int(req.GetMaxBytes())
	if maxBytes == 0 {
		maxBytes = defaultFetchMaxBytes
	}
	return wait, minBytes, min(maxBytes, maxFetchResponseBytes), nil
}

// fetch reads every requested partition; if fewer than min_bytes are
// available it parks until an append moves a high watermark or max_wait_ms
// passes, then reads again.
func (s *fetchService) fetch(ctx context.Context, req *fjordv1.FetchRequest) (resp *wirev1.FetchResponse, err error) {
	wait, minBytes, maxBytes, err := validateFetch(req)
	if err != nil {
		return nil, toStatus(err)
	}
	quota, err := s.b.admitFetch(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { s.b.fetchDone(quota, resp) }()
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
	}
	var w *waiter
	var watched []*partition
	defer func() {
		for _, p := range watched {
			p.removeWaiter(w)
		}
	}()
	for {
		span := s.trace.startRead(ctx, req)
		resp, parts, total, failed := s.readAll(req, maxBytes)
		endRead(span, total, failed)
		if total >= minBytes || failed || wait == 0 {
			return resp, nil
		}
		if w == nil {
			// Park on every partition read. The waiter is registered before
			// re-reading, so an append between the read above and the wait
			// below still wakes it.
			w = newWaiter()
			for _, p := range parts {
				p.addWaiter(w)
			}
			watched = parts
			continue
		}
		select {
		case <-w.ch:
		case <-deadline:
			return resp, nil
		case <-s.b.quit:
			return resp, nil
		case <-ctx.Done():
			return nil, toStatus(ctx.Err())
		}
	}
}

// readAll reads each requested partition once. It reports the partitions
// read, the bytes returned and whether any partition failed.
func (s *fetchService) readAll(req *fjordv1.FetchRequest, maxBytes int) (*wirev1.FetchResponse, []*partition, int, bool) {
	resp := &wirev1.FetchResponse{Topics: make([]*wirev1.FetchTopicResponse, 0, len(req.GetTopics()))}
	var parts []*partition
	total, failed := 0, false
	for _, ft := range req.GetTopics() {
		tr := &wirev1.FetchTopicResponse{Topic: ft.GetTopic(), Partitions: make([]*wirev1.FetchPartitionResponse, 0, len(ft.GetPartitions()))}
		for _, fp := range ft.GetPartitions() {
			tp := topicPartition{ft.GetTopic(), fp.GetPartition()}
			pr := &wirev1.FetchPartitionResponse{Partition: fp.GetPartition(), HighWatermark: -1, LogStartOffset: -1, LogEndOffset: -1, LeaderId: -1}
			tr.Partitions = append(tr.Partitions, pr)
			p, err := s.b.leaderFor(tp)
			if err == nil {
				err = checkEpoch(p, fp.CurrentLeaderEpoch)
			}
			if err != nil {
				pr.Error = toProto(err)
				pr.LeaderId, pr.LeaderEpoch = leaderHint(err)
				failed = true
				continue
			}
			parts = append(parts, p)
			pr.LeaderId, pr.LeaderEpoch, _ = p.state()
			limit := int(fp.GetMaxBytes())
			if limit == 0 {
				limit = defaultPartitionMaxBytes
			}
			limit = min(limit, maxBytes-total)
			if limit <= 0 {
				pr.HighWatermark, pr.LogStartOffset, pr.LogEndOffset = p.log.HighWatermark(), p.log.LogStartOffset(), p.log.LogEndOffset()
				continue
			}
			rr, hw, err := readCommitted(p, fp.GetOffset(), limit)
			pr.HighWatermark, pr.LogStartOffset, pr.LogEndOffset = hw, p.log.LogStartOffset(), p.log.LogEndOffset()
			if err != nil {
				pr.Error = toProto(err)
				failed = true
				continue
			}
			n := batchesSize(rr.Batches)
			if total > 0 && total+n > maxBytes {
				// Only the first non-empty partition may exceed max_bytes.
				continue
			}
			pr.Batches = rr.Batches
			total += n
			s.b.metrics.fetched(tp.topic, int64(n))
		}
		resp.Topics = append(resp.Topics, tr)
	}
	return resp, parts, total, failed
}

// resolveOffset turns an offset spec into an offset in p.
func resolveOffset(p *partition, spec fjordv1.OffsetSpec, offset, ts int64) (int64, int64, error) {
	switch spec {
	case fjordv1.OffsetSpec_OFFSET_SPEC_UNSPECIFIED:
		if offset < 0 {
			return 0, -1, errorf(ReasonInvalidRequest, "offset %d is negative", offset)
		}
		return offset, -1, nil
	case fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST:
		return p.log.LogStartOffset(), -1, nil
	case fjordv1.OffsetSpec_OFFSET_SPEC_LATEST:
		hw, err := p.leaderHighWatermark()
		return hw, -1, err
	case fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP:
		hw, err := p.leaderHighWatermark()
		if err != nil {
			return 0, -1, err
		}
		off, foundTS, err := p.log.OffsetForTimestamp(ts)
		if err != nil {
			return 0, -1, p.logError(err)
		}
		if off >= hw {
			// Nothing visible at or after ts yet: start at the high watermark.
			return hw, -1, nil
		}
		return off, foundTS, nil
	}
	return 0, -1, errorf(ReasonInvalidRequest, "unknown offset spec %d", spec)
}

func (s *fetchService) listOffsets(ctx context.Context, req *fjordv1.ListOffsetsRequest) (*fjordv1.ListOffsetsResponse, error) {
	resp := &fjordv1.ListOffsetsResponse{}
	for _, lt := range req.GetTopics() {
		tr := &fjordv1.ListOffsetsTopicResponse{Topic: lt.GetTopic()}
		for _, lp := range lt.GetPartitions() {
			pr := &fjordv1.ListOffsetsPartitionResponse{Partition: lp.GetPartition(), Offset: -1, TimestampMs: -1}
			tr.Partitions = append(tr.Partitions, pr)
			if lp.GetSpec() == fjordv1.OffsetSpec_OFFSET_SPEC_UNSPECIFIED {
				pr.Error = toProto(errorf(ReasonInvalidRequest, "offset spec is required for %s-%d", lt.GetTopic(), lp.GetPartition()))
				continue
			}
			p, err := s.b.leaderFor(topicPartition{lt.GetTopic(), lp.GetPartition()})
			if err == nil {
				err = checkEpoch(p, lp.CurrentLeaderEpoch)
			}
			if err != nil {
				pr.Error = toProto(err)
				continue
			}
			off, ts, err := resolveOffset(p, lp.GetSpec(), 0, lp.GetTimestampMs())
			if err != nil {
				pr.Error = toProto(err)
				continue
			}
			pr.Offset, pr.TimestampMs = off, ts
			_, pr.LeaderEpoch, _ = p.state()
		}
		resp.Topics = append(resp.Topics, tr)
	}
	return resp, nil
}

// checkInLog reports OFFSET_OUT_OF_RANGE for a position outside
// [log start, log end], so a subscription fails at once instead of waiting
// for credit first.
func checkInLog(p *partition, pos int64) error {
	start, end := p.log.LogStartOffset(), p.log.LogEndOffset()
	if pos < start || pos > end {
		return errorf(ReasonOffsetOutOfRange, "offset %d of %s is out of range [%d, %d]", pos, p.tp, start, end).
			withPartition(p.tp.topic, p.tp.partition).with("offset", strconv.FormatInt(pos, 10),
			"log_start_offset", strconv.FormatInt(start, 10), "log_end_offset", strconv.FormatInt(end, 10))
	}
	return nil
}

// subscribe streams one partition under client-granted credit.
func (s *fetchService) subscribe(stream grpc.ServerStream) error {
	ctx := stream.Context()
	first := new(fjordv1.SubscribeRequest)
	if err := stream.RecvMsg(first); err != nil {
		return err
	}
	start := first.GetStart()
	if start == nil {
		return toStatus(errorf(ReasonInvalidRequest, "the first subscribe message must be a start"))
	}
	tp := topicPartition{start.GetTopic(), start.GetPartition()}
	p, err := s.b.leaderFor(tp)
	if err != nil {
		return toStatus(err)
	}
	pos, _, err := resolveOffset(p, start.GetSpec(), start.GetOffset(), start.GetTimestampMs())
	if err == nil {
		err = checkInLog(p, pos)
	}
	if err != nil {
		return toStatus(err)
	}
	bytesCredit, recordsCredit := start.GetCredit().GetBytes(), start.GetCredit().GetRecords()

	// A reader goroutine turns client messages into channel events so the
	// send loop can also wait for appends.
	msgs := make(chan *fjordv1.SubscribeRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			m := new(fjordv1.SubscribeRequest)
			if err := stream.RecvMsg(m); err != nil {
				recvErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	w := newWaiter()
	p.addWaiter(w)
	defer p.removeWaiter(w)
	for {
		if bytesCredit > 0 && recordsCredit > 0 {
			if err := s.b.checkLeader(p); err != nil {
				return toStatus(err)
			}
			rr, hw, err := readCommitted(p, pos, int(min(bytesCredit, subscribeChunkBytes)))
			if err != nil {
				return toStatus(err)
			}
			if len(rr.Batches) > 0 {
				// Send batches while both credits are positive before each.
				n := 0
				for _, b := range rr.Batches {
					if bytesCredit <= 0 || recordsCredit <= 0 {
						break
					}
					h, _, herr := storage.ParseBatchHeader(b)
					if herr != nil {
						return toStatus(herr)
					}
					bytesCredit -= int64(len(b))
					recordsCredit -= int64(h.RecordCount)
					pos = h.NextOffset()
					n++
				}
				if err := s.b.throttleSubscribe(ctx, tp.topic, batchesSize(rr.Batches[:n])); err != nil {
					return err
				}
				msg := &wirev1.SubscribeResponse{Batches: rr.Batches[:n], HighWatermark: hw, LogStartOffset: p.log.LogStartOffset(), NextOffset: pos}
				if err := stream.SendMsg(msg); err != nil {
					return err
				}
				continue
			}
		}
		select {
		case <-w.ch:
		case m := <-msgs:
			switch k := m.GetKind().(type) {
			case *fjordv1.SubscribeRequest_Credit:
				if k.Credit.GetBytes() < 0 || k.Credit.GetRecords() < 0 {
					return toStatus(errorf(ReasonInvalidRequest, "credit must not be negative"))
				}
				bytesCredit += k.Credit.GetBytes()
				recordsCredit += k.Credit.GetRecords()
			case *fjordv1.SubscribeRequest_Seek:
				pos, _, err = resolveOffset(p, k.Seek.GetSpec(), k.Seek.GetOffset(), k.Seek.GetTimestampMs())
				if err == nil {
					err = checkInLog(p, pos)
				}
				if err != nil {
					return toStatus(err)
				}
			default:
				return toStatus(errorf(ReasonInvalidRequest, "unexpected subscribe message after start"))
			}
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		case <-s.b.quit:
			return toStatus(errorf(ReasonBrokerShuttingDown, "broker is shutting down").withPartition(tp.topic, tp.partition))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
