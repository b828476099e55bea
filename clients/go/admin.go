package fjord

import (
	"context"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc"
)

// Admin manages topics and inspects the cluster. Each method retries
// retriable failures (see RetryBackoff, MaxRetries) until ctx ends, and
// returns per-topic or per-partition failures as *Error.
type Admin struct {
	c *Client
}

// NewAdmin returns an Admin using c's connections.
func NewAdmin(c *Client) *Admin { return &Admin{c: c} }

func (a *Admin) admin(ctx context.Context, fn func(ctx context.Context, ac fjordv1.AdminServiceClient) error) error {
	return a.c.do(ctx, false, 0, func(ctx context.Context) error {
		cc, err := a.c.anyConn()
		if err != nil {
			return err
		}
		return fn(ctx, fjordv1.NewAdminServiceClient(cc))
	})
}

// CreateTopic creates a topic; partitions and replicationFactor 0 mean the
// broker defaults. An existing topic fails with ErrTopicAlreadyExists.
func (a *Admin) CreateTopic(ctx context.Context, name string, partitions, replicationFactor int32, configs map[string]string) (*fjordv1.CreateTopicResult, error) {
	var res *fjordv1.CreateTopicResult
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.CreateTopics(ctx, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{
			Name: name, Partitions: partitions, ReplicationFactor: replicationFactor, Configs: configs,
		}}})
		if err != nil {
			return err
		}
		for _, r := range resp.GetResults() {
			if r.GetName() == name {
				res = r
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, &Error{Reason: ReasonInternal, Message: "no result for topic", Topic: name, Partition: -1}
	}
	if e := errorFromProto(res.GetError(), name, -1); e != nil {
		return res, e
	}
	a.c.markStale(name)
	return res, nil
}

// DeleteTopic deletes a topic and its data.
func (a *Admin) DeleteTopic(ctx context.Context, name string) error {
	var perr *Error
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DeleteTopics(ctx, &fjordv1.DeleteTopicsRequest{Names: []string{name}})
		if err != nil {
			return err
		}
		for _, r := range resp.GetResults() {
			if r.GetName() == name {
				perr = errorFromProto(r.GetError(), name, -1)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.c.markStale(name)
	if perr != nil {
		return perr
	}
	return nil
}

// ListTopics lists topics sorted by name.
func (a *Admin) ListTopics(ctx context.Context, includeInternal bool) ([]*fjordv1.TopicListing, error) {
	var out []*fjordv1.TopicListing
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.ListTopics(ctx, &fjordv1.ListTopicsRequest{IncludeInternal: includeInternal})
		out = resp.GetTopics()
		return err
	})
	return out, err
}

// DescribeTopic returns a topic's partitions, replica state, offsets and
// configuration.
func (a *Admin) DescribeTopic(ctx context.Context, name string) (*fjordv1.TopicDescription, error) {
	var out *fjordv1.TopicDescription
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DescribeTopics(ctx, &fjordv1.DescribeTopicsRequest{Names: []string{name}})
		for _, t := range resp.GetTopics() {
			if t.GetName() == name {
				out = t
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &Error{Reason: ReasonUnknownTopicOrPartition, Message: "topic not described", Topic: name, Partition: -1}
	}
	if e := errorFromProto(out.GetError(), name, -1); e != nil {
		return out, e
	}
	return out, nil
}

// AlterTopicConfigs sets the keys in set and removes the overrides in del
// (restoring defaults), atomically.
func (a *Admin) AlterTopicConfigs(ctx context.Context, name string, set map[string]string, del []string) error {
	res := &fjordv1.AlterConfigsResource{Resource: &fjordv1.ConfigResource{Type: fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC, Name: name}}
	for k, v := range set {
		res.Ops = append(res.Ops, &fjordv1.AlterConfigOp{Name: k, Value: v, Op: fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_SET})
	}
	for _, k := range del {
		res.Ops = append(res.Ops, &fjordv1.AlterConfigOp{Name: k, Op: fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_DELETE})
	}
	var perr *Error
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.AlterConfigs(ctx, &fjordv1.AlterConfigsRequest{Resources: []*fjordv1.AlterConfigsResource{res}})
		for _, r := range resp.GetResults() {
			perr = errorFromProto(r.GetError(), name, -1)
		}
		return err
	})
	if err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	return nil
}

