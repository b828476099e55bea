package server

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// adminService implements fjord.v1.AdminService. Reads answer from the
// local metadata image; changes are proposed to the controller quorum on
// the controller leader, and other brokers forward them there.
type adminService struct {
	fjordv1.UnimplementedAdminServiceServer
	b    *broker
	opts *Options
}

// forward reports whether a change must go to the controller leader, and
// returns the connection to it. A nil connection with forward true comes
// with an error (no leader known).
func (s *adminService) forward() (bool, *grpc.ClientConn, error) {
	if s.b.ctl.ctrl.IsLeader() {
		return false, nil, nil
	}
	cc, err := s.b.ctl.leaderConn()
	return true, cc, err
}

// validateTopicSpec checks what the broker owns (names, configs) before
// the controller plans placement.
func validateTopicSpec(spec topicSpec) (map[string]string, error) {
	if err := validateTopicName(spec.Name); err != nil {
		return nil, err
	}
	if !spec.Internal && strings.HasPrefix(spec.Name, "__") {
		return nil, errorf(ReasonInvalidTopic, "topic names starting with \"__\" are reserved for internal topics").with("topic", spec.Name)
	}
	if !spec.Internal && spec.Name == schemasTopic {
		return nil, errorf(ReasonInvalidTopic, "topic name %s is reserved for the schema registry, which creates it", schemasTopic).with("topic", spec.Name)
	}
	if spec.Partitions < 1 || spec.Partitions > maxPartitions {
		return nil, errorf(ReasonInvalidPartitions, "partition count %d is not in [1, %d]", spec.Partitions, maxPartitions).with("topic", spec.Name)
	}
	if spec.ReplicationFactor < 1 {
		return nil, errorf(ReasonInvalidReplicationFactor, "replication factor %d must be at least 1", spec.ReplicationFactor).with("topic", spec.Name)
	}
	cfg, err := validateConfigs(spec.Configs)
	if err != nil {
		return nil, err.(*Error).with("topic", spec.Name)
	}
	if mi := (topicConfig{overrides: cfg}).minInsync(); mi > int(spec.ReplicationFactor) {
		return nil, errorf(ReasonInvalidConfig, "min.insync.replicas %d is larger than the replication factor %d", mi, spec.ReplicationFactor).with("topic", spec.Name, "config", cfgMinInsyncReplicas)
	}
	return cfg, nil
}

