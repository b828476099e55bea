package fjordfake

import (
	"context"
	"errors"
	"io"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// brokerServer serves one broker's RPCs against the shared cluster state.
type brokerServer struct {
	fjordv1.UnimplementedMetadataServiceServer
	fjordv1.UnimplementedAdminServiceServer
	c  *Cluster
	id int32
}

// produceServiceDesc decodes requests with the wire twins, as the real
// broker does, so batches arrive as the bytes the client sent.
var produceServiceDesc = grpc.ServiceDesc{
	ServiceName: "fjord.v1.ProduceService",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "InitProducerId",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := new(fjordv1.InitProducerIdRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				return srv.(*brokerServer).initProducerID(ctx, req.(*fjordv1.InitProducerIdRequest))
			}
			if icpt == nil {
				return h(ctx, req)
			}
			return icpt(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/fjord.v1.ProduceService/InitProducerId"}, h)
		},
	}, {
		MethodName: "Produce",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := new(wirev1.ProduceRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				r := req.(*wirev1.ProduceRequest)
				return &fjordv1.ProduceResponse{Topics: srv.(*brokerServer).produce(r.GetTopics())}, nil
			}
			if icpt == nil {
				return h(ctx, req)
			}
			return icpt(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/fjord.v1.ProduceService/Produce"}, h)
		},
	}},
	Streams: []grpc.StreamDesc{{
		StreamName:    "ProduceStream",
		ServerStreams: true,
		ClientStreams: true,
		Handler: func(srv any, ss grpc.ServerStream) error {
			return srv.(*brokerServer).produceStream(ss)
		},
	}},
	Metadata: "fjord/v1/produce.proto",
}

func (s *brokerServer) produce(topics []*wirev1.ProduceTopicData) []*fjordv1.ProduceTopicResponse {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*fjordv1.ProduceTopicResponse
	for _, td := range topics {
		tr := &fjordv1.ProduceTopicResponse{Topic: td.GetTopic()}
		out = append(out, tr)
		for _, pd := range td.GetPartitions() {
			pr := &fjordv1.ProducePartitionResponse{Partition: pd.GetPartition()}
			tr.Partitions = append(tr.Partitions, pr)
			t, pt, e := c.partitionLocked(s.id, td.GetTopic(), pd.GetPartition())
			if pt != nil {
				pr.LeaderId, pr.LeaderEpoch = pt.leader, pt.epoch
			}
			if e == nil {
				k := tpKey{td.GetTopic(), pd.GetPartition()}
				if errs := c.prodErrs[k]; len(errs) > 0 {
					c.prodErrs[k] = errs[1:]
					e = perr(errs[0], "injected")
				}
			}
			if e != nil {
				pr.Error = e
				continue
			}
			for i, raw := range pd.GetBatches() {
				base, last, e := c.appendLocked(t, pt, raw)
				if e != nil {
					pr.Error = e
					break
				}
				if i == 0 {
					pr.BaseOffset = base
				}
				pr.LastOffset = last
			}
			pr.LogStartOffset = pt.logStart
			k := tpKey{td.GetTopic(), pd.GetPartition()}
			if errs := c.postErrs[k]; len(errs) > 0 && pr.Error == nil {
				c.postErrs[k] = errs[1:]
				pr.Error = perr(errs[0], "injected after the append")
				pr.Error.Indefinite = true
			}
		}
	}
	return out
}

func (s *brokerServer) produceStream(ss grpc.ServerStream) error {
	c := s.c
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.streams[id] = cancel
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.streams, id)
		c.mu.Unlock()
	}()

	reqs := make(chan *wirev1.ProduceStreamRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req := new(wirev1.ProduceStreamRequest)
			if err := ss.RecvMsg(req); err != nil {
				recvErr <- err
				return
			}
			select {
			case reqs <- req:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			if ss.Context().Err() == nil {
				return status.Error(codes.Unavailable, "fjordfake: connection dropped")
			}
			return ss.Context().Err()
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		case req := <-reqs:
			c.mu.Lock()
			c.requests["/fjord.v1.ProduceService/ProduceStream"]++
			c.mu.Unlock()
			topics := s.produce(req.GetTopics())
			if req.GetAcks() == fjordv1.Acks_ACKS_NONE {
				continue
			}
			if err := ss.SendMsg(&fjordv1.ProduceStreamResponse{CorrelationId: req.GetCorrelationId(), Topics: topics}); err != nil {
				return err
			}
		}
	}
}
