package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// control is this broker's access to the controller quorum. Every broker is
// a quorum member (combined mode): reads come from the local raft node's
// image; writes go to the local node when it leads and otherwise to the
// controller leader's broker over gRPC (ControllerService, or the public
// AdminService for topic changes).
type control struct {
	ctrl  *cluster.Controller
	self  int32
	peers *peerPool
}

func (c *control) image() *cluster.Image { return c.ctrl.Image() }

// leaderConn returns a connection to the controller leader's broker, or a
// NOT_CONTROLLER error when no leader (or its address) is known yet.
func (c *control) leaderConn() (*grpc.ClientConn, error) {
	id, ok := c.ctrl.LeaderID()
	if !ok {
		return nil, errorf(ReasonNotController, "no controller leader is elected yet")
	}
	b, ok := c.image().Broker(id)
	if !ok || b.Address == "" {
		return nil, errorf(ReasonNotController, "controller leader %d has not registered its broker address yet", id).with("controller_id", strconv.Itoa(int(id)))
	}
	return c.peers.conn(id, b.Address)
}

// onLeader runs a controller request on the local node when it leads the
// quorum, and otherwise sends it to the leader's broker over
// ControllerService (remote), mapping the leader's answer back to an
// *Error. A local call that finds leadership just lost falls through to
// the new leader.
func onLeader[T any](c *control, local func() (T, error), remote func(clusterv1.ControllerServiceClient) (T, error)) (T, error) {
	if c.ctrl.IsLeader() {
		v, err := local()
		if err == nil || !errors.Is(err, cluster.ErrNotLeader) {
			return v, err
		}
	}
	var zero T
	conn, err := c.leaderConn()
	if err != nil {
		return zero, err
	}
	v, err := remote(clusterv1.NewControllerServiceClient(conn))
	if err != nil {
		return zero, fromStatus(err)
	}
	return v, nil
}

// register starts a broker session and returns its epoch.
func (c *control) register(ctx context.Context, reg cluster.BrokerRegistration) (int64, error) {
	return onLeader(c, func() (int64, error) {
		b, err := c.ctrl.RegisterBroker(ctx, reg)
		return b.Epoch, err
	}, func(cc clusterv1.ControllerServiceClient) (int64, error) {
		resp, err := cc.RegisterBroker(ctx, &clusterv1.RegisterBrokerRequest{BrokerId: reg.ID, IncarnationId: reg.IncarnationID,
			Address: reg.Address, Rack: reg.Rack, LostUnsyncedData: reg.LostUnsyncedData})
		return resp.GetBrokerEpoch(), err
	})
}

func (c *control) heartbeat(ctx context.Context, req cluster.HeartbeatRequest) (cluster.HeartbeatResponse, error) {
	return onLeader(c, func() (cluster.HeartbeatResponse, error) {
		return c.ctrl.Heartbeat(ctx, req)
	}, func(cc clusterv1.ControllerServiceClient) (cluster.HeartbeatResponse, error) {
		resp, err := cc.BrokerHeartbeat(ctx, &clusterv1.BrokerHeartbeatRequest{
			BrokerId: req.BrokerID, BrokerEpoch: req.BrokerEpoch, WantFence: req.WantFence, WantShutdown: req.WantShutdown})
		return cluster.HeartbeatResponse{State: cluster.BrokerState(resp.GetState()), ShouldShutdown: resp.GetShouldShutdown()}, err
	})
}

// alterPartition sends a leader's ISR change to the controller.
func (c *control) alterPartition(ctx context.Context, ch cluster.ChangePartition) (cluster.PartitionMeta, error) {
	return onLeader(c, func() (cluster.PartitionMeta, error) {
		return c.ctrl.ChangePartition(ctx, ch)
	}, func(cc clusterv1.ControllerServiceClient) (cluster.PartitionMeta, error) {
		req := &clusterv1.AlterPartitionRequest{Topic: ch.Topic, Partition: ch.Partition, LeaderEpoch: ch.LeaderEpoch,
			PartitionEpoch: ch.PartitionEpoch, Isr: ch.ISR}
		if ch.Broker != nil {
			req.BrokerId, req.BrokerEpoch = ch.Broker.ID, ch.Broker.Epoch
		}
		resp, err := cc.AlterPartition(ctx, req)
		return cluster.PartitionMeta{Leader: resp.GetLeader(), LeaderEpoch: resp.GetLeaderEpoch(),
			PartitionEpoch: resp.GetPartitionEpoch(), ISR: resp.GetIsr()}, err
	})
}

