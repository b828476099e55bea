package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/group"
	"github.com/fjordlog/fjord/storage"
)

// Options configures a broker. The zero value works: a single node with
// data in ./fjord-data listening on 127.0.0.1:9092.
type Options struct {
	// DataDir holds partition logs and metadata (default "fjord-data").
	DataDir string
	// ListenAddr is the gRPC listener (default "127.0.0.1:9092"; port 0 picks one).
	ListenAddr string
	// HTTPAddr is the HTTP listener serving /healthz, /readyz, /metrics
	// (Prometheus) and the Confluent-compatible schema registry REST API at the root (default
	// "127.0.0.1:8081"; "off" disables it).
	HTTPAddr string
	// NodeID is this broker's id (default 1).
	NodeID int32
	// AdvertisedAddr is the address clients are told to use (default: the
	// bound ListenAddr).
	AdvertisedAddr string
	// Logger receives broker logs (default discards). The broker wraps its
	// handler to add request_id, trace_id/span_id and principal from each
	// call's context and to filter by LogLevel.
	Logger *slog.Logger
	// LogLevel is the minimum level logged, changeable at runtime through
	// PUT /admin/log-level on the HTTP listener (default: a new LevelVar
	// at info). Logger's handler must pass the levels it should allow.
	LogLevel *slog.LevelVar
	// TracerProvider traces the broker's RPCs (otelgrpc) and its produce
	// and fetch work (append, replicate, read spans). Default: the OTLP
	// pipeline when OTLP.Endpoint is set, else none (tracing off, no cost).
	TracerProvider trace.TracerProvider
	// OTLP pushes metrics and traces to an OpenTelemetry collector when
	// its Endpoint is set (default: off).
	OTLP OTLPOptions
	// Clock stamps LogAppendTime and drives retention (default system clock).
	Clock storage.Clock
	// DefaultPartitions is used when a topic is created without a partition
	// count (default 1).
	DefaultPartitions int32
	// DefaultReplicationFactor is used when a topic is created without one
	// (default 1).
	DefaultReplicationFactor int32
	// AutoCreateTopics creates unknown topics on metadata requests (default false).
	AutoCreateTopics bool
	// MaxRecvMsgBytes bounds a gRPC request (default 64 MiB).
	MaxRecvMsgBytes int
	// MaxConcurrentStreams bounds streams per client connection (default 1024).
	MaxConcurrentStreams uint32
	// MaxOpenFiles bounds the segment read handles kept open across all
	// partitions (default 1024).
	MaxOpenFiles int
	// MaintenanceInterval is how often retention, time-based rolls, scheduled
	// flushes and compaction run (default 5s).
	MaintenanceInterval time.Duration
	// ShutdownTimeout bounds a graceful shutdown before in-flight calls are
	// cut off (default 30s).
	ShutdownTimeout time.Duration

	// RaftAddr is the controller quorum's TCP listener (host:port). Empty
	// runs a single-node cluster whose controller quorum of one lives in
	// process without a port. Setting it needs Peers, Join or Bootstrap.
	RaftAddr string
	// RaftAdvertiseAddr is the raft address peers dial when it differs from
	// RaftAddr (for example when RaftAddr listens on 0.0.0.0).
	RaftAdvertiseAddr string
	// Peers is the static controller quorum, this node included; every
	// listed node bootstraps the same configuration on its first start.
	Peers []cluster.Peer
	// Bootstrap starts a new cluster whose quorum is this node alone (other
	// nodes then Join it). Required when RaftAddr is set without Peers or
	// Join, so a node meant to join never forms a cluster of its own.
	Bootstrap bool
	// Join is the gRPC address of any broker of an existing cluster: this
	// node asks to be added to the controller quorum.
	Join string
	// Rack is this broker's rack for rack-aware replica placement.
	Rack string
	// SessionTimeout is how long the controller waits for a broker's
	// heartbeat before fencing it and moving its leaderships (default 1.5s).
	SessionTimeout time.Duration
	// HeartbeatInterval is how often a broker heartbeats (default
	// SessionTimeout/5).
	HeartbeatInterval time.Duration
	// RaftTimeout is the controller quorum's raft heartbeat and election
	// timeout (default 500ms; 50ms for a single node).
	RaftTimeout time.Duration
	// ReplicaLagTimeMax is replica.lag.time.max: a follower that has not
	// caught up with the leader for this long leaves the ISR (default 10s).
	ReplicaLagTimeMax time.Duration
	// ReplicaFetchWait is how long a leader holds an idle follower fetch
	// (default 500ms).
	ReplicaFetchWait time.Duration
	// ControlledShutdownTimeout bounds moving leaderships away at shutdown
	// (default 10s).
	ControlledShutdownTimeout time.Duration
	// ProducerIDExpiration forgets an idempotent producer's sequence state
	// after this long without a write (Kafka's producer.id.expiration.ms;
	// default 24h). A producer that comes back later gets
	// UNKNOWN_PRODUCER_ID and bumps its epoch.
	ProducerIDExpiration time.Duration

	// OffsetsTopicPartitions is the partition count of __consumer_offsets,
	// which holds consumer groups and their committed offsets, when this
	// broker creates it (default 50). It must not change afterwards: it
	// decides which partition holds each group.
	OffsetsTopicPartitions int32
	// OffsetsTopicReplicationFactor is the replication factor of
	// __consumer_offsets when this broker creates it (default 0: three, or
	// the number of live brokers if fewer).
	OffsetsTopicReplicationFactor int32
	// GroupSessionTimeout is the session timeout of a group member asking
	// for none (default 45s).
	GroupSessionTimeout time.Duration
	// GroupMinSessionTimeout and GroupMaxSessionTimeout bound the session
	// timeouts members may ask for (defaults 6s and 30m).
	GroupMinSessionTimeout time.Duration
	GroupMaxSessionTimeout time.Duration
	// GroupHeartbeatInterval is how often group members heartbeat; a member
	// gets at most a third of its session timeout (default 5s).
	GroupHeartbeatInterval time.Duration
	// OffsetsRetention drops the committed offsets of an empty group this
	// long after its last commit (default 168h).
	OffsetsRetention time.Duration

	// PerPartitionMetrics adds per-partition series (log size, consumer
	// group lag) to /metrics on top of the per-topic ones (default false:
	// their count grows with partitions times groups).
	PerPartitionMetrics bool

	// Authorizer is "off" (default: every caller may do everything) or
	// "acl": every RPC and REST call is checked against the ACLs stored in
	// the cluster metadata, and whatever no ACL allows is denied.
	Authorizer string
	// SuperUsers are principals ("User:admin") that bypass ACLs.
	SuperUsers []string
	// testPrincipals takes the caller's principal from a request header
	// (authorize.go); tests only.
	testPrincipals bool

	// Auth configures TLS on the listeners and between brokers, and how
	// callers authenticate (client certificates, bearer tokens). The zero
	// value serves plaintext to anonymous callers.
	Auth auth.Options
	// CredentialsReloadInterval is how often the files Auth names
	// (certificates, keys, CAs, tokens, JWKS) are read again; changed
	// ones take effect for new connections and calls (ReloadCredentials).
	// Default 30s; negative: only when ReloadCredentials is called.
	CredentialsReloadInterval time.Duration
}

