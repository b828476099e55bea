package fjord

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
)

// errLeft ends the membership goroutine after a leave.
var errLeft = errors.New("fjord: left the group")

// errPollExpired ends a session the member left because the application
// did not call Poll within MaxPollInterval: the next Poll drops what it
// owned (OnLost) and rejoins.
var errPollExpired = errors.New("fjord: left the group: no Poll within MaxPollInterval")

// errStreamEnded is a Membership stream the coordinator closed without a
// status (it should not happen but for a leave): resume on a new one.
var errStreamEnded = &Error{Reason: ReasonUnavailable, Message: "membership stream ended", Retriable: true, Partition: -1}

// errCoordinatorSilent ends a stream whose coordinator stopped answering
// heartbeats; the member finds the coordinator again and resumes.
var errCoordinatorSilent = &Error{Reason: ReasonUnavailable, Message: "the group coordinator stopped answering heartbeats", Retriable: true, Partition: -1}

// silentIntervals is how many heartbeat intervals without an answer make
// a member leave its coordinator for a new stream.
const silentIntervals = 2

// fatalReasons stop a member for good: retrying cannot help.
var fatalReasons = map[string]bool{
	ReasonFencedInstanceID:          true,
	ReasonInvalidGroupID:            true,
	ReasonInvalidRequest:            true,
	ReasonInconsistentGroupProtocol: true,
	ReasonUnsupportedAssignor:       true,
}

// fatalMemberError reports whether err stops the member for good.
func fatalMemberError(err error) bool {
	if errors.Is(err, ErrClosed) {
		return true
	}
	var fe *Error
	if !errors.As(err, &fe) {
		return false
	}
	if fatalReasons[fe.Reason] {
		return true
	}
	if fe.Reason == "" {
		switch fe.Code {
		case codes.Unimplemented, codes.PermissionDenied, codes.Unauthenticated, codes.InvalidArgument:
			return true
		}
	}
	return false
}

// run is the membership goroutine: it keeps a Membership stream open on
// the group's coordinator, opening a new one (and finding the coordinator
// again) when one ends, until Close or a fatal error.
func (g *GroupConsumer) run() {
	defer close(g.loopDone)
	ctx := g.loopCtx
	attempt := 0
	for {
		healthy, err := g.session(ctx)
		g.mu.Lock()
		g.connected = false
		g.mu.Unlock()
		if ctx.Err() != nil || errors.Is(err, errLeft) {
			return
		}
		if healthy {
			attempt = 0
		}
		switch {
		case errors.Is(err, ErrUnknownMemberID), errors.Is(err, ErrFencedMemberEpoch), errors.Is(err, errPollExpired):
			// The coordinator no longer counts this member (its session
			// expired, or its state is inconsistent, or it left because
			// the application stopped polling): what it owned is lost,
			// and it joins again as a new member.
			select {
			case <-g.rejoinCh:
			default:
			}
			g.mu.Lock()
			g.epoch = 0
			g.lost = true
			g.target = memberTarget{seq: g.target.seq + 1, gen: g.gen}
			g.wakeLocked()
			g.mu.Unlock()
			// Rejoin once Poll has dropped what was lost, as Kafka does: a
			// member that stopped polling (its rebalance timeout expired)
			// must not take partitions again that it will not consume.
			select {
			case <-g.rejoinCh:
			case <-ctx.Done():
				return
			case <-g.leaveCh:
				return
			}
			attempt = 0
			continue
		case fatalMemberError(err):
			g.mu.Lock()
			g.fatal = err
			g.lost = true
			g.wakeLocked()
			g.mu.Unlock()
			return
		}
		attempt++
		t := time.NewTimer(g.c.cfg.backoff(attempt))
		select {
		case <-ctx.Done():
		case <-g.leaveCh:
		case <-t.C:
		}
		t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-g.leaveCh:
			return // not connected: nothing to leave; the session expires or is gone
		default:
		}
	}
}

