package sdktest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/cluster"
)

// clusterTimeout bounds the waits of the cluster tests, which include
// elections and session timeouts.
const clusterTimeout = 60 * time.Second

// freeAddr returns a free loopback address (for a raft listener, which
// server.New needs to know before it binds).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// testCluster is n in-process brokers (ids 1..n) forming one cluster with
// a static controller quorum.
type testCluster struct {
	t       *testing.T
	peers   []cluster.Peer
	brokers []*broker // by id-1; replaced on restart
}

// startCluster starts the brokers and returns once every broker is
// registered and unfenced. t.Cleanup shuts down those still running.
func startCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	c := &testCluster{t: t, peers: make([]cluster.Peer, n), brokers: make([]*broker, n)}
	for i := range c.peers {
		c.peers[i] = cluster.Peer{ID: int32(i + 1), Addr: freeAddr(t)}
	}
	// Each New waits for nothing but its own disk and ports; they may as
	// well open together.
	srvs := make([]*server.Server, n)
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		dirs[i] = t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			srvs[i], errs[i] = server.New(c.options(i, dirs[i]))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for _, srv := range srvs {
				if srv != nil {
					srv.Shutdown(context.Background()) //nolint:errcheck // failing anyway
				}
			}
			t.Fatalf("server.New(broker %d): %v", i+1, err)
		}
	}
	for i, srv := range srvs {
		c.brokers[i] = c.serve(srv, dirs[i])
	}
	c.waitActive()
	return c
}

func (c *testCluster) options(i int, dir string) server.Options {
	return server.Options{
		NodeID: c.peers[i].ID, RaftAddr: c.peers[i].Addr, Peers: c.peers,
		DataDir: dir, ListenAddr: "127.0.0.1:0", HTTPAddr: "off",
		SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RaftTimeout: 200 * time.Millisecond,
		ControlledShutdownTimeout: 5 * time.Second, ShutdownTimeout: 5 * time.Second,
	}
}

