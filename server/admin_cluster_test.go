package server

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// waitUntil polls cond every 20 ms until it holds or 30 s pass.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createReplicated creates a topic with the given replication factor
// through tb and returns its replica assignment.
func (tb *testBroker) createReplicated(name string, partitions, rf int32, configs map[string]string) [][]int32 {
	tb.t.Helper()
	resp, err := tb.admin.CreateTopics(ctx(tb.t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: name, Partitions: partitions,
		ReplicationFactor: rf, Configs: configs}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		tb.t.Fatalf("create %s: %v %v", name, err, resp)
	}
	return tb.assignment(name)
}

// assignment returns each partition's replicas from tb's image.
func (tb *testBroker) assignment(name string) [][]int32 {
	t, ok := tb.srv.ctl.image().Topic(name)
	if !ok {
		tb.t.Fatalf("topic %s not in broker %d's image", name, tb.srv.opts.NodeID)
	}
	var out [][]int32
	for _, p := range t.Partitions {
		out = append(out, slices.Clone(p.Replicas))
	}
	return out
}

// partition returns a partition's metadata in tb's image.
func (tb *testBroker) partition(topic string, p int32) cluster.PartitionMeta {
	pm, _ := tb.srv.ctl.image().Partition(topic, p)
	return pm
}

// notControllerLeader returns a running broker that does not lead the
// controller quorum, so requests through it are forwarded.
func notControllerLeader(t *testing.T, bs []*testBroker, stopped ...int32) *testBroker {
	t.Helper()
	for _, tb := range bs {
		if !tb.srv.ctl.ctrl.IsLeader() && !slices.Contains(stopped, tb.srv.opts.NodeID) {
			return tb
		}
	}
	t.Fatal("every running broker leads the controller")
	return nil
}

// otherBroker returns a broker id of 1..n not in ids.
func otherBroker(n int, ids []int32) int32 {
	for id := int32(1); id <= int32(n); id++ {
		if !slices.Contains(ids, id) {
			return id
		}
	}
	return -1
}

func (tb *testBroker) reassign(topic string, partition int32, replicas []int32, cancel bool) *fjordv1.AlterPartitionReassignmentsPartitionResult {
	tb.t.Helper()
	resp, err := tb.admin.AlterPartitionReassignments(ctx(tb.t), &fjordv1.AlterPartitionReassignmentsRequest{Topics: []*fjordv1.AlterPartitionReassignmentsTopic{{
		Topic: topic, Partitions: []*fjordv1.AlterPartitionReassignmentsPartition{{Partition: partition, Replicas: replicas, Cancel: cancel}}}}})
	if err != nil {
		tb.t.Fatalf("AlterPartitionReassignments: %v", err)
	}
	return resp.GetTopics()[0].GetPartitions()[0]
}

func (tb *testBroker) electLeaders(topics ...*fjordv1.ElectLeadersTopic) *fjordv1.ElectLeadersResponse {
	tb.t.Helper()
	resp, err := tb.admin.ElectLeaders(ctx(tb.t), &fjordv1.ElectLeadersRequest{ElectionType: fjordv1.ElectionType_ELECTION_TYPE_PREFERRED, Topics: topics})
	if err != nil {
		tb.t.Fatalf("ElectLeaders: %v", err)
	}
	return resp
}

func (tb *testBroker) describeCluster() *fjordv1.DescribeClusterResponse {
	tb.t.Helper()
	resp, err := tb.admin.DescribeCluster(ctx(tb.t), &fjordv1.DescribeClusterRequest{})
	if err != nil {
		tb.t.Fatalf("DescribeCluster: %v", err)
	}
	return resp
}

// restart starts a stopped cluster broker again on its data directory,
// raft address and node id.
func (tb *testBroker) restart(t *testing.T) *testBroker {
	t.Helper()
	saved := tb.srv.opts
	return startBroker(t, tb.dir, func(o *Options) {
		*o = saved
		o.ListenAddr, o.AdvertisedAddr = "127.0.0.1:0", ""
	})
}

