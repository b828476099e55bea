package server

import (
	"context"
	"slices"
	"sort"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// This file holds the AdminService RPCs about the cluster rather than about
// topics: cluster health (DescribeCluster), preferred-leader elections and
// partition reassignments. Reads answer from the local metadata image;
// elections and reassignments are proposed to the controller quorum on the
// controller leader, and other brokers forward them there, then wait until
// their own image shows the change so that a read through the same broker
// sees it. Replicas act on the change through the broker's image watch
// (session.go), not here.

func (s *adminService) DescribeCluster(ctx context.Context, req *fjordv1.DescribeClusterRequest) (*fjordv1.DescribeClusterResponse, error) {
	img := s.b.ctl.image()
	ctrlID, _ := s.b.ctl.ctrl.LeaderID() // -1 while no leader is known
	resp := &fjordv1.DescribeClusterResponse{ClusterId: clusterID(img), ControllerId: ctrlID, Brokers: brokersOf(img)}
	for _, b := range img.Brokers() {
		resp.RegisteredBrokers = append(resp.RegisteredBrokers, &fjordv1.BrokerStatus{Id: b.ID, Address: b.Address, Rack: b.Rack,
			State: brokerStateOf(b.State), Epoch: b.Epoch, IncarnationId: b.IncarnationID})
	}
	for _, t := range img.Topics() {
		resp.TopicCount++
		minISR := topicConfigOf(t).minInsync()
		for i, pm := range t.Partitions {
			resp.PartitionCount++
			if pm.Reassigning() {
				resp.ReassigningPartitionCount++
			}
			// The leader applies min.insync.replicas capped at the replica
			// count (broker.leaderConfig); report what it enforces.
			effMin := min(max(minISR, 1), len(pm.Replicas))
			under, underMin, offline := len(pm.ISR) < len(pm.Replicas), len(pm.ISR) < effMin, pm.Leader == cluster.NoLeader
			if !under && !underMin && !offline {
				continue
			}
			ps := &fjordv1.PartitionStatus{Topic: t.Name, Partition: int32(i), LeaderId: pm.Leader, Replicas: pm.Replicas, Isr: pm.ISR,
				OfflineReplicas: offlineReplicas(img, pm.Replicas), MinInsyncReplicas: int32(effMin)}
			if under {
				resp.UnderReplicatedPartitions = append(resp.UnderReplicatedPartitions, ps)
			}
			if underMin {
				resp.UnderMinIsrPartitions = append(resp.UnderMinIsrPartitions, ps)
			}
			if offline {
				resp.OfflinePartitions = append(resp.OfflinePartitions, ps)
			}
		}
	}
	return resp, nil
}

// brokerStateOf maps the controller's broker state to the API enum.
func brokerStateOf(st cluster.BrokerState) fjordv1.BrokerState {
	switch st {
	case cluster.BrokerFenced:
		return fjordv1.BrokerState_BROKER_STATE_FENCED
	case cluster.BrokerActive:
		return fjordv1.BrokerState_BROKER_STATE_ACTIVE
	case cluster.BrokerShuttingDown:
		return fjordv1.BrokerState_BROKER_STATE_SHUTTING_DOWN
	}
	return fjordv1.BrokerState_BROKER_STATE_UNSPECIFIED
}

// offlineReplicas returns the replicas whose broker is not active.
func offlineReplicas(img *cluster.Image, replicas []int32) []int32 {
	var out []int32
	for _, r := range replicas {
		if !img.Alive(r) {
			out = append(out, r)
		}
	}
	return out
}

// describeAssignment fills in a partition description's epochs,
// reassignment and offline replicas (for DescribeTopics).
func describeAssignment(pd *fjordv1.PartitionDescription, pm cluster.PartitionMeta, img *cluster.Image) {
	pd.PartitionEpoch = pm.PartitionEpoch
	pd.AddingReplicas, pd.RemovingReplicas = pm.AddingReplicas, pm.RemovingReplicas
	pd.OfflineReplicas = offlineReplicas(img, pm.Replicas)
}

// ongoingReassignment describes pm's reassignment, or returns nil when none
// is ongoing.
func ongoingReassignment(partition int32, pm cluster.PartitionMeta) *fjordv1.OngoingPartitionReassignment {
	if !pm.Reassigning() {
		return nil
	}
	return &fjordv1.OngoingPartitionReassignment{Partition: partition, Replicas: pm.Replicas, AddingReplicas: pm.AddingReplicas,
		RemovingReplicas: pm.RemovingReplicas, TargetReplicas: slices.Clone(pm.Target()), Isr: pm.ISR, LeaderId: pm.Leader}
}

func (s *adminService) ElectLeaders(ctx context.Context, req *fjordv1.ElectLeadersRequest) (*fjordv1.ElectLeadersResponse, error) {
	switch req.GetElectionType() {
	case fjordv1.ElectionType_ELECTION_TYPE_UNSPECIFIED, fjordv1.ElectionType_ELECTION_TYPE_PREFERRED:
	default:
		return nil, toStatus(errorf(ReasonInvalidRequest, "unsupported election type %s; only preferred elections exist", req.GetElectionType()))
	}
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.ElectLeadersResponse, error) {
		return c.ElectLeaders(ctx, req)
	}, leadersElected); ok {
		return resp, err
	}
	resp, err := s.b.electPreferredLeaders(ctx, req.GetTopics())
	return resp, toStatus(err)
}

