package fjordfake

import (
	"context"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fetchServiceDesc answers Fetch with the wire twin, putting stored batch
// bytes into the response without re-encoding them.
var fetchServiceDesc = grpc.ServiceDesc{
	ServiceName: "fjord.v1.FetchService",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Fetch",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := new(fjordv1.FetchRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				return srv.(*brokerServer).fetch(ctx, req.(*fjordv1.FetchRequest))
			}
			if icpt == nil {
				return h(ctx, req)
			}
			return icpt(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/fjord.v1.FetchService/Fetch"}, h)
		},
	}, {
		MethodName: "ListOffsets",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := new(fjordv1.ListOffsetsRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				return srv.(*brokerServer).listOffsets(req.(*fjordv1.ListOffsetsRequest)), nil
			}
			if icpt == nil {
				return h(ctx, req)
			}
			return icpt(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/fjord.v1.FetchService/ListOffsets"}, h)
		},
	}},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Subscribe",
		ServerStreams: true,
		ClientStreams: true,
		Handler: func(any, grpc.ServerStream) error {
			return status.Error(codes.Unimplemented, "fjordfake: Subscribe not implemented")
		},
	}},
	Metadata: "fjord/v1/fetch.proto",
}

func (s *brokerServer) fetch(ctx context.Context, req *fjordv1.FetchRequest) (*wirev1.FetchResponse, error) {
	minBytes := max(int(req.GetMinBytes()), 1)
	timer := time.NewTimer(time.Duration(req.GetMaxWaitMs()) * time.Millisecond)
	defer timer.Stop()
	for {
		wait := s.c.waitAppend()
		resp, n, failed := s.readFetch(req)
		if n >= minBytes || failed || req.GetMaxWaitMs() <= 0 {
			return resp, nil
		}
		select {
		case <-wait:
		case <-timer.C:
			resp, _, _ = s.readFetch(req)
			return resp, nil
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
}

// readFetch reads what is available now; n counts batch bytes, failed
// says some partition has an error.
func (s *brokerServer) readFetch(req *fjordv1.FetchRequest) (*wirev1.FetchResponse, int, bool) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	maxBytes := int(req.GetMaxBytes())
	if maxBytes <= 0 {
		maxBytes = 52428800
	}
	resp := &wirev1.FetchResponse{}
	total, failed := 0, false
	for _, ft := range req.GetTopics() {
		tr := &wirev1.FetchTopicResponse{Topic: ft.GetTopic()}
		resp.Topics = append(resp.Topics, tr)
		for _, fp := range ft.GetPartitions() {
			// As the broker: the leader fields are filled only when this
			// broker leads; a NOT_LEADER_OR_FOLLOWER names the leader in
			// the error's metadata.
			pr := &wirev1.FetchPartitionResponse{Partition: fp.GetPartition(), LeaderId: -1}
			tr.Partitions = append(tr.Partitions, pr)
			_, pt, e := c.partitionLocked(s.id, ft.GetTopic(), fp.GetPartition())
			if e == nil {
				pr.LeaderId, pr.LeaderEpoch = pt.leader, pt.epoch
				pr.HighWatermark, pr.LogEndOffset, pr.LogStartOffset = pt.leo, pt.leo, pt.logStart
			}
			if ce := fp.GetCurrentLeaderEpoch(); e == nil && fp.CurrentLeaderEpoch != nil && ce != pt.epoch {
				// As the broker: the client's leader epoch must be the current one.
				if ce < pt.epoch {
					e = perr("FENCED_LEADER_EPOCH", "leader epoch %d is older than %d", ce, pt.epoch)
				} else {
					e = perr("UNKNOWN_LEADER_EPOCH", "leader epoch %d is newer than %d", ce, pt.epoch)
				}
			}
			if e == nil && (fp.GetOffset() < pt.logStart || fp.GetOffset() > pt.leo) {
				e = perr("OFFSET_OUT_OF_RANGE", "offset %d not in [%d, %d]", fp.GetOffset(), pt.logStart, pt.leo)
			}
			if e != nil {
				pr.Error, failed = e, true
				continue
			}
			pmax := int(fp.GetMaxBytes())
			if pmax <= 0 {
				pmax = 1048576
			}
			pbytes := 0
			for _, b := range pt.batches {
				if b.last < fp.GetOffset() {
					continue
				}
				first := total == 0
				if !first && (pbytes+len(b.raw) > pmax || total+len(b.raw) > maxBytes) {
					break
				}
				pr.Batches = append(pr.Batches, b.raw)
				pbytes += len(b.raw)
				total += len(b.raw)
			}
		}
	}
	return resp, total, failed
}

func (s *brokerServer) listOffsets(req *fjordv1.ListOffsetsRequest) *fjordv1.ListOffsetsResponse {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.ListOffsetsResponse{}
	for _, lt := range req.GetTopics() {
		tr := &fjordv1.ListOffsetsTopicResponse{Topic: lt.GetTopic()}
		resp.Topics = append(resp.Topics, tr)
		for _, lp := range lt.GetPartitions() {
			pr := &fjordv1.ListOffsetsPartitionResponse{Partition: lp.GetPartition(), TimestampMs: -1}
			tr.Partitions = append(tr.Partitions, pr)
			_, pt, e := c.partitionLocked(s.id, lt.GetTopic(), lp.GetPartition())
			if e != nil {
				pr.Error = e
				continue
			}
			switch lp.GetSpec() {
			case fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST:
				pr.Offset = pt.logStart
			case fjordv1.OffsetSpec_OFFSET_SPEC_LATEST:
				pr.Offset = pt.leo
			case fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP:
				pr.Offset = pt.leo
			search:
				for _, b := range pt.batches {
					h, err := parseBatch(b.raw)
					if err != nil {
						continue
					}
					recs, err := h.records()
					if err != nil {
						continue
					}
					for _, r := range recs {
						off := b.base + int64(r.GetOffsetDelta())
						ts := int64(h.varints[5]) + r.GetTimestampDelta()
						if off >= pt.logStart && ts >= lp.GetTimestampMs() {
							pr.Offset, pr.TimestampMs, pr.LeaderEpoch = off, ts, int32(h.varints[2])
							break search
						}
					}
				}
			default:
				pr.Error = perr("INVALID_REQUEST", "offset spec %v", lp.GetSpec())
			}
		}
	}
	return resp
}