func (s *adminService) CreateTopics(ctx context.Context, req *fjordv1.CreateTopicsRequest) (*fjordv1.CreateTopicsResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.CreateTopicsResponse, error) {
		return c.CreateTopics(ctx, req)
	}, func(img *cluster.Image, resp *fjordv1.CreateTopicsResponse) bool {
		return req.GetValidateOnly() || topicsCreated(img, resp)
	}); ok {
		return resp, err
	}
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
		t, err := s.b.createTopic(ctx, spec, req.GetValidateOnly())
		if err != nil {
			res.Error = toProto(err)
		}
		if t != nil {
			res.TopicId, res.Partitions, res.ReplicationFactor = t.ID, int32(len(t.Partitions)), int32(t.ReplicationFactor())
			res.Configs = topicConfigOf(t).entries(false)
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

// forwardChange sends a change to the controller leader when this broker is
// not it (ok true), then waits (bounded) until settled says this broker's
// image shows the leader's answer, so the client's next call here sees it.
// With ok false the caller is the leader and applies the change itself.
func forwardChange[Resp any](s *adminService, ctx context.Context, call func(fjordv1.AdminServiceClient) (Resp, error),
	settled func(*cluster.Image, Resp) bool) (resp Resp, ok bool, err error) {
	fwd, cc, err := s.forward()
	if !fwd {
		return resp, false, nil
	}
	if err != nil {
		return resp, true, toStatus(err)
	}
	if resp, err = call(fjordv1.NewAdminServiceClient(cc)); err != nil {
		return resp, true, toStatus(forwardError(err))
	}
	if settled != nil {
		_, _ = s.b.ctl.waitImage(ctx, func(img *cluster.Image) bool { return settled(img, resp) })
	}
	return resp, true, nil
}

// topicsCreated: img has every topic the leader created.
func topicsCreated(img *cluster.Image, resp *fjordv1.CreateTopicsResponse) bool {
	for _, r := range resp.GetResults() {
		if r.GetError() != nil {
			continue
		}
		if t, ok := img.Topic(r.GetName()); !ok || t.ID != r.GetTopicId() {
			return false
		}
	}
	return true
}

// topicsDeleted: img lacks every topic the leader deleted.
func topicsDeleted(img *cluster.Image, resp *fjordv1.DeleteTopicsResponse) bool {
	for _, r := range resp.GetResults() {
		if _, ok := img.Topic(r.GetName()); ok && r.GetError() == nil {
			return false
		}
	}
	return true
}

// partitionsCreated: img has the partition counts the leader reached.
func partitionsCreated(img *cluster.Image, resp *fjordv1.CreatePartitionsResponse) bool {
	for _, r := range resp.GetResults() {
		if t, ok := img.Topic(r.GetTopic()); r.GetError() == nil && ok && int32(len(t.Partitions)) < r.GetPartitions() {
			return false
		}
	}
	return true
}

// createTopic creates a topic on the controller leader (this broker) and
// opens the local replicas before returning, so the topic is usable at once.
func (b *broker) createTopic(ctx context.Context, spec topicSpec, validateOnly bool) (*cluster.TopicMeta, error) {
	cfg, err := validateTopicSpec(spec)
	if err != nil {
		return nil, err
	}
	cspec := cluster.TopicSpec{Name: spec.Name, Partitions: spec.Partitions, ReplicationFactor: spec.ReplicationFactor, Configs: cfg, Internal: spec.Internal}
	if validateOnly {
		img := b.ctl.image()
		if _, ok := img.Topic(spec.Name); ok {
			return nil, errorf(ReasonTopicAlreadyExists, "topic %q already exists", spec.Name).with("topic", spec.Name)
		}
		rec, err := img.PlanCreateTopic(cspec, "validate-only")
		if err != nil {
			return nil, err
		}
		ct := rec.CreateTopic
		t := &cluster.TopicMeta{Name: ct.Name, Configs: ct.Configs, Internal: ct.Internal}
		for _, r := range ct.Assignment {
			t.Partitions = append(t.Partitions, cluster.PartitionMeta{Replicas: r})
		}
		return t, nil
	}
	t, err := b.ctl.ctrl.CreateTopic(ctx, cspec)
	if err != nil {
		return nil, err
	}
	return t, b.reconcile(b.ctl.image())
}

func (s *adminService) DeleteTopics(ctx context.Context, req *fjordv1.DeleteTopicsRequest) (*fjordv1.DeleteTopicsResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.DeleteTopicsResponse, error) {
		return c.DeleteTopics(ctx, req)
	}, topicsDeleted); ok {
		return resp, err
	}
	resp := &fjordv1.DeleteTopicsResponse{}
	for _, name := range req.GetNames() {
		res := &fjordv1.DeleteTopicResult{Name: name}
		if err := checkUserWritable(name, "delete"); err != nil {
			res.Error = toProto(err)
		} else if err := s.b.ctl.ctrl.DeleteTopic(ctx, name, ""); err != nil {
			res.Error = toProto(err)
		} else if err := s.b.reconcile(s.b.ctl.image()); err != nil {
			res.Error = toProto(err)
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func (s *adminService) ListTopics(ctx context.Context, req *fjordv1.ListTopicsRequest) (*fjordv1.ListTopicsResponse, error) {
	img := s.b.ctl.image()
	resp := &fjordv1.ListTopicsResponse{}
	for _, t := range img.Topics() {
		if t.Internal && !req.GetIncludeInternal() {
			continue
		}
		resp.Topics = append(resp.Topics, &fjordv1.TopicListing{Name: t.Name, TopicId: t.ID,
			Partitions: int32(len(t.Partitions)), ReplicationFactor: int32(t.ReplicationFactor()), Internal: t.Internal})
	}
	return resp, nil
}

func (s *adminService) DescribeTopics(ctx context.Context, req *fjordv1.DescribeTopicsRequest) (*fjordv1.DescribeTopicsResponse, error) {
	img := s.b.ctl.image()
	resp := &fjordv1.DescribeTopicsResponse{}
	for _, name := range req.GetNames() {
		t, ok := img.Topic(name)
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.TopicDescription{Name: name,
				Error: toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name))})
			continue
		}
		td := &fjordv1.TopicDescription{Name: name, TopicId: t.ID, Internal: t.Internal, Configs: topicConfigOf(t).entries(false)}
		for i, pm := range t.Partitions {
			pd := &fjordv1.PartitionDescription{Partition: int32(i), LeaderId: pm.Leader, LeaderEpoch: pm.LeaderEpoch,
				Replicas: pm.Replicas, Isr: pm.ISR, LogStartOffset: -1, HighWatermark: -1, LogEndOffset: -1, SizeBytes: -1}
			describeAssignment(pd, pm, img)
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
	if !forwarded(ctx) {
		s.fillRemoteOffsets(ctx, img, req.GetNames(), resp)
	}
	return resp, nil
}