// addVoter adds a node to the quorum through the leader.
func (c *control) addVoter(ctx context.Context, id int32, raftAddr string) error {
	_, err := onLeader(c, func() (struct{}, error) {
		return struct{}{}, c.ctrl.AddVoter(ctx, id, raftAddr)
	}, func(cc clusterv1.ControllerServiceClient) (struct{}, error) {
		_, err := cc.AddVoter(ctx, &clusterv1.AddVoterRequest{NodeId: id, RaftAddress: raftAddr})
		return struct{}{}, err
	})
	return err
}

// waitImage waits until the local image satisfies cond (a change committed
// through another node has reached this one).
func (c *control) waitImage(ctx context.Context, cond func(*cluster.Image) bool) (*cluster.Image, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	img, err := c.ctrl.WaitFor(ctx, cond)
	if err != nil {
		return img, errorf(ReasonRequestTimedOut, "the change was committed but this broker has not seen it yet: %v", err)
	}
	return img, nil
}

// fromStatus turns a gRPC error from another Fjord broker back into an
// *Error with the same reason and metadata, so forwarded calls report what
// the leader said. Transport errors become NOT_CONTROLLER (retriable).
func fromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
			e := &Error{Reason: Reason(info.GetReason()), Message: st.Message(), Err: err}
			for k, v := range info.GetMetadata() {
				e.with(k, v)
			}
			return e
		}
	}
	return errorf(ReasonNotController, "controller leader unreachable: %s", st.Message())
}

// forwardError is fromStatus for a forwarded change: a failure that is not
// the leader's own answer (the connection broke, the call timed out) may
// have come after the leader applied the change, so it is indefinite.
func forwardError(err error) error {
	e := asError(fromStatus(err))
	if st, ok := status.FromError(err); ok {
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
				return e // the leader answered
			}
		}
	}
	e.Indefinite = true
	e.Message += " (the change may or may not have been applied; check before retrying)"
	return e
}

// peerPool keeps one client connection per peer broker.
type peerPool struct {
	mu     sync.Mutex
	conns  map[int32]*peerConn
	closed bool
	opts   []grpc.DialOption
}

type peerConn struct {
	addr string
	cc   *grpc.ClientConn
}

// newPeerPool dials with security (TLS, the inter-broker token: see
// auth.Authenticator.DialOptions; plaintext when empty).
func newPeerPool(maxMsg int, security []grpc.DialOption) *peerPool {
	if len(security) == 0 {
		security = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	return &peerPool{conns: make(map[int32]*peerConn), opts: append(security,
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsg), grpc.MaxCallSendMsgSize(maxMsg)),
	)}
}

// conn returns the connection to broker id at addr, replacing a connection
// to an address the broker no longer has.
func (pp *peerPool) conn(id int32, addr string) (*grpc.ClientConn, error) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.closed {
		return nil, errorf(ReasonBrokerShuttingDown, "broker is shutting down")
	}
	if pc, ok := pp.conns[id]; ok {
		if pc.addr == addr {
			return pc.cc, nil
		}
		pc.cc.Close()
		delete(pp.conns, id)
	}
	cc, err := grpc.NewClient(addr, pp.opts...)
	if err != nil {
		return nil, fmt.Errorf("server: connect to broker %d at %s: %w", id, addr, err)
	}
	pp.conns[id] = &peerConn{addr: addr, cc: cc}
	return cc, nil
}

func (pp *peerPool) close() {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	pp.closed = true
	for id, pc := range pp.conns {
		pc.cc.Close()
		delete(pp.conns, id)
	}
}
