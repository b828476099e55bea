package server

import (
	"context"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// metadataService implements fjord.v1.MetadataService.
type metadataService struct {
	fjordv1.UnimplementedMetadataServiceServer
	b    *broker
	opts *Options
}

// clusterID names the cluster; it is the controller's cluster id.
func clusterID(img *cluster.Image) string { return img.ClusterID() }

// brokersOf lists the brokers clients may use: registered and not fenced.
func brokersOf(img *cluster.Image) []*fjordv1.Broker {
	var out []*fjordv1.Broker
	for _, b := range img.Brokers() {
		if b.State == cluster.BrokerFenced {
			continue
		}
		out = append(out, &fjordv1.Broker{Id: b.ID, Address: b.Address, Rack: b.Rack})
	}
	return out
}

func topicMetadata(t *cluster.TopicMeta, img *cluster.Image) *fjordv1.TopicMetadata {
	tm := &fjordv1.TopicMetadata{Name: t.Name, TopicId: t.ID, Internal: t.Internal}
	for i, p := range t.Partitions {
		pm := &fjordv1.PartitionMetadata{Partition: int32(i), LeaderId: p.Leader, LeaderEpoch: p.LeaderEpoch,
			Replicas: p.Replicas, Isr: p.ISR}
		for _, r := range p.Replicas {
			if !img.Alive(r) {
				pm.OfflineReplicas = append(pm.OfflineReplicas, r)
			}
		}
		if p.Leader < 0 {
			pm.LeaderId = -1
			pm.Error = toProto(errorf(ReasonLeaderNotAvailable, "partition %s-%d has no live leader", t.Name, i).withPartition(t.Name, int32(i)))
		}
		tm.Partitions = append(tm.Partitions, pm)
	}
	return tm
}

func (s *metadataService) GetMetadata(ctx context.Context, req *fjordv1.GetMetadataRequest) (*fjordv1.GetMetadataResponse, error) {
	img := s.b.ctl.image()
	if !s.b.caughtUp(img) {
		// Its topic list may be behind: send the client to another broker.
		return nil, toStatus(errorf(ReasonBrokerNotAvailable, "broker %d is still catching up on cluster metadata; ask another broker", s.b.id))
	}
	ctrlID, _ := s.b.ctl.ctrl.LeaderID()
	resp := &fjordv1.GetMetadataResponse{Brokers: brokersOf(img), ControllerId: ctrlID, ClusterId: clusterID(img)}
	if len(req.GetTopics()) == 0 {
		for _, t := range img.Topics() {
			if t.Internal && !req.GetIncludeInternal() {
				continue
			}
			resp.Topics = append(resp.Topics, topicMetadata(t, img))
		}
		return resp, nil
	}
	for _, name := range req.GetTopics() {
		t, ok := img.Topic(name)
		if !ok && s.opts.AutoCreateTopics && validateTopicName(name) == nil {
			if err := s.autoCreate(ctx, name); err == nil || asError(err).Reason == ReasonTopicAlreadyExists {
				img = s.b.ctl.image()
				t, ok = img.Topic(name)
			}
		}
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.TopicMetadata{Name: name,
				Error: toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name))})
			continue
		}
		resp.Topics = append(resp.Topics, topicMetadata(t, img))
	}
	return resp, nil
}

// autoCreate creates a topic with the defaults, through the controller
// leader when this broker is not it.
func (s *metadataService) autoCreate(ctx context.Context, name string) error {
	as := &adminService{b: s.b, opts: s.opts}
	resp, err := as.CreateTopics(ctx, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: name}}})
	if err != nil {
		return fromStatus(err)
	}
	for _, r := range resp.GetResults() {
		if e := r.GetError(); e != nil {
			return &Error{Reason: Reason(e.GetReason()), Message: e.GetMessage()}
		}
	}
	return nil
}