func reasonOf(e *fjordv1.Error) string { return e.GetReason() }

func TestElectPreferredLeaders(t *testing.T) {
	bs := startCluster(t, 3)
	asg := bs[0].createReplicated("e", 1, 3, nil)
	pref := asg[0][0]
	waitUntil(t, "the preferred replica to lead", func() bool { return bs[0].partition("e", 0).Leader == pref })
	via := bs[pref%3] // another broker than the preferred one

	// Already balanced: an election of every partition has nothing to do,
	// a named one reports the current leader.
	if resp := via.electLeaders(); len(resp.GetTopics()) != 0 {
		t.Fatalf("elect all on a balanced cluster: %v", resp)
	}
	resp := via.electLeaders(&fjordv1.ElectLeadersTopic{Topic: "e"})
	if pr := resp.GetTopics()[0].GetPartitions(); len(pr) != 1 || pr[0].GetError() != nil || pr[0].GetLeaderId() != pref {
		t.Fatalf("elect e: %v", resp)
	}

	// Stop the preferred leader: leadership moves, and an election fails
	// with PREFERRED_LEADER_NOT_AVAILABLE while it is down.
	bs[pref-1].stop()
	waitUntil(t, "leadership and the controller to move off the stopped broker", func() bool {
		l := via.partition("e", 0).Leader
		id, ok := via.srv.ctl.ctrl.LeaderID()
		return l != pref && l != cluster.NoLeader && ok && id != pref
	})
	moved := via.partition("e", 0)
	resp = via.electLeaders(&fjordv1.ElectLeadersTopic{Topic: "e", Partitions: []int32{0}})
	pr := resp.GetTopics()[0].GetPartitions()[0]
	if reasonOf(pr.GetError()) != string(ReasonPreferredLeaderNotAvail) || pr.GetLeaderId() != moved.Leader || pr.GetLeaderEpoch() < moved.LeaderEpoch {
		t.Fatalf("elect with the preferred replica down: %v (partition %+v)", pr, moved)
	}
	// "All" reports partitions whose preferred replica is unavailable too.
	resp = via.electLeaders()
	if len(resp.GetTopics()) != 1 || reasonOf(resp.GetTopics()[0].GetPartitions()[0].GetError()) != string(ReasonPreferredLeaderNotAvail) {
		t.Fatalf("elect all with the preferred replica down: %v", resp)
	}

	// Restart it: once it is back in the ISR the election succeeds (the
	// controller's automatic rebalance may get there first; either way
	// the preferred replica leads and the election reports it).
	bs[pref-1] = bs[pref-1].restart(t)
	waitUntil(t, "the restarted broker to rejoin the ISR", func() bool {
		return slices.Contains(via.partition("e", 0).ISR, pref)
	})
	waitUntil(t, "a successful preferred election", func() bool {
		resp, err := via.admin.ElectLeaders(ctx(t), &fjordv1.ElectLeadersRequest{Topics: []*fjordv1.ElectLeadersTopic{{Topic: "e"}}})
		if err != nil { // NOT_CONTROLLER while the quorum settles
			return false
		}
		pr := resp.GetTopics()[0].GetPartitions()[0]
		return pr.GetError() == nil && pr.GetLeaderId() == pref
	})
	if pm := via.partition("e", 0); pm.Leader != pref || pm.LeaderEpoch <= moved.LeaderEpoch {
		t.Fatalf("after the election the forwarding broker sees %+v, want leader %d with an epoch above %d", pm, pref, moved.LeaderEpoch)
	}

	// Reordering the replicas makes another replica preferred; the
	// election moves leadership to it.
	reordered := []int32{asg[0][1], asg[0][0], asg[0][2]}
	if r := via.reassign("e", 0, reordered, false); r.GetError() != nil || r.GetReassignment() != nil || !slices.Equal(r.GetReplicas(), reordered) {
		t.Fatalf("reorder: %v", r)
	}
	waitUntil(t, "the new preferred replica to lead", func() bool {
		resp := via.electLeaders(&fjordv1.ElectLeadersTopic{Topic: "e"})
		pr := resp.GetTopics()[0].GetPartitions()[0]
		return pr.GetError() == nil && pr.GetLeaderId() == reordered[0]
	})

	// Unknown topics and partitions.
	resp = via.electLeaders(&fjordv1.ElectLeadersTopic{Topic: "nope"}, &fjordv1.ElectLeadersTopic{Topic: "e", Partitions: []int32{7}})
	if reasonOf(resp.GetTopics()[0].GetError()) != string(ReasonUnknownTopicOrPartition) ||
		reasonOf(resp.GetTopics()[1].GetPartitions()[0].GetError()) != string(ReasonUnknownTopicOrPartition) {
		t.Fatalf("unknown topic and partition: %v", resp)
	}
	_, err := via.admin.ElectLeaders(ctx(t), &fjordv1.ElectLeadersRequest{ElectionType: 9})
	if code, reason, _ := errorReason(t, err); code != codes.InvalidArgument || reason != string(ReasonInvalidRequest) {
		t.Fatalf("unknown election type: %v", err)
	}
}

