package fjord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// downFor is how long an address whose broker could not be reached is
// passed over when picking a broker for metadata and admin requests (unless
// no other address is left).
const downFor = 5 * time.Second

// Client holds broker connections (one per address, created lazily) and a
// metadata cache used to route partition requests to leaders. It is safe for
// concurrent use. Producers, consumers and admins built on a Client must be
// closed before it.
//
// The cache follows leadership changes: a leadership error that names the
// new leader (NOT_LEADER_OR_FOLLOWER with leader_id, leader_epoch and
// leader_address) updates the cached partition at once; other leadership
// errors (LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH)
// and failures to reach a broker mark the topic stale, so the next lookup
// asks a broker again. Metadata and admin requests go to a broker that was
// not recently unreachable, trying every known broker and seed in turn.
type Client struct {
	cfg cfg

	mu           sync.Mutex // guards every field below
	closed       bool
	conns        map[string]*grpc.ClientConn // by address
	brokers      map[int32]*fjordv1.Broker   // by id, from the last metadata (and leader hints)
	topics       map[string]*topicMeta       // by name
	clusterID    string
	controllerID int32
	next         int                  // rotates the broker used for metadata/admin
	down         map[string]time.Time // address -> when a call to it last failed to connect
}

type topicMeta struct {
	md      *fjordv1.TopicMetadata
	fetched time.Time
	stale   bool
}

// NewClient returns a client for the cluster reached through the seed
// brokers. It does not connect until the first request.
func NewClient(ctx context.Context, opts ...Opt) (*Client, error) {
	c := &Client{
		cfg:     defaultCfg(),
		conns:   map[string]*grpc.ClientConn{},
		brokers: map[int32]*fjordv1.Broker{},
		topics:  map[string]*topicMeta{},
		down:    map[string]time.Time{},
	}
	for _, o := range opts {
		o.apply(&c.cfg)
	}
	if len(c.cfg.seeds) == 0 {
		return nil, errors.New("fjord: no seed brokers")
	}
	if c.cfg.backoff == nil {
		c.cfg.backoff = DefaultBackoff
	}
	if c.cfg.partitioner == nil {
		c.cfg.partitioner = StickyKeyPartitioner()
	}
	if c.cfg.clientID != "" {
		id := c.cfg.clientID
		c.cfg.dialOpts = append(c.cfg.dialOpts,
			grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
				return invoker(metadata.AppendToOutgoingContext(ctx, "fjord-client-id", id), method, req, reply, cc, opts...)
			}),
			grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
				return streamer(metadata.AppendToOutgoingContext(ctx, "fjord-client-id", id), desc, cc, method, opts...)
			}))
	}
	// Note which brokers cannot be reached, whoever calls them (admin
	// requests included), so that the next metadata request goes elsewhere.
	c.cfg.dialOpts = append(c.cfg.dialOpts,
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			err := invoker(ctx, method, req, reply, cc, opts...)
			c.noteReach(cc.Target(), err)
			return err
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			cs, err := streamer(ctx, desc, cc, method, opts...)
			c.noteReach(cc.Target(), err)
			return cs, err
		}))
	c.cfg.dialOpts = append(c.cfg.dialOpts, c.cfg.tracingDialOptions()...)
	// Fail fast on an unusable address (grpc.NewClient parses it).
	for _, s := range c.cfg.seeds {
		if _, err := c.conn(s); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Close closes every connection. It does not close producers or consumers.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	for _, cc := range c.conns {
		errs = append(errs, cc.Close())
	}
	c.conns = nil
	return errors.Join(errs...)
}

// conn returns the connection to addr, creating it if needed.
func (c *Client) conn(addr string) (*grpc.ClientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if cc, ok := c.conns[addr]; ok {
		return cc, nil
	}
	cc, err := grpc.NewClient(addr, c.cfg.dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("fjord: dial %s: %w", addr, err)
	}
	c.conns[addr] = cc
	return cc, nil
}

// brokerConn returns the connection to broker id.
func (c *Client) brokerConn(id int32) (*grpc.ClientConn, error) {
	c.mu.Lock()
	b, ok := c.brokers[id]
	c.mu.Unlock()
	if !ok {
		return nil, &Error{Reason: ReasonLeaderNotAvailable, Message: fmt.Sprintf("broker %d unknown", id), Retriable: true, Partition: -1}
	}
	return c.conn(b.GetAddress())
}

