package testcluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/storage"
)

// Outcome classifies a produce attempt by what the broker promised.
type Outcome int

const (
	// Acked: the broker acknowledged the batch at BaseOffset.
	Acked Outcome = iota + 1
	// Failed: a per-partition error without the indefinite flag. The batch
	// was not appended and must never appear in the log (one batch per
	// request, so no earlier batch of the request can have been kept).
	Failed
	// Unknown: an indefinite error, a transport error or a client timeout.
	// The batch may or may not be in the log.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case Acked:
		return "acked"
	case Failed:
		return "failed"
	case Unknown:
		return "unknown"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Attempt is one produce request of one batch and what came of it.
type Attempt struct {
	Producer  int
	Seq       int // per producer, in send order
	Partition int32
	Values    []string
	// Broker is the node the request was sent to.
	Broker     int32
	Acks       fjordv1.Acks
	Sent, Done time.Time
	Outcome    Outcome
	// BaseOffset and LeaderEpoch come with an ack.
	BaseOffset  int64
	LeaderEpoch int32
	// Reason is the error reason ("" when acked; "TRANSPORT" for RPC
	// errors); Err the full text.
	Reason, Err string
}

// WorkloadConfig describes a Workload.
type WorkloadConfig struct {
	Topic      string
	Partitions int32
	// Producers run concurrently; producer i writes partition
	// i % Partitions, one request at a time (default 2 per partition).
	Producers int
	// Acks is the acks mode (default ACKS_ALL).
	Acks fjordv1.Acks
	// MaxBatch is the most records per batch (default 3).
	MaxBatch int
	// RequestTimeout bounds one produce RPC (default 1.5s; the broker is
	// given 2/3 of it to replicate). Short, so producers stuck on a frozen
	// broker move on within a test phase.
	RequestTimeout time.Duration
	// Name prefixes record values (default "w").
	Name string
}

// Workload produces unique values into a topic and records every attempt.
// Producers follow leader changes: they ask metadata after a retriable
// error, use the leader named by NOT_LEADER_OR_FOLLOWER, and never send
// a value twice (a retry is a new attempt with new values), so the final
// log can be checked against exactly what each broker promised.
type Workload struct {
	t      testing.TB
	c      *Cluster
	cfg    WorkloadConfig
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards attempts, extra, lossOK and read.
	mu       sync.Mutex
	attempts []Attempt
	// extra counts attempts made outside producers (ProduceVia).
	extra int
	// lossOK, when set, says why acknowledged records may be lost.
	lossOK string
	// read holds, per partition, the records the reader fetched: the
	// leader served them below its high watermark, so they are committed
	// and must stay at their offsets whatever the acks mode.
	read map[int32][]readRecord
}

// readRecord is a record the workload's reader consumed.
type readRecord struct {
	offset int64
	value  string
	// leader and epoch served it.
	leader, epoch int32
	at            time.Time
}

// StartWorkload starts cfg.Producers producers; Stop ends them.
func StartWorkload(t testing.TB, c *Cluster, cfg WorkloadConfig) *Workload {
	w := NewWorkload(t, c, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	for i := range w.cfg.Producers {
		w.wg.Add(1)
		go w.produce(ctx, i)
	}
	w.wg.Add(1)
	go w.consume(ctx)
	return w
}

// consume is the workload's reader: it fetches every partition from its
// leader every 100ms and records what it reads (see Workload.read).
func (w *Workload) consume(ctx context.Context) {
	defer w.wg.Done()
	next := make([]int64, w.cfg.Partitions)
	leaders := make([]int32, w.cfg.Partitions)
	for ctx.Err() == nil {
		for p := range w.cfg.Partitions {
			if leaders[p] <= 0 {
				if leaders[p] = w.leaderOf(ctx, p); leaders[p] <= 0 {
					continue
				}
			}
			fctx, cancel := context.WithTimeout(ctx, time.Second)
			resp, err := fjordv1.NewFetchServiceClient(w.c.Conn(leaders[p])).Fetch(fctx, &fjordv1.FetchRequest{Topics: []*fjordv1.FetchTopic{{
				Topic: w.cfg.Topic, Partitions: []*fjordv1.FetchPartition{{Partition: p, Offset: next[p], MaxBytes: 1 << 20}}}}})
			cancel()
			if err != nil || resp.GetTopics()[0].GetPartitions()[0].GetError() != nil {
				leaders[p] = 0
				continue
			}
			pr := resp.GetTopics()[0].GetPartitions()[0]
			var got []readRecord
			for _, b := range pr.GetBatches() {
				for _, r := range b.GetRecords().GetRecords() {
					if off := b.GetBaseOffset() + int64(r.GetOffsetDelta()); off >= next[p] {
						got = append(got, readRecord{offset: off, value: string(r.GetValue()), leader: leaders[p], epoch: pr.GetLeaderEpoch(), at: time.Now()})
						next[p] = off + 1
					}
				}
			}
			if len(got) > 0 {
				w.mu.Lock()
				if w.read == nil {
					w.read = map[int32][]readRecord{}
				}
				w.read[p] = append(w.read[p], got...)
				w.mu.Unlock()
			}
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
}

// NewWorkload returns a workload without producers, for writes made with
// ProduceVia and ProduceLeader.
func NewWorkload(t testing.TB, c *Cluster, cfg WorkloadConfig) *Workload {
	if cfg.Producers == 0 {
		cfg.Producers = 2 * int(cfg.Partitions)
	}
	if cfg.Acks == fjordv1.Acks_ACKS_UNSPECIFIED {
		cfg.Acks = fjordv1.Acks_ACKS_ALL
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = 3
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 1500 * time.Millisecond
	}
	if cfg.Name == "" {
		cfg.Name = "w"
	}
	w := &Workload{t: t, c: c, cfg: cfg, cancel: func() {}}
	t.Cleanup(w.Stop)
	return w
}

// Stop ends the producers and waits for their last requests.
func (w *Workload) Stop() {
	w.cancel()
	w.wg.Wait()
}

// ExpectLoss declares that acknowledged records of this workload may be
// lost, and why (an unclean election, say): Verify then counts lost
// records instead of failing. acks=1 workloads never fail on loss.
func (w *Workload) ExpectLoss(why string) {
	w.mu.Lock()
	w.lossOK = why
	w.mu.Unlock()
}

// Attempts returns every attempt so far.
func (w *Workload) Attempts() []Attempt {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.attempts)
}

// Count returns how many attempts ended with outcome o.
func (w *Workload) Count(o Outcome) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, a := range w.attempts {
		if a.Outcome == o {
			n++
		}
	}
	return n
}

// WaitAcks waits until n more batches than now are acknowledged on
// partitions matching filter (nil: all), and returns when the last came.
func (w *Workload) WaitAcks(n int, timeout time.Duration, filter func(Attempt) bool) time.Time {
	w.t.Helper()
	count := func() (int, time.Time) {
		w.mu.Lock()
		defer w.mu.Unlock()
		k, last := 0, time.Time{}
		for _, a := range w.attempts {
			if a.Outcome == Acked && (filter == nil || filter(a)) {
				k++
				if a.Done.After(last) {
					last = a.Done
				}
			}
		}
		return k, last
	}
	base, _ := count()
	deadline := time.Now().Add(timeout)
	for {
		k, last := count()
		if k >= base+n {
			return last
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("testcluster: workload got %d of %d more acks within %s; recent errors: %s", k-base, n, timeout, w.recentErrors(5))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// FirstAck returns the earliest acknowledged attempt matching filter.
func (w *Workload) FirstAck(filter func(Attempt) bool) (Attempt, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var best Attempt
	found := false
	for _, a := range w.attempts {
		if a.Outcome == Acked && filter(a) && (!found || a.Done.Before(best.Done)) {
			best, found = a, true
		}
	}
	return best, found
}

func (w *Workload) recentErrors(n int) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for i := len(w.attempts) - 1; i >= 0 && len(out) < n; i-- {
		if a := w.attempts[i]; a.Outcome != Acked {
			out = append(out, fmt.Sprintf("[p%d via %d: %s %s]", a.Partition, a.Broker, a.Reason, a.Err))
		}
	}
	return fmt.Sprint(out)
}

func (w *Workload) record(a Attempt) {
	w.mu.Lock()
	w.attempts = append(w.attempts, a)
	w.mu.Unlock()
}

// produce is producer i's loop.
func (w *Workload) produce(ctx context.Context, i int) {
	defer w.wg.Done()
	partition := int32(i % int(w.cfg.Partitions))
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	var leader int32
	for seq := 0; ctx.Err() == nil; {
		if leader <= 0 {
			if leader = w.leaderOf(ctx, partition); leader <= 0 {
				sleepCtx(ctx, 50*time.Millisecond)
				continue
			}
		}
		values := make([]string, 1+rng.IntN(w.cfg.MaxBatch))
		for j := range values {
			values[j] = fmt.Sprintf("%s-p%d-s%d-r%d", w.cfg.Name, i, seq, j)
		}
		a := w.send(ctx, leader, partition, values)
		a.Producer, a.Seq = i, seq
		seq++
		if a.Outcome == Unknown && a.Reason == "CANCELED" && ctx.Err() != nil {
			// Stopped mid-request: still a real attempt.
			w.record(a.Attempt)
			return
		}
		w.record(a.Attempt)
		if a.Outcome == Acked {
			continue
		}
		// Follow the leader hint, else ask again; back off a little.
		leader = 0
		if a.hint > 0 {
			leader = a.hint
		}
		sleepCtx(ctx, time.Duration(min(max(a.retryAfterMs, 20), 100))*time.Millisecond)
	}
}

// sentAttempt is an Attempt plus retry hints.
type sentAttempt struct {
	Attempt
	hint         int32
	retryAfterMs int32
}

// send produces values as one batch to node id and classifies the result.
func (w *Workload) send(ctx context.Context, id int32, partition int32, values []string) sentAttempt {
	a := sentAttempt{Attempt: Attempt{Partition: partition, Values: values, Broker: id, Acks: w.cfg.Acks, Sent: time.Now(), BaseOffset: -1}}
	var bb storage.BatchBuilder
	for _, v := range values {
		bb.Add(nil, []byte(v), time.Now().UnixMilli())
	}
	batch, err := bb.Build(nil)
	if err != nil {
		panic(err) // only fails on an empty batch
	}
	resp, err := produceRaw(ctx, w.c.Conn(id), w.cfg.Topic, partition, w.cfg.Acks, batch, w.cfg.RequestTimeout)
	a.Done = time.Now()
	switch {
	case err != nil:
		a.Outcome, a.Reason, a.Err = Unknown, "TRANSPORT", err.Error()
		if ctx.Err() != nil {
			a.Reason = "CANCELED"
		}
	case resp.GetError() == nil:
		a.Outcome, a.BaseOffset, a.LeaderEpoch = Acked, resp.GetBaseOffset(), resp.GetLeaderEpoch()
		if n := resp.GetLastOffset() - resp.GetBaseOffset() + 1; n != int64(len(values)) {
			w.t.Errorf("testcluster: broker %d acked %d records at [%d, %d] for a batch of %d", id, n, resp.GetBaseOffset(), resp.GetLastOffset(), len(values))
		}
	default:
		e := resp.GetError()
		a.Reason, a.Err, a.retryAfterMs = e.GetReason(), e.GetMessage(), e.GetRetryAfterMs()
		a.Outcome = Failed
		if e.GetIndefinite() {
			a.Outcome = Unknown
		}
		if h, err := strconv.Atoi(e.GetMetadata()["leader_id"]); err == nil && h > 0 && h != int(id) {
			a.hint = int32(h)
		}
		if !e.GetRetriable() {
			w.t.Errorf("testcluster: broker %d answered a produce to %s-%d with a non-retriable error: %s %s", id, w.cfg.Topic, partition, e.GetReason(), e.GetMessage())
		}
	}
	return a
}

// ProduceVia sends one batch of fresh values to node id (no leader lookup),
// records the attempt with the workload's and returns it.
func (w *Workload) ProduceVia(id int32, partition int32) Attempt {
	w.mu.Lock()
	w.extra++
	seq := w.extra
	w.mu.Unlock()
	values := []string{fmt.Sprintf("%s-via%d-x%d", w.cfg.Name, id, seq)}
	a := w.send(context.Background(), id, partition, values)
	a.Producer, a.Seq = -1, seq
	w.record(a.Attempt)
	return a.Attempt
}

// ProduceLeader writes one batch of fresh values to partition through its
// current leader, asking metadata and retrying until a write is
// acknowledged or timeout passes. Every attempt is recorded; the last is
// returned with whether it was acknowledged.
func (w *Workload) ProduceLeader(partition int32, timeout time.Duration) (Attempt, bool) {
	deadline := time.Now().Add(timeout)
	last := Attempt{Partition: partition, Reason: "NO_LEADER", Err: "no broker's metadata named a leader"}
	for time.Now().Before(deadline) {
		leader := w.leaderOf(context.Background(), partition)
		if leader <= 0 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		w.mu.Lock()
		w.extra++
		seq := w.extra
		w.mu.Unlock()
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		a := w.send(ctx, leader, partition, []string{fmt.Sprintf("%s-leader-x%d", w.cfg.Name, seq)})
		cancel()
		a.Producer, a.Seq = -1, seq
		w.record(a.Attempt)
		last = a.Attempt
		if a.Outcome == Acked {
			return last, true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return last, false
}

// leaderOf asks metadata for partition's leader; 0 when none is known.
func (w *Workload) leaderOf(ctx context.Context, partition int32) int32 {
	md, _, err := w.c.Metadata(ctx, rand.IntN(len(w.c.Nodes)), w.cfg.Topic)
	if err != nil || len(md.GetTopics()) == 0 || int(partition) >= len(md.GetTopics()[0].GetPartitions()) {
		return 0
	}
	return md.GetTopics()[0].GetPartitions()[partition].GetLeaderId()
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// produceRaw sends one stored-format batch with the wire codec (batch
// bytes as produced by storage.BatchBuilder).
func produceRaw(ctx context.Context, conn *grpc.ClientConn, topic string, partition int32, acks fjordv1.Acks, batch []byte, timeout time.Duration) (*fjordv1.ProducePartitionResponse, error) {
	req := &wirev1.ProduceRequest{Acks: acks, TimeoutMs: int32(timeout * 2 / 3 / time.Millisecond), Topics: []*wirev1.ProduceTopicData{{Topic: topic,
		Partitions: []*wirev1.ProducePartitionData{{Partition: partition, Batches: [][]byte{batch}}}}}}
	resp := new(fjordv1.ProduceResponse)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := conn.Invoke(ctx, fjordv1.ProduceService_Produce_FullMethodName, req, resp); err != nil {
		return nil, err
	}
	if len(resp.GetTopics()) != 1 || len(resp.GetTopics()[0].GetPartitions()) != 1 {
		return nil, fmt.Errorf("testcluster: produce response has %d topics", len(resp.GetTopics()))
	}
	return resp.GetTopics()[0].GetPartitions()[0], nil
}