// clustered reports whether the node talks to other nodes.
func (o *Options) clustered() bool { return o.RaftAddr != "" }

// EnsureDefaults fills unset fields.
func (o Options) EnsureDefaults() Options {
	if o.DataDir == "" {
		o.DataDir = "fjord-data"
	}
	if o.ListenAddr == "" {
		o.ListenAddr = "127.0.0.1:9092"
	}
	if o.HTTPAddr == "" {
		o.HTTPAddr = "127.0.0.1:8081"
	}
	if o.NodeID == 0 {
		o.NodeID = 1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.LogLevel == nil {
		o.LogLevel = new(slog.LevelVar)
	}
	if o.Clock == nil {
		o.Clock = storage.SystemClock{}
	}
	if o.DefaultPartitions == 0 {
		o.DefaultPartitions = 1
	}
	if o.DefaultReplicationFactor == 0 {
		o.DefaultReplicationFactor = 1
	}
	if o.MaxRecvMsgBytes == 0 {
		o.MaxRecvMsgBytes = 64 << 20
	}
	if o.MaxConcurrentStreams == 0 {
		o.MaxConcurrentStreams = 1024
	}
	if o.MaxOpenFiles == 0 {
		o.MaxOpenFiles = 1024
	}
	if o.MaintenanceInterval == 0 {
		o.MaintenanceInterval = 5 * time.Second
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if o.CredentialsReloadInterval == 0 {
		o.CredentialsReloadInterval = 30 * time.Second
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = 1500 * time.Millisecond
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = o.SessionTimeout / 5
	}
	if o.RaftTimeout == 0 {
		o.RaftTimeout = 500 * time.Millisecond
		if !o.clustered() {
			o.RaftTimeout = 50 * time.Millisecond
		}
	}
	if o.ReplicaLagTimeMax == 0 {
		o.ReplicaLagTimeMax = 10 * time.Second
	}
	if o.ReplicaFetchWait == 0 {
		o.ReplicaFetchWait = 500 * time.Millisecond
	}
	if o.ControlledShutdownTimeout == 0 {
		o.ControlledShutdownTimeout = 10 * time.Second
	}
	if o.ProducerIDExpiration == 0 {
		o.ProducerIDExpiration = storage.DefaultProducerIDExpiration
	}
	if o.OffsetsTopicPartitions == 0 {
		o.OffsetsTopicPartitions = 50
	}
	gc := group.Config{DefaultSessionTimeout: o.GroupSessionTimeout, MinSessionTimeout: o.GroupMinSessionTimeout,
		MaxSessionTimeout: o.GroupMaxSessionTimeout, HeartbeatInterval: o.GroupHeartbeatInterval, OffsetsRetention: o.OffsetsRetention}.EnsureDefaults()
	o.GroupSessionTimeout, o.GroupMinSessionTimeout, o.GroupMaxSessionTimeout = gc.DefaultSessionTimeout, gc.MinSessionTimeout, gc.MaxSessionTimeout
	o.GroupHeartbeatInterval, o.OffsetsRetention = gc.HeartbeatInterval, gc.OffsetsRetention
	if o.Authorizer == "" {
		o.Authorizer = AuthorizerOff
	}
	return o
}

// Validate checks options after EnsureDefaults.
func (o Options) Validate() error {
	if err := o.OTLP.validate(); err != nil {
		return err
	}
	switch {
	case o.NodeID < 0:
		return fmt.Errorf("server: node id %d is negative", o.NodeID)
	case o.DefaultPartitions < 1 || o.DefaultPartitions > maxPartitions:
		return fmt.Errorf("server: default partitions %d is not in [1, %d]", o.DefaultPartitions, maxPartitions)
	case o.DefaultReplicationFactor < 1:
		return fmt.Errorf("server: default replication factor %d must be at least 1", o.DefaultReplicationFactor)
	case o.MaxRecvMsgBytes < 1<<20:
		return fmt.Errorf("server: max receive message size %d is below 1 MiB", o.MaxRecvMsgBytes)
	case o.MaxOpenFiles < 16:
		return fmt.Errorf("server: max open files %d is below 16", o.MaxOpenFiles)
	case o.MaintenanceInterval < 0 || o.ShutdownTimeout < 0 || o.SessionTimeout < 0 || o.HeartbeatInterval < 0 ||
		o.RaftTimeout < 0 || o.ReplicaLagTimeMax < 0 || o.ReplicaFetchWait < 0 || o.ControlledShutdownTimeout < 0 ||
		o.ProducerIDExpiration < 0:
		return errors.New("server: negative interval")
	case o.OffsetsTopicPartitions < 1 || o.OffsetsTopicPartitions > maxPartitions:
		return fmt.Errorf("server: offsets topic partitions %d is not in [1, %d]", o.OffsetsTopicPartitions, maxPartitions)
	case o.OffsetsTopicReplicationFactor < 0:
		return fmt.Errorf("server: offsets topic replication factor %d is negative (0 means automatic)", o.OffsetsTopicReplicationFactor)
	case o.GroupSessionTimeout < 0 || o.GroupMinSessionTimeout < 0 || o.GroupMaxSessionTimeout < 0 || o.GroupHeartbeatInterval < 0 || o.OffsetsRetention < 0:
		return errors.New("server: negative group interval")
	case o.GroupMinSessionTimeout > o.GroupMaxSessionTimeout:
		return fmt.Errorf("server: group min session timeout %s is above the max %s", o.GroupMinSessionTimeout, o.GroupMaxSessionTimeout)
	case o.GroupSessionTimeout < o.GroupMinSessionTimeout || o.GroupSessionTimeout > o.GroupMaxSessionTimeout:
		return fmt.Errorf("server: group session timeout %s is not in [%s, %s]", o.GroupSessionTimeout, o.GroupMinSessionTimeout, o.GroupMaxSessionTimeout)
	case o.HeartbeatInterval >= o.SessionTimeout:
		return fmt.Errorf("server: heartbeat interval %s must be shorter than the session timeout %s", o.HeartbeatInterval, o.SessionTimeout)
	case !o.clustered() && (len(o.Peers) > 0 || o.Join != "" || o.Bootstrap):
		return errors.New("server: --peers, --join and --bootstrap need --raft (the controller quorum's address)")
	case o.clustered() && len(o.Peers) == 0 && o.Join == "" && !o.Bootstrap:
		return errors.New("server: with --raft, give --peers (a static quorum), --join (an existing broker) or --bootstrap (start a new cluster)")
	case len(o.Peers) > 0 && (o.Join != "" || o.Bootstrap):
		return errors.New("server: --peers is a complete quorum; do not combine it with --join or --bootstrap")
	case o.Join != "" && o.Bootstrap:
		return errors.New("server: --join and --bootstrap exclude each other")
	}
	if err := o.validateAuthorization(); err != nil {
		return err
	}
	if len(o.Peers) > 0 {
		seen := map[int32]bool{}
		self := false
		for _, p := range o.Peers {
			if p.ID < 0 || p.Addr == "" {
				return fmt.Errorf("server: peer %d@%q needs an id >= 0 and an address", p.ID, p.Addr)
			}
			if seen[p.ID] {
				return fmt.Errorf("server: peer id %d is listed twice", p.ID)
			}
			seen[p.ID] = true
			self = self || p.ID == o.NodeID
		}
		if !self {
			return fmt.Errorf("server: --peers must list this node (id %d)", o.NodeID)
		}
	}
	return nil
}

// configEntries lists the broker's settings for DescribeConfigs.
func (o *Options) configEntries() []*fjordv1.ConfigEntry {
	src := fjordv1.ConfigSource_CONFIG_SOURCE_BROKER
	e := func(name, value string) *fjordv1.ConfigEntry {
		return &fjordv1.ConfigEntry{Name: name, Value: value, Source: src, ReadOnly: true}
	}
	return []*fjordv1.ConfigEntry{
		e("advertised.addr", o.AdvertisedAddr),
		e("authorizer", o.Authorizer),
		e("auto.create.topics", strconv.FormatBool(o.AutoCreateTopics)),
		e("data.dir", o.DataDir),
		e("default.partitions", strconv.Itoa(int(o.DefaultPartitions))),
		e("default.replication.factor", strconv.Itoa(int(o.DefaultReplicationFactor))),
		e("group.heartbeat.interval.ms", strconv.FormatInt(o.GroupHeartbeatInterval.Milliseconds(), 10)),
		e("group.max.session.timeout.ms", strconv.FormatInt(o.GroupMaxSessionTimeout.Milliseconds(), 10)),
		e("group.min.session.timeout.ms", strconv.FormatInt(o.GroupMinSessionTimeout.Milliseconds(), 10)),
		e("group.session.timeout.ms", strconv.FormatInt(o.GroupSessionTimeout.Milliseconds(), 10)),
		e("http.addr", o.HTTPAddr),
		e("listen.addr", o.ListenAddr),
		e("max.open.files", strconv.Itoa(o.MaxOpenFiles)),
		e("max.recv.msg.bytes", strconv.Itoa(o.MaxRecvMsgBytes)),
		e("node.id", strconv.Itoa(int(o.NodeID))),
		e("offsets.retention.ms", strconv.FormatInt(o.OffsetsRetention.Milliseconds(), 10)),
		e("offsets.topic.num.partitions", strconv.Itoa(int(o.OffsetsTopicPartitions))),
		e("offsets.topic.replication.factor", strconv.Itoa(int(o.OffsetsTopicReplicationFactor))),
		e("producer.id.expiration.ms", strconv.FormatInt(o.ProducerIDExpiration.Milliseconds(), 10)),
		e("rack", o.Rack),
		e("raft.addr", o.RaftAddr),
		e("replica.fetch.wait.ms", strconv.FormatInt(o.ReplicaFetchWait.Milliseconds(), 10)),
		e("replica.lag.time.max.ms", strconv.FormatInt(o.ReplicaLagTimeMax.Milliseconds(), 10)),
		e("session.timeout.ms", strconv.FormatInt(o.SessionTimeout.Milliseconds(), 10)),
	}
}

// metaDirName is the folder in DataDir that holds cluster metadata.
const metaDirName = "__metadata"

// Server is a Fjord broker: the gRPC API, the admin HTTP endpoint and the
// partitions this node hosts.
type Server struct {
	opts    Options
	ctl     *control
	broker  *broker
	grpc    *grpc.Server
	health  *health.Server
	lis     net.Listener
	httpLis net.Listener
	http    *http.Server
	authz   *authorizer
	authn   *auth.Authenticator // TLS and authentication (tls.go)
	local   *localConn          // in-process listener and connection (console)
	console io.Closer           // the web console, nil without HTTP

	level *slog.LevelVar // Options.LogLevel
	trace *tracing       // nil: tracing off
	otlp  *otlp          // nil: no OTLP export

	shutdownOnce sync.Once
	shutdownErr  error
	done         chan struct{}
}

// New opens the data directory (recovering logs after a crash), binds the
// listeners and returns a broker ready to Serve.
func New(opts Options) (*Server, error) {
	opts = opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("server: create data dir: %w", err)
	}
	lis, err := net.Listen("tcp", opts.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", opts.ListenAddr, err)
	}
	s := &Server{opts: opts, lis: lis, done: make(chan struct{})}
	if err := s.setupTelemetry(); err != nil {
		lis.Close()
		return nil, err
	}
	if opts.AdvertisedAddr == "" {
		s.opts.AdvertisedAddr = lis.Addr().String()
	}
	if opts.HTTPAddr != "off" {
		if s.httpLis, err = net.Listen("tcp", opts.HTTPAddr); err != nil {
			lis.Close()
			return nil, fmt.Errorf("server: listen on %s (http): %w", opts.HTTPAddr, err)
		}
	}
	if s.local, err = newLocalConn(); err != nil {
		s.closeListeners()
		return nil, fmt.Errorf("server: in-process listener: %w", err)
	}
	if err := s.setupSecurity(); err != nil {
		s.closeListeners()
		return nil, err
	}
	if err := s.openBroker(); err != nil {
		s.closeListeners()
		_ = s.otlp.shutdownTraces()
		return nil, err
	}
	s.grpc = s.newGRPCServer()
	if s.httpLis != nil {
		s.http = &http.Server{Handler: s.withHTTPRequestID(s.httpHandler()), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: httpErrorLog(s.opts.Logger)}
	}
	return s, nil
}

func (s *Server) closeListeners() {
	s.lis.Close()
	if s.httpLis != nil {
		s.httpLis.Close()
	}
	if s.local != nil {
		s.local.close()
	}
}

func (s *Server) openBroker() error {
	o := &s.opts
	metaDir := filepath.Join(o.DataDir, metaDirName)
	if _, err := os.Stat(filepath.Join(metaDir, "cluster.json")); err == nil {
		return fmt.Errorf("server: %s holds metadata of a pre-release Fjord (cluster.json); this version keeps metadata in a raft log: start with a new data directory", metaDir)
	}
	if err := os.MkdirAll(metaDir, 0o755); err != nil {
		return fmt.Errorf("server: create %s: %w", metaDir, err)
	}
	lost, err := beginRun(metaDir)
	if err != nil {
		return err
	}
	if lost {
		o.Logger.Warn("the previous run ended in a machine crash: data that was only in the page cache is gone; " +
			"flush.policy=replication partitions that had only this broker in sync stay offline unless unclean election is enabled")
	}
	copts := cluster.Options{
		NodeID:         o.NodeID,
		Dir:            filepath.Join(metaDir, "raft"),
		RaftAddr:       o.RaftAddr,
		AdvertiseAddr:  o.RaftAdvertiseAddr,
		Peers:          o.Peers,
		Bootstrap:      len(o.Peers) > 0 || o.Bootstrap,
		SessionTimeout: o.SessionTimeout,
		// Check sessions often: fencing waits for the next tick after expiry.
		TickInterval: max(o.SessionTimeout/8, 10*time.Millisecond),
		Raft: cluster.RaftOptions{HeartbeatTimeout: o.RaftTimeout, ElectionTimeout: o.RaftTimeout,
			LeaderLeaseTimeout: o.RaftTimeout, CommitTimeout: 5 * time.Millisecond},
		Logger: o.Logger,
		TLS:    s.raftTLS(),
	}
	if o.Join != "" {
		// Wait to be added: no configuration of our own.
		copts.Peers = []cluster.Peer{{ID: o.NodeID, Addr: cmp.Or(o.RaftAdvertiseAddr, o.RaftAddr)}}
		copts.Bootstrap = false
	}
	ctrl, err := cluster.Open(copts)
	if err != nil {
		return fmt.Errorf("server: start controller: %w", err)
	}
	s.ctl = &control{ctrl: ctrl, self: o.NodeID, peers: newPeerPool(o.MaxRecvMsgBytes, s.authn.DialOptions())}
	s.ctl.peers.opts = append(s.ctl.peers.opts, s.trace.dialOptions()...) // trace calls to other brokers
	base := storage.Options{Clock: o.Clock, Logger: o.Logger, Files: storage.NewFileCache(o.MaxOpenFiles), ProducerIDExpiration: o.ProducerIDExpiration}
	repl := replicaOptions{lagTimeMax: o.ReplicaLagTimeMax, fetchWait: o.ReplicaFetchWait, fetchBytes: 16 << 20}
	s.broker = newBroker(o.NodeID, o.DataDir, s.ctl, base, repl, o.Logger)
	s.broker.coord = newCoordinator(s.broker, o)
	reg, err := schemaregistry.New(schemaregistry.Options{Backend: &registryBackend{b: s.broker}, Logger: o.Logger})
	if err != nil {
		ctrl.Close()
		s.ctl.peers.close()
		return err
	}
	s.broker.registry = reg
	if s.broker.metrics, err = newMetrics(s.broker, o.PerPartitionMetrics, s.otlp.meterOptions()...); err != nil {
		reg.Close()
		s.broker.close()
		ctrl.Close()
		s.ctl.peers.close()
		return err
	}
	fail := func(err error) error {
		reg.Close()
		s.broker.close()
		ctrl.Close()
		s.ctl.peers.close()
		return err
	}
	so := sessionOptions{incarnation: newIncarnation(), address: o.AdvertisedAddr, rack: o.Rack, heartbeat: o.HeartbeatInterval, lostUnsynced: lost}
	if !o.clustered() {
		// A cluster of one: elect, register and activate before serving, so
		// the broker is usable as soon as New returns.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for !ctrl.IsLeader() {
			select {
			case <-ctx.Done():
				return fail(errors.New("server: the single-node controller did not become leader within 30s"))
			case <-time.After(5 * time.Millisecond):
			}
		}
		if !s.broker.register(so) {
			return fail(errors.New("server: broker stopped while registering"))
		}
		if _, err := s.broker.heartbeatOnce(false, 5*time.Second); err != nil {
			return fail(fmt.Errorf("server: activate broker: %w", err))
		}
		if _, err := ctrl.WaitFor(ctx, func(img *cluster.Image) bool { return img.ClusterID() != "" && img.Alive(o.NodeID) }); err != nil {
			return fail(fmt.Errorf("server: single-node controller: %w", err))
		}
	}
	if !o.clustered() {
		// Registered above, so the image is current: open the partitions
		// before serving. A cluster node does this in watchLoop once its
		// image holds its registration.
		if err := s.broker.reconcile(ctrl.Image()); err != nil {
			return fail(err)
		}
	}
	s.broker.start(o.MaintenanceInterval)
	if o.CredentialsReloadInterval > 0 && len(s.authn.Files()) > 0 {
		go s.reloadCredentialsLoop(o.CredentialsReloadInterval)
	}
	s.broker.wg.Add(2)
	go s.broker.watchLoop()
	go s.broker.runSession(so)
	if o.Join != "" {
		s.broker.wg.Add(1)
		go s.join()
	}
	return nil
}