// anyConn returns a connection to some broker, rotating on successive calls
// through the known brokers and the seeds that were not found unreachable
// in the last few seconds (through all of them if every one was).
func (c *Client) anyConn() (*grpc.ClientConn, error) {
	addrs := c.candidates()
	return c.conn(addrs[0])
}

// candidates lists every known broker address and seed once, reachable ones
// first, starting at the next in rotation.
func (c *Client) candidates() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]int32, 0, len(c.brokers))
	for id := range c.brokers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	all := make([]string, 0, len(ids)+len(c.cfg.seeds))
	for _, id := range ids {
		all = append(all, c.brokers[id].GetAddress())
	}
	for _, s := range c.cfg.seeds {
		if !slices.Contains(all, s) {
			all = append(all, s)
		}
	}
	start := c.next % len(all)
	c.next++
	var up, down []string
	now := time.Now()
	for i := range all {
		a := all[(start+i)%len(all)]
		if t, ok := c.down[a]; ok && now.Sub(t) < downFor {
			down = append(down, a)
		} else {
			up = append(up, a)
		}
	}
	return append(up, down...)
}

// noteReach records whether a call to addr reached its broker: a transport
// failure (UNAVAILABLE without a broker's reason) or an attempt that timed
// out without an answer (a frozen broker keeps its connections open) marks
// addr unreachable, any answer from the broker clears the mark. A mark
// only moves addr to the end of the candidates for a while.
func (c *Client) noteReach(addr string, err error) {
	unreachable := false
	if st, ok := status.FromError(err); ok && (st.Code() == codes.Unavailable || st.Code() == codes.DeadlineExceeded) {
		unreachable = true
		for _, d := range st.Details() {
			if _, ok := d.(*errdetails.ErrorInfo); ok {
				unreachable = false // the broker answered, with a reason
			}
		}
	}
	if err != nil && !unreachable {
		return // the broker answered (or the caller gave up): no news
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if unreachable {
		c.down[addr] = time.Now()
	} else {
		delete(c.down, addr)
	}
}

// do runs fn with a per-attempt timeout, retrying retriable failures with
// backoff until MaxRetries or ctx ends. extra lengthens the attempt timeout
// (a long poll's wait). write marks transport failures as indefinite.
func (c *Client) do(ctx context.Context, write bool, extra time.Duration, fn func(ctx context.Context) error) error {
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, c.cfg.requestTimeout+extra)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		err = errorFromRPC(ctx, err, write)
		var fe *Error
		if !errors.As(err, &fe) || !fe.Retriable || (c.cfg.maxRetries >= 0 && attempt > c.cfg.maxRetries) {
			return err
		}
		c.markStale(fe.Topic)
		if err := sleepCtx(ctx, max(fe.RetryAfter, c.cfg.backoff(attempt))); err != nil {
			return err
		}
	}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// markStale makes the next lookup of topic (or every topic, if empty)
// refresh metadata.
func (c *Client) markStale(topic string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, tm := range c.topics {
		if topic == "" || name == topic {
			tm.stale = true
		}
	}
}

// Metadata returns brokers and the given topics' partitions (every topic if
// none is given). Named topics come from the cache when every one of them
// is cached, known and younger than MetadataMaxAge; otherwise, and always for
// "every topic", it asks a broker and refreshes the cache. An unknown topic
// is returned with its Error set, not as an error.
func (c *Client) Metadata(ctx context.Context, topics ...string) (*fjordv1.GetMetadataResponse, error) {
	if len(topics) > 0 {
		if resp := c.cachedMetadata(topics); resp != nil {
			return resp, nil
		}
	}
	return c.refreshMetadata(ctx, topics)
}

func (c *Client) cachedMetadata(topics []string) *fjordv1.GetMetadataResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := &fjordv1.GetMetadataResponse{ClusterId: c.clusterID, ControllerId: c.controllerID}
	for _, t := range topics {
		tm, ok := c.topics[t]
		if !ok || tm.stale || time.Since(tm.fetched) > c.cfg.metadataMaxAge {
			return nil
		}
		resp.Topics = append(resp.Topics, tm.md)
	}
	for _, b := range c.brokers {
		resp.Brokers = append(resp.Brokers, b)
	}
	return resp
}

