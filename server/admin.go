package server

import (
	"context"
	"strconv"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// adminService implements fjord.v1.AdminService.
type adminService struct {
	fjordv1.UnimplementedAdminServiceServer
	b    *broker
	opts *Options
}

func (s *adminService) CreateTopics(ctx context.Context, req *fjordv1.CreateTopicsRequest) (*fjordv1.CreateTopicsResponse, error) {
	resp := &fjordv1.CreateTopicsResponse{}
	for _, nt := range req.GetTopics() {
		spec := topicSpec{Name: nt.GetName(), Partitions: nt.GetPartitions(), ReplicationFactor: nt.GetReplicationFactor(), Configs: nt.GetConfigs()}
		if spec.Partitions == 0 {
			spec.Partitions = s.opts.DefaultPartitions
		}
		if spec.ReplicationFactor == 0 {
			spec.ReplicationFactor = s.opts.DefaultReplicationFactor
		}
		res := &fjordv1.CreateTopicResult{Name: nt.GetName()}
		var t *topicMeta
		var err error
		if req.GetValidateOnly() {
			t, err = s.b.ctrl.createTopic(spec, true)
		} else {
			t, err = s.b.createTopic(spec)
		}
		if err != nil {
			res.Error = toProto(err)
		}
		if t != nil {
			res.TopicId, res.Partitions, res.ReplicationFactor = t.ID, int32(len(t.Partitions)), t.replicationFactor()
			res.Configs = t.config().entries(false)
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func (s *adminService) DeleteTopics(ctx context.Context, req *fjordv1.DeleteTopicsRequest) (*fjordv1.DeleteTopicsResponse, error) {
	resp := &fjordv1.DeleteTopicsResponse{}
	for _, name := range req.GetNames() {
		res := &fjordv1.DeleteTopicResult{Name: name}
		if err := s.b.ctrl.deleteTopic(name); err != nil {
			res.Error = toProto(err)
		} else if err := s.b.reconcile(s.b.ctrl.image()); err != nil {
			res.Error = toProto(err)
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func (s *adminService) ListTopics(ctx context.Context, req *fjordv1.ListTopicsRequest) (*fjordv1.ListTopicsResponse, error) {
	img := s.b.ctrl.image()
	resp := &fjordv1.ListTopicsResponse{}
	for _, name := range img.sortedTopics() {
		t := img.Topics[name]
		if t.Internal && !req.GetIncludeInternal() {
			continue
		}
		resp.Topics = append(resp.Topics, &fjordv1.TopicListing{Name: t.Name, TopicId: t.ID,
			Partitions: int32(len(t.Partitions)), ReplicationFactor: t.replicationFactor(), Internal: t.Internal})
	}
	return resp, nil
}

func (s *adminService) DescribeTopics(ctx context.Context, req *fjordv1.DescribeTopicsRequest) (*fjordv1.DescribeTopicsResponse, error) {
	img := s.b.ctrl.image()
	resp := &fjordv1.DescribeTopicsResponse{}
	for _, name := range req.GetNames() {
		t, ok := img.Topics[name]
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.TopicDescription{Name: name,
				Error: toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name))})
			continue
		}
		td := &fjordv1.TopicDescription{Name: name, TopicId: t.ID, Internal: t.Internal, Configs: t.config().entries(false)}
		for i, pm := range t.Partitions {
			pd := &fjordv1.PartitionDescription{Partition: int32(i), LeaderId: pm.Leader, LeaderEpoch: pm.LeaderEpoch,
				Replicas: pm.Replicas, Isr: pm.ISR, LogStartOffset: -1, HighWatermark: -1, LogEndOffset: -1, SizeBytes: -1}
			if p, err := s.b.leaderFor(topicPartition{name, int32(i)}); err != nil {
				pd.Error = toProto(err)
			} else {
				pd.LogStartOffset, pd.HighWatermark, pd.LogEndOffset = p.log.LogStartOffset(), p.log.HighWatermark(), p.log.LogEndOffset()
				pd.SizeBytes, pd.Segments = p.log.Size(), int32(p.log.NumSegments())
			}
			td.Partitions = append(td.Partitions, pd)
		}
		resp.Topics = append(resp.Topics, td)
	}
	return resp, nil
}

func (s *adminService) DescribeConfigs(ctx context.Context, req *fjordv1.DescribeConfigsRequest) (*fjordv1.DescribeConfigsResponse, error) {
	img := s.b.ctrl.image()
	resp := &fjordv1.DescribeConfigsResponse{}
	for _, r := range req.GetResources() {
		res := &fjordv1.DescribeConfigsResult{Resource: r}
		switch r.GetType() {
		case fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC:
			t, ok := img.Topics[r.GetName()]
			if !ok {
				res.Error = toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", r.GetName()).with("topic", r.GetName()))
				break
			}
			res.Configs = t.config().entries(req.GetIncludeDocumentation())
		case fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_BROKER:
			if r.GetName() != "" && r.GetName() != strconv.Itoa(int(s.b.id)) {
				res.Error = toProto(errorf(ReasonInvalidRequest, "broker %q is not this broker (%d)", r.GetName(), s.b.id))
				break
			}
			res.Configs = s.opts.configEntries()
		default:
			res.Error = toProto(errorf(ReasonInvalidRequest, "unknown config resource type %d", r.GetType()))
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func (s *adminService) AlterConfigs(ctx context.Context, req *fjordv1.AlterConfigsRequest) (*fjordv1.AlterConfigsResponse, error) {
	resp := &fjordv1.AlterConfigsResponse{}
	for _, r := range req.GetResources() {
		res := &fjordv1.AlterConfigsResult{Resource: r.GetResource()}
		resp.Results = append(resp.Results, res)
		if r.GetResource().GetType() != fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC {
			res.Error = toProto(errorf(ReasonInvalidRequest, "only topic configs can be altered; broker configs come from the config file"))
			continue
		}
		ops := make([]alterOp, 0, len(r.GetOps()))
		var bad error
		for _, op := range r.GetOps() {
			switch op.GetOp() {
			case fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_UNSPECIFIED, fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_SET:
				ops = append(ops, alterOp{Name: op.GetName(), Value: op.GetValue()})
			case fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_DELETE:
				ops = append(ops, alterOp{Name: op.GetName(), Delete: true})
			default:
				bad = errorf(ReasonInvalidRequest, "unknown alter op %d for %s", op.GetOp(), op.GetName())
			}
		}
		if bad == nil && len(ops) == 0 {
			bad = errorf(ReasonInvalidRequest, "no config changes for topic %q", r.GetResource().GetName())
		}
		if bad == nil {
			bad = s.b.ctrl.alterConfigs(r.GetResource().GetName(), ops, req.GetValidateOnly())
		}
		if bad == nil && !req.GetValidateOnly() {
			bad = s.b.reconcile(s.b.ctrl.image())
		}
		res.Error = toProto(bad)
	}
	return resp, nil
}

func (s *adminService) CreatePartitions(ctx context.Context, req *fjordv1.CreatePartitionsRequest) (*fjordv1.CreatePartitionsResponse, error) {
	resp := &fjordv1.CreatePartitionsResponse{}
	for _, pi := range req.GetTopics() {
		res := &fjordv1.CreatePartitionsResult{Topic: pi.GetTopic()}
		n, err := s.b.ctrl.createPartitions(pi.GetTopic(), pi.GetTotalCount(), req.GetValidateOnly())
		if err == nil && !req.GetValidateOnly() {
			err = s.b.reconcile(s.b.ctrl.image())
		}
		res.Partitions, res.Error = n, toProto(err)
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func (s *adminService) DeleteRecords(ctx context.Context, req *fjordv1.DeleteRecordsRequest) (*fjordv1.DeleteRecordsResponse, error) {
	resp := &fjordv1.DeleteRecordsResponse{}
	for _, dt := range req.GetTopics() {
		tr := &fjordv1.DeleteRecordsTopicResult{Topic: dt.GetTopic()}
		for _, dp := range dt.GetPartitions() {
			pr := &fjordv1.DeleteRecordsPartitionResult{Partition: dp.GetPartition(), LowWatermark: -1}
			tr.Partitions = append(tr.Partitions, pr)
			tp := topicPartition{dt.GetTopic(), dp.GetPartition()}
			p, err := s.b.leaderFor(tp)
			if err != nil {
				pr.Error = toProto(err)
				continue
			}
			off, hw := dp.GetOffset(), p.log.HighWatermark()
			if off == -1 {
				off = hw
			}
			if off < 0 || off > hw {
				pr.Error = toProto(errorf(ReasonOffsetOutOfRange, "cannot delete records of %s below %d: the offset must be in [0, high watermark %d] or -1", tp, off, hw).
					withPartition(tp.topic, tp.partition).with("offset", strconv.FormatInt(off, 10), "high_watermark", strconv.FormatInt(hw, 10)))
				continue
			}
			if err := p.log.DeleteRecordsBefore(off); err != nil {
				pr.Error = toProto(asError(err).withPartition(tp.topic, tp.partition))
				continue
			}
			p.notify()
			pr.LowWatermark = p.log.LogStartOffset()
		}
		resp.Topics = append(resp.Topics, tr)
	}
	return resp, nil
}

func (s *adminService) DescribeCluster(ctx context.Context, req *fjordv1.DescribeClusterRequest) (*fjordv1.DescribeClusterResponse, error) {
	img := s.b.ctrl.image()
	return &fjordv1.DescribeClusterResponse{ClusterId: img.ClusterID, ControllerId: s.b.id, Brokers: brokersOf(img)}, nil
}