type membershipRecv struct {
	resp *fjordv1.MembershipResponse
	err  error
}

// session runs one Membership stream: it finds the coordinator, joins
// (resuming with the member's epoch and owned partitions, or as a new
// member with epoch 0), then hands every response to Poll, heartbeats,
// acknowledges what Poll reconciled and, once Close asks, leaves. It
// returns why the stream ended, and healthy if the coordinator answered.
func (g *GroupConsumer) session(ctx context.Context) (healthy bool, err error) {
	select {
	case <-g.leaveCh:
		return false, errLeft
	default:
	}
	fc, err := g.c.findCoordinator(ctx, g.group)
	if err != nil {
		return false, err
	}
	cc, err := g.c.conn(fc.GetCoordinator().GetAddress())
	if err != nil {
		return false, err
	}
	sctx, cancel := context.WithCancel(ctx)
	var rwg sync.WaitGroup
	defer func() {
		cancel()
		rwg.Wait()
	}()
	stream, err := fjordv1.NewGroupServiceClient(cc).Membership(sctx)
	if err != nil {
		return false, g.streamError(ctx, err)
	}

	g.mu.Lock()
	g.gen++
	gen := g.gen
	join := &fjordv1.JoinGroup{
		GroupId:            g.group,
		MemberId:           g.memberID,
		InstanceId:         g.cfg.instanceID,
		Rack:               g.cfg.rack,
		ClientId:           g.c.cfg.clientID,
		Subscription:       g.sub,
		Assignor:           g.cfg.assignor,
		RebalanceTimeoutMs: int32(g.cfg.rebalanceTimeout.Milliseconds()),
		SessionTimeoutMs:   int32(g.cfg.sessionTimeout.Milliseconds()),
		MemberEpoch:        g.epoch,
	}
	if g.epoch > 0 {
		join.Owned = toWireTPs(g.ownedListLocked())
	}
	sentSub := g.subSeq
	g.mu.Unlock()

	recvd := make(chan membershipRecv)
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			resp, err := stream.Recv()
			select {
			case recvd <- membershipRecv{resp, err}:
			case <-sctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	// A failed Send means the stream is broken; Recv reports why.
	send := func(req *fjordv1.MembershipRequest) error {
		if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
			return g.streamError(ctx, err)
		}
		return nil
	}
	if err := send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Join{Join: join}}); err != nil {
		return false, err
	}

	interval := defaultHeartbeatInterval
	if st := g.cfg.sessionTimeout; st > 0 {
		// Until the coordinator names the interval, as it will choose it.
		interval = min(interval, st/3)
	}
	// The timer runs from the join: a coordinator that never answers it
	// is as gone as one that stops answering heartbeats.
	hb := time.NewTimer(interval)
	defer hb.Stop()
	// lastHeard is when the coordinator last answered; heartbeats are
	// acknowledged, so silence for silentIntervals heartbeat intervals
	// means the coordinator is gone even though its connection is open
	// (a frozen process keeps its sockets).
	lastHeard := time.Now()
	var lastAck uint64
	leaveCh := g.leaveCh
	leaving := false
	// pollLeft: the member left because the application stopped polling.
	pollLeft := false
	pollTick := time.NewTicker(max(10*time.Millisecond, min(time.Second, g.cfg.maxPollInterval/10)))
	defer pollTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return healthy, ctx.Err()
		case r := <-recvd:
			if r.err != nil {
				if pollLeft {
					return healthy, errPollExpired
				}
				if leaving {
					return healthy, errLeft
				}
				if errors.Is(r.err, io.EOF) {
					return healthy, errStreamEnded
				}
				return healthy, g.streamError(ctx, r.err)
			}
			if leaving {
				continue
			}
			lastHeard = time.Now()
			if r.resp.GetHeartbeatAck() {
				continue
			}
			if !healthy {
				healthy = true
				g.mu.Lock()
				g.connected = true
				g.mu.Unlock()
			}
			if ms := r.resp.GetHeartbeatIntervalMs(); ms > 0 {
				interval = time.Duration(ms) * time.Millisecond
			}
			g.mu.Lock()
			g.epoch = r.resp.GetMemberEpoch()
			g.target = memberTarget{seq: g.target.seq + 1, gen: gen, epoch: r.resp.GetMemberEpoch(), assigned: fromWireTPs(r.resp.GetAssigned())}
			g.wakeLocked()
			g.mu.Unlock()
			hb.Reset(interval)
		case <-hb.C:
			if pollLeft {
				return healthy, errPollExpired // the leave was not answered
			}
			if time.Since(lastHeard) > silentIntervals*interval {
				return healthy, errCoordinatorSilent
			}
			if !healthy {
				hb.Reset(interval) // no heartbeat before the join's answer
				continue
			}
			g.mu.Lock()
			epoch := g.epoch
			g.mu.Unlock()
			if err := send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Heartbeat{Heartbeat: &fjordv1.Heartbeat{MemberEpoch: epoch}}}); err != nil {
				return healthy, err
			}
			hb.Reset(interval)
		case <-g.ackCh:
			g.mu.Lock()
			a := g.acked
			g.mu.Unlock()
			if a.gen != gen || a.seq == lastAck || leaving {
				continue // reconciled from an older stream: its join claims it
			}
			lastAck = a.seq
			if err := send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Ack{Ack: &fjordv1.AcknowledgeAssignment{
				MemberEpoch: a.epoch, Owned: toWireTPs(a.assigned)}}}); err != nil {
				return healthy, err
			}
		case <-g.subCh:
			g.mu.Lock()
			sub, seq := g.sub, g.subSeq
			g.mu.Unlock()
			if seq == sentSub || leaving {
				continue // the join carried it
			}
			sentSub = seq
			if err := send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Subscribe{Subscribe: sub}}); err != nil {
				return healthy, err
			}
		case <-pollTick.C:
			if !healthy || leaving || !g.pollExpired() {
				continue
			}
			// The application stopped polling: leave, so that the
			// partitions move (a static member leaves temporarily), and
			// rejoin at the next Poll.
			leaving, pollLeft = true, true
			hb.Reset(silentIntervals * interval)
			if err := send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Leave{Leave: &fjordv1.LeaveGroup{
				Temporary: g.cfg.instanceID != ""}}}); err != nil {
				return healthy, errPollExpired
			}
		case <-leaveCh:
			if pollLeft {
				return healthy, errLeft // already left
			}
			leaveCh, leaving = nil, true
			hb.Stop()
			if err := send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Leave{Leave: &fjordv1.LeaveGroup{
				Temporary: g.cfg.instanceID != ""}}}); err != nil {
				return healthy, errLeft
			}
		}
	}
}

// streamError maps a Membership failure.
func (g *GroupConsumer) streamError(ctx context.Context, err error) error {
	return coordinatorRetriable(errorFromRPC(ctx, err, false))
}

// toWireTPs groups sorted partitions by topic.
func toWireTPs(tps []TopicPartition) []*fjordv1.TopicPartitions {
	var out []*fjordv1.TopicPartitions
	for _, tp := range tps {
		if n := len(out); n == 0 || out[n-1].GetTopic() != tp.Topic {
			out = append(out, &fjordv1.TopicPartitions{Topic: tp.Topic})
		}
		out[len(out)-1].Partitions = append(out[len(out)-1].Partitions, tp.Partition)
	}
	return out
}

// fromWireTPs flattens and sorts partitions.
func fromWireTPs(in []*fjordv1.TopicPartitions) []TopicPartition {
	var out []TopicPartition
	for _, t := range in {
		for _, p := range t.GetPartitions() {
			out = append(out, TopicPartition{t.GetTopic(), p})
		}
	}
	sortTPs(out)
	return out
}