// refreshMetadata asks a broker for metadata and updates the cache. One
// attempt tries every known broker and seed in turn (reachable ones first)
// until one answers, so a broker that is down costs no backoff.
func (c *Client) refreshMetadata(ctx context.Context, topics []string) (*fjordv1.GetMetadataResponse, error) {
	var resp *fjordv1.GetMetadataResponse
	err := c.do(ctx, false, 0, func(ctx context.Context) error {
		var err error
		for _, addr := range c.candidates() {
			var cc *grpc.ClientConn
			if cc, err = c.conn(addr); err != nil {
				return err
			}
			resp, err = fjordv1.NewMetadataServiceClient(cc).GetMetadata(ctx, &fjordv1.GetMetadataRequest{Topics: topics})
			if err == nil || ctx.Err() != nil || !errors.Is(errorFromRPC(ctx, err, false), ErrUnavailable) {
				return err
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(resp.GetBrokers()) > 0 {
		c.brokers = make(map[int32]*fjordv1.Broker, len(resp.GetBrokers()))
		for _, b := range resp.GetBrokers() {
			c.brokers[b.GetId()] = b
		}
	}
	c.clusterID, c.controllerID = resp.GetClusterId(), resp.GetControllerId()
	for _, t := range resp.GetTopics() {
		if t.GetError() != nil && t.GetError().GetReason() != "" {
			delete(c.topics, t.GetName())
			continue
		}
		if old, ok := c.topics[t.GetName()]; ok {
			t = newerLeaders(old.md, t)
		}
		c.topics[t.GetName()] = &topicMeta{md: t, fetched: now}
	}
	return resp, nil
}

// newerLeaders returns fresh, except that a partition whose leader epoch in
// cached is newer (a broker lagging behind the controller answered, after a
// leader hint taught the cache better) keeps the cached leader.
func newerLeaders(cached, fresh *fjordv1.TopicMetadata) *fjordv1.TopicMetadata {
	if cached.GetTopicId() != fresh.GetTopicId() {
		return fresh // a different topic of the same name
	}
	var out *fjordv1.TopicMetadata
	for i, p := range fresh.GetPartitions() {
		if int(p.GetPartition()) >= len(cached.GetPartitions()) {
			continue
		}
		o := cached.GetPartitions()[p.GetPartition()]
		if o.GetPartition() != p.GetPartition() || o.GetLeaderId() < 0 || o.GetLeaderEpoch() <= p.GetLeaderEpoch() {
			continue
		}
		if out == nil {
			out = cloneTopicMetadata(fresh)
		}
		q := out.GetPartitions()[i]
		q.LeaderId, q.LeaderEpoch, q.Error = o.GetLeaderId(), o.GetLeaderEpoch(), nil
	}
	if out == nil {
		return fresh
	}
	return out
}

// topicMetadata returns a topic's cached metadata, refreshing it when
// missing or stale. An unknown topic is an *Error.
func (c *Client) topicMetadata(ctx context.Context, topic string) (*fjordv1.TopicMetadata, error) {
	// Fast path for the producer's per-record lookup: no response to build.
	c.mu.Lock()
	tm, ok := c.topics[topic]
	var md *fjordv1.TopicMetadata
	if ok && !tm.stale && time.Since(tm.fetched) <= c.cfg.metadataMaxAge && tm.md.GetError() == nil {
		md = tm.md // setLeader replaces tm.md (under mu), never changes it
	}
	c.mu.Unlock()
	if md != nil {
		return md, nil
	}
	resp, err := c.Metadata(ctx, topic)
	if err != nil {
		return nil, err
	}
	for _, t := range resp.GetTopics() {
		if t.GetName() != topic {
			continue
		}
		if e := errorFromProto(t.GetError(), topic, -1); e != nil {
			return nil, e
		}
		return t, nil
	}
	return nil, &Error{Reason: ReasonUnknownTopicOrPartition, Message: "topic not in metadata", Topic: topic, Partition: -1}
}

// leader returns the leader broker id and epoch of a partition.
func (c *Client) leader(ctx context.Context, topic string, partition int32) (int32, int32, error) {
	t, err := c.topicMetadata(ctx, topic)
	if err != nil {
		return -1, 0, err
	}
	for _, p := range t.GetPartitions() {
		if p.GetPartition() != partition {
			continue
		}
		if e := errorFromProto(p.GetError(), topic, partition); e != nil {
			return -1, 0, e
		}
		if p.GetLeaderId() < 0 {
			return -1, 0, &Error{Reason: ReasonLeaderNotAvailable, Message: "partition has no leader", Retriable: true, Topic: topic, Partition: partition}
		}
		return p.GetLeaderId(), p.GetLeaderEpoch(), nil
	}
	return -1, 0, &Error{Reason: ReasonUnknownTopicOrPartition, Message: "partition not in metadata", Topic: topic, Partition: partition}
}

// leaderConn returns the connection to a partition's leader.
func (c *Client) leaderConn(ctx context.Context, topic string, partition int32) (*grpc.ClientConn, int32, error) {
	id, _, err := c.leader(ctx, topic, partition)
	if err != nil {
		return nil, -1, err
	}
	cc, err := c.brokerConn(id)
	return cc, id, err
}

// leaderHint is the leader named by a NOT_LEADER_OR_FOLLOWER error.
type leaderHint struct {
	id    int32  // -1: none
	epoch int32  // -1: unknown
	addr  string // "": unknown
}

// noHint is the leaderHint of an error that names no leader.
var noHint = leaderHint{id: -1, epoch: -1}

// hintOf returns the leader a NOT_LEADER_OR_FOLLOWER error names: its
// leader_id, leader_epoch and leader_address metadata, else the response's
// leader fields (id, epoch). A broker naming itself gives no hint (its view
// is stale: ask for metadata instead).
func hintOf(e *Error, id, epoch, from int32) leaderHint {
	if !errors.Is(e, ErrNotLeader) {
		return noHint
	}
	h := leaderHint{id: id, epoch: epoch, addr: e.Metadata["leader_address"]}
	if h.id < 0 {
		h.epoch = -1
	}
	if n, err := strconv.ParseInt(e.Metadata["leader_id"], 10, 32); err == nil {
		h.id, h.epoch = int32(n), -1
		if n, err := strconv.ParseInt(e.Metadata["leader_epoch"], 10, 32); err == nil {
			h.epoch = int32(n)
		}
	}
	if h.id < 0 || h.id == from {
		return noHint
	}
	return h
}

// setLeader records a leader learned from a response (NOT_LEADER errors
// name the new leader), so the next request goes there without a metadata
// refresh. A broker the cache does not know is added when the hint carries
// its address. A hint older than the cached leader epoch is ignored. It
// returns the partition's leader as cached afterwards, and false when there
// is none to use: the topic is then marked stale.
func (c *Client) setLeader(topic string, partition int32, h leaderHint) (int32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm, ok := c.topics[topic]
	if !ok {
		return -1, false
	}
	if h.id < 0 {
		tm.stale = true
		return -1, false
	}
	if b, known := c.brokers[h.id]; !known || (h.addr != "" && b.GetAddress() != h.addr) {
		if h.addr == "" {
			tm.stale = true
			return -1, false
		}
		c.brokers[h.id] = &fjordv1.Broker{Id: h.id, Address: h.addr}
	}
	for i, p := range tm.md.GetPartitions() {
		if p.GetPartition() != partition {
			continue
		}
		if h.epoch >= 0 && h.epoch < p.GetLeaderEpoch() && p.GetLeaderId() >= 0 {
			return p.GetLeaderId(), true // the cache knows a newer leader
		}
		if p.GetLeaderId() == h.id && h.epoch <= p.GetLeaderEpoch() && p.GetError() == nil {
			return h.id, true
		}
		md := cloneTopicMetadata(tm.md)
		// An unknown epoch is cached as 0, which fetches send as "no fencing".
		q := md.GetPartitions()[i]
		q.LeaderId, q.LeaderEpoch, q.Error = h.id, max(h.epoch, 0), nil
		tm.md = md
		return h.id, true
	}
	tm.stale = true
	return -1, false
}

// cloneTopicMetadata copies topic metadata so responses handed out stay immutable.
func cloneTopicMetadata(m *fjordv1.TopicMetadata) *fjordv1.TopicMetadata {
	return proto.Clone(m).(*fjordv1.TopicMetadata)
}
