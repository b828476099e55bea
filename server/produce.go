package server

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
)

// Produce defaults and limits.
const (
	defaultProduceTimeout = 30 * time.Second
	maxProduceTimeout     = 5 * time.Minute
	// maxStreamInFlight bounds the produce requests a stream has appended
	// but not yet answered; the stream stops reading beyond it (backpressure).
	maxStreamInFlight = 256
)

// produceService implements fjord.v1.ProduceService.
type produceService struct {
	b     *broker
	trace *tracing // nil: tracing off
}

var _ produceServer = (*produceService)(nil)

// pendingAck is a partition append waiting for the high watermark.
type pendingAck struct {
	b      *broker
	p      *partition
	epoch  int32 // leader epoch the batch was appended in
	until  int64 // high watermark to reach (last offset + 1)
	result *fjordv1.ProducePartitionResponse
	span   trace.Span // the "replicate" span, nil when tracing is off
}

// appendRequest validates and appends every partition's batches and returns
// the responses plus the acks=all waits still to do.
func (s *produceService) appendRequest(ctx context.Context, acks fjordv1.Acks, topics []*wirev1.ProduceTopicData) ([]*fjordv1.ProduceTopicResponse, []pendingAck) {
	out := make([]*fjordv1.ProduceTopicResponse, 0, len(topics))
	var pending []pendingAck
	for _, td := range topics {
		tr := &fjordv1.ProduceTopicResponse{Topic: td.GetTopic(), Partitions: make([]*fjordv1.ProducePartitionResponse, 0, len(td.GetPartitions()))}
		for _, pd := range td.GetPartitions() {
			tp := topicPartition{td.GetTopic(), pd.GetPartition()}
			actx, span := s.trace.startAppend(ctx, tp, pd.GetBatches())
			res, p, err := s.appendPartition(actx, acks, tp, pd.GetBatches())
			endAppend(span, res, err)
			if err != nil {
				res.Error = toProto(err)
			} else if acks == fjordv1.Acks_ACKS_ALL {
				s.b.acksInFlight.Add(1)
				pending = append(pending, pendingAck{b: s.b, p: p, epoch: res.LeaderEpoch, until: res.LastOffset + 1, result: res,
					span: s.trace.startReplicate(ctx, p, res.LastOffset+1)})
			}
			tr.Partitions = append(tr.Partitions, res)
		}
		out = append(out, tr)
	}
	return out, pending
}

func (s *produceService) appendPartition(ctx context.Context, acks fjordv1.Acks, tp topicPartition, batches [][]byte) (*fjordv1.ProducePartitionResponse, *partition, error) {
	res := &fjordv1.ProducePartitionResponse{Partition: tp.partition, BaseOffset: -1, LastOffset: -1, LeaderId: -1}
	if err := checkUserWritable(tp.topic, "produce to"); err != nil {
		return res, nil, err.withPartition(tp.topic, tp.partition)
	}
	p, err := s.b.leaderFor(tp)
	if err == nil && s.b.draining.Load() {
		err = errorf(ReasonLeaderNotAvailable, "broker %d is shutting down; leadership of %s is moving", s.b.id, tp).withPartition(tp.topic, tp.partition)
	}
	if err != nil {
		res.LeaderId, res.LeaderEpoch = leaderHint(err)
		return res, nil, err
	}
	if len(batches) == 0 {
		return res, p, errorf(ReasonInvalidRequest, "no record batches for %s", tp).withPartition(tp.topic, tp.partition)
	}
	if _, _, cfg := p.state(); cfg.str(cfgKeySchemaValidation) != schemaValidationNone || cfg.str(cfgValueSchemaValidation) != schemaValidationNone {
		if err := s.b.checkSchemas(ctx, tp, cfg, batches); err != nil {
			res.LeaderId, res.LeaderEpoch, _ = p.state()
			return res, p, err
		}
	}
	// Appends of this leadership hold roleMu shared, so none lands after
	// the partition became a follower.
	p.roleMu.RLock()
	defer p.roleMu.RUnlock()
	p.mu.Lock()
	ldr, epoch := p.ldr, p.meta.LeaderEpoch
	var admit error
	if ldr != nil && acks == fjordv1.Acks_ACKS_ALL {
		admit = ldr.CheckAcksAll()
	}
	p.mu.Unlock()
	if ldr == nil || ldr.LeaderEpoch() != epoch {
		err := s.b.checkLeaderOrUnavailable(p)
		res.LeaderId, res.LeaderEpoch = leaderHint(err)
		return res, nil, err
	}
	res.LeaderId, res.LeaderEpoch = s.b.id, epoch
	if admit != nil {
		return res, p, asError(admit).withPartition(tp.topic, tp.partition)
	}
	for i, batch := range batches {
		ar, err := p.log.AppendLeader(batch, epoch)
		if err != nil {
			e := p.logError(err)
			if i > 0 {
				// Earlier batches of this request are in the log.
				e.with("appended_batches", strconv.Itoa(i))
			}
			s.b.appended(p)
			return res, p, e
		}
		if i == 0 {
			res.BaseOffset = ar.BaseOffset
		}
		res.LastOffset = ar.LastOffset
		res.LogAppendTime = ar.LogAppendTime
	}
	res.LogStartOffset = p.log.LogStartOffset()
	s.b.appended(p)
	s.b.metrics.produced(tp.topic, int64(batchesSize(batches)), res.LastOffset-res.BaseOffset+1)
	return res, p, nil
}