// AddPartitions raises a topic's partition count to total.
func (a *Admin) AddPartitions(ctx context.Context, name string, total int32) error {
	var perr *Error
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.CreatePartitions(ctx, &fjordv1.CreatePartitionsRequest{Topics: []*fjordv1.PartitionIncrease{{Topic: name, TotalCount: total}}})
		for _, r := range resp.GetResults() {
			if r.GetTopic() == name {
				perr = errorFromProto(r.GetError(), name, -1)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	a.c.markStale(name)
	if perr != nil {
		return perr
	}
	return nil
}

// DeleteRecords deletes a partition's records below offset before (-1: the
// high watermark) and returns the new log start offset. It is sent to the
// partition's leader.
func (a *Admin) DeleteRecords(ctx context.Context, topic string, partition int32, before int64) (int64, error) {
	res, err := partitionCall(ctx, a.c, topic, partition, func(ctx context.Context, cc *grpc.ClientConn) ([]*fjordv1.DeleteRecordsTopicResult, error) {
		resp, err := fjordv1.NewAdminServiceClient(cc).DeleteRecords(ctx, &fjordv1.DeleteRecordsRequest{Topics: []*fjordv1.DeleteRecordsTopic{{
			Topic: topic, Partitions: []*fjordv1.DeleteRecordsPartition{{Partition: partition, Offset: before}},
		}}})
		return resp.GetTopics(), err
	})
	if err != nil {
		return 0, err
	}
	return res.GetLowWatermark(), nil
}

// ListOffset resolves at to an offset in a partition: AtStart is the log
// start offset, AtEnd the high watermark, AtTime the first offset with a
// timestamp at or after the time (the high watermark if none), AtOffset
// itself.
func (a *Admin) ListOffset(ctx context.Context, topic string, partition int32, at Offset) (int64, error) {
	return a.c.listOffset(ctx, topic, partition, at)
}

// DescribeCluster returns the cluster id, the controller leader (-1 while
// none is known) and the live brokers; every registered broker with its
// state (fenced, active, shutting down) and epoch; and the partitions that
// are under-replicated, under min.insync.replicas or offline, with topic
// and partition counts. It is the answering broker's view of the cluster
// metadata, which lags the controller by at most a few milliseconds.
func (a *Admin) DescribeCluster(ctx context.Context) (*fjordv1.DescribeClusterResponse, error) {
	var out *fjordv1.DescribeClusterResponse
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DescribeCluster(ctx, &fjordv1.DescribeClusterRequest{})
		out = resp
		return err
	})
	return out, err
}

// BrokerConfigs returns the settings (name to value) of the broker that
// answers, as DescribeConfigs reports them for the broker resource.
func (a *Admin) BrokerConfigs(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DescribeConfigs(ctx, &fjordv1.DescribeConfigsRequest{Resources: []*fjordv1.ConfigResource{{
			Type: fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_BROKER}}})
		if err != nil {
			return err
		}
		for _, r := range resp.GetResults() {
			if e := errorFromProto(r.GetError(), "", -1); e != nil {
				return e
			}
			for _, c := range r.GetConfigs() {
				out[c.GetName()] = c.GetValue()
			}
		}
		return nil
	})
	return out, err
}

// listOffset is ListOffset for one partition, sent to its leader.
func (c *Client) listOffset(ctx context.Context, topic string, partition int32, at Offset) (int64, error) {
	req := &fjordv1.ListOffsetsPartition{Partition: partition}
	switch at.kind {
	case offsetExact:
		return at.at, nil
	case offsetStart:
		req.Spec = fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST
	case offsetEnd:
		req.Spec = fjordv1.OffsetSpec_OFFSET_SPEC_LATEST
	case offsetTime:
		req.Spec = fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP
		req.TimestampMs = at.ts.UnixMilli()
	default:
		return 0, &Error{Reason: ReasonInvalidRequest, Message: "no offset given", Topic: topic, Partition: partition}
	}
	res, err := partitionCall(ctx, c, topic, partition, func(ctx context.Context, cc *grpc.ClientConn) ([]*fjordv1.ListOffsetsTopicResponse, error) {
		resp, err := fjordv1.NewFetchServiceClient(cc).ListOffsets(ctx, &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{
			Topic: topic, Partitions: []*fjordv1.ListOffsetsPartition{req},
		}}})
		return resp.GetTopics(), err
	})
	if err != nil {
		return 0, err
	}
	return res.GetOffset(), nil
}

// partitionResult is one partition's entry in a multi-partition response.
type partitionResult interface {
	GetPartition() int32
	GetError() *fjordv1.Error
}

// topicResults is one topic's entry in a multi-partition response.
type topicResults[P partitionResult] interface {
	GetTopic() string
	GetPartitions() []P
}

// onePartition finds topic/partition in a response. A retriable error comes
// back as retry (for the caller's retry loop); any other failure, a missing
// entry included, as failed.
func onePartition[T topicResults[P], P partitionResult](topics []T, topic string, partition int32) (res P, failed *Error, retry error) {
	for _, t := range topics {
		if t.GetTopic() != topic {
			continue
		}
		for _, p := range t.GetPartitions() {
			if p.GetPartition() != partition {
				continue
			}
			if e := errorFromProto(p.GetError(), topic, partition); e != nil {
				if e.Retriable {
					return res, nil, e
				}
				return res, e, nil
			}
			return p, nil, nil
		}
	}
	return res, &Error{Reason: ReasonInternal, Message: "partition missing from response", Topic: topic, Partition: partition}, nil
}

// partitionCall sends call to the partition's leader, retrying retriable
// failures (per-partition ones included), and returns the partition's entry
// of the response.
func partitionCall[T topicResults[P], P partitionResult](ctx context.Context, c *Client, topic string, partition int32, call func(context.Context, *grpc.ClientConn) ([]T, error)) (P, error) {
	var res P
	var failed *Error
	err := c.do(ctx, false, 0, func(ctx context.Context) error {
		cc, _, err := c.leaderConn(ctx, topic, partition)
		if err != nil {
			return err
		}
		topics, err := call(ctx, cc)
		if err != nil {
			return err
		}
		var retry error
		res, failed, retry = onePartition[T](topics, topic, partition)
		return retry
	})
	if err != nil {
		return res, err
	}
	if failed != nil {
		return res, failed
	}
	return res, nil
}