func newIncarnation() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// join asks the cluster at Options.Join to add this node to the controller
// quorum, retrying until it is a member or the broker stops.
func (s *Server) join() {
	b := s.broker
	defer b.wg.Done()
	cc, err := grpc.NewClient(s.opts.Join, s.authn.DialOptions()...)
	if err != nil {
		s.opts.Logger.Error("join: bad address", "join", s.opts.Join, "err", err)
		return
	}
	defer cc.Close()
	client := clusterv1.NewControllerServiceClient(cc)
	for {
		if _, ok := s.ctl.ctrl.LeaderID(); ok {
			// A leader knows us: we are in the quorum (or were added before a restart).
			s.opts.Logger.Info("joined the controller quorum", "join", s.opts.Join)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := client.AddVoter(ctx, &clusterv1.AddVoterRequest{NodeId: s.opts.NodeID, RaftAddress: cmp.Or(s.opts.RaftAdvertiseAddr, s.opts.RaftAddr)})
		cancel()
		if err != nil {
			s.opts.Logger.Warn("join: add voter failed; retrying", "join", s.opts.Join, "err", err)
		}
		select {
		case <-b.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Server) newGRPCServer() *grpc.Server {
	logger := logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		s.opts.Logger.Log(ctx, slog.Level(lvl), msg, fields...)
	})
	logOpts := []logging.Option{
		logging.WithLogOnEvents(logging.FinishCall),
		logging.WithLevels(func(c codes.Code) logging.Level {
			switch c {
			case codes.OK, codes.Canceled, codes.NotFound, codes.AlreadyExists, codes.InvalidArgument,
				codes.FailedPrecondition, codes.OutOfRange, codes.DeadlineExceeded:
				return logging.LevelDebug
			case codes.Internal, codes.Unknown, codes.DataLoss:
				return logging.LevelError
			}
			return logging.LevelWarn
		}),
	}
	recoverOpts := []recovery.Option{recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		s.opts.Logger.ErrorContext(ctx, "panic in handler", "panic", fmt.Sprint(p))
		return status.Errorf(codes.Internal, "server: internal error (panic: %v)", p)
	})}
	s.authz = s.newAuthorizer()
	g := grpc.NewServer(append(s.trace.serverOptions(),
		s.grpcCreds(),
		grpc.MaxRecvMsgSize(s.opts.MaxRecvMsgBytes),
		grpc.MaxConcurrentStreams(s.opts.MaxConcurrentStreams),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.ChainUnaryInterceptor(
			requestIDUnary,
			logging.UnaryServerInterceptor(logger, logOpts...),
			recovery.UnaryServerInterceptor(recoverOpts...),
			s.authn.UnaryServerInterceptor(),
			notePrincipalUnary,
			s.broker.metrics.unaryInterceptor,
			s.authorizeUnary,
			validateUnary,
		),
		grpc.ChainStreamInterceptor(
			requestIDStream,
			logging.StreamServerInterceptor(logger, logOpts...),
			recovery.StreamServerInterceptor(recoverOpts...),
			s.authn.StreamServerInterceptor(),
			notePrincipalStream,
			s.authorizeStream,
		),
	)...)
	g.RegisterService(&produceServiceDesc, &produceService{b: s.broker, trace: s.trace})
	g.RegisterService(&fetchServiceDesc, &fetchService{b: s.broker, trace: s.trace})
	fjordv1.RegisterMetadataServiceServer(g, &metadataService{b: s.broker, opts: &s.opts})
	fjordv1.RegisterAdminServiceServer(g, &adminService{b: s.broker, opts: &s.opts})
	fjordv1.RegisterGroupServiceServer(g, &groupService{b: s.broker, opts: &s.opts})
	fjordv1.RegisterSchemaRegistryServiceServer(g, s.broker.registry.GRPC())
	clusterv1.RegisterReplicaServiceServer(g, &replicaService{b: s.broker})
	clusterv1.RegisterControllerServiceServer(g, &controllerService{b: s.broker})
	s.health = health.NewServer()
	healthpb.RegisterHealthServer(g, s.health)
	reflection.Register(g)
	return g
}

