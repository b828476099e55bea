package sdktest_test

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/cluster"
)

// startAdminCluster starts n in-process brokers forming one controller quorum
// and returns their client addresses once every broker is active.
func startAdminCluster(t *testing.T, n int) []string {
	t.Helper()
	var peers []cluster.Peer
	for i := 1; i <= n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		peers = append(peers, cluster.Peer{ID: int32(i), Addr: l.Addr().String()})
		l.Close()
	}
	addrs := make([]string, n)
	for i := range n {
		srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off",
			NodeID: int32(i + 1), RaftAddr: peers[i].Addr, Peers: peers,
			SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RaftTimeout: 200 * time.Millisecond,
			ControlledShutdownTimeout: 3 * time.Second, ShutdownTimeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("server.New: %v", err)
		}
		b := &broker{t: t, srv: srv, served: make(chan error, 1)}
		go func() { b.served <- srv.Serve() }()
		t.Cleanup(b.stop)
		addrs[i] = b.addr()
	}
	adm := fjord.NewAdmin(newClient(t, addrs[0]))
	pollUntil(t, "every broker to become active", func() bool {
		d, err := adm.DescribeCluster(ctxT(t))
		if err != nil || len(d.GetRegisteredBrokers()) != n {
			return false
		}
		for _, b := range d.GetRegisteredBrokers() {
			if b.GetState() != fjordv1.BrokerState_BROKER_STATE_ACTIVE {
				return false
			}
		}
		return true
	})
	return addrs
}

// pollUntil polls cond every 20 ms until it holds or the test timeout passes.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReassignAndElectEndToEnd(t *testing.T) {
	t.Parallel()
	addrs := startAdminCluster(t, 3)
	cl := newClient(t, addrs[0], fjord.SeedBrokers(addrs...))
	adm := fjord.NewAdmin(cl)
	ctx := ctxT(t)

	if _, err := adm.CreateTopic(ctx, "moves", 1, 2, nil); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	// Admin calls go to any broker; another one may not have seen the
	// topic yet.
	var from []int32
	pollUntil(t, "every broker to know the topic", func() bool {
		d, err := adm.DescribeTopic(ctx, "moves")
		if err != nil {
			return false
		}
		from = d.GetPartitions()[0].GetReplicas()
		return true
	})
	var c int32
	for id := int32(1); id <= 3; id++ {
		if !slices.Contains(from, id) {
			c = id
		}
	}
	target := []int32{from[1], c}

	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	produceN(t, p, "moves", 0, 50, time.Now())

	// Rejected requests change nothing.
	res, err := adm.AlterPartitionReassignments(ctx,
		fjord.Reassignment{Topic: "moves", Partition: 0, Replicas: []int32{from[0], 42}},
		fjord.Reassignment{Topic: "nope", Partition: 0, Replicas: target},
	)
	if err != nil {
		t.Fatalf("AlterPartitionReassignments: %v", err)
	}
	if !errors.Is(res[0].Err, fjord.ErrInvalidReplicaAssignment) || res[0].Partition != 0 || !errors.Is(res[1].Err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("invalid reassignments: %+v", res)
	}
	res, err = adm.AlterPartitionReassignments(ctx, fjord.Reassignment{Topic: "moves", Partition: 0, Cancel: true})
	if err != nil || !errors.Is(res[0].Err, fjord.ErrNoReassignmentInProgress) {
		t.Fatalf("cancel without a reassignment: %+v, %v", res, err)
	}
	if _, err := adm.ListPartitionReassignments(ctx, fjord.TopicPartitions{Topic: "nope"}); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("list an unknown topic: %v", err)
	}

	res, err = adm.AlterPartitionReassignments(ctx, fjord.Reassignment{Topic: "moves", Partition: 0, Replicas: target})
	if err != nil || res[0].Err != nil {
		t.Fatalf("reassign to %v: %+v, %v", target, res, err)
	}
	pollUntil(t, "the reassignment to complete", func() bool {
		ongoing, err := adm.ListPartitionReassignments(ctx)
		if err != nil || len(ongoing) != 0 {
			return false
		}
		d, err := adm.DescribeTopic(ctx, "moves")
		return err == nil && slices.Equal(d.GetPartitions()[0].GetReplicas(), target)
	})
	// Producing and consuming go on against the new replicas.
	produceN(t, p, "moves", 0, 10, time.Now())
	cons := newConsumer(t, cl)
	cons.Assign("moves", 0, fjord.AtStart())
	for i, r := range pollN(t, cons, 60) {
		if r.Offset != int64(i) || string(r.Value) != fmt.Sprint(i%50) {
			t.Fatalf("record %d is %s, want offset %d value %d", i, describe(r), i, i%50)
		}
	}

	// The new preferred replica leads once the reassignment completed; an
	// election of the topic reports it, an election of everything has
	// nothing to do.
	var el []fjord.ElectionResult
	pollUntil(t, "the preferred replica to lead", func() bool {
		el, err = adm.ElectPreferredLeaders(ctx, fjord.TopicPartitions{Topic: "moves"})
		return err == nil && len(el) == 1 && el[0].Err == nil && el[0].Leader == target[0]
	})
	if el, err := adm.ElectPreferredLeaders(ctx); err != nil || len(el) != 0 {
		t.Fatalf("elect everything on a balanced cluster: %+v, %v", el, err)
	}
	el, err = adm.ElectPreferredLeaders(ctx, fjord.TopicPartitions{Topic: "nope"}, fjord.TopicPartitions{Topic: "moves", Partitions: []int32{3}})
	if err != nil || len(el) != 2 || el[0].Partition != -1 || !errors.Is(el[0].Err, fjord.ErrUnknownTopicOrPartition) ||
		el[1].Partition != 3 || !errors.Is(el[1].Err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("elect unknown partitions: %+v, %v", el, err)
	}

	cd, err := adm.DescribeCluster(ctx)
	if err != nil {
		t.Fatalf("DescribeCluster: %v", err)
	}
	if cd.GetControllerId() < 1 || len(cd.GetRegisteredBrokers()) != 3 || cd.GetTopicCount() != 1 || cd.GetPartitionCount() != 1 ||
		len(cd.GetUnderReplicatedPartitions())+len(cd.GetUnderMinIsrPartitions())+len(cd.GetOfflinePartitions()) != 0 {
		t.Errorf("DescribeCluster = %v", cd)
	}
}