// forwardHeader marks a call one broker makes to another on behalf of a
// client, so the callee answers from its own state and never forwards again.
const forwardHeader = "fjord-forwarded"

func forwarded(ctx context.Context) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	return len(md.Get(forwardHeader)) > 0
}

// fillRemoteOffsets asks the leaders of partitions led elsewhere for their
// offsets and sizes (one call per leader broker, in parallel), so a
// description from any broker is complete. A leader that does not answer
// leaves its partitions' error in place.
func (s *adminService) fillRemoteOffsets(ctx context.Context, img *cluster.Image, names []string, resp *fjordv1.DescribeTopicsResponse) {
	byLeader := map[int32]bool{}
	for _, td := range resp.GetTopics() {
		for _, pd := range td.GetPartitions() {
			if pd.GetLeaderId() >= 0 && pd.GetLeaderId() != s.b.id && pd.GetHighWatermark() < 0 {
				byLeader[pd.GetLeaderId()] = true
			}
		}
	}
	type answer struct {
		leader int32
		resp   *fjordv1.DescribeTopicsResponse
	}
	answers := make(chan answer, len(byLeader))
	for leader := range byLeader {
		go func() {
			var r *fjordv1.DescribeTopicsResponse
			if bm, ok := img.Broker(leader); ok {
				if cc, err := s.b.ctl.peers.conn(leader, bm.Address); err == nil {
					cctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, forwardHeader, "1"), 5*time.Second)
					r, _ = fjordv1.NewAdminServiceClient(cc).DescribeTopics(cctx, &fjordv1.DescribeTopicsRequest{Names: names})
					cancel()
				}
			}
			answers <- answer{leader, r}
		}()
	}
	for range byLeader {
		a := <-answers
		if a.resp == nil {
			continue
		}
		remote := map[string]map[int32]*fjordv1.PartitionDescription{}
		for _, td := range a.resp.GetTopics() {
			m := map[int32]*fjordv1.PartitionDescription{}
			for _, pd := range td.GetPartitions() {
				m[pd.GetPartition()] = pd
			}
			remote[td.GetName()] = m
		}
		for _, td := range resp.GetTopics() {
			for _, pd := range td.GetPartitions() {
				rp, ok := remote[td.GetName()][pd.GetPartition()]
				if pd.GetLeaderId() != a.leader || !ok || rp.GetError() != nil || rp.GetHighWatermark() < 0 {
					continue
				}
				pd.Error = nil
				pd.LogStartOffset, pd.HighWatermark, pd.LogEndOffset = rp.GetLogStartOffset(), rp.GetHighWatermark(), rp.GetLogEndOffset()
				pd.SizeBytes, pd.Segments = rp.GetSizeBytes(), rp.GetSegments()
			}
		}
	}
}

func (s *adminService) DescribeConfigs(ctx context.Context, req *fjordv1.DescribeConfigsRequest) (*fjordv1.DescribeConfigsResponse, error) {
	img := s.b.ctl.image()
	resp := &fjordv1.DescribeConfigsResponse{}
	for _, r := range req.GetResources() {
		res := &fjordv1.DescribeConfigsResult{Resource: r}
		switch r.GetType() {
		case fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC:
			t, ok := img.Topic(r.GetName())
			if !ok {
				res.Error = toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", r.GetName()).with("topic", r.GetName()))
				break
			}
			res.Configs = topicConfigOf(t).entries(req.GetIncludeDocumentation())
		case fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_BROKER:
			if r.GetName() != "" && r.GetName() != strconv.Itoa(int(s.b.id)) {
				res.Error = toProto(errorf(ReasonInvalidRequest, "broker %q is not this broker (%d); ask that broker", r.GetName(), s.b.id))
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
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.AlterConfigsResponse, error) {
		return c.AlterConfigs(ctx, req)
	}, nil); ok {
		return resp, err
	}
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
			bad = s.b.alterConfigs(ctx, r.GetResource().GetName(), ops, req.GetValidateOnly())
		}
		res.Error = toProto(bad)
	}
	return resp, nil
}

