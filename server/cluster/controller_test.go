package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"
)

// testNode is one controller of an in-process cluster on loopback TCP.
type testNode struct {
	id   int32
	dir  string
	addr string
	c    *Controller
}

type testCluster struct {
	t     *testing.T
	clock *manualClock
	nodes []*testNode
	peers []Peer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func newTestCluster(t *testing.T, n int) *testCluster {
	tc := &testCluster{t: t, clock: newManualClock()}
	for i := 1; i <= n; i++ {
		node := &testNode{id: int32(i), dir: t.TempDir(), addr: freeAddr(t)}
		tc.nodes = append(tc.nodes, node)
		tc.peers = append(tc.peers, Peer{ID: node.id, Addr: node.addr})
	}
	for _, node := range tc.nodes {
		tc.start(node)
	}
	t.Cleanup(func() {
		for _, node := range tc.nodes {
			if node.c != nil {
				_ = node.c.Close()
			}
		}
	})
	return tc
}

func (tc *testCluster) start(node *testNode) {
	tc.t.Helper()
	c, err := Open(Options{
		NodeID: node.id, Dir: node.dir, RaftAddr: node.addr,
		Peers: tc.peers, Bootstrap: true,
		Raft: RaftOptions{
			HeartbeatTimeout: 200 * time.Millisecond, ElectionTimeout: 200 * time.Millisecond,
			LeaderLeaseTimeout: 100 * time.Millisecond, CommitTimeout: 5 * time.Millisecond,
			SnapshotThreshold: 16, SnapshotInterval: 100 * time.Millisecond, TrailingLogs: 4,
		},
		SessionTimeout: 10 * time.Second, TickInterval: time.Second,
		Clock: tc.clock,
	})
	if err != nil {
		tc.t.Fatalf("open node %d: %v", node.id, err)
	}
	node.c = c
}

func (tc *testCluster) stop(node *testNode) {
	tc.t.Helper()
	if err := node.c.Close(); err != nil {
		tc.t.Fatalf("close node %d: %v", node.id, err)
	}
	node.c = nil
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// leader waits until the running nodes agree on a leader and returns it.
func (tc *testCluster) leader() *testNode {
	tc.t.Helper()
	var found *testNode
	eventually(tc.t, "a controller leader", func() bool {
		found = nil
		for _, n := range tc.nodes {
			if n.c != nil && n.c.IsLeader() {
				found = n
			}
		}
		if found == nil {
			return false
		}
		for _, n := range tc.nodes {
			if n.c == nil {
				continue
			}
			if id, ok := n.c.LeaderID(); !ok || id != found.id {
				return false
			}
		}
		return true
	})
	return found
}

func (tc *testCluster) follower() *testNode {
	l := tc.leader()
	for _, n := range tc.nodes {
		if n.c != nil && n != l {
			return n
		}
	}
	tc.t.Fatal("no follower running")
	return nil
}

// onLeader runs op against the node the cluster names as leader,
// following NotLeaderError the way a broker would.
func onLeader[T any](tc *testCluster, op func(*Controller) (T, error)) T {
	tc.t.Helper()
	var (
		out T
		err error
	)
	eventually(tc.t, "a proposal to succeed", func() bool {
		node := tc.leader()
		out, err = op(node.c)
		var nl *NotLeaderError
		if errors.As(err, &nl) || errors.Is(err, ErrIndeterminate) {
			return false
		}
		return true
	})
	if err != nil {
		tc.t.Fatal(err)
	}
	return out
}

// waitAll waits until every running node's image satisfies cond.
func (tc *testCluster) waitAll(what string, cond func(*Image) bool) {
	tc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range tc.nodes {
		if n.c == nil {
			continue
		}
		if _, err := n.c.WaitFor(ctx, cond); err != nil {
			tc.t.Fatalf("node %d waiting for %s: %v\n%s", n.id, what, err, n.c.Image())
		}
	}
}

func hasTopic(name string) func(*Image) bool {
	return func(img *Image) bool { _, ok := img.Topic(name); return ok }
}

func brokerState(id int32, s BrokerState) func(*Image) bool {
	return func(img *Image) bool { b, ok := img.Broker(id); return ok && b.State == s }
}

func TestControllerCluster(t *testing.T) {
	ctx := context.Background()
	tc := newTestCluster(t, 3)
	leader := tc.leader()

	// Followers refuse proposals and name the leader.
	f := tc.follower()
	_, err := f.c.CreateTopic(ctx, TopicSpec{Name: "x", Partitions: 1, ReplicationFactor: 1})
	var nl *NotLeaderError
	if !errors.As(err, &nl) || !errors.Is(err, ErrNotLeader) || nl.LeaderID != leader.id {
		t.Fatalf("create on follower: %v, want NotLeaderError naming %d", err, leader.id)
	}

	// Brokers 1..3 register (combined mode: broker id = node id) and
	// become active by heartbeating.
	epochs := map[int32]int64{}
	for _, n := range tc.nodes {
		b := onLeader(tc, func(c *Controller) (Broker, error) {
			return c.RegisterBroker(ctx, BrokerRegistration{ID: n.id, IncarnationID: "inc-1", Address: n.addr, Rack: fmt.Sprint("r", n.id)})
		})
		if b.State != BrokerFenced {
			t.Fatalf("new broker state %s", b.State)
		}
		epochs[n.id] = b.Epoch
		resp := onLeader(tc, func(c *Controller) (HeartbeatResponse, error) {
			return c.Heartbeat(ctx, HeartbeatRequest{BrokerID: n.id, BrokerEpoch: b.Epoch})
		})
		if resp.State != BrokerActive {
			t.Fatalf("after heartbeat broker %d is %s", n.id, resp.State)
		}
	}
	// A second live incarnation of an id is refused.
	_, err = tc.leader().c.RegisterBroker(ctx, BrokerRegistration{ID: 1, IncarnationID: "inc-2", Address: "x"})
	if !errors.Is(err, ErrDuplicateBroker) {
		t.Fatalf("duplicate registration: %v", err)
	}

	topic := onLeader(tc, func(c *Controller) (*TopicMeta, error) {
		return c.CreateTopic(ctx, TopicSpec{Name: "orders", Partitions: 3, ReplicationFactor: 3})
	})
	if len(topic.Partitions) != 3 || topic.ReplicationFactor() != 3 {
		t.Fatalf("created %+v", topic)
	}
	tc.waitAll("topic orders", hasTopic("orders"))

	// Stale ISR proposals are rejected through raft too.
	p0 := topic.Partitions[0]
	shrink := ChangePartition{Topic: "orders", Partition: 0, PartitionEpoch: p0.PartitionEpoch,
		Broker: &BrokerRef{ID: p0.Leader, Epoch: epochs[p0.Leader]}, LeaderEpoch: p0.LeaderEpoch, ISR: []int32{p0.Leader}}
	got := onLeader(tc, func(c *Controller) (PartitionMeta, error) { return c.ChangePartition(ctx, shrink) })
	if got.PartitionEpoch != p0.PartitionEpoch+1 || len(got.ISR) != 1 {
		t.Fatalf("isr change applied as %+v", got)
	}
	_, err = tc.leader().c.ChangePartition(ctx, shrink)
	var se *Error
	if !errors.Is(err, ErrStalePartitionEpoch) || !errors.As(err, &se) || se.Topic != "orders" || se.Partition != 0 {
		t.Fatalf("stale change: %v", err)
	}

	// Fencing: brokers 1 and 2 keep heartbeating, 3 goes silent past the
	// session timeout and is fenced by the leader's timer.
	before := tc.leader().c.Image()
	for _, n := range tc.nodes {
		if got := n.c.LeaderChanges(); got != 0 {
			t.Fatalf("node %d counted %d leader changes before any election (creation and ISR changes are none)", n.id, got)
		}
	}
	tc.clock.Advance(6 * time.Second)
	for _, id := range []int32{1, 2} {
		onLeader(tc, func(c *Controller) (HeartbeatResponse, error) {
			return c.Heartbeat(ctx, HeartbeatRequest{BrokerID: id, BrokerEpoch: epochs[id]})
		})
	}
	tc.clock.Advance(6 * time.Second)
	tc.waitAll("broker 3 fenced", brokerState(3, BrokerFenced))
	img := tc.leader().c.Image()
	for _, id := range []int32{1, 2} {
		if !img.Alive(id) {
			t.Fatalf("broker %d fenced although heartbeating:\n%s", id, img)
		}
	}
	for _, p := range mustTopic(t, img, "orders").Partitions {
		if p.Leader == 3 {
			t.Fatalf("fenced broker 3 still leads:\n%s", img)
		}
	}

	// The active controller counted the partitions it moved off broker 3
	// (not one left without a leader).
	moved := 0
	for i, p := range mustTopic(t, img, "orders").Partitions {
		if mustTopic(t, before, "orders").Partitions[i].Leader == 3 && p.Leader != NoLeader {
			moved++
		}
	}
	if moved == 0 {
		t.Fatalf("broker 3 led no partition that could move:\n%s", before)
	}
	for _, n := range tc.nodes {
		want := int64(0)
		if n == tc.leader() {
			want = int64(moved)
		}
		if got := n.c.LeaderChanges(); got != want {
			t.Errorf("node %d counted %d leader changes after fencing, want %d", n.id, got, want)
		}
	}

	// Kill the controller leader: a new one is elected and has the state.
	old := tc.leader()
	tc.stop(old)
	nl2 := tc.leader()
	if nl2 == old {
		t.Fatal("stopped node still leader")
	}
	if _, ok := nl2.c.Image().Topic("orders"); !ok {
		t.Fatalf("new leader lost topic orders:\n%s", nl2.c.Image())
	}
	onLeader(tc, func(c *Controller) (*TopicMeta, error) {
		return c.CreateTopic(ctx, TopicSpec{Name: "after-failover", Partitions: 2, ReplicationFactor: 2})
	})

	// Enough records to take snapshots and truncate the log while the old
	// leader is down; it then has to catch up from a snapshot.
	for i := range 40 {
		onLeader(tc, func(c *Controller) (*TopicMeta, error) {
			return c.AlterConfigs(ctx, "orders", map[string]string{"retention.ms": fmt.Sprint(1000 + i)}, nil)
		})
	}
	for _, n := range tc.nodes {
		if n.c == nil {
			continue
		}
		eventually(t, "a snapshot to truncate the raft log", func() bool {
			_ = n.c.Snapshot()
			first, err := n.c.logs.FirstIndex()
			return err == nil && first > 1
		})
	}

	// Restart the old leader from its data directory: it catches up.
	tc.start(old)
	want := tc.leader().c.Image()
	tc.waitAll("restarted node caught up", func(img *Image) bool { return img.Offset() >= want.Offset() })
	wantSnap, _ := want.Snapshot()
	for _, n := range tc.nodes {
		gotSnap, _ := n.c.Image().Snapshot()
		if string(gotSnap) != string(wantSnap) {
			t.Fatalf("node %d image differs:\n%s\nwant:\n%s", n.id, n.c.Image(), want)
		}
	}

	// Restart every node: images come back from snapshot plus log.
	for _, n := range tc.nodes {
		tc.stop(n)
	}
	for _, n := range tc.nodes {
		tc.start(n)
	}
	tc.leader()
	tc.waitAll("images after full restart", func(img *Image) bool { return img.Offset() >= want.Offset() })
	for _, n := range tc.nodes {
		gotSnap, _ := n.c.Image().Snapshot()
		if string(gotSnap) != string(wantSnap) {
			t.Fatalf("node %d after restart:\n%s\nwant:\n%s", n.id, n.c.Image(), want)
		}
	}
}

func mustTopic(t *testing.T, img *Image, name string) *TopicMeta {
	t.Helper()
	tm, ok := img.Topic(name)
	if !ok {
		t.Fatalf("no topic %s in\n%s", name, img)
	}
	return tm
}

// TestControllerSingleNode covers the zero-config quorum of one, the watch
// channel and Close ending proposals.
func TestControllerSingleNode(t *testing.T) {
	ctx := context.Background()
	clock := newManualClock()
	c, err := Open(Options{NodeID: 7, Dir: t.TempDir(), Clock: clock, SessionTimeout: time.Second, DisableAutoLeaderRebalance: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, "single node leads", c.IsLeader)
	img, changed := c.Watch()
	b, err := c.RegisterBroker(ctx, BrokerRegistration{ID: 7, IncarnationID: "i", Address: "localhost:9092"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("watch channel not closed by a new image")
	}
	if next, _ := c.Watch(); next == img || next.Offset() <= img.Offset() {
		t.Fatalf("watch returned no newer image")
	}
	if _, err := c.CreateTopic(ctx, TopicSpec{Name: "t", Partitions: 1, ReplicationFactor: 1}); !errors.Is(err, ErrInvalidReplicationFactor) {
		t.Fatalf("create with only a fenced broker: %v", err)
	}
	if _, err := c.Heartbeat(ctx, HeartbeatRequest{BrokerID: 7, BrokerEpoch: b.Epoch + 1}); !errors.Is(err, ErrStaleBrokerEpoch) {
		t.Fatalf("stale heartbeat: %v", err)
	}
	if _, err := c.Heartbeat(ctx, HeartbeatRequest{BrokerID: 7, BrokerEpoch: b.Epoch}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTopic(ctx, TopicSpec{Name: "t", Partitions: 2, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	// Controlled shutdown: leadership leaves; the broker may stop.
	resp, err := c.Heartbeat(ctx, HeartbeatRequest{BrokerID: 7, BrokerEpoch: b.Epoch, WantShutdown: true})
	if err != nil || resp.State != BrokerShuttingDown || !resp.ShouldShutdown {
		t.Fatalf("controlled shutdown: %+v %v", resp, err)
	}
	// Silence past the session timeout fences the shutting-down broker.
	clock.Advance(2 * time.Second)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := c.WaitFor(wctx, brokerState(7, BrokerFenced)); err != nil {
		t.Fatalf("not fenced: %v\n%s", err, c.Image())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTopic(ctx, "t", ""); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}
