package sdktest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/cluster"
)

// startClusterBehindProxies is startCluster with each broker behind its
// own fault proxy (dropping produce responses with probability drop),
// whose address it advertises: clients, and brokers reaching each other
// through metadata, go through the proxies.
func startClusterBehindProxies(t *testing.T, n int, drop float64, seed uint64) (*testCluster, []*faultProxy) {
	t.Helper()
	proxies := make([]*faultProxy, n)
	for i := range proxies {
		proxies[i] = listenProxy(t, drop, seed+uint64(i))
	}
	for attempt := 1; ; attempt++ {
		c, err := tryClusterBehindProxies(t, proxies)
		if err == nil {
			return c, proxies
		}
		// A raft address freeAddr picked may be taken by another test
		// before the broker binds it: pick again.
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("server.New: %v", err)
		}
	}
}

func tryClusterBehindProxies(t *testing.T, proxies []*faultProxy) (*testCluster, error) {
	n := len(proxies)
	c := &testCluster{t: t, peers: make([]cluster.Peer, n), brokers: make([]*broker, n)}
	for i := range c.peers {
		c.peers[i] = cluster.Peer{ID: int32(i + 1), Addr: freeAddr(t)}
	}
	srvs := make([]*server.Server, n)
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		dirs[i] = t.TempDir()
		opts := c.options(i, dirs[i])
		opts.AdvertisedAddr = proxies[i].addr()
		wg.Add(1)
		go func() {
			defer wg.Done()
			srvs[i], errs[i] = server.New(opts)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, srv := range srvs {
			if srv != nil {
				srv.Shutdown(context.Background()) //nolint:errcheck // failing anyway
			}
		}
		return nil, err
	}
	for i, srv := range srvs {
		c.brokers[i] = c.serve(srv, dirs[i])
		proxies[i].serve(srv.Addr().String())
	}
	c.waitActive()
	return c, nil
}

// TestIdempotentProduceAcrossFailoverWithLostResponses produces with the
// idempotent producer (five requests in flight) to an RF=3,
// min.insync.replicas=2 partition on three brokers, each behind a proxy
// that drops one produce response in ten after the broker acknowledged,
// and shuts the leader down (controlled, and abrupt) mid-stream right after
// it dropped all of the leader's responses for a moment, so that retries of
// batches the old leader acknowledged go to the new leader.
// The log must hold no record twice, and every record in Produce order;
// every acknowledged record at its acknowledged offset (workload.finish
// checks those and more).
func TestIdempotentProduceAcrossFailoverWithLostResponses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-broker cluster and waits for elections")
	}
	for _, tc := range []struct {
		name  string
		abort bool
	}{{"controlled", false}, {"abrupt", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tcl, proxies := startClusterBehindProxies(t, 3, 0, 7)
			cl := newClient(t, proxies[0].addr())
			if _, err := fjord.NewAdmin(cl).CreateTopic(ctxT(t), "idem", 1, 3, map[string]string{"min.insync.replicas": "2"}); err != nil {
				t.Fatalf("CreateTopic: %v", err)
			}
			pm := waitFullISR(t, cl, "idem", 0, 3)
			leader, epoch := pm.GetLeaderId(), pm.GetLeaderEpoch()
			for _, p := range proxies {
				p.setDrop(0.1)
			}
			w := startWorkload(t, cl, "idem")
			w.waitProgress(300)
			// The leader's last answers are lost: the producer must retry
			// batches the leader acknowledged, against the next leader.
			lp := proxies[leader-1]
			before := lp.dropped.Load()
			lp.setDrop(1)
			waitFor(t, "a response of the leader dropped", func() bool { return lp.dropped.Load() > before })
			stopBroker(t, tcl.brokers[leader-1], tc.abort)
			w.waitProgress(300)

			var check *fjord.Client
			for id, p := range proxies {
				if int32(id+1) != leader {
					check = newClient(t, p.addr())
				}
			}
			if now := partitionState(t, check, "idem", 0); now.GetLeaderId() == leader || now.GetLeaderEpoch() <= epoch {
				t.Fatalf("leadership did not move: %v", now)
			}
			for _, p := range proxies {
				p.setDrop(0)
			}
			recs := w.finish(check)
			last := -1
			for _, r := range recs {
				n := valueSeq(string(r.Value))
				if n < last {
					t.Fatalf("%s stored after v%06d: out of Produce order", r.Value, last)
				}
				last = n
			}
			var dropped int64
			for _, p := range proxies {
				dropped += p.dropped.Load()
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			failed := 0
			for v, o := range w.outcomes {
				if o.err != nil {
					failed++
					if errors.Is(o.err, fjord.ErrWouldReorder) || !fjord.IsIndefinite(o.err) {
						t.Errorf("%s failed with %v", v, o.err)
					}
				}
			}
			if dropped == 0 {
				t.Fatal("the proxies dropped no response")
			}
			t.Logf("%d produce responses dropped; %d of %d records failed (indefinitely)", dropped, failed, len(w.outcomes))
		})
	}
}