func (c *testCluster) serve(srv *server.Server, dir string) *broker {
	b := &broker{t: c.t, srv: srv, dir: dir, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	c.t.Cleanup(b.stop)
	return b
}

// restart starts broker id again, after stop, on its data directory and
// raft address; it listens on a new port, which it advertises.
func (c *testCluster) restart(id int32) {
	c.t.Helper()
	old := c.brokers[id-1]
	srv, err := server.New(c.options(int(id-1), old.dir))
	if err != nil {
		c.t.Fatalf("restart broker %d: %v", id, err)
	}
	c.brokers[id-1] = c.serve(srv, old.dir)
	c.waitActive()
}

// waitActive waits until every broker lists every broker (registered and
// not fenced).
func (c *testCluster) waitActive() {
	c.t.Helper()
	deadline := time.Now().Add(clusterTimeout)
	for _, b := range c.brokers {
		cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(b.addr()))
		if err != nil {
			c.t.Fatal(err)
		}
		for {
			md, err := cl.Metadata(ctxT(c.t))
			if err == nil && len(md.GetBrokers()) == len(c.brokers) {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("brokers not all active: %v, %v", md, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cl.Close()
	}
}

// partitionState asks for fresh metadata and returns a partition's.
func partitionState(t *testing.T, cl *fjord.Client, topic string, partition int32) *fjordv1.PartitionMetadata {
	t.Helper()
	md, err := cl.Metadata(ctxT(t)) // no topics: always asks a broker
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	for _, tm := range md.GetTopics() {
		if tm.GetName() == topic && int(partition) < len(tm.GetPartitions()) {
			return tm.GetPartitions()[partition]
		}
	}
	return nil
}

// waitFullISR waits until a partition has a leader and every replica in
// sync, so that any one broker may go down without losing it.
func waitFullISR(t *testing.T, cl *fjord.Client, topic string, partition int32, replicas int) *fjordv1.PartitionMetadata {
	t.Helper()
	deadline := time.Now().Add(clusterTimeout)
	for {
		pm := partitionState(t, cl, topic, partition)
		if pm != nil && pm.GetLeaderId() > 0 && len(pm.GetIsr()) == replicas {
			return pm
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%d never had a full ISR: %v", topic, partition, pm)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outcome is what a promise reported for one produced record.
type outcome struct {
	offset int64
	err    error
}

// workload produces to one partition from an SDK producer, without waiting
// for each record (so up to MaxInFlight requests are in flight at any
// time), and consumes it concurrently from the start with an SDK consumer.
type workload struct {
	t     *testing.T
	p     *fjord.Producer
	topic string

	mu       sync.Mutex
	outcomes map[string]outcome // by value
	acked    int
	consumed []*fjord.Record
	pollErr  error

	stopProducing, stopConsuming context.CancelFunc
	producerDone, consumerDone   chan struct{}
}

func startWorkload(t *testing.T, cl *fjord.Client, topic string) *workload {
	w := &workload{t: t, topic: topic, outcomes: map[string]outcome{},
		producerDone: make(chan struct{}), consumerDone: make(chan struct{})}
	// Small batches, many of them in flight; a small buffer paces the
	// producer to what the cluster acknowledges.
	w.p = newProducer(t, cl, fjord.Acks(fjordv1.Acks_ACKS_ALL), fjord.MaxInFlight(5), fjord.Linger(time.Millisecond),
		fjord.BatchBytes(256), fjord.MaxBufferedBytes(16<<10), fjord.DeliveryTimeout(45*time.Second))
	c := newConsumer(t, cl, fjord.FetchMaxWait(100*time.Millisecond))
	c.Assign(topic, 0, fjord.AtStart())

	var consumeCtx, produceCtx context.Context
	consumeCtx, w.stopConsuming = context.WithCancel(context.Background())
	produceCtx, w.stopProducing = context.WithCancel(context.Background())
	go func() {
		defer close(w.consumerDone)
		for {
			recs, err := c.Poll(consumeCtx)
			w.mu.Lock()
			w.consumed = append(w.consumed, recs...)
			if err != nil && consumeCtx.Err() == nil {
				w.pollErr = err
			}
			w.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer close(w.producerDone)
		for i := 0; produceCtx.Err() == nil; i++ {
			v := fmt.Sprintf("v%06d", i)
			w.p.Produce(context.Background(), &fjord.Record{Topic: topic, Value: []byte(v)}, func(r *fjord.Record, err error) {
				w.mu.Lock()
				defer w.mu.Unlock()
				if _, dup := w.outcomes[v]; dup {
					t.Errorf("promise of %s called twice", v)
				}
				w.outcomes[v] = outcome{r.Offset, err}
				if err == nil {
					w.acked++
				}
			})
		}
	}()
	return w
}

func (w *workload) counts() (acked, consumed int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked, len(w.consumed)
}

// waitFor polls cond until it holds or clusterTimeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(clusterTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitProgress waits until n more records were acknowledged and the
// consumer read something new.
func (w *workload) waitProgress(n int) {
	w.t.Helper()
	acked, consumed := w.counts()
	waitFor(w.t, fmt.Sprintf("%d more acknowledged records", n), func() bool { a, _ := w.counts(); return a >= acked+n })
	waitFor(w.t, "the consumer to read more", func() bool { _, c := w.counts(); return c > consumed })
}

// finish stops producing, waits for every promise, lets the consumer read
// up to the high watermark (asked through check) and checks the outcome:
// the log as the consumer read it is dense and holds each record at most
// once; every acknowledged record is in it at its acknowledged offset; no
// record that failed definitely is in it; failures are only indefinite ones
// or ErrWouldReorder. It returns the records read.
func (w *workload) finish(check *fjord.Client) []*fjord.Record {
	t := w.t
	t.Helper()
	w.stopProducing()
	<-w.producerDone
	if err := w.p.Flush(ctxT(t)); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	end, err := fjord.NewAdmin(check).ListOffset(ctxT(t), w.topic, 0, fjord.AtEnd())
	if err != nil {
		t.Fatalf("ListOffset: %v", err)
	}
	waitFor(t, fmt.Sprintf("the consumer to read up to the high watermark %d", end), func() bool { _, c := w.counts(); return c >= int(end) })
	w.stopConsuming()
	<-w.consumerDone
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pollErr != nil {
		t.Fatalf("Poll: %v", w.pollErr)
	}

	stored := map[string]int64{}
	for i, r := range w.consumed {
		if r.Offset != int64(i) {
			t.Fatalf("consumer got offset %d at position %d (value %s)", r.Offset, i, r.Value)
		}
		if prev, dup := stored[string(r.Value)]; dup {
			t.Fatalf("%s stored twice, at offsets %d and %d", r.Value, prev, r.Offset)
		}
		stored[string(r.Value)] = r.Offset
	}
	if int64(len(w.consumed)) != end {
		t.Fatalf("consumed %d records, high watermark %d", len(w.consumed), end)
	}
	var nAcked, nIndefinite, nReorder, nOther int
	for v, o := range w.outcomes {
		off, ok := stored[v]
		switch {
		case o.err == nil:
			nAcked++
			if !ok || off != o.offset {
				t.Errorf("%s acknowledged at offset %d, stored at %d (present %v)", v, o.offset, off, ok)
			}
		case fjord.IsIndefinite(o.err):
			nIndefinite++ // may or may not be stored; at most once (checked above)
		default:
			if errors.Is(o.err, fjord.ErrWouldReorder) {
				nReorder++
				if nReorder == 1 {
					t.Logf("%s not retried: %v", v, o.err)
				}
			} else {
				nOther++
				if nOther <= 10 {
					t.Errorf("%s failed: %v", v, o.err)
				}
			}
			if ok {
				t.Errorf("%s failed definitely (%v) but is stored at offset %d", v, o.err, off)
			}
		}
	}
	t.Logf("%d records produced: %d acknowledged, %d indefinite, %d not retried to keep order, %d other failures; %d stored",
		len(w.outcomes), nAcked, nIndefinite, nReorder, nOther, len(stored))
	return w.consumed
}

// stopBroker stops b: gracefully (Server.Shutdown moves its leaderships
// away first) or, with abort, as abruptly as the in-process API allows.
func stopBroker(t *testing.T, b *broker, abort bool) {
	t.Helper()
	ctx := context.Background()
	if abort {
		c, cancel := context.WithCancel(ctx)
		cancel()
		ctx = c
	}
	began := time.Now()
	if err := b.srv.Shutdown(ctx); err != nil && !abort {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-b.served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	b.served = nil
	t.Logf("broker stopped (abort %v) in %s", abort, time.Since(began).Round(time.Millisecond))
}

// TestProduceConsumeAcrossLeaderFailover produces with acks=all to an RF=3,
// min.insync.replicas=2 topic from the SDK producer, pipelined, while the
// partition leader's broker goes away, and consumes concurrently with one
// SDK consumer. Every acknowledged record must be in the log exactly once at
// its acknowledged offset, no record may be stored twice, a record that
// failed definitely must not be stored at all, and the consumer must read
// the whole log, in order, across the leader change.
//
// "controlled" is Server.Shutdown, which first moves leaderships away.
// "abrupt" is Shutdown with an expired context, the closest the in-process
// API comes to a crash: one controlled-shutdown heartbeat is sent, but
// nothing waits for leaderships to move, and gRPC is stopped at once,
// cutting every connection and in-flight call (a kill -9 needs brokers as
// processes).
func TestProduceConsumeAcrossLeaderFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-broker cluster and waits for elections")
	}
	for _, tc := range []struct {
		name  string
		abort bool
	}{{"controlled", false}, {"abrupt", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tcl := startCluster(t, 3)
			// One seed only: once it is gone (it may be the leader), the
			// client must find the other brokers from the metadata it saw.
			cl := newClient(t, tcl.brokers[0].addr(), fjord.RequestTimeout(10*time.Second))
			if _, err := fjord.NewAdmin(cl).CreateTopic(ctxT(t), "ha", 1, 3, map[string]string{"min.insync.replicas": "2"}); err != nil {
				t.Fatalf("CreateTopic: %v", err)
			}
			pm := waitFullISR(t, cl, "ha", 0, 3)
			leader, epoch := pm.GetLeaderId(), pm.GetLeaderEpoch()
			w := startWorkload(t, cl, "ha")
			w.waitProgress(300)
			stopBroker(t, tcl.brokers[leader-1], tc.abort)
			w.waitProgress(300)

			var check *fjord.Client
			for id, b := range tcl.brokers {
				if int32(id+1) != leader {
					check = newClient(t, b.addr())
				}
			}
			if now := partitionState(t, check, "ha", 0); now.GetLeaderId() == leader || now.GetLeaderEpoch() <= epoch {
				t.Fatalf("leadership did not move: %v", now)
			}
			recs := w.finish(check)
			if last := recs[len(recs)-1]; last.LeaderEpoch <= epoch {
				t.Errorf("last record read has leader epoch %d, not after %d", last.LeaderEpoch, epoch)
			}
		})
	}
}

// TestRollingRestart restarts every broker in turn (the partition leader
// whenever it was not restarted yet) under the same produce and consume
// workload and checks: the producer and the consumer follow at least two
// leader changes, brokers coming back on new ports (the client's only seed
// among them), and fetches that carry leader epochs above 0, which the
// brokers check.
func TestRollingRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-broker cluster and restarts each broker")
	}
	t.Parallel()
	tcl := startCluster(t, 3)
	cl := newClient(t, tcl.brokers[0].addr(), fjord.RequestTimeout(10*time.Second))
	if _, err := fjord.NewAdmin(cl).CreateTopic(ctxT(t), "roll", 1, 3, map[string]string{"min.insync.replicas": "2"}); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	waitFullISR(t, cl, "roll", 0, 3)
	w := startWorkload(t, cl, "roll")
	w.waitProgress(200)
	restarted := map[int32]bool{}
	for len(restarted) < 3 {
		pm := waitFullISR(t, cl, "roll", 0, 3)
		leader := pm.GetLeaderId()
		if restarted[leader] {
			// Leadership came back to a restarted broker: move it on.
			for id := int32(1); id <= 3; id++ {
				if !restarted[id] {
					leader = id
				}
			}
		}
		stopBroker(t, tcl.brokers[leader-1], false)
		w.waitProgress(200)
		tcl.restart(leader)
		restarted[leader] = true
		w.waitProgress(200)
	}
	recs := w.finish(newClient(t, tcl.brokers[0].addr()))
	epochs := map[int32]bool{}
	for _, r := range recs {
		epochs[r.LeaderEpoch] = true
	}
	if len(epochs) < 3 {
		t.Errorf("records written under %d leader epochs, want at least 3", len(epochs))
	}
}

// TestClientFailsOverToKnownBroker stops the only seed broker: the client
// still finds metadata, produces and consumes through the brokers it
// learned from earlier metadata.
func TestClientFailsOverToKnownBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-broker cluster")
	}
	t.Parallel()
	tcl := startCluster(t, 3)
	cl := newClient(t, tcl.brokers[0].addr())
	if _, err := fjord.NewAdmin(cl).CreateTopic(ctxT(t), "seed", 3, 3, nil); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	for part := range int32(3) {
		waitFullISR(t, cl, "seed", part, 3)
	}
	tcl.brokers[0].stop()
	if _, err := cl.Metadata(ctxT(t), "seed"); err != nil {
		t.Fatalf("Metadata with the seed down: %v", err)
	}
	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	for part := range int32(3) {
		r := &fjord.Record{Topic: "seed", Partition: part, Value: []byte("x")}
		if err := p.ProduceSync(ctxT(t), r); err != nil {
			t.Fatalf("produce to partition %d with the seed down: %v", part, err)
		}
	}
	c := newConsumer(t, cl, fjord.FetchMaxWait(50*time.Millisecond))
	for part := range int32(3) {
		c.Assign("seed", part, fjord.AtStart())
	}
	pollN(t, c, 3)
}
