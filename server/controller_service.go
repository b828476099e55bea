package server

import (
	"context"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// controllerService implements fjord.cluster.v1.ControllerService on the
// controller leader; other brokers refuse with NOT_CONTROLLER naming it.
type controllerService struct {
	clusterv1.UnimplementedControllerServiceServer
	b *broker
}

func (s *controllerService) RegisterBroker(ctx context.Context, req *clusterv1.RegisterBrokerRequest) (*clusterv1.RegisterBrokerResponse, error) {
	if req.GetBrokerId() < 0 || req.GetIncarnationId() == "" || req.GetAddress() == "" {
		return nil, toStatus(errorf(ReasonInvalidRequest, "registration needs a broker id >= 0, an incarnation id and an address"))
	}
	br, err := s.b.ctl.ctrl.RegisterBroker(ctx, cluster.BrokerRegistration{ID: req.GetBrokerId(), IncarnationID: req.GetIncarnationId(),
		Address: req.GetAddress(), Rack: req.GetRack(), LostUnsyncedData: req.GetLostUnsyncedData()})
	if err != nil {
		return nil, toStatus(err)
	}
	return &clusterv1.RegisterBrokerResponse{BrokerEpoch: br.Epoch}, nil
}

func (s *controllerService) BrokerHeartbeat(ctx context.Context, req *clusterv1.BrokerHeartbeatRequest) (*clusterv1.BrokerHeartbeatResponse, error) {
	resp, err := s.b.ctl.ctrl.Heartbeat(ctx, cluster.HeartbeatRequest{BrokerID: req.GetBrokerId(), BrokerEpoch: req.GetBrokerEpoch(),
		WantFence: req.GetWantFence(), WantShutdown: req.GetWantShutdown()})
	if err != nil {
		return nil, toStatus(err)
	}
	return &clusterv1.BrokerHeartbeatResponse{State: string(resp.State), ShouldShutdown: resp.ShouldShutdown}, nil
}

func (s *controllerService) AlterPartition(ctx context.Context, req *clusterv1.AlterPartitionRequest) (*clusterv1.AlterPartitionResponse, error) {
	if len(req.GetIsr()) == 0 {
		return nil, toStatus(errorf(ReasonInvalidRequest, "an ISR change needs at least one member"))
	}
	pm, err := s.b.ctl.ctrl.ChangePartition(ctx, cluster.ChangePartition{Topic: req.GetTopic(), Partition: req.GetPartition(),
		PartitionEpoch: req.GetPartitionEpoch(), Broker: &cluster.BrokerRef{ID: req.GetBrokerId(), Epoch: req.GetBrokerEpoch()},
		LeaderEpoch: req.GetLeaderEpoch(), ISR: req.GetIsr()})
	if err != nil {
		return nil, toStatus(err)
	}
	return &clusterv1.AlterPartitionResponse{Leader: pm.Leader, LeaderEpoch: pm.LeaderEpoch, PartitionEpoch: pm.PartitionEpoch, Isr: pm.ISR}, nil
}

func (s *controllerService) AddVoter(ctx context.Context, req *clusterv1.AddVoterRequest) (*clusterv1.AddVoterResponse, error) {
	if req.GetNodeId() < 0 || req.GetRaftAddress() == "" {
		return nil, toStatus(errorf(ReasonInvalidRequest, "a voter needs a node id >= 0 and a raft address"))
	}
	if err := s.b.ctl.addVoter(ctx, req.GetNodeId(), req.GetRaftAddress()); err != nil {
		return nil, toStatus(err)
	}
	return &clusterv1.AddVoterResponse{}, nil
}
