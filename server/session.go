package server

import (
	"context"
	"errors"
	"time"

	"github.com/fjordlog/fjord/server/cluster"
)

// sessionOptions describe this broker to the controller.
type sessionOptions struct {
	incarnation string
	address     string
	rack        string
	heartbeat   time.Duration
	// lostUnsynced: the previous run ended in a machine crash.
	lostUnsynced bool
}

// register registers this incarnation, retrying until it succeeds or the
// broker stops.
func (b *broker) register(so sessionOptions) bool {
	backoff := 50 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		epoch, err := b.ctl.register(ctx, cluster.BrokerRegistration{ID: b.id, IncarnationID: so.incarnation, Address: so.address, Rack: so.rack, LostUnsyncedData: so.lostUnsynced})
		cancel()
		if err == nil {
			b.epoch.Store(epoch)
			b.logger.Info("broker registered", "broker", b.id, "broker_epoch", epoch)
			return true
		}
		b.logger.Debug("broker registration failed; retrying", "err", err)
		select {
		case <-b.stop:
			return false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Second)
	}
}

// caughtUp reports whether img holds this incarnation's registration: the
// broker has replayed the metadata log at least that far.
func (b *broker) caughtUp(img *cluster.Image) bool {
	epoch := b.epoch.Load()
	me, ok := img.Broker(b.id)
	return epoch != 0 && ok && me.Epoch == epoch
}

// heartbeatOnce renews the session. A broker asks to stay fenced until its
// local image holds its own registration (it has caught up on metadata).
// A heartbeat waits at most timeout: one stuck on a frozen controller must
// not outlive the session it is meant to keep alive.
func (b *broker) heartbeatOnce(shutdown bool, timeout time.Duration) (cluster.HeartbeatResponse, error) {
	epoch := b.epoch.Load()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return b.ctl.heartbeat(ctx, cluster.HeartbeatRequest{BrokerID: b.id, BrokerEpoch: epoch, WantFence: !b.caughtUp(b.ctl.image()), WantShutdown: shutdown})
}

// runSession keeps the session alive until the broker stops, registering
// again when the controller no longer knows this incarnation's epoch.
func (b *broker) runSession(so sessionOptions) {
	defer b.wg.Done()
	if b.epoch.Load() == 0 && !b.register(so) {
		return
	}
	t := time.NewTicker(so.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-b.shutdownSession:
			return
		case <-t.C:
		}
		_, err := b.heartbeatOnce(false, so.heartbeat)
		if err != nil {
			if r := asError(err).Reason; r == ReasonStaleBrokerEpoch {
				b.logger.Warn("controller no longer knows this broker's session; registering again", "err", err)
				b.epoch.Store(0)
				if !b.register(so) {
					return
				}
				continue
			}
			b.logger.Debug("heartbeat failed", "err", err)
		}
	}
}

// controlledShutdown moves this broker's leaderships away before it stops:
// it asks the controller for a controlled shutdown and waits until it leads
// nothing, or ctx ends. A broker that is the only one alive skips it: there
// is nobody to hand partitions to.
func (b *broker) controlledShutdown(ctx context.Context) {
	if b.epoch.Load() == 0 {
		return
	}
	img := b.ctl.image()
	others := false
	for _, br := range img.Brokers() {
		if br.ID != b.id && img.Alive(br.ID) {
			others = true
		}
	}
	if !others {
		return
	}
	// Stop taking appends and let appended acks=all batches replicate
	// while this broker still leads (followers keep fetching), so moving
	// leadership does not turn them into indefinite errors.
	b.draining.Store(true)
	drainBy := time.Now().Add(2 * time.Second)
	for b.acksInFlight.Load() > 0 && time.Now().Before(drainBy) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	close(b.shutdownSession)
	for {
		resp, err := b.heartbeatOnce(true, time.Second)
		if err == nil && resp.ShouldShutdown {
			b.logger.Info("controlled shutdown complete: leaderships moved")
			return
		}
		if err != nil && errors.Is(err, context.Canceled) {
			return
		}
		select {
		case <-ctx.Done():
			b.logger.Warn("controlled shutdown timed out; stopping anyway")
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// watchLoop applies every new metadata image to the local replicas.
//
// Nothing is applied before the image holds this incarnation's own
// registration: a restarted broker's raft node replays the log only once a
// leader tells it what is committed, and an image from before that point
// would make it delete logs of topics it does not know yet, or lead the
// epochs its previous incarnation held. The registration record ends the
// previous session (its leaderships move, it leaves ISRs), so from then on
// the image is safe to act on. Orphaned partition directories are removed
// once, on the first such image.
func (b *broker) watchLoop() {
	defer b.wg.Done()
	orphansChecked := false
	for {
		img, changed := b.ctl.ctrl.Watch()
		retry := (<-chan time.Time)(nil)
		if !b.caughtUp(img) {
			select {
			case <-b.stop:
				return
			case <-changed:
			case <-time.After(50 * time.Millisecond): // the epoch is set by registration, not by the image
			}
			continue
		}
		if err := b.reconcile(img); err != nil {
			if asError(err).Reason == ReasonBrokerShuttingDown {
				return
			}
			b.logger.Error("apply metadata", "err", err)
			retry = time.After(time.Second)
		} else if !orphansChecked {
			orphansChecked = true
			b.removeOrphans()
		}
		select {
		case <-b.stop:
			return
		case <-changed:
		case <-retry:
		}
	}
}