// Addr is the bound gRPC address.
func (s *Server) Addr() net.Addr { return s.lis.Addr() }

// HTTPAddr is the bound admin HTTP address, or nil if HTTP is off.
func (s *Server) HTTPAddr() net.Addr {
	if s.httpLis == nil {
		return nil
	}
	return s.httpLis.Addr()
}

// Serve serves until Shutdown and returns nil after a graceful stop.
func (s *Server) Serve() error {
	errc := make(chan error, 3)
	if s.http != nil {
		go func() {
			if err := s.http.Serve(s.httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("server: http: %w", err)
			}
		}()
	}
	// A Shutdown that stops the gRPC server before a goroutine reaches
	// Serve makes that Serve return ErrServerStopped: not a failure.
	go func() {
		if err := s.grpc.Serve(s.lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			errc <- fmt.Errorf("server: grpc: %w", err)
		}
	}()
	go func() {
		if err := s.grpc.Serve(s.local.lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			errc <- fmt.Errorf("server: grpc (in-process): %w", err)
		}
	}()
	s.opts.Logger.Info("fjord broker serving", "grpc", s.Addr().String(), "http", fmt.Sprint(s.HTTPAddr()), "data", s.opts.DataDir, "node_id", s.opts.NodeID)
	select {
	case <-s.done:
		return s.shutdownErr
	case err := <-errc:
		s.Shutdown(context.Background())
		return err
	}
}

