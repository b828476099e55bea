// Package fjordfake is an in-memory Fjord cluster for tests of the Go SDK
// (and of programs using it). Each broker serves the public fjord.v1
// MetadataService, ProduceService (Produce and ProduceStream), FetchService
// (Fetch and ListOffsets) and AdminService over a real grpc.Server on
// 127.0.0.1, with the broker's wire semantics: produce requests are decoded
// with the wire twins so batches stay raw bytes, each batch's CRC-32C and
// record count are checked, the header is rewritten with the assigned base
// offset and leader epoch while the payload bytes are kept as sent, and
// fetches return the stored bytes.
//
// Each broker also serves GroupService: a simple consumer group coordinator
// (broker 0 for every group; see group.go) with cooperative reassignment,
// member epochs and committed offsets, but no session timeouts (FenceMember
// stands in for one), no static members, no lag and no ResetOffsets. Tests
// steer it with FenceMember and BreakMembership.
//
// Idempotent producers are modelled as the broker does (InitProducerId,
// duplicate detection over each producer's last five batches, sequence and
// epoch checks), so that the SDK's sequence bookkeeping can be tested.
//
// There is no replication: the leader's log end offset is the high
// watermark, and acks=ALL behaves like acks=LEADER. Tests steer it with
// SetLeader, InjectProduceError, InjectProduceErrorAfterAppend,
// InjectRPCError, BreakStreams, StopBroker, and for idempotent producers
// ForgetProducers, FenceProducers and SetProducerState.
//
// All methods are safe for concurrent use.
package fjordfake

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc"
)

// Cluster is a set of fake brokers sharing one in-memory state.
type Cluster struct {
	brokers []*broker

	mu        sync.Mutex // guards every field below
	topics    map[string]*topic
	prodErrs  map[tpKey][]string // injected per-partition produce errors
	postErrs  map[tpKey][]string // injected per-partition errors after the append
	rpcErrs   map[string][]error // injected RPC errors by full method
	requests  map[string]int     // RPCs served by full method (stream messages count for ProduceStream)
	appended  chan struct{}      // closed and replaced on every append
	streams   map[int]context.CancelFunc
	nextID    int
	nextTopic int
	nextPID   int64 // last producer id handed out

	groups groups // consumer groups (group.go), under its own lock
}

type broker struct {
	id   int32
	addr string
	srv  *grpc.Server
}

type tpKey struct {
	topic     string
	partition int32
}

type topic struct {
	name    string
	id      string
	parts   []*partition
	configs map[string]string
}

type partition struct {
	leader   int32
	epoch    int32
	logStart int64
	leo      int64
	batches  []storedBatch
	// producers is the idempotent producer state (see idempotence.go).
	producers map[int64]*producerState
}

type storedBatch struct {
	base, last int64
	raw        []byte
}

// New starts n brokers (ids 0..n-1), each on 127.0.0.1 with a free port.
func New(n int) (*Cluster, error) {
	if n < 1 {
		n = 1
	}
	c := &Cluster{
		topics:   map[string]*topic{},
		prodErrs: map[tpKey][]string{},
		postErrs: map[tpKey][]string{},
		rpcErrs:  map[string][]error{},
		requests: map[string]int{},
		appended: make(chan struct{}),
		streams:  map[int]context.CancelFunc{},
		groups:   groups{groups: map[string]*fakeGroup{}},
	}
	for i := range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			c.Close()
			return nil, err
		}
		b := &broker{id: int32(i), addr: lis.Addr().String()}
		b.srv = grpc.NewServer(
			grpc.ChainUnaryInterceptor(c.unaryInterceptor),
			grpc.ChainStreamInterceptor(c.streamInterceptor),
		)
		bs := &brokerServer{c: c, id: b.id}
		fjordv1.RegisterMetadataServiceServer(b.srv, bs)
		fjordv1.RegisterAdminServiceServer(b.srv, bs)
		b.srv.RegisterService(&produceServiceDesc, bs)
		b.srv.RegisterService(&fetchServiceDesc, bs)
		fjordv1.RegisterGroupServiceServer(b.srv, &groupServer{c: c, id: b.id})
		c.brokers = append(c.brokers, b)
		go b.srv.Serve(lis) //nolint:errcheck // returns on Stop
	}
	return c, nil
}