// producer produces numbered records to topic partition 0 through
// whichever broker leads it, until stopped; it remembers what was acked.
type producer struct {
	t     *testing.T
	bs    []*testBroker
	topic string

	stopped chan struct{}
	done    chan struct{}
	mu      sync.Mutex // guards acked, err and last
	acked   []string
	err     error
	last    error // the last retriable failure, for diagnostics
}

func startProducer(t *testing.T, bs []*testBroker, topic string) *producer {
	p := &producer{t: t, bs: bs, topic: topic, stopped: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *producer) run() {
	defer close(p.done)
	for i := 0; ; i++ {
		v := fmt.Sprint("v", i)
		for {
			select {
			case <-p.stopped:
				return
			default:
			}
			r, err := p.produce(v)
			if err == nil && r.GetError() == nil {
				p.mu.Lock()
				p.acked = append(p.acked, v)
				p.mu.Unlock()
				break
			}
			if err == nil && !r.GetError().GetRetriable() {
				p.mu.Lock()
				p.err = fmt.Errorf("produce %s: %v", v, r.GetError())
				p.mu.Unlock()
				return
			}
			p.mu.Lock()
			p.last = err
			if err == nil {
				p.last = fmt.Errorf("%v", r.GetError())
			}
			p.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// produce sends v to the leader in the first running broker's image.
func (p *producer) produce(v string) (*fjordv1.ProducePartitionResponse, error) {
	var leader int32 = cluster.NoLeader
	for _, tb := range p.bs {
		if pm, ok := tb.srv.ctl.image().Partition(p.topic, 0); ok && pm.Leader > 0 {
			leader = pm.Leader
			break
		}
	}
	if leader < 1 {
		return nil, errors.New("no leader")
	}
	resp, err := p.bs[leader-1].produce.Produce(ctx(p.t), &fjordv1.ProduceRequest{Acks: fjordv1.Acks_ACKS_ALL, Topics: []*fjordv1.ProduceTopicData{{
		Topic: p.topic, Partitions: []*fjordv1.ProducePartitionData{{Partition: 0, Batches: []*fjordv1.RecordBatch{batch(v)}}}}}})
	if err != nil {
		return nil, err
	}
	return resp.GetTopics()[0].GetPartitions()[0], nil
}

// ackedCount returns how many records were acked so far.
func (p *producer) ackedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.acked)
}

// stop ends the producer and returns what was acked.
func (p *producer) stop() []string {
	p.t.Helper()
	close(p.stopped)
	<-p.done
	if p.err != nil {
		p.t.Fatal(p.err)
	}
	return p.acked
}

func TestReassignPartitionWhileProducing(t *testing.T) {
	bs := startCluster(t, 3)
	from := bs[0].createReplicated("m", 1, 2, nil)[0]
	// Move [a, b] to [b, c]: b stays, c joins, a leaves.
	a, b, c := from[0], from[1], otherBroker(3, from)
	target := []int32{b, c}
	via := notControllerLeader(t, bs)

	p := startProducer(t, bs, "m")
	waitUntil(t, "some records before the reassignment", func() bool { return p.ackedCount() >= 20 })

	r := via.reassign("m", 0, target, false)
	if r.GetError() != nil {
		t.Fatalf("reassign: %v", r)
	}
	// It is ongoing unless c caught up within the proposal.
	if o := r.GetReassignment(); o != nil {
		if !slices.Equal(o.GetAddingReplicas(), []int32{c}) || !slices.Equal(o.GetRemovingReplicas(), []int32{a}) ||
			!slices.Equal(o.GetTargetReplicas(), target) || !slices.Equal(r.GetReplicas(), []int32{b, c, a}) {
			t.Fatalf("reassignment started as %v", r)
		}
	}
	// Completion: the replicas are the target, nothing is listed.
	waitUntil(t, "the reassignment to complete", func() bool {
		pm := via.partition("m", 0)
		return !pm.Reassigning() && slices.Equal(pm.Replicas, target)
	})
	lr, err := via.admin.ListPartitionReassignments(ctx(t), &fjordv1.ListPartitionReassignmentsRequest{})
	if err != nil || len(lr.GetTopics()) != 0 {
		t.Fatalf("list after completion: %v %v", lr, err)
	}
	n := p.ackedCount()
	waitUntil(t, "records after the reassignment", func() bool {
		if p.ackedCount() >= n+20 {
			return true
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.err != nil {
			t.Fatalf("producer failed: %v", p.err)
		}
		return false
	})
	acked := p.stop()

	// Every acked record is on both new replicas, in order.
	for _, id := range target {
		tb := bs[id-1]
		waitUntil(t, fmt.Sprintf("broker %d to hold the partition", id), func() bool {
			q, err := tb.srv.broker.lookup(topicPartition{"m", 0})
			return err == nil && q.log.HighWatermark() >= int64(len(acked))
		})
	}
	leader := via.partition("m", 0).Leader
	if !slices.Contains(target, leader) {
		t.Fatalf("leader %d is not a target replica %v", leader, target)
	}
	req := fetchReq("m", 0, 0)
	req.MaxBytes = 64 << 20
	// A retry after an indefinite failure (leadership moved while the
	// batch was in flight) may store a record twice; none may be lost or
	// reordered.
	got := values(t, bs[leader-1].fetchOne(req).GetBatches(), 0)
	if missing := notSubsequence(acked, got); missing != "" {
		t.Fatalf("leader %d holds %d records, %d acked; %s is missing or out of order in %v", leader, len(got), len(acked), missing, got)
	}
	// The removed replica dropped its copy and deleted the log.
	old := bs[a-1]
	waitUntil(t, fmt.Sprintf("broker %d to delete its log", a), func() bool {
		_, statErr := os.Stat(old.srv.broker.logDir(topicPartition{"m", 0}))
		old.srv.broker.mu.RLock()
		_, held := old.srv.broker.partitions[topicPartition{"m", 0}]
		old.srv.broker.mu.RUnlock()
		return !held && errors.Is(statErr, os.ErrNotExist)
	})

	// DescribeTopics shows the final assignment with a higher partition epoch.
	dt, err := via.admin.DescribeTopics(ctx(t), &fjordv1.DescribeTopicsRequest{Names: []string{"m"}})
	if err != nil {
		t.Fatal(err)
	}
	pd := dt.GetTopics()[0].GetPartitions()[0]
	if !slices.Equal(pd.GetReplicas(), target) || pd.GetPartitionEpoch() < 2 || len(pd.GetAddingReplicas())+len(pd.GetRemovingReplicas()) != 0 {
		t.Fatalf("described after the reassignment: %v", pd)
	}
}

func TestCancelReassignmentAndDescribeCluster(t *testing.T) {
	bs := startCluster(t, 3)
	from := bs[0].createReplicated("c", 1, 2, nil)[0]
	x := otherBroker(3, from)
	// Topics that a stopped x makes unhealthy: "all" is replicated
	// everywhere and needs 3 in sync; "solo"'s only replica is x.
	bs[0].createReplicated("all", 2, 3, map[string]string{"min.insync.replicas": "3"})
	if solo := bs[0].createReplicated("solo", 1, 1, nil)[0][0]; solo != x {
		if r := bs[0].reassign("solo", 0, []int32{x}, false); r.GetError() != nil {
			t.Fatalf("move solo to %d: %v", x, r)
		}
		waitUntil(t, "solo to move", func() bool {
			pm := bs[0].partition("solo", 0)
			return !pm.Reassigning() && slices.Equal(pm.Replicas, []int32{x}) && pm.Leader == x
		})
	}
	d := bs[0].describeCluster()
	if len(d.GetRegisteredBrokers()) != 3 || len(d.GetUnderReplicatedPartitions())+len(d.GetUnderMinIsrPartitions())+len(d.GetOfflinePartitions()) != 0 ||
		d.GetTopicCount() != 3 || d.GetPartitionCount() != 4 || d.GetControllerId() < 1 {
		t.Fatalf("healthy cluster described as %v", d)
	}
	for _, b := range d.GetRegisteredBrokers() {
		if b.GetState() != fjordv1.BrokerState_BROKER_STATE_ACTIVE || b.GetEpoch() <= 0 || b.GetAddress() == "" {
			t.Fatalf("broker %v in a healthy cluster", b)
		}
	}

	// With x stopped, a reassignment onto it cannot complete: x is
	// registered (fenced brokers are valid targets) but never catches up.
	bs[x-1].stop()
	via := notControllerLeader(t, bs, x)
	waitUntil(t, fmt.Sprintf("broker %d to leave the ISRs and the controller lead", x), func() bool {
		id, ok := via.srv.ctl.ctrl.LeaderID()
		return ok && id != x && !slices.Contains(via.partition("all", 0).ISR, x) && !slices.Contains(via.partition("all", 1).ISR, x)
	})
	d = via.describeCluster()
	for _, b := range d.GetRegisteredBrokers() {
		if active := b.GetState() == fjordv1.BrokerState_BROKER_STATE_ACTIVE; active == (b.GetId() == x) {
			t.Errorf("broker %d in state %v", b.GetId(), b.GetState())
		}
	}
	if len(d.GetBrokers()) > 3 || len(d.GetUnderReplicatedPartitions()) != 2 || len(d.GetUnderMinIsrPartitions()) != 2 || len(d.GetOfflinePartitions()) != 1 {
		t.Fatalf("with broker %d stopped: %v", x, d)
	}
	if o := d.GetOfflinePartitions()[0]; o.GetTopic() != "solo" || o.GetLeaderId() != -1 || !slices.Equal(o.GetOfflineReplicas(), []int32{x}) {
		t.Fatalf("offline partition %v", o)
	}
	for _, u := range d.GetUnderMinIsrPartitions() {
		if u.GetTopic() != "all" || u.GetMinInsyncReplicas() != 3 || len(u.GetIsr()) != 2 || !slices.Equal(u.GetOfflineReplicas(), []int32{x}) {
			t.Fatalf("under min ISR partition %v", u)
		}
	}

	target := []int32{from[1], x}
	r := via.reassign("c", 0, target, false)
	o := r.GetReassignment()
	if r.GetError() != nil || !slices.Equal(o.GetAddingReplicas(), []int32{x}) || !slices.Equal(o.GetRemovingReplicas(), []int32{from[0]}) ||
		!slices.Equal(o.GetReplicas(), []int32{from[1], x, from[0]}) {
		t.Fatalf("reassign onto a stopped broker: %v", r)
	}
	lr, err := via.admin.ListPartitionReassignments(ctx(t), &fjordv1.ListPartitionReassignmentsRequest{})
	if err != nil || len(lr.GetTopics()) != 1 || lr.GetTopics()[0].GetTopic() != "c" || len(lr.GetTopics()[0].GetPartitions()) != 1 {
		t.Fatalf("list: %v %v", lr, err)
	}
	if lo := lr.GetTopics()[0].GetPartitions()[0]; !slices.Equal(lo.GetTargetReplicas(), target) || !slices.Equal(slices.Sorted(slices.Values(lo.GetIsr())), slices.Sorted(slices.Values(from))) {
		t.Fatalf("listed %v", lo)
	}
	// Filters: by topic, by partition, unknown names.
	lr, err = via.admin.ListPartitionReassignments(ctx(t), &fjordv1.ListPartitionReassignmentsRequest{Topics: []*fjordv1.ListPartitionReassignmentsTopic{
		{Topic: "all"}, {Topic: "c", Partitions: []int32{0}}, {Topic: "nope"}}})
	if err != nil || len(lr.GetTopics()) != 2 || lr.GetTopics()[0].GetTopic() != "c" || lr.GetTopics()[1].GetTopic() != "nope" ||
		reasonOf(lr.GetTopics()[1].GetError()) != string(ReasonUnknownTopicOrPartition) {
		t.Fatalf("filtered list: %v %v", lr, err)
	}
	dt, err := via.admin.DescribeTopics(ctx(t), &fjordv1.DescribeTopicsRequest{Names: []string{"c"}})
	if err != nil {
		t.Fatal(err)
	}
	// An ISR change may have bumped the partition epoch since the reassignment.
	if pd := dt.GetTopics()[0].GetPartitions()[0]; !slices.Equal(pd.GetAddingReplicas(), []int32{x}) || !slices.Equal(pd.GetRemovingReplicas(), []int32{from[0]}) ||
		!slices.Equal(pd.GetOfflineReplicas(), []int32{x}) || pd.GetPartitionEpoch() < r.GetPartitionEpoch() {
		t.Fatalf("described during the reassignment: %v", pd)
	}
	if d := via.describeCluster(); d.GetReassigningPartitionCount() != 1 {
		t.Fatalf("reassigning count %d", d.GetReassigningPartitionCount())
	}

	// Cancel: the original replicas come back, nothing is listed, and a
	// second cancel has nothing to cancel.
	r = via.reassign("c", 0, nil, true)
	if r.GetError() != nil || r.GetReassignment() != nil || !slices.Equal(r.GetReplicas(), from) {
		t.Fatalf("cancel: %v", r)
	}
	if pm := via.partition("c", 0); !slices.Equal(pm.Replicas, from) || pm.Reassigning() {
		t.Fatalf("after cancel the forwarding broker sees %+v", pm)
	}
	lr, err = via.admin.ListPartitionReassignments(ctx(t), &fjordv1.ListPartitionReassignmentsRequest{})
	if err != nil || len(lr.GetTopics()) != 0 {
		t.Fatalf("list after cancel: %v %v", lr, err)
	}
	if r = via.reassign("c", 0, nil, true); reasonOf(r.GetError()) != string(ReasonNoReassignmentInProgress) {
		t.Fatalf("second cancel: %v", r)
	}
}

func TestReassignValidation(t *testing.T) {
	bs := startCluster(t, 3)
	from := bs[0].createReplicated("v", 4, 2, nil)[0]
	via := notControllerLeader(t, bs)
	waitUntil(t, "the topic to reach every broker", func() bool { return len(via.partition("v", 0).Replicas) == 2 })
	before := via.partition("v", 0)
	part := func(p int32, replicas []int32, cancel bool) *fjordv1.AlterPartitionReassignmentsPartition {
		return &fjordv1.AlterPartitionReassignmentsPartition{Partition: p, Replicas: replicas, Cancel: cancel}
	}
	// One request with a partition per case (a partition may be listed
	// once per request), and the same cases one request each.
	cases := []struct {
		name  string
		topic string
		part  *fjordv1.AlterPartitionReassignmentsPartition
		want  Reason
	}{
		{"unknown broker", "v", part(0, []int32{from[0], 99}, false), ReasonInvalidReplicaAssignment},
		{"duplicate replica", "v", part(1, []int32{from[0], from[0]}, false), ReasonInvalidReplicaAssignment},
		{"no target", "v", part(2, nil, false), ReasonInvalidReplicaAssignment},
		{"target and cancel", "v", part(3, []int32{from[0]}, true), ReasonInvalidRequest},
		{"nothing to cancel", "v", part(3, nil, true), ReasonNoReassignmentInProgress},
		{"unknown partition", "v", part(9, []int32{1}, false), ReasonUnknownTopicOrPartition},
		{"unknown topic", "nope", part(0, []int32{1}, false), ReasonUnknownTopicOrPartition},
	}
	var batched []int // cases sent together: distinct partitions of "v"
	req := &fjordv1.AlterPartitionReassignmentsRequest{Topics: []*fjordv1.AlterPartitionReassignmentsTopic{{Topic: "v"}}}
	for i, tc := range cases {
		r := via.reassign(tc.topic, tc.part.GetPartition(), tc.part.GetReplicas(), tc.part.GetCancel())
		if reasonOf(r.GetError()) != string(tc.want) {
			t.Errorf("%s: %v, want %s", tc.name, r.GetError(), tc.want)
		}
		if tc.topic == "v" && tc.name != "nothing to cancel" {
			batched = append(batched, i)
			req.Topics[0].Partitions = append(req.Topics[0].Partitions, tc.part)
		}
	}
	resp, err := via.admin.AlterPartitionReassignments(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	for i, pr := range resp.GetTopics()[0].GetPartitions() {
		if tc := cases[batched[i]]; reasonOf(pr.GetError()) != string(tc.want) || pr.GetPartition() != tc.part.GetPartition() {
			t.Errorf("%s in one request: %v, want %s", tc.name, pr, tc.want)
		}
	}
	if after := via.partition("v", 0); after.PartitionEpoch != before.PartitionEpoch || !slices.Equal(after.Replicas, before.Replicas) {
		t.Fatalf("rejected reassignments changed the partition: %+v -> %+v", before, after)
	}
	// An empty request changes nothing and fails nothing.
	if resp, err := via.admin.AlterPartitionReassignments(ctx(t), &fjordv1.AlterPartitionReassignmentsRequest{}); err != nil || len(resp.GetTopics()) != 0 {
		t.Fatalf("empty request: %v %v", resp, err)
	}
}

func TestClusterErrorsMapReassignmentReasons(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Reason
	}{
		{cluster.ErrNoReassignmentInProgress, ReasonNoReassignmentInProgress},
		{cluster.ErrUnsafeReassignment, ReasonUnsafeReassignment},
		{cluster.ErrInvalidAssignment, ReasonInvalidReplicaAssignment},
		{cluster.ErrPreferredLeaderNotAvailable, ReasonPreferredLeaderNotAvail},
	} {
		e := asError(&cluster.Error{Err: tc.err, Topic: "t", Partition: 3, Broker: -1})
		if e.Reason != tc.want || e.Metadata["topic"] != "t" || e.Metadata["partition"] != "3" {
			t.Errorf("%v maps to %s %v, want %s with topic and partition", tc.err, e.Reason, e.Metadata, tc.want)
		}
	}
}

// notSubsequence returns the first element of want that does not appear in
// got in order, or "" when want is a subsequence of got.
func notSubsequence(want, got []string) string {
	j := 0
	for _, w := range want {
		for j < len(got) && got[j] != w {
			j++
		}
		if j == len(got) {
			return w
		}
		j++
	}
	return ""
}