// Shutdown stops accepting calls, lets in-flight calls finish (until ctx
// ends or ShutdownTimeout passes), then flushes and checkpoints every log.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.health.Shutdown()
		csCtx, csCancel := context.WithTimeout(ctx, s.opts.ControlledShutdownTimeout)
		s.broker.controlledShutdown(csCtx)
		csCancel()
		s.broker.beginShutdown()
		// Registry calls still running end at once.
		s.broker.registry.Close()
		ctx, cancel := context.WithTimeout(ctx, s.opts.ShutdownTimeout)
		defer cancel()
		stopped := make(chan struct{})
		go func() {
			s.grpc.GracefulStop()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-ctx.Done():
			s.opts.Logger.Warn("graceful shutdown timed out; closing open calls")
			s.grpc.Stop()
			<-stopped
		}
		if s.http != nil {
			s.http.Shutdown(ctx)
		}
		if s.console != nil {
			s.console.Close()
		}
		if s.local != nil {
			s.local.close()
		}
		s.shutdownErr = s.broker.close()
		if err := s.ctl.ctrl.Close(); err != nil {
			s.shutdownErr = errors.Join(s.shutdownErr, fmt.Errorf("server: close controller: %w", err))
		}
		s.ctl.peers.close()
		if err := s.otlp.shutdownTraces(); err != nil {
			s.opts.Logger.Warn("flushing traces to the otlp collector failed", "err", err)
		}
		if s.shutdownErr == nil {
			if err := endRun(filepath.Join(s.opts.DataDir, metaDirName)); err != nil {
				s.shutdownErr = err
			}
		}
		s.closeListeners()
		close(s.done)
	})
	<-s.done
	return s.shutdownErr
}
