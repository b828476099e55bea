package testcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// Timeouts every cluster node runs with: short, so failures are detected
// within a test phase of a second or two.
var testTimeouts = []string{
	"--session-timeout", "1s",
	"--heartbeat-interval", "200ms",
	"--raft-timeout", "300ms",
	"--replica-lag-time-max", "2s",
	"--replica-fetch-wait", "200ms",
	"--shutdown-timeout", "10s",
}

// LogDirEnv names an environment variable: when set to a directory, every
// broker's full output is written there at test cleanup
// (<test>-broker<id>.log), failed or not.
const LogDirEnv = "FJORD_TEST_LOGDIR"

// LogLevelEnv names an environment variable that sets every broker's
// --log-level (debug, info, warn, error; default info).
const LogLevelEnv = "FJORD_TEST_LOG_LEVEL"

// Node is one broker of a Cluster. Its id is its index in Cluster.Nodes
// plus one.
type Node struct {
	*Broker
	ID int32
	// RaftAddr is the raft listen address.
	RaftAddr string
	// GRPCProxy and RaftProxy front the node's ports (WithProxies only):
	// the node advertises GRPCProxy and the other nodes' --peers name
	// RaftProxy, so all traffic between brokers passes a proxy.
	GRPCProxy, RaftProxy *Proxy
	// HTTPAddr is the --http listen address (health, readiness and the
	// schema registry's REST API), kept across restarts; empty unless
	// the cluster was started WithHTTP (nodes run with --http off).
	HTTPAddr string
}

// ClientAddr is the gRPC address the node advertises: its proxy's when
// proxied.
func (n *Node) ClientAddr() string {
	if n.GRPCProxy != nil {
		return n.GRPCProxy.Addr()
	}
	return n.Addr
}

// Option configures StartCluster.
type Option func(*clusterConfig)

type clusterConfig struct {
	args    []string
	proxies bool
	http    bool
}

// WithArgs adds `fjord serve` flags to every node (after the harness's, so
// they override them: --log-level debug, --replica-lag-time-max 5s, ...).
func WithArgs(args ...string) Option {
	return func(c *clusterConfig) { c.args = append(c.args, args...) }
}

// WithProxies fronts every node's gRPC and raft ports with a Proxy so tests
// can cut links (SplitNetwork, Isolate) or inject faults on a node's proxies.
// It needs Linux (/proc) to tell which broker opened a connection.
func WithProxies() Option { return func(c *clusterConfig) { c.proxies = true } }

// WithHTTP gives every node an HTTP listener on a free loopback port
// (Node.HTTPAddr), for tests of the schema registry's REST API. It is not
// proxied: network cuts do not apply to it.
func WithHTTP() Option { return func(c *clusterConfig) { c.http = true } }

// Cluster is n brokers on loopback forming one static controller quorum.
// Its methods are meant for the test goroutine, except Conn and Metadata
// which workloads call concurrently.
type Cluster struct {
	t     testing.TB
	Nodes []*Node
	cfg   clusterConfig

	// mu guards conns and cut.
	mu    sync.Mutex
	conns map[int32]*grpc.ClientConn
	// cut holds both directions of every link cut with Cut or SplitNetwork.
	cut map[[2]int32]bool
}