// Addrs returns the brokers' addresses, in broker id order.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.brokers))
	for i, b := range c.brokers {
		out[i] = b.addr
	}
	return out
}

// Close stops every broker, closing their connections.
func (c *Cluster) Close() {
	for _, b := range c.brokers {
		b.srv.Stop()
	}
}

// StopBroker stops broker id as a crash would: its connections close and
// its port refuses new ones. The cluster state is untouched: the broker
// stays in metadata and keeps leading its partitions until SetLeader moves
// them.
func (c *Cluster) StopBroker(id int32) {
	if id >= 0 && int(id) < len(c.brokers) {
		c.brokers[id].srv.Stop()
	}
}

// CreateTopic creates a topic with n partitions, led round-robin by the
// brokers (partition i by broker i mod brokers).
func (c *Cluster) CreateTopic(name string, n int32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.createTopicLocked(name, n, nil); e != nil {
		return fmt.Errorf("fjordfake: %s: %s", e.GetReason(), e.GetMessage())
	}
	return nil
}

// SetLeader moves a partition's leadership to broker id and bumps its
// leader epoch (also when id already leads it). Requests for the partition
// to other brokers then fail with NOT_LEADER_OR_FOLLOWER naming the new
// leader, and fetches that carry an older current_leader_epoch with
// FENCED_LEADER_EPOCH.
func (c *Cluster) SetLeader(topicName string, p, id int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.topics[topicName]; ok && int(p) < len(t.parts) {
		t.parts[p].leader = id
		t.parts[p].epoch++
	}
}

// InjectProduceError makes the next n produce attempts for a partition fail
// with reason (a published reason; retriable ones are flagged so), before
// anything is appended.
func (c *Cluster) InjectProduceError(topicName string, p int32, reason string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := tpKey{topicName, p}
	for range n {
		c.prodErrs[k] = append(c.prodErrs[k], reason)
	}
}

// InjectRPCError makes the next call of method (a full method name such as
// "/fjord.v1.FetchService/Fetch") fail with err, on any broker. For
// ProduceStream the stream fails when it is opened.
func (c *Cluster) InjectRPCError(method string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rpcErrs[method] = append(c.rpcErrs[method], err)
}

// BreakStreams ends every open ProduceStream with UNAVAILABLE, as a dropped
// connection would. Requests already appended stay appended.
func (c *Cluster) BreakStreams() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, cancel := range c.streams {
		cancel()
		delete(c.streams, id)
	}
}

// Requests returns how many calls of method (full name) were served; for
// ProduceStream, how many stream messages.
func (c *Cluster) Requests(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[method]
}

// Batches returns the stored batch bytes of a partition, in offset order.
func (c *Cluster) Batches(topicName string, p int32) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.topics[topicName]
	if !ok || int(p) >= len(t.parts) {
		return nil
	}
	var out [][]byte
	for _, b := range t.parts[p].batches {
		out = append(out, b.raw)
	}
	return out
}

// EndOffset returns a partition's log end offset (= high watermark).
func (c *Cluster) EndOffset(topicName string, p int32) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.topics[topicName]; ok && int(p) < len(t.parts) {
		return t.parts[p].leo
	}
	return -1
}

func (c *Cluster) takeRPCErr(method string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests[method]++
	errs := c.rpcErrs[method]
	if len(errs) == 0 {
		return nil
	}
	c.rpcErrs[method] = errs[1:]
	return errs[0]
}