// electPreferredLeaders runs preferred-leader elections on the controller
// leader. With no topics it elects every partition whose leader is not its
// preferred replica, chosen from the image here rather than by the
// controller, so that partitions whose preferred replica is unavailable
// are reported (the controller leaves them out of an "all" election) and
// a balanced cluster costs no proposal.
func (b *broker) electPreferredLeaders(ctx context.Context, topics []*fjordv1.ElectLeadersTopic) (*fjordv1.ElectLeadersResponse, error) {
	img := b.ctl.image()
	resp := &fjordv1.ElectLeadersResponse{}
	var tps []cluster.TopicPartition
	var results []*fjordv1.ElectLeadersPartitionResult // parallel to tps
	add := func(tr *fjordv1.ElectLeadersTopicResult, p int32) {
		pr := &fjordv1.ElectLeadersPartitionResult{Partition: p, LeaderId: cluster.NoLeader}
		tr.Partitions = append(tr.Partitions, pr)
		tps = append(tps, cluster.TopicPartition{Topic: tr.GetTopic(), Partition: p})
		results = append(results, pr)
	}
	if len(topics) == 0 {
		for _, t := range img.Topics() {
			tr := &fjordv1.ElectLeadersTopicResult{Topic: t.Name}
			for i, pm := range t.Partitions {
				if pm.Leader != pm.Preferred() {
					add(tr, int32(i))
				}
			}
			if len(tr.Partitions) > 0 {
				resp.Topics = append(resp.Topics, tr)
			}
		}
	} else {
		for _, et := range topics {
			tr := &fjordv1.ElectLeadersTopicResult{Topic: et.GetTopic()}
			resp.Topics = append(resp.Topics, tr)
			t, ok := img.Topic(et.GetTopic())
			if !ok {
				tr.Error = toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", et.GetTopic()).with("topic", et.GetTopic()))
				continue
			}
			parts := et.GetPartitions()
			if len(parts) == 0 {
				for i := range t.Partitions {
					add(tr, int32(i))
				}
			}
			for _, p := range parts {
				add(tr, p)
			}
		}
	}
	if len(tps) == 0 {
		// An empty list would ask the controller to elect everything.
		return resp, nil
	}
	elections, err := b.ctl.ctrl.ElectPreferredLeaders(ctx, tps)
	if err != nil {
		return nil, err
	}
	byTP := make(map[cluster.TopicPartition]cluster.Election, len(elections))
	for _, e := range elections {
		byTP[e.TopicPartition] = e
	}
	img = b.ctl.image()
	for i, tp := range tps {
		pr := results[i]
		e, ok := byTP[tp]
		if !ok {
			pr.Error = toProto(errorf(ReasonInternal, "the controller reported no election for %s-%d", tp.Topic, tp.Partition).withPartition(tp.Topic, tp.Partition))
			continue
		}
		pr.LeaderId, pr.Error = e.Leader, toProto(e.Err)
		if pm, ok := img.Partition(tp.Topic, tp.Partition); ok {
			pr.LeaderEpoch = pm.LeaderEpoch
			if e.Err != nil {
				pr.LeaderId = pm.Leader
			}
		}
	}
	return resp, nil
}

func (s *adminService) AlterPartitionReassignments(ctx context.Context, req *fjordv1.AlterPartitionReassignmentsRequest) (*fjordv1.AlterPartitionReassignmentsResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.AlterPartitionReassignmentsResponse, error) {
		return c.AlterPartitionReassignments(ctx, req)
	}, reassignmentsApplied); ok {
		return resp, err
	}
	resp, err := s.b.reassignPartitions(ctx, req.GetTopics())
	return resp, toStatus(err)
}

