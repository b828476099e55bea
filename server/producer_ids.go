package server

import (
	"context"
	"math"
	"sync"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// maxProducerEpoch is the largest producer epoch (Kafka's int16 epochs).
const maxProducerEpoch = math.MaxInt16

// producerIDs hands out producer ids from blocks the controller allocates
// to this broker, so an InitProducerId costs a raft write only once per
// cluster.ProducerIDBlockSize producers.
type producerIDs struct {
	// mu serializes allocation, including fetching a new block.
	mu        sync.Mutex
	next, end int64
}

// allocate returns a producer id never handed out before in the cluster.
func (b *broker) allocateProducerID(ctx context.Context) (int64, error) {
	ids := &b.pids
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if ids.next >= ids.end {
		epoch := b.epoch.Load()
		if epoch == 0 {
			return 0, errorf(ReasonBrokerNotAvailable, "broker %d is not registered with the controller yet", b.id)
		}
		blk, err := b.ctl.allocateProducerIDs(ctx, b.id, epoch)
		if err != nil {
			return 0, err
		}
		ids.next, ids.end = blk.Start, blk.Start+blk.Len
	}
	id := ids.next
	ids.next++
	return id, nil
}

// initProducerID implements ProduceService.InitProducerId.
func (s *produceService) initProducerID(ctx context.Context, req *fjordv1.InitProducerIdRequest) (*fjordv1.InitProducerIdResponse, error) {
	pid, epoch := req.GetProducerId(), req.GetProducerEpoch()
	switch {
	case pid < 0:
		return nil, toStatus(errorf(ReasonInvalidRequest, "producer_id %d is negative", pid))
	case pid > 0 && (epoch < 0 || epoch > maxProducerEpoch):
		return nil, toStatus(errorf(ReasonInvalidRequest, "producer_epoch %d is not in [0, %d]", epoch, maxProducerEpoch))
	case pid > 0 && epoch < maxProducerEpoch:
		// Bump: the old epoch is fenced wherever the new one writes.
		return &fjordv1.InitProducerIdResponse{ProducerId: pid, ProducerEpoch: epoch + 1}, nil
	}
	id, err := s.b.allocateProducerID(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return &fjordv1.InitProducerIdResponse{ProducerId: id, ProducerEpoch: 0}, nil
}

// allocateProducerIDs asks the controller leader for a block.
func (c *control) allocateProducerIDs(ctx context.Context, id int32, epoch int64) (cluster.ProducerIDBlock, error) {
	return onLeader(c, func() (cluster.ProducerIDBlock, error) {
		return c.ctrl.AllocateProducerIDs(ctx, id, epoch)
	}, func(cc clusterv1.ControllerServiceClient) (cluster.ProducerIDBlock, error) {
		resp, err := cc.AllocateProducerIds(ctx, &clusterv1.AllocateProducerIdsRequest{BrokerId: id, BrokerEpoch: epoch})
		return cluster.ProducerIDBlock{Start: resp.GetFirstProducerId(), Len: resp.GetCount()}, err
	})
}

func (s *controllerService) AllocateProducerIds(ctx context.Context, req *clusterv1.AllocateProducerIdsRequest) (*clusterv1.AllocateProducerIdsResponse, error) {
	blk, err := s.b.ctl.ctrl.AllocateProducerIDs(ctx, req.GetBrokerId(), req.GetBrokerEpoch())
	if err != nil {
		return nil, toStatus(err)
	}
	return &clusterv1.AllocateProducerIdsResponse{FirstProducerId: blk.Start, Count: blk.Len}, nil
}