// StartCluster starts n brokers with temporary data directories, free
// ports and a static --peers quorum, and waits until every broker is
// active. Processes, proxies and connections end at test cleanup; if the
// test failed, the tail of every broker's log is printed.
func StartCluster(t testing.TB, n int, opts ...Option) *Cluster {
	t.Helper()
	c := &Cluster{t: t, conns: make(map[int32]*grpc.ClientConn)}
	for _, o := range opts {
		o(&c.cfg)
	}
	if c.cfg.proxies && !canIdentifyPeers() {
		t.Skip("testcluster: WithProxies needs /proc/net/tcp (Linux) to attribute connections to brokers")
	}
	root := t.TempDir()
	perNode := 2
	if c.cfg.http {
		perNode = 3
	}
	ports := FreeAddrs(t, perNode*n)
	var peers []string
	for i := range n {
		id := int32(i + 1)
		node := &Node{ID: id, RaftAddr: ports[perNode*i]}
		node.Broker = newBroker(t, filepath.Join(root, "node"+strconv.Itoa(i+1)), ports[perNode*i+1], nil)
		if c.cfg.http {
			node.HTTPAddr = ports[perNode*i+2]
		}
		raftPeer := node.RaftAddr
		if c.cfg.proxies {
			node.GRPCProxy = NewProxy(t, node.Addr, c.identify)
			node.RaftProxy = NewProxy(t, node.RaftAddr, c.identify)
			raftPeer = node.RaftProxy.Addr()
		}
		peers = append(peers, fmt.Sprintf("%d@%s", id, raftPeer))
		c.Nodes = append(c.Nodes, node)
	}
	for _, node := range c.Nodes {
		args := []string{"--node-id", strconv.Itoa(int(node.ID)), "--raft", node.RaftAddr, "--peers", strings.Join(peers, ",")}
		if node.GRPCProxy != nil {
			args = append(args, "--advertised-addr", node.GRPCProxy.Addr())
		}
		if node.HTTPAddr != "" {
			// After the Broker's own "--http off": the last one counts.
			args = append(args, "--http", node.HTTPAddr)
		}
		args = append(args, testTimeouts...)
		if lvl := os.Getenv(LogLevelEnv); lvl != "" {
			args = append(args, "--log-level", lvl)
		}
		node.args = append(args, c.cfg.args...)
	}
	t.Cleanup(func() {
		c.mu.Lock()
		for _, cc := range c.conns {
			cc.Close()
		}
		c.mu.Unlock()
		if dir := os.Getenv(LogDirEnv); dir != "" {
			for _, node := range c.Nodes {
				name := fmt.Sprintf("%s-broker%d.log", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()), node.ID)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(node.Log()), 0o644); err != nil {
					t.Logf("testcluster: keep broker log: %v", err)
				}
			}
		}
		if t.Failed() {
			for _, node := range c.Nodes {
				t.Logf("--- log of broker %d (tail) ---\n%s", node.ID, tail(node.Log(), 48<<10))
			}
		}
	})
	for _, node := range c.Nodes {
		node.start()
		t.Cleanup(node.cleanup)
	}
	c.WaitAllActive(30 * time.Second)
	return c
}

// Node returns the node with id.
func (c *Cluster) Node(id int32) *Node {
	c.t.Helper()
	if id < 1 || int(id) > len(c.Nodes) {
		c.t.Fatalf("testcluster: no node %d", id)
	}
	return c.Nodes[id-1]
}

// identify names the broker that opened a proxied connection.
func (c *Cluster) identify(conn net.Conn) int32 {
	var pids []int
	ids := map[int]int32{}
	for _, n := range c.Nodes {
		if pid := n.PID(); pid != 0 {
			pids = append(pids, pid)
			ids[pid] = n.ID
		}
	}
	if pid, ok := connPeerPID(conn, pids); ok {
		return ids[pid]
	}
	return SourceUnknown
}

// Conn returns a client connection to node id's advertised address (one
// per node, reconnecting quickly after restarts).
func (c *Cluster) Conn(id int32) *grpc.ClientConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc, ok := c.conns[id]; ok {
		return cc
	}
	cc, err := grpc.NewClient(c.Nodes[id-1].ClientAddr(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 20 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 300 * time.Millisecond},
			MinConnectTimeout: time.Second,
		}))
	if err != nil {
		panic(fmt.Sprintf("testcluster: grpc.NewClient: %v", err)) // only fails on a malformed target
	}
	c.conns[id] = cc
	return cc
}

// live lists the ids of running, unpaused nodes, starting after the
// rotating index from so callers spread their load.
func (c *Cluster) live(from int) []int32 {
	var out []int32
	for i := range c.Nodes {
		n := c.Nodes[(from+i)%len(c.Nodes)]
		n.mu.Lock()
		ok := n.cmd != nil && !isClosed(n.exited) && !n.paused
		n.mu.Unlock()
		if ok {
			out = append(out, n.ID)
		}
	}
	return out
}

// GetMetadata asks node id for the metadata of topics (all when none).
func (c *Cluster) GetMetadata(ctx context.Context, id int32, topics ...string) (*fjordv1.GetMetadataResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return fjordv1.NewMetadataServiceClient(c.Conn(id)).GetMetadata(ctx, &fjordv1.GetMetadataRequest{Topics: topics})
}

