package server

import (
	"context"
	"sort"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// metadataService implements fjord.v1.MetadataService.
type metadataService struct {
	fjordv1.UnimplementedMetadataServiceServer
	b    *broker
	opts *Options
}

func brokersOf(img *image) []*fjordv1.Broker {
	out := make([]*fjordv1.Broker, 0, len(img.Brokers))
	for _, b := range img.Brokers {
		out = append(out, &fjordv1.Broker{Id: b.ID, Address: b.Address, Rack: b.Rack})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

func topicMetadata(t *topicMeta, brokers map[int32]brokerMeta) *fjordv1.TopicMetadata {
	tm := &fjordv1.TopicMetadata{Name: t.Name, TopicId: t.ID, Internal: t.Internal}
	for i, p := range t.Partitions {
		pm := &fjordv1.PartitionMetadata{Partition: int32(i), LeaderId: p.Leader, LeaderEpoch: p.LeaderEpoch,
			Replicas: p.Replicas, Isr: p.ISR}
		for _, r := range p.Replicas {
			if _, ok := brokers[r]; !ok {
				pm.OfflineReplicas = append(pm.OfflineReplicas, r)
			}
		}
		if _, ok := brokers[p.Leader]; !ok {
			pm.LeaderId = -1
			pm.Error = toProto(errorf(ReasonLeaderNotAvailable, "partition %s-%d has no live leader", t.Name, i).withPartition(t.Name, int32(i)))
		}
		tm.Partitions = append(tm.Partitions, pm)
	}
	return tm
}

func (s *metadataService) GetMetadata(ctx context.Context, req *fjordv1.GetMetadataRequest) (*fjordv1.GetMetadataResponse, error) {
	img := s.b.ctrl.image()
	resp := &fjordv1.GetMetadataResponse{Brokers: brokersOf(img), ControllerId: s.b.id, ClusterId: img.ClusterID}
	if len(req.GetTopics()) == 0 {
		for _, name := range img.sortedTopics() {
			t := img.Topics[name]
			if t.Internal && !req.GetIncludeInternal() {
				continue
			}
			resp.Topics = append(resp.Topics, topicMetadata(t, img.Brokers))
		}
		return resp, nil
	}
	for _, name := range req.GetTopics() {
		t, ok := img.Topics[name]
		if !ok && s.opts.AutoCreateTopics && validateTopicName(name) == nil {
			if _, err := s.b.createTopic(topicSpec{Name: name, Partitions: s.opts.DefaultPartitions, ReplicationFactor: s.opts.DefaultReplicationFactor}); err == nil || asError(err).Reason == ReasonTopicAlreadyExists {
				img = s.b.ctrl.image()
				t, ok = img.Topics[name]
			}
		}
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.TopicMetadata{Name: name,
				Error: toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name))})
			continue
		}
		resp.Topics = append(resp.Topics, topicMetadata(t, img.Brokers))
	}
	return resp, nil
}
