package fjordfake

import (
	"context"
	"sort"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

const clusterID = "fjordfake"

func (c *Cluster) brokerList() []*fjordv1.Broker {
	var out []*fjordv1.Broker
	for _, b := range c.brokers {
		out = append(out, &fjordv1.Broker{Id: b.id, Address: b.addr})
	}
	return out
}

func (c *Cluster) topicMetadataLocked(t *topic) *fjordv1.TopicMetadata {
	tm := &fjordv1.TopicMetadata{Name: t.name, TopicId: t.id}
	for i, p := range t.parts {
		tm.Partitions = append(tm.Partitions, &fjordv1.PartitionMetadata{
			Partition: int32(i), LeaderId: p.leader, LeaderEpoch: p.epoch,
			Replicas: []int32{p.leader}, Isr: []int32{p.leader},
		})
	}
	return tm
}

// GetMetadata implements fjordv1.MetadataServiceServer.
func (s *brokerServer) GetMetadata(_ context.Context, req *fjordv1.GetMetadataRequest) (*fjordv1.GetMetadataResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.GetMetadataResponse{Brokers: c.brokerList(), ControllerId: 0, ClusterId: clusterID}
	names := req.GetTopics()
	if len(names) == 0 {
		for n := range c.topics {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	for _, n := range names {
		t, ok := c.topics[n]
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.TopicMetadata{Name: n, Error: perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic %q", n)})
			continue
		}
		resp.Topics = append(resp.Topics, c.topicMetadataLocked(t))
	}
	return resp, nil
}

// CreateTopics implements fjordv1.AdminServiceServer.
func (s *brokerServer) CreateTopics(_ context.Context, req *fjordv1.CreateTopicsRequest) (*fjordv1.CreateTopicsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.CreateTopicsResponse{}
	for _, nt := range req.GetTopics() {
		r := &fjordv1.CreateTopicResult{Name: nt.GetName()}
		if nt.GetReplicationFactor() > int32(len(c.brokers)) {
			r.Error = perr("INVALID_REPLICATION_FACTOR", "replication factor %d > %d brokers", nt.GetReplicationFactor(), len(c.brokers))
		} else if !req.GetValidateOnly() {
			r.Error = c.createTopicLocked(nt.GetName(), nt.GetPartitions(), nt.GetConfigs())
		}
		if r.Error == nil {
			if t, ok := c.topics[nt.GetName()]; ok {
				r.TopicId, r.Partitions, r.ReplicationFactor = t.id, int32(len(t.parts)), 1
			}
		}
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

// DeleteTopics implements fjordv1.AdminServiceServer.
func (s *brokerServer) DeleteTopics(_ context.Context, req *fjordv1.DeleteTopicsRequest) (*fjordv1.DeleteTopicsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.DeleteTopicsResponse{}
	for _, n := range req.GetNames() {
		r := &fjordv1.DeleteTopicResult{Name: n}
		if _, ok := c.topics[n]; !ok {
			r.Error = perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic %q", n)
		}
		delete(c.topics, n)
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

// ListTopics implements fjordv1.AdminServiceServer.
func (s *brokerServer) ListTopics(context.Context, *fjordv1.ListTopicsRequest) (*fjordv1.ListTopicsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.ListTopicsResponse{}
	for _, t := range c.topics {
		resp.Topics = append(resp.Topics, &fjordv1.TopicListing{Name: t.name, TopicId: t.id, Partitions: int32(len(t.parts)), ReplicationFactor: 1})
	}
	sort.Slice(resp.Topics, func(i, j int) bool { return resp.Topics[i].GetName() < resp.Topics[j].GetName() })
	return resp, nil
}

// DescribeTopics implements fjordv1.AdminServiceServer.
func (s *brokerServer) DescribeTopics(_ context.Context, req *fjordv1.DescribeTopicsRequest) (*fjordv1.DescribeTopicsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.DescribeTopicsResponse{}
	for _, n := range req.GetNames() {
		t, ok := c.topics[n]
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.TopicDescription{Name: n, Error: perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic %q", n)})
			continue
		}
		d := &fjordv1.TopicDescription{Name: n, TopicId: t.id}
		for i, p := range t.parts {
			d.Partitions = append(d.Partitions, &fjordv1.PartitionDescription{
				Partition: int32(i), LeaderId: p.leader, LeaderEpoch: p.epoch, Replicas: []int32{p.leader}, Isr: []int32{p.leader},
				LogStartOffset: p.logStart, HighWatermark: p.leo, LogEndOffset: p.leo,
			})
		}
		keys := make([]string, 0, len(t.configs))
		for k := range t.configs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d.Configs = append(d.Configs, &fjordv1.ConfigEntry{Name: k, Value: t.configs[k], Source: fjordv1.ConfigSource_CONFIG_SOURCE_TOPIC})
		}
		resp.Topics = append(resp.Topics, d)
	}
	return resp, nil
}

// AlterConfigs implements fjordv1.AdminServiceServer (topics only).
func (s *brokerServer) AlterConfigs(_ context.Context, req *fjordv1.AlterConfigsRequest) (*fjordv1.AlterConfigsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.AlterConfigsResponse{}
	for _, r := range req.GetResources() {
		res := &fjordv1.AlterConfigsResult{Resource: r.GetResource()}
		resp.Results = append(resp.Results, res)
		t, ok := c.topics[r.GetResource().GetName()]
		if r.GetResource().GetType() != fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC || !ok {
			res.Error = perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic %q", r.GetResource().GetName())
			continue
		}
		if req.GetValidateOnly() {
			continue
		}
		for _, op := range r.GetOps() {
			if op.GetOp() == fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_DELETE {
				delete(t.configs, op.GetName())
			} else {
				t.configs[op.GetName()] = op.GetValue()
			}
		}
	}
	return resp, nil
}

// CreatePartitions implements fjordv1.AdminServiceServer.
func (s *brokerServer) CreatePartitions(_ context.Context, req *fjordv1.CreatePartitionsRequest) (*fjordv1.CreatePartitionsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.CreatePartitionsResponse{}
	for _, pi := range req.GetTopics() {
		r := &fjordv1.CreatePartitionsResult{Topic: pi.GetTopic()}
		resp.Results = append(resp.Results, r)
		t, ok := c.topics[pi.GetTopic()]
		switch {
		case !ok:
			r.Error = perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic %q", pi.GetTopic())
		case int(pi.GetTotalCount()) <= len(t.parts):
			r.Error = perr("INVALID_PARTITIONS", "topic has %d partitions", len(t.parts))
		case !req.GetValidateOnly():
			for i := len(t.parts); i < int(pi.GetTotalCount()); i++ {
				t.parts = append(t.parts, &partition{leader: int32(i % len(c.brokers)), epoch: 1})
			}
		}
		if ok {
			r.Partitions = int32(len(t.parts))
		}
	}
	return resp, nil
}

// DeleteRecords implements fjordv1.AdminServiceServer.
func (s *brokerServer) DeleteRecords(_ context.Context, req *fjordv1.DeleteRecordsRequest) (*fjordv1.DeleteRecordsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.DeleteRecordsResponse{}
	for _, dt := range req.GetTopics() {
		tr := &fjordv1.DeleteRecordsTopicResult{Topic: dt.GetTopic()}
		resp.Topics = append(resp.Topics, tr)
		for _, dp := range dt.GetPartitions() {
			pr := &fjordv1.DeleteRecordsPartitionResult{Partition: dp.GetPartition()}
			tr.Partitions = append(tr.Partitions, pr)
			_, pt, e := c.partitionLocked(s.id, dt.GetTopic(), dp.GetPartition())
			if e != nil {
				pr.Error = e
				continue
			}
			off := dp.GetOffset()
			if off == -1 {
				off = pt.leo
			}
			if off < 0 || off > pt.leo {
				pr.Error = perr("OFFSET_OUT_OF_RANGE", "offset %d not in [0, %d]", off, pt.leo)
				continue
			}
			if off > pt.logStart {
				pt.logStart = off
				for len(pt.batches) > 0 && pt.batches[0].last < off {
					pt.batches = pt.batches[1:]
				}
			}
			pr.LowWatermark = pt.logStart
		}
	}
	return resp, nil
}

// DescribeCluster implements fjordv1.AdminServiceServer.
func (s *brokerServer) DescribeCluster(context.Context, *fjordv1.DescribeClusterRequest) (*fjordv1.DescribeClusterResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return &fjordv1.DescribeClusterResponse{ClusterId: clusterID, ControllerId: 0, Brokers: c.brokerList()}, nil
}

var (
	_ fjordv1.MetadataServiceServer = (*brokerServer)(nil)
	_ fjordv1.AdminServiceServer    = (*brokerServer)(nil)
)