// Metadata asks the running nodes in turn, from the rotating index from,
// and returns the first answer and who gave it.
func (c *Cluster) Metadata(ctx context.Context, from int, topics ...string) (*fjordv1.GetMetadataResponse, int32, error) {
	var lastErr error = fmt.Errorf("testcluster: no node is running")
	for _, id := range c.live(from) {
		md, err := c.GetMetadata(ctx, id, topics...)
		if err == nil {
			return md, id, nil
		}
		lastErr = err
	}
	return nil, 0, lastErr
}

// WaitAllActive waits until every running, unpaused node lists every
// other such node as an active broker in its metadata.
func (c *Cluster) WaitAllActive(timeout time.Duration) {
	c.t.Helper()
	c.WaitActive(timeout, c.live(0)...)
}

// WaitActive waits until every running, unpaused node lists exactly the
// brokers ids as active (registered, not fenced).
func (c *Cluster) WaitActive(timeout time.Duration, ids ...int32) {
	c.t.Helper()
	want := slices.Clone(ids)
	slices.Sort(want)
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok := true
		for _, id := range c.live(0) {
			md, err := c.GetMetadata(context.Background(), id)
			if err != nil {
				ok, last = false, fmt.Sprintf("broker %d: %v", id, err)
				break
			}
			var got []int32
			for _, b := range md.GetBrokers() {
				got = append(got, b.GetId())
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				ok, last = false, fmt.Sprintf("broker %d lists active brokers %v, want %v", id, got, want)
				break
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("testcluster: brokers %v not all active after %s: %s", want, timeout, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PartitionState is one partition as a broker's metadata describes it.
type PartitionState struct {
	Leader, LeaderEpoch int32
	ISR, Replicas       []int32
	// From is the node that answered.
	From int32
}

// State returns topic's partition p as the first answering node sees it.
func (c *Cluster) State(topic string, p int32) (PartitionState, error) {
	md, from, err := c.Metadata(context.Background(), 0, topic)
	if err != nil {
		return PartitionState{}, err
	}
	tm := md.GetTopics()[0]
	if e := tm.GetError(); e != nil {
		return PartitionState{}, fmt.Errorf("testcluster: metadata of %s from broker %d: %s", topic, from, e.GetMessage())
	}
	if int(p) >= len(tm.GetPartitions()) {
		return PartitionState{}, fmt.Errorf("testcluster: %s has %d partitions", topic, len(tm.GetPartitions()))
	}
	pm := tm.GetPartitions()[p]
	return PartitionState{Leader: pm.GetLeaderId(), LeaderEpoch: pm.GetLeaderEpoch(), ISR: pm.GetIsr(), Replicas: pm.GetReplicas(), From: from}, nil
}

// WaitPartition waits until cond holds for topic's partition p in the
// metadata of some running node, and returns that state; it fails the test
// after timeout.
func (c *Cluster) WaitPartition(topic string, p int32, timeout time.Duration, what string, cond func(PartitionState) bool) PartitionState {
	c.t.Helper()
	st, err := c.PollPartition(topic, p, timeout, cond)
	if err != nil {
		c.t.Fatalf("testcluster: %s-%d: %s not reached: %v", topic, p, what, err)
	}
	return st
}

// PollPartition is WaitPartition returning an error instead of failing.
func (c *Cluster) PollPartition(topic string, p int32, timeout time.Duration, cond func(PartitionState) bool) (PartitionState, error) {
	deadline := time.Now().Add(timeout)
	var last PartitionState
	var lastErr error
	for {
		for _, id := range c.live(0) {
			md, err := c.GetMetadata(context.Background(), id, topic)
			if err != nil {
				lastErr = err
				continue
			}
			tm := md.GetTopics()[0]
			if tm.GetError() != nil || int(p) >= len(tm.GetPartitions()) {
				lastErr = fmt.Errorf("broker %d: topic %s: %v", id, topic, tm.GetError())
				continue
			}
			pm := tm.GetPartitions()[p]
			st := PartitionState{Leader: pm.GetLeaderId(), LeaderEpoch: pm.GetLeaderEpoch(), ISR: pm.GetIsr(), Replicas: pm.GetReplicas(), From: id}
			if cond(st) {
				return st, nil
			}
			last = st
		}
		if time.Now().After(deadline) {
			return last, fmt.Errorf("not within %s; last state %+v (last error %v)", timeout, last, lastErr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Leader waits until a running node reports a leader of topic's partition
// p that is itself running and unpaused, and returns it.
func (c *Cluster) Leader(topic string, p int32, timeout time.Duration) PartitionState {
	c.t.Helper()
	return c.WaitPartition(topic, p, timeout, "a live leader", func(st PartitionState) bool {
		return st.Leader > 0 && slices.Contains(c.live(0), st.Leader)
	})
}

// CreateTopic creates a topic through the running nodes, retrying
// retriable errors for up to 20s, and waits until every partition has a
// leader.
func (c *Cluster) CreateTopic(name string, partitions, rf int32, configs map[string]string) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		err := c.tryCreateTopic(name, partitions, rf, configs, i)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("testcluster: create topic %s: %v", name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.WaitTopic(name, partitions, 20*time.Second)
}

// WaitTopic waits until every running, unpaused node's metadata has topic
// with its partitions, each with a leader, so no broker answers requests
// for it from an image that predates it.
func (c *Cluster) WaitTopic(name string, partitions int32, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for _, id := range c.live(0) {
		for {
			md, err := c.GetMetadata(context.Background(), id, name)
			if err == nil && md.GetTopics()[0].GetError() == nil && len(md.GetTopics()[0].GetPartitions()) == int(partitions) &&
				!slices.ContainsFunc(md.GetTopics()[0].GetPartitions(), func(p *fjordv1.PartitionMetadata) bool { return p.GetLeaderId() <= 0 }) {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("testcluster: broker %d does not show topic %s with %d led partitions within %s: %v %v", id, name, partitions, timeout, md, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// tryCreateTopic makes one attempt; an existing topic with the same
// shape counts as created (an earlier attempt may have succeeded).
func (c *Cluster) tryCreateTopic(name string, partitions, rf int32, configs map[string]string, from int) error {
	ids := c.live(from)
	if len(ids) == 0 {
		return fmt.Errorf("no node is running")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := fjordv1.NewAdminServiceClient(c.Conn(ids[0])).CreateTopics(ctx, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{
		Name: name, Partitions: partitions, ReplicationFactor: rf, Configs: configs}}})
	if err != nil {
		return err
	}
	if e := resp.GetResults()[0].GetError(); e != nil {
		if e.GetReason() == "TOPIC_ALREADY_EXISTS" {
			return nil
		}
		return fmt.Errorf("%s: %s", e.GetReason(), e.GetMessage())
	}
	return nil
}

// SplitNetwork cuts the network between groups of nodes: nodes of
// different groups blackhole each other's traffic (raft and gRPC, both
// ways); nodes in no group form one more group. Cuts add to those already
// made. The test's own clients still reach every node. Needs WithProxies.
func (c *Cluster) SplitNetwork(groups ...[]int32) {
	c.t.Helper()
	group := map[int32]int{}
	for g, ids := range groups {
		for _, id := range ids {
			group[id] = g + 1
		}
	}
	var pairs [][2]int32
	for _, a := range c.Nodes {
		for _, b := range c.Nodes {
			if a.ID < b.ID && group[a.ID] != group[b.ID] {
				pairs = append(pairs, [2]int32{a.ID, b.ID})
			}
		}
	}
	c.cutLinks(pairs...)
}

// Isolate cuts ids off from the other nodes.
func (c *Cluster) Isolate(ids ...int32) {
	c.t.Helper()
	c.SplitNetwork(ids)
}

// Cut blackholes all traffic between nodes a and b (raft and gRPC, both
// ways), leaving their links to other nodes alone. Needs WithProxies.
func (c *Cluster) Cut(a, b int32) {
	c.t.Helper()
	c.cutLinks([2]int32{a, b})
}

func (c *Cluster) cutLinks(pairs ...[2]int32) {
	c.t.Helper()
	if !c.cfg.proxies {
		c.t.Fatal("testcluster: cutting links needs WithProxies")
	}
	c.mu.Lock()
	if c.cut == nil {
		c.cut = map[[2]int32]bool{}
	}
	for _, p := range pairs {
		c.cut[p] = true
		c.cut[[2]int32{p[1], p[0]}] = true
	}
	c.mu.Unlock()
	c.applyCuts()
}

// applyCuts makes each node's proxies blackhole the nodes cut from it.
func (c *Cluster) applyCuts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.Nodes {
		var from []int32
		for _, m := range c.Nodes {
			if c.cut[[2]int32{n.ID, m.ID}] {
				from = append(from, m.ID)
			}
		}
		n.GRPCProxy.BlockFrom(from...)
		n.RaftProxy.BlockFrom(from...)
	}
}

// Heal ends every cut and blackhole.
func (c *Cluster) Heal() {
	c.mu.Lock()
	c.cut = nil
	c.mu.Unlock()
	for _, n := range c.Nodes {
		if n.GRPCProxy != nil {
			n.GRPCProxy.Unblock()
			n.RaftProxy.Unblock()
		}
	}
}

// Controller returns the controller leader as a running node reports it,
// waiting up to timeout for one to be elected.
func (c *Cluster) Controller(timeout time.Duration) int32 {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if md, _, err := c.Metadata(context.Background(), 0); err == nil && md.GetControllerId() > 0 {
			return md.GetControllerId()
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("testcluster: no controller leader within %s", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Place moves topic's partition p onto replicas (in that order, the first
// preferred) with a reassignment and a preferred leader election, and
// waits until the replicas are exactly those, all in the ISR, with
// replicas[0] leading.
func (c *Cluster) Place(topic string, p int32, replicas ...int32) PartitionState {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := c.State(topic, p)
		if err == nil && slices.Equal(st.Replicas, replicas) && len(st.ISR) == len(replicas) && st.Leader == replicas[0] {
			return st
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("testcluster: %s-%d not placed on %v within 20s: %+v (%v)", topic, p, replicas, st, err)
		}
		if ids := c.live(0); err == nil && len(ids) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			admin := fjordv1.NewAdminServiceClient(c.Conn(ids[0]))
			if !slices.Equal(st.Replicas, replicas) {
				_, _ = admin.AlterPartitionReassignments(ctx, &fjordv1.AlterPartitionReassignmentsRequest{Topics: []*fjordv1.AlterPartitionReassignmentsTopic{{
					Topic: topic, Partitions: []*fjordv1.AlterPartitionReassignmentsPartition{{Partition: p, Replicas: replicas}}}}})
			} else if len(st.ISR) == len(replicas) && st.Leader != replicas[0] {
				_, _ = admin.ElectLeaders(ctx, &fjordv1.ElectLeadersRequest{ElectionType: fjordv1.ElectionType_ELECTION_TYPE_PREFERRED,
					Topics: []*fjordv1.ElectLeadersTopic{{Topic: topic, Partitions: []int32{p}}}})
			}
			cancel()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// StopAll stops every running node gracefully: all but the controller
// leader at once, then the controller leader. Their controlled shutdowns
// all reach the controller while the quorum is intact, and the last node
// sees nobody alive to hand leaderships to and stops at once. (Stopping
// nodes one by one loses the quorum half way, after which each controlled
// shutdown waits out the broker's ControlledShutdownTimeout, 10s.)
func (c *Cluster) StopAll() {
	c.t.Helper()
	var last int32
	if md, _, err := c.Metadata(context.Background(), 0); err == nil {
		last = md.GetControllerId()
	}
	stop := func(nodes []*Node) {
		exits := make([]chan struct{}, len(nodes))
		for i, n := range nodes {
			exits[i] = n.terminate()
		}
		for i, n := range nodes {
			if err := n.awaitStop(exits[i]); err != nil {
				c.t.Errorf("broker %d: %v", n.ID, err)
			}
		}
	}
	var first, final []*Node
	for _, n := range c.Nodes {
		switch {
		case !n.Running():
		case n.ID == last:
			final = append(final, n)
		default:
			first = append(first, n)
		}
	}
	stop(first)
	stop(final)
}