func (c *Cluster) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := c.takeRPCErr(info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (c *Cluster) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	c.mu.Lock()
	errs := c.rpcErrs[info.FullMethod]
	var err error
	if len(errs) > 0 {
		err, c.rpcErrs[info.FullMethod] = errs[0], errs[1:]
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return handler(srv, ss)
}

func (c *Cluster) createTopicLocked(name string, n int32, configs map[string]string) *fjordv1.Error {
	if name == "" || name == "." || name == ".." || len(name) > 249 {
		return perr("INVALID_TOPIC", "invalid topic name %q", name)
	}
	if _, ok := c.topics[name]; ok {
		return perr("TOPIC_ALREADY_EXISTS", "topic %q already exists", name)
	}
	if n == 0 {
		n = 1
	}
	if n < 0 {
		return perr("INVALID_PARTITIONS", "partitions must be positive")
	}
	c.nextTopic++
	t := &topic{name: name, id: fmt.Sprintf("topic-%d", c.nextTopic), configs: map[string]string{}}
	for k, v := range configs {
		t.configs[k] = v
	}
	for i := range n {
		t.parts = append(t.parts, &partition{leader: int32(int(i) % len(c.brokers)), epoch: 1})
	}
	c.topics[name] = t
	return nil
}

// retriable says which published reasons are retriable.
var retriable = map[string]bool{
	"NOT_LEADER_OR_FOLLOWER":           true,
	"LEADER_NOT_AVAILABLE":             true,
	"REQUEST_TIMED_OUT":                true,
	"NOT_ENOUGH_REPLICAS":              true,
	"NOT_ENOUGH_REPLICAS_AFTER_APPEND": true,
	"BROKER_SHUTTING_DOWN":             true,
	"FENCED_LEADER_EPOCH":              true,
	"UNKNOWN_LEADER_EPOCH":             true,
}

var indefinite = map[string]bool{
	"REQUEST_TIMED_OUT":                true,
	"NOT_ENOUGH_REPLICAS_AFTER_APPEND": true,
}

// perr builds a per-item error.
func perr(reason, format string, args ...any) *fjordv1.Error {
	code := int32(9) // FAILED_PRECONDITION
	switch reason {
	case "UNKNOWN_TOPIC_OR_PARTITION":
		code = 5 // NOT_FOUND
	case "TOPIC_ALREADY_EXISTS":
		code = 6 // ALREADY_EXISTS
	case "INVALID_TOPIC", "INVALID_PARTITIONS", "INVALID_CONFIG", "INVALID_REQUEST", "INVALID_RECORD", "CORRUPT_MESSAGE", "INVALID_REPLICATION_FACTOR":
		code = 3 // INVALID_ARGUMENT
	case "OFFSET_OUT_OF_RANGE":
		code = 11 // OUT_OF_RANGE
	case "REQUEST_TIMED_OUT":
		code = 4
	}
	if retriable[reason] {
		code = 14 // UNAVAILABLE
	}
	e := &fjordv1.Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...), Retriable: retriable[reason], Indefinite: indefinite[reason]}
	if retriable[reason] {
		e.RetryAfterMs = 1
	}
	return e
}

// partitionLocked finds a partition and checks that broker leads it.
func (c *Cluster) partitionLocked(broker int32, topicName string, p int32) (*topic, *partition, *fjordv1.Error) {
	t, ok := c.topics[topicName]
	if !ok || p < 0 || int(p) >= len(t.parts) {
		return nil, nil, perr("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic or partition %s/%d", topicName, p)
	}
	pt := t.parts[p]
	if pt.leader != broker {
		e := perr("NOT_LEADER_OR_FOLLOWER", "broker %d does not lead %s/%d", broker, topicName, p)
		e.Metadata = map[string]string{"leader_id": fmt.Sprint(pt.leader), "leader_epoch": fmt.Sprint(pt.epoch), "topic": topicName, "partition": fmt.Sprint(p)}
		if pt.leader >= 0 && int(pt.leader) < len(c.brokers) {
			e.Metadata["leader_address"] = c.brokers[pt.leader].addr
		}
		return t, pt, e
	}
	return t, pt, nil
}

// waitAppend returns a channel closed at the next append.
func (c *Cluster) waitAppend() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.appended
}

func nowMillis() int64 { return time.Now().UnixMilli() }

// CorruptBatch flips the last byte of a stored batch (inside its payload),
// so the stored CRC no longer matches: consumers must detect it.
func (c *Cluster) CorruptBatch(topicName string, p int32, i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.topics[topicName]
	if !ok || int(p) >= len(t.parts) || i >= len(t.parts[p].batches) {
		return
	}
	b := &t.parts[p].batches[i]
	raw := append([]byte(nil), b.raw...)
	raw[len(raw)-1] ^= 0xff
	b.raw = raw
}
