package fjord

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// Client holds broker connections (one per address, created lazily) and a
// metadata cache used to route partition requests to leaders. It is safe for
// concurrent use. Producers, consumers and admins built on a Client must be
// closed before it.
type Client struct {
	cfg cfg

	mu           sync.Mutex // guards every field below
	closed       bool
	conns        map[string]*grpc.ClientConn // by address
	brokers      map[int32]*fjordv1.Broker   // by id, from the last metadata
	topics       map[string]*topicMeta       // by name
	clusterID    string
	controllerID int32
	next         int // rotates the broker used for metadata/admin
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

// anyConn returns a connection to some broker, rotating through the known
// brokers and then the seeds on successive calls.
func (c *Client) anyConn() (*grpc.ClientConn, error) {
	c.mu.Lock()
	addrs := make([]string, 0, len(c.brokers)+len(c.cfg.seeds))
	for _, b := range c.brokers {
		addrs = append(addrs, b.GetAddress())
	}
	addrs = append(addrs, c.cfg.seeds...)
	i := c.next % len(addrs)
	c.next++
	c.mu.Unlock()
	return c.conn(addrs[i])
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

// refreshMetadata asks a broker for metadata and updates the cache.
func (c *Client) refreshMetadata(ctx context.Context, topics []string) (*fjordv1.GetMetadataResponse, error) {
	var resp *fjordv1.GetMetadataResponse
	err := c.do(ctx, false, 0, func(ctx context.Context) error {
		cc, err := c.anyConn()
		if err != nil {
			return err
		}
		r, err := fjordv1.NewMetadataServiceClient(cc).GetMetadata(ctx, &fjordv1.GetMetadataRequest{Topics: topics})
		resp = r
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
		c.topics[t.GetName()] = &topicMeta{md: t, fetched: now}
	}
	return resp, nil
}

// topicMetadata returns a topic's cached metadata, refreshing it when
// missing or stale. An unknown topic is an *Error.
func (c *Client) topicMetadata(ctx context.Context, topic string) (*fjordv1.TopicMetadata, error) {
	// Fast path for the producer's per-record lookup: no response to build.
	c.mu.Lock()
	tm, ok := c.topics[topic]
	fresh := ok && !tm.stale && time.Since(tm.fetched) <= c.cfg.metadataMaxAge && tm.md.GetError() == nil
	c.mu.Unlock()
	if fresh {
		return tm.md, nil
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

// setLeader records a leader learned from a response (NOT_LEADER errors
// carry the new leader), so the next request goes there without a refresh.
func (c *Client) setLeader(topic string, partition, leader, epoch int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm, ok := c.topics[topic]
	if !ok || leader < 0 {
		return
	}
	if _, known := c.brokers[leader]; !known {
		tm.stale = true
		return
	}
	md := cloneTopicMetadata(tm.md)
	for _, p := range md.GetPartitions() {
		if p.GetPartition() == partition && epoch >= p.GetLeaderEpoch() {
			p.LeaderId, p.LeaderEpoch = leader, epoch
		}
	}
	tm.md = md
}

// cloneTopicMetadata copies topic metadata so responses handed out stay immutable.
func cloneTopicMetadata(m *fjordv1.TopicMetadata) *fjordv1.TopicMetadata {
	return proto.Clone(m).(*fjordv1.TopicMetadata)
}