// awaitAcks waits until every pending append is below its partition's high
// watermark; a partition that times out gets an indefinite error.
func awaitAcks(ctx context.Context, pending []pendingAck, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for _, pa := range pending {
		err := pa.p.waitAck(ctx, pa.b, pa.epoch, pa.until, time.Until(deadline))
		pa.b.acksInFlight.Add(-1)
		endSpan(pa.span, err)
		if err != nil {
			e := asError(err)
			e.Indefinite = true // the batch is in the leader's log and may yet commit
			pa.result.Error = toProto(e)
		}
	}
}

func produceTimeout(ms int32) (time.Duration, error) {
	switch {
	case ms < 0:
		return 0, errorf(ReasonInvalidRequest, "timeout_ms %d is negative", ms)
	case ms == 0:
		return defaultProduceTimeout, nil
	}
	d := time.Duration(ms) * time.Millisecond
	if d > maxProduceTimeout {
		d = maxProduceTimeout
	}
	return d, nil
}

func normalizeAcks(a fjordv1.Acks) (fjordv1.Acks, error) {
	switch a {
	case fjordv1.Acks_ACKS_UNSPECIFIED:
		return fjordv1.Acks_ACKS_ALL, nil
	case fjordv1.Acks_ACKS_NONE, fjordv1.Acks_ACKS_LEADER, fjordv1.Acks_ACKS_ALL:
		return a, nil
	}
	return 0, errorf(ReasonInvalidRequest, "unknown acks value %d", a)
}

func (s *produceService) produce(ctx context.Context, req *wirev1.ProduceRequest) (*fjordv1.ProduceResponse, error) {
	acks, err := normalizeAcks(req.GetAcks())
	if err != nil {
		return nil, toStatus(err)
	}
	timeout, err := produceTimeout(req.GetTimeoutMs())
	if err != nil {
		return nil, toStatus(err)
	}
	if err := s.b.throttleProduceStatus(ctx, req.GetTopics()); err != nil {
		return nil, err
	}
	topics, pending := s.appendRequest(ctx, acks, req.GetTopics())
	awaitAcks(ctx, pending, timeout)
	if acks == fjordv1.Acks_ACKS_NONE {
		return &fjordv1.ProduceResponse{}, nil
	}
	return &fjordv1.ProduceResponse{Topics: topics}, nil
}

// streamAck is an appended stream request waiting to be answered in order.
type streamAck struct {
	resp    *fjordv1.ProduceStreamResponse
	pending []pendingAck
	timeout time.Duration
	start   time.Time  // when the request was received, for the latency metric
	span    trace.Span // the request's span, nil when tracing is off
}