// alterConfigs validates the merged configuration and proposes the change.
func (b *broker) alterConfigs(ctx context.Context, name string, ops []alterOp, validateOnly bool) error {
	t, ok := b.ctl.image().Topic(name)
	if !ok {
		return errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name)
	}
	merged := make(map[string]string, len(t.Configs))
	for k, v := range t.Configs {
		merged[k] = v
	}
	set := map[string]string{}
	var del []string
	for _, op := range ops {
		if _, ok := lookupConfigDef(op.Name); !ok {
			return errorf(ReasonInvalidConfig, "unknown topic config %q", op.Name).with("topic", name, "config", op.Name)
		}
		if op.Delete {
			delete(merged, op.Name)
			delete(set, op.Name)
			del = append(del, op.Name)
		} else {
			merged[op.Name] = op.Value
			set[op.Name] = op.Value
			del = slices.DeleteFunc(del, func(k string) bool { return k == op.Name })
		}
	}
	cfg, err := validateConfigs(merged)
	if err != nil {
		return err.(*Error).with("topic", name)
	}
	if mi := (topicConfig{overrides: cfg}).minInsync(); mi > t.ReplicationFactor() {
		return errorf(ReasonInvalidConfig, "min.insync.replicas %d is larger than the replication factor %d", mi, t.ReplicationFactor()).with("topic", name, "config", cfgMinInsyncReplicas)
	}
	if validateOnly {
		return nil
	}
	// Store values as validated (normalized).
	for k := range set {
		if v, ok := cfg[k]; ok {
			set[k] = v
		}
	}
	if _, err := b.ctl.ctrl.AlterConfigs(ctx, name, set, del); err != nil {
		return err
	}
	return b.reconcile(b.ctl.image())
}

func (s *adminService) CreatePartitions(ctx context.Context, req *fjordv1.CreatePartitionsRequest) (*fjordv1.CreatePartitionsResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.CreatePartitionsResponse, error) {
		return c.CreatePartitions(ctx, req)
	}, partitionsCreated); ok {
		return resp, err
	}
	resp := &fjordv1.CreatePartitionsResponse{}
	for _, pi := range req.GetTopics() {
		res := &fjordv1.CreatePartitionsResult{Topic: pi.GetTopic()}
		n, err := s.b.createPartitions(ctx, pi.GetTopic(), pi.GetTotalCount(), req.GetValidateOnly())
		res.Partitions, res.Error = n, toProto(err)
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func (b *broker) createPartitions(ctx context.Context, name string, total int32, validateOnly bool) (int32, error) {
	t, ok := b.ctl.image().Topic(name)
	if !ok {
		return 0, errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name)
	}
	if err := checkUserWritable(name, "add partitions to (its partition count places the groups)"); err != nil {
		return int32(len(t.Partitions)), err
	}
	cur := int32(len(t.Partitions))
	if total <= cur {
		return cur, errorf(ReasonInvalidPartitions, "topic %q has %d partitions; the new total %d must be larger", name, cur, total).with("topic", name)
	}
	if total > maxPartitions {
		return cur, errorf(ReasonInvalidPartitions, "partition count %d is larger than the limit %d", total, maxPartitions).with("topic", name)
	}
	if validateOnly {
		if _, err := b.ctl.image().PlanCreatePartitions(name, total); err != nil {
			return cur, err
		}
		return total, nil
	}
	nt, err := b.ctl.ctrl.CreatePartitions(ctx, name, total)
	if err != nil {
		return cur, err
	}
	return int32(len(nt.Partitions)), b.reconcile(b.ctl.image())
}

func (s *adminService) DeleteRecords(ctx context.Context, req *fjordv1.DeleteRecordsRequest) (*fjordv1.DeleteRecordsResponse, error) {
	resp := &fjordv1.DeleteRecordsResponse{}
	for _, dt := range req.GetTopics() {
		tr := &fjordv1.DeleteRecordsTopicResult{Topic: dt.GetTopic()}
		for _, dp := range dt.GetPartitions() {
			pr := &fjordv1.DeleteRecordsPartitionResult{Partition: dp.GetPartition(), LowWatermark: -1}
			tr.Partitions = append(tr.Partitions, pr)
			tp := topicPartition{dt.GetTopic(), dp.GetPartition()}
			if err := checkUserWritable(tp.topic, "delete records of"); err != nil {
				pr.Error = toProto(err.withPartition(tp.topic, tp.partition))
				continue
			}
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
