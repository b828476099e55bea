package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func tryStartCluster(t *testing.T, n int, mutate ...func(*Options)) ([]*testBroker, error) {
	var peers []cluster.Peer
	for i := 1; i <= n; i++ {
		peers = append(peers, cluster.Peer{ID: int32(i), Addr: freeAddr(t)})
	}
	out := make([]*testBroker, n)
	errs := make([]error, n)
	done := make(chan struct{}, n)
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			out[i], errs[i] = tryStartBroker(t, "", func(o *Options) {
				o.NodeID, o.RaftAddr, o.Peers = int32(i+1), peers[i].Addr, peers
				o.HTTPAddr = "off"
				o.SessionTimeout, o.HeartbeatInterval, o.RaftTimeout = time.Second, 100*time.Millisecond, 200*time.Millisecond
				o.ControlledShutdownTimeout = 3 * time.Second
				for _, m := range mutate {
					m(o)
				}
			})
		}()
	}
	for range n {
		<-done
	}
	if err := errors.Join(errs...); err != nil {
		for _, tb := range out {
			if tb != nil {
				tb.stop()
			}
		}
		return nil, err
	}
	return out, nil
}

// startCluster starts n in-process brokers with a static quorum. Raft ports
// are picked free and then bound by the brokers; if another process takes
// one in between, the whole cluster starts again on new ports.
func startCluster(t *testing.T, n int, mutate ...func(*Options)) []*testBroker {
	t.Helper()
	var out []*testBroker
	for attempt := 0; ; attempt++ {
		var err error
		if out, err = tryStartCluster(t, n, mutate...); err == nil {
			break
		}
		if attempt == 4 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("start cluster: %v", err)
		}
		t.Logf("start cluster: %v; retrying on other ports", err)
	}
	// Wait until every broker is active in every image.
	deadline := time.Now().Add(30 * time.Second)
	for _, tb := range out {
		for {
			img := tb.srv.ctl.image()
			alive := 0
			for i := 1; i <= n; i++ {
				if img.Alive(int32(i)) {
					alive++
				}
			}
			if alive == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("brokers did not all become active: %s", img)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return out
}

func TestClusterReplicatesAndFailsOver(t *testing.T) {
	bs := startCluster(t, 3)
	resp, err := bs[1].admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "r", Partitions: 1, ReplicationFactor: 3,
		Configs: map[string]string{"min.insync.replicas": "2"}}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create: %v %v", err, resp)
	}
	leaderOf := func(via *testBroker) (int32, int32) {
		for {
			md, err := via.meta.GetMetadata(ctx(t), &fjordv1.GetMetadataRequest{Topics: []string{"r"}})
			// Another broker's image may not have the new topic yet.
			if err == nil && len(md.GetTopics()[0].GetPartitions()) > 0 && md.GetTopics()[0].GetPartitions()[0].GetLeaderId() > 0 {
				p := md.GetTopics()[0].GetPartitions()[0]
				return p.GetLeaderId(), p.GetLeaderEpoch()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	produce := func(via *testBroker, v string) *fjordv1.ProducePartitionResponse {
		for range 200 {
			l, _ := leaderOf(via)
			r := bs[l-1].produceOne("r", 0, fjordv1.Acks_ACKS_ALL, batch(v))
			if r.GetError() == nil {
				return r
			}
			if !r.GetError().GetRetriable() {
				t.Fatalf("produce %s: %v", v, r.GetError())
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("produce %s never succeeded", v)
		return nil
	}
	for i := range 20 {
		if r := produce(bs[0], fmt.Sprint("v", i)); r.GetBaseOffset() != int64(i) {
			t.Fatalf("offset %d for v%d", r.GetBaseOffset(), i)
		}
	}
	leader, epoch := leaderOf(bs[0])
	// A follower refuses reads and says who leads, in the response fields too.
	follower := bs[leader%3]
	if pr := follower.fetchOne(fetchReq("r", 0, 0)); pr.GetError().GetReason() != "NOT_LEADER_OR_FOLLOWER" || pr.GetLeaderId() != leader || pr.GetLeaderEpoch() != epoch {
		t.Fatalf("fetch from a follower: leader %d epoch %d error %v; want leader %d epoch %d", pr.GetLeaderId(), pr.GetLeaderEpoch(), pr.GetError(), leader, epoch)
	}
	if pr := follower.produceOne("r", 0, fjordv1.Acks_ACKS_ALL, batch("x")); pr.GetError().GetReason() != "NOT_LEADER_OR_FOLLOWER" || pr.GetLeaderId() != leader || pr.GetLeaderEpoch() != epoch {
		t.Fatalf("produce to a follower: %v", pr)
	}
	// Every replica has the data below the HW.
	for _, tb := range bs {
		p, err := tb.srv.broker.lookup(topicPartition{"r", 0})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for p.log.LogEndOffset() < 20 {
			if time.Now().After(deadline) {
				t.Fatalf("broker %d has LEO %d", tb.srv.opts.NodeID, p.log.LogEndOffset())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Kill the leader (shutdown without controlled shutdown is not
	// possible in process; a graceful stop moves leadership away).
	bs[leader-1].stop()
	var via *testBroker
	for _, tb := range bs {
		if tb.srv.opts.NodeID != leader {
			via = tb
			break
		}
	}
	for {
		l, e := leaderOf(via)
		if l != leader && e > epoch {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := 20; i < 30; i++ {
		if r := produce(via, fmt.Sprint("v", i)); r.GetBaseOffset() != int64(i) {
			t.Fatalf("offset %d for v%d after failover", r.GetBaseOffset(), i)
		}
	}
	l, _ := leaderOf(via)
	got := values(t, bs[l-1].fetchOne(fetchReq("r", 0, 0)).GetBatches(), 0)
	if len(got) != 30 {
		t.Fatalf("got %d records after failover: %v", len(got), got)
	}
	_ = context.Background
}

func TestDescribeTopicsAsksLeadersForOffsets(t *testing.T) {
	bs := startCluster(t, 3)
	resp, err := bs[0].admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "d", Partitions: 3, ReplicationFactor: 2}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create: %v %v", err, resp)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		dr, err := bs[0].admin.DescribeTopics(ctx(t), &fjordv1.DescribeTopicsRequest{Names: []string{"d"}})
		if err != nil {
			t.Fatal(err)
		}
		complete := true
		for _, pd := range dr.GetTopics()[0].GetPartitions() {
			if pd.GetError() != nil || pd.GetHighWatermark() != 0 || pd.GetSegments() != 1 {
				complete = false
			}
		}
		if complete {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("partitions led by other brokers lack offsets: %v", dr.GetTopics()[0].GetPartitions())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJoinGrowsTheQuorum: a node started with Bootstrap is a cluster of one;
// a second node started with Join (any broker's gRPC address) is added to
// the controller quorum and becomes an active broker.
func TestJoinGrowsTheQuorum(t *testing.T) {
	short := func(o *Options) {
		o.HTTPAddr = "off"
		o.SessionTimeout, o.HeartbeatInterval, o.RaftTimeout = time.Second, 100*time.Millisecond, 200*time.Millisecond
	}
	first := startBroker(t, "", short, func(o *Options) { o.NodeID, o.RaftAddr, o.Bootstrap = 1, freeAddr(t), true })
	second := startBroker(t, "", short, func(o *Options) {
		o.NodeID, o.RaftAddr, o.Join = 2, freeAddr(t), first.srv.Addr().String()
	})
	deadline := time.Now().Add(30 * time.Second)
	for !(second.srv.ctl.image().Alive(1) && second.srv.ctl.image().Alive(2)) {
		if time.Now().After(deadline) {
			t.Fatalf("the joined node's image: %s", second.srv.ctl.image())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := first.srv.ctl.ctrl.Image().ClusterID(); got == "" || got != second.srv.ctl.image().ClusterID() {
		t.Fatalf("cluster ids differ: %q vs %q", got, second.srv.ctl.image().ClusterID())
	}
}