// produceStream appends requests as they arrive and answers them in order
// from a second goroutine, so appends of later requests overlap with the
// acks=all waits of earlier ones.
func (s *produceService) produceStream(stream grpc.ServerStream) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	acks := make(chan streamAck, maxStreamInFlight)
	sendErr := make(chan error, 1)
	go func() {
		err := s.sendAcks(ctx, stream, acks)
		if err != nil {
			cancel()
		}
		sendErr <- err
	}()
	recvErr := make(chan error, 1)
	go func() {
		err := s.recvProduce(ctx, stream, acks)
		close(acks)
		recvErr <- err
	}()
	select {
	case err := <-recvErr:
		serr := <-sendErr
		if err != nil {
			return err
		}
		return serr
	case <-s.b.quit:
		// Shutting down: end the stream rather than wait for the client to
		// close it (a graceful stop waits for every open stream). Parked
		// acks=all waits end at once with BROKER_SHUTTING_DOWN (indefinite)
		// and are answered before the stream ends.
		<-sendErr
		cancel()
		return toStatus(errorf(ReasonBrokerShuttingDown, "broker is shutting down; reconnect to another broker"))
	}
}

func (s *produceService) recvProduce(ctx context.Context, stream grpc.ServerStream, acks chan<- streamAck) error {
	for {
		req := new(wirev1.ProduceStreamRequest)
		if err := stream.RecvMsg(req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		ack := streamAck{resp: &fjordv1.ProduceStreamResponse{CorrelationId: req.GetCorrelationId()}, start: time.Now()}
		mode, err := normalizeAcks(req.GetAcks())
		if err == nil {
			ack.timeout, err = produceTimeout(req.GetTimeoutMs())
		}
		if err != nil {
			// A malformed request ends the stream: later requests may depend on it.
			return toStatus(asError(err).with("correlation_id", strconv.FormatUint(req.GetCorrelationId(), 10)))
		}
		throttled, err := s.b.throttleProduceStream(ctx, mode, req.GetTopics())
		if err != nil {
			return err
		}
		if throttled != nil {
			// Over its quota: nothing appended; each partition says when
			// to retry, in order with the other answers.
			ack.resp.Topics = throttled
			select {
			case acks <- ack:
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		var rctx context.Context
		rctx, ack.span = s.trace.startRequest(ctx, "produce", req.GetCorrelationId())
		ack.resp.Topics, ack.pending = s.appendRequest(rctx, mode, req.GetTopics())
		if mode == fjordv1.Acks_ACKS_NONE {
			endSpan(ack.span, nil)
			s.b.metrics.requestDone(apiProduceStream, ack.start)
			continue
		}
		select {
		case acks <- ack:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *produceService) sendAcks(ctx context.Context, stream grpc.ServerStream, acks <-chan streamAck) error {
	for {
		var ack streamAck
		var ok bool
		select {
		case ack, ok = <-acks:
		case <-s.b.quit:
			// Answer what is already queued (the waits end at once), then stop.
			for {
				select {
				case ack, ok = <-acks:
				default:
					return nil
				}
				if !ok {
					return nil
				}
				awaitAcks(ctx, ack.pending, ack.timeout)
				err := stream.SendMsg(ack.resp)
				endSpan(ack.span, err)
				if err != nil {
					return err
				}
			}
		}
		if !ok {
			return nil
		}
		awaitAcks(ctx, ack.pending, ack.timeout)
		err := stream.SendMsg(ack.resp)
		endSpan(ack.span, err)
		s.b.metrics.requestDone(apiProduceStream, ack.start)
		if err != nil {
			// Drain so the receiver never blocks on a dead stream.
			go func() {
				for range acks {
				}
			}()
			return err
		}
	}
}

// leaderHint returns the leader id and epoch a NOT_LEADER_OR_FOLLOWER error
// names, so responses carry them in their own fields too; -1, 0 otherwise.
func leaderHint(err error) (id, epoch int32) {
	e := asError(err)
	id, epoch = -1, 0
	if v, perr := strconv.ParseInt(e.Metadata["leader_id"], 10, 32); perr == nil {
		id = int32(v)
	}
	if v, perr := strconv.ParseInt(e.Metadata["leader_epoch"], 10, 32); perr == nil {
		epoch = int32(v)
	}
	return id, epoch
}