// reassignPartitions proposes the reassignments on the controller leader.
// The controller validates targets against the image as it applies them
// (registered brokers, no duplicates), so this only checks the request's
// shape.
func (b *broker) reassignPartitions(ctx context.Context, topics []*fjordv1.AlterPartitionReassignmentsTopic) (*fjordv1.AlterPartitionReassignmentsResponse, error) {
	resp := &fjordv1.AlterPartitionReassignmentsResponse{}
	var rs []cluster.Reassignment
	var results []*fjordv1.AlterPartitionReassignmentsPartitionResult // parallel to rs
	for _, at := range topics {
		tr := &fjordv1.AlterPartitionReassignmentsTopicResult{Topic: at.GetTopic()}
		resp.Topics = append(resp.Topics, tr)
		for _, ap := range at.GetPartitions() {
			pr := &fjordv1.AlterPartitionReassignmentsPartitionResult{Partition: ap.GetPartition()}
			tr.Partitions = append(tr.Partitions, pr)
			switch {
			case ap.GetCancel() && len(ap.GetReplicas()) > 0:
				pr.Error = toProto(errorf(ReasonInvalidRequest, "partition %s-%d: give target replicas or cancel, not both", at.GetTopic(), ap.GetPartition()).
					withPartition(at.GetTopic(), ap.GetPartition()))
				continue
			case !ap.GetCancel() && len(ap.GetReplicas()) == 0:
				pr.Error = toProto(errorf(ReasonInvalidReplicaAssignment, "partition %s-%d: no target replicas (set cancel to cancel a reassignment)", at.GetTopic(), ap.GetPartition()).
					withPartition(at.GetTopic(), ap.GetPartition()))
				continue
			}
			rs = append(rs, cluster.Reassignment{TopicPartition: cluster.TopicPartition{Topic: at.GetTopic(), Partition: ap.GetPartition()},
				Replicas: slices.Clone(ap.GetReplicas())})
			results = append(results, pr)
		}
	}
	if len(rs) == 0 {
		return resp, nil
	}
	out, err := b.ctl.ctrl.ReassignPartitions(ctx, rs)
	if err != nil {
		return nil, err
	}
	if len(out) != len(rs) {
		return nil, errorf(ReasonInternal, "the controller answered %d of %d reassignments", len(out), len(rs))
	}
	for i, r := range out {
		pr := results[i]
		pr.Error = toProto(r.Err)
		pr.Replicas, pr.PartitionEpoch = r.Meta.Replicas, r.Meta.PartitionEpoch
		pr.Reassignment = ongoingReassignment(r.Partition, r.Meta)
	}
	return resp, nil
}

func (s *adminService) ListPartitionReassignments(ctx context.Context, req *fjordv1.ListPartitionReassignmentsRequest) (*fjordv1.ListPartitionReassignmentsResponse, error) {
	img := s.b.ctl.image()
	resp := &fjordv1.ListPartitionReassignmentsResponse{}
	if len(req.GetTopics()) == 0 {
		var tr *fjordv1.ListPartitionReassignmentsTopicResult
		for _, tp := range img.Reassigning() { // by topic, then partition
			if tr == nil || tr.Topic != tp.Topic {
				tr = &fjordv1.ListPartitionReassignmentsTopicResult{Topic: tp.Topic}
				resp.Topics = append(resp.Topics, tr)
			}
			pm, _ := img.Partition(tp.Topic, tp.Partition)
			tr.Partitions = append(tr.Partitions, ongoingReassignment(tp.Partition, pm))
		}
		return resp, nil
	}
	// Merge the requested partitions per topic; an empty list means all.
	want := make(map[string][]int32)
	var names []string
	for _, lt := range req.GetTopics() {
		ps, seen := want[lt.GetTopic()]
		if !seen {
			names = append(names, lt.GetTopic())
		}
		if len(lt.GetPartitions()) == 0 || (seen && ps == nil) {
			want[lt.GetTopic()] = nil
			continue
		}
		want[lt.GetTopic()] = append(ps, lt.GetPartitions()...)
	}
	sort.Strings(names)
	for _, name := range names {
		t, ok := img.Topic(name)
		if !ok {
			resp.Topics = append(resp.Topics, &fjordv1.ListPartitionReassignmentsTopicResult{Topic: name,
				Error: toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name))})
			continue
		}
		ps := want[name]
		if ps == nil {
			for i := range t.Partitions {
				ps = append(ps, int32(i))
			}
		}
		slices.Sort(ps)
		ps = slices.Compact(ps)
		tr := &fjordv1.ListPartitionReassignmentsTopicResult{Topic: name}
		for _, p := range ps {
			pm, ok := img.Partition(name, p)
			if !ok {
				tr.Error = toProto(errorf(ReasonUnknownTopicOrPartition, "topic %q has no partition %d", name, p).withPartition(name, p))
				tr.Partitions = nil
				break
			}
			if o := ongoingReassignment(p, pm); o != nil {
				tr.Partitions = append(tr.Partitions, o)
			}
		}
		if tr.Error != nil || len(tr.Partitions) > 0 {
			resp.Topics = append(resp.Topics, tr)
		}
	}
	return resp, nil
}

// leadersElected: img shows the leader epochs the leader's elections reached.
func leadersElected(img *cluster.Image, resp *fjordv1.ElectLeadersResponse) bool {
	for _, tr := range resp.GetTopics() {
		for _, pr := range tr.GetPartitions() {
			if pm, ok := img.Partition(tr.GetTopic(), pr.GetPartition()); ok && pr.GetError() == nil && pm.LeaderEpoch < pr.GetLeaderEpoch() {
				return false
			}
		}
	}
	return true
}

// reassignmentsApplied: img shows the partition epochs the reassignments reached.
func reassignmentsApplied(img *cluster.Image, resp *fjordv1.AlterPartitionReassignmentsResponse) bool {
	for _, tr := range resp.GetTopics() {
		for _, pr := range tr.GetPartitions() {
			if pm, ok := img.Partition(tr.GetTopic(), pr.GetPartition()); ok && pr.GetError() == nil && pm.PartitionEpoch < pr.GetPartitionEpoch() {
				return false
			}
		}
	}
	return true
}
