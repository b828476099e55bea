package testcluster

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/storage"
)

// ReadPartition reads topic's partition p from its leader, from offset 0
// up to the high watermark the first answer reports (at least until,
// retrying for up to timeout while the high watermark is lower), so it
// ends even while producers still write. It fails the test if offsets are
// not dense. The result's index is the offset.
func ReadPartition(t testing.TB, c *Cluster, topic string, p int32, until int64, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var log []string
	next := int64(0)
	var hw int64 = -1
	// target is where reading stops: the first high watermark seen that
	// covers until.
	var target int64 = -1
	leader := int32(0)
	// A high watermark stuck below until for this long will not move.
	const stuck = 5 * time.Second
	lastHW, lastMove := int64(-1), time.Now()
	for {
		if hw != lastHW {
			lastHW, lastMove = hw, time.Now()
		}
		if time.Now().After(deadline) || (target < 0 && time.Since(lastMove) > stuck) {
			t.Fatalf("testcluster: reading %s-%d: at offset %d (high watermark %d, unchanged for %s; leader %d), want at least %d: acknowledged records are missing",
				topic, p, next, hw, time.Since(lastMove).Round(time.Millisecond), leader, until)
		}
		if leader == 0 {
			leader = c.Leader(topic, p, time.Until(deadline)).Leader
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		resp, err := fjordv1.NewFetchServiceClient(c.Conn(leader)).Fetch(ctx, &fjordv1.FetchRequest{MaxWaitMs: 100, Topics: []*fjordv1.FetchTopic{{
			Topic: topic, Partitions: []*fjordv1.FetchPartition{{Partition: p, Offset: next, MaxBytes: 1 << 20}}}}})
		cancel()
		if err != nil {
			leader = 0
			time.Sleep(50 * time.Millisecond)
			continue
		}
		pr := resp.GetTopics()[0].GetPartitions()[0]
		if e := pr.GetError(); e != nil {
			if !e.GetRetriable() {
				t.Fatalf("testcluster: fetch %s-%d at %d from broker %d: %s %s", topic, p, next, leader, e.GetReason(), e.GetMessage())
			}
			leader = 0
			time.Sleep(50 * time.Millisecond)
			continue
		}
		hw = pr.GetHighWatermark()
		if target < 0 && hw >= until {
			target = hw
		}
		if len(pr.GetBatches()) == 0 || (target >= 0 && next >= target) {
			if target >= 0 && next >= target {
				return log
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for _, b := range pr.GetBatches() {
			for _, r := range b.GetRecords().GetRecords() {
				off := b.GetBaseOffset() + int64(r.GetOffsetDelta())
				if off < next {
					continue
				}
				if off != next {
					t.Fatalf("testcluster: %s-%d: offset %d follows %d (offsets must be dense)", topic, p, off, next-1)
				}
				log = append(log, string(r.GetValue()))
				next++
			}
		}
	}
}

// Report summarizes a Verify.
type Report struct {
	// Records is each partition's log length.
	Records map[int32]int
	// Attempts by outcome; Acked counts batches.
	Acked, Failed, Unknown int
	// UnknownPresent counts unknown-outcome batches found in the log.
	UnknownPresent int
	// AckedLost counts acknowledged batches missing from the log (an error
	// for acks=all; documented for acks=1).
	AckedLost int
	// Consumed counts records the workload's reader read (and Verify found
	// unchanged or reported).
	Consumed int
}

func (r Report) String() string {
	return fmt.Sprintf("log lengths %v; batches acked %d (lost %d), failed %d, unknown %d (present %d); %d records consumed",
		r.Records, r.Acked, r.AckedLost, r.Failed, r.Unknown, r.UnknownPresent, r.Consumed)
}

// Verify reads every partition of the workload's topic from its leader and
// checks the log against the attempts (with acks=all): every acknowledged
// record is at its acknowledged offset; offsets are dense and no value
// appears twice (no offset reused or duplicated); every value of this
// workload in the log was sent, and none of a definitely failed attempt;
// each producer's acknowledged records are in send order; every record the
// workload's reader consumed (served below a leader's high watermark, so
// committed) is still at its offset. With acks=1 lost acknowledged records
// are only counted; after ExpectLoss, lost consumed records too.
func Verify(t testing.TB, c *Cluster, w *Workload) Report {
	t.Helper()
	attempts := w.Attempts()
	w.mu.Lock()
	lossOK := w.lossOK
	read := map[int32][]readRecord{}
	for p, rs := range w.read {
		read[p] = slices.Clone(rs)
	}
	w.mu.Unlock()
	durable := w.cfg.Acks == fjordv1.Acks_ACKS_ALL && lossOK == ""
	rep := Report{Records: map[int32]int{}}
	byValue := map[string]*Attempt{}
	until := make([]int64, w.cfg.Partitions)
	for i := range attempts {
		a := &attempts[i]
		for _, v := range a.Values {
			byValue[v] = a
		}
		switch a.Outcome {
		case Acked:
			rep.Acked++
			if durable {
				until[a.Partition] = max(until[a.Partition], a.BaseOffset+int64(len(a.Values)))
			}
		case Failed:
			rep.Failed++
		case Unknown:
			rep.Unknown++
		}
	}
	errs := 0
	errorf := func(format string, args ...any) {
		t.Helper()
		if errs++; errs <= 20 {
			t.Errorf(format, args...)
		}
	}
	prefix := w.cfg.Name + "-"
	for p := range w.cfg.Partitions {
		log := ReadPartition(t, c, w.cfg.Topic, p, until[p], 20*time.Second)
		rep.Records[p] = len(log)
		at := map[string]int64{}
		for off, v := range log {
			if prev, dup := at[v]; dup {
				errorf("%s-%d: value %q at offsets %d and %d", w.cfg.Topic, p, v, prev, off)
			}
			at[v] = int64(off)
			if !strings.HasPrefix(v, prefix) {
				continue
			}
			a, ok := byValue[v]
			switch {
			case !ok:
				errorf("%s-%d offset %d: value %q was never sent", w.cfg.Topic, p, off, v)
			case a.Partition != p:
				errorf("%s-%d offset %d: value %q was sent to partition %d", w.cfg.Topic, p, off, v, a.Partition)
			case a.Outcome == Failed:
				errorf("%s-%d offset %d: value %q is in the log, but broker %d failed its produce definitely (%s: %s)", w.cfg.Topic, p, off, v, a.Broker, a.Reason, a.Err)
			}
		}
		// What the reader consumed was committed: it must not change.
		changed := 0
		for _, r := range read[p] {
			if (r.offset < int64(len(log)) && log[r.offset] == r.value) || lossOK != "" {
				continue
			}
			if changed++; changed <= 5 {
				have := "nothing"
				if r.offset < int64(len(log)) {
					have = strconv.Quote(log[r.offset])
				}
				errorf("%s-%d: the reader consumed %q at offset %d from leader %d (epoch %d) at %s, below its high watermark; the final log holds %s there",
					w.cfg.Topic, p, r.value, r.offset, r.leader, r.epoch, r.at.Format("15:04:05.000"), have)
			}
		}
		if changed > 5 {
			errorf("%s-%d: %d consumed records in all are gone or changed", w.cfg.Topic, p, changed)
		}
		rep.Consumed += len(read[p])
		seenUnknown := map[*Attempt]bool{}
		lastAcked := map[int]int64{} // producer -> offset of its previous ack
		for i := range attempts {
			a := &attempts[i]
			if a.Partition != p {
				continue
			}
			switch a.Outcome {
			case Unknown:
				if _, ok := at[a.Values[0]]; ok && !seenUnknown[a] {
					seenUnknown[a] = true
					rep.UnknownPresent++
				}
			case Acked:
				lost := false
				for j, v := range a.Values {
					off := a.BaseOffset + int64(j)
					got, ok := at[v]
					switch {
					case ok && got == off:
					case ok:
						errorf("%s-%d: %q was acknowledged at offset %d by broker %d (epoch %d) but is at offset %d", w.cfg.Topic, p, v, off, a.Broker, a.LeaderEpoch, got)
					default:
						lost = true
						if durable {
							have := "nothing"
							if off < int64(len(log)) {
								have = strconv.Quote(log[off])
							}
							errorf("%s-%d: acknowledged %q at offset %d (broker %d, leader epoch %d, acked %s) is lost; the offset holds %s",
								w.cfg.Topic, p, v, off, a.Broker, a.LeaderEpoch, a.Done.Format("15:04:05.000"), have)
						}
					}
				}
				if lost {
					rep.AckedLost++
					continue
				}
				if a.Producer >= 0 {
					if prev, ok := lastAcked[a.Producer]; ok && a.BaseOffset <= prev {
						errorf("%s-%d: producer %d's batch %d was acknowledged at offset %d, before its earlier acknowledged batch at %d", w.cfg.Topic, p, a.Producer, a.Seq, a.BaseOffset, prev)
					}
					lastAcked[a.Producer] = a.BaseOffset
				}
			}
		}
	}
	if errs > 20 {
		t.Errorf("... and %d more errors", errs-20)
	}
	return rep
}

// ReplicaReport describes one partition's replicas after CompareReplicas.
type ReplicaReport struct {
	Partition int32
	// Nodes holding a replica, with each one's high watermark and log end
	// offset as recovered from disk.
	Nodes    []int32
	HW, LEO  []int64
	MinHW    int64
	MinLEO   int64
	Batches  int // batches compared below MinHW
	Diverged bool
	// IdenticalTo is the offset below which every replica holds the same
	// batches (MinLEO when no replica diverges).
	IdenticalTo int64
	// Detail shows each replica's batches around IdenticalTo when they
	// diverge.
	Detail string
}

// storedBatch is one batch read from a replica's log.
type storedBatch struct {
	base, next int64
	epoch      int32
	data       []byte
}

// CompareReplicas opens each node's copy of topic's partitions with
// storage.Open (every node must be stopped) and fails the test unless the
// replicas hold byte-identical batches below their smallest high
// watermark. With wantReplicas > 0 each partition must have that many
// copies.
func CompareReplicas(t testing.TB, c *Cluster, topic string, partitions int32, wantReplicas int) []ReplicaReport {
	t.Helper()
	for _, n := range c.Nodes {
		if n.Running() {
			t.Fatalf("testcluster: CompareReplicas needs every node stopped; broker %d runs", n.ID)
		}
	}
	var out []ReplicaReport
	for p := range partitions {
		rep := ReplicaReport{Partition: p, MinHW: math.MaxInt64, MinLEO: math.MaxInt64}
		var logs [][]storedBatch
		for _, n := range c.Nodes {
			dir := filepath.Join(n.DataDir, topic+"-"+strconv.Itoa(int(p)))
			if _, err := os.Stat(dir); err != nil {
				continue
			}
			batches, hw, leo, err := readReplica(dir)
			if err != nil {
				t.Fatalf("testcluster: broker %d's replica of %s-%d: %v", n.ID, topic, p, err)
			}
			rep.Nodes = append(rep.Nodes, n.ID)
			rep.HW, rep.LEO = append(rep.HW, hw), append(rep.LEO, leo)
			rep.MinHW, rep.MinLEO = min(rep.MinHW, hw), min(rep.MinLEO, leo)
			logs = append(logs, batches)
		}
		if wantReplicas > 0 && len(logs) != wantReplicas {
			t.Fatalf("testcluster: %s-%d has replicas on brokers %v, want %d", topic, p, rep.Nodes, wantReplicas)
		}
		if len(logs) == 0 {
			continue
		}
		rep.IdenticalTo = rep.MinLEO
		for i := 1; i < len(logs); i++ {
			if off, same := commonPrefix(logs[0], logs[i], rep.MinLEO); !same {
				rep.Diverged = true
				rep.IdenticalTo = min(rep.IdenticalTo, off)
			}
		}
		if rep.Diverged {
			rep.Detail = describeAt(rep.Nodes, logs, rep.IdenticalTo)
		}
		for _, b := range logs[0] {
			if b.next <= rep.MinHW {
				rep.Batches++
			}
		}
		if rep.IdenticalTo < rep.MinHW {
			t.Errorf("testcluster: %s-%d: replicas differ at offset %d, below their smallest high watermark %d (nodes %v, HWs %v, LEOs %v):\n%s",
				topic, p, rep.IdenticalTo, rep.MinHW, rep.Nodes, rep.HW, rep.LEO, describeAt(rep.Nodes, logs, rep.IdenticalTo))
		}
		out = append(out, rep)
	}
	return out
}

// readReplica returns a stopped replica's batches, high watermark and log
// end offset.
func readReplica(dir string) ([]storedBatch, int64, int64, error) {
	l, err := storage.Open(dir, storage.Options{})
	if err != nil {
		return nil, 0, 0, err
	}
	defer l.Close()
	var out []storedBatch
	off := l.LogStartOffset()
	for {
		res, err := l.Read(off, 1<<20, math.MaxInt64)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("read at %d: %w", off, err)
		}
		if len(res.Batches) == 0 {
			break
		}
		for _, b := range res.Batches {
			h, _, err := storage.ParseBatchHeader(b)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("batch near %d: %w", off, err)
			}
			out = append(out, storedBatch{base: h.BaseOffset, next: h.NextOffset(), epoch: h.LeaderEpoch, data: b})
		}
		off = res.NextOffset
	}
	return out, l.HighWatermark(), l.LogEndOffset(), nil
}

// commonPrefix compares two replicas' batches below limit and returns the
// base offset of the first batch that differs.
func commonPrefix(a, b []storedBatch, limit int64) (int64, bool) {
	for i := 0; ; i++ {
		var x, y *storedBatch
		if i < len(a) && a[i].base < limit {
			x = &a[i]
		}
		if i < len(b) && b[i].base < limit {
			y = &b[i]
		}
		switch {
		case x == nil && y == nil:
			return limit, true
		case x == nil:
			return y.base, false
		case y == nil:
			return x.base, false
		case x.base != y.base || !bytes.Equal(x.data, y.data):
			return min(x.base, y.base), false
		}
	}
}

// describeAt shows each replica's batches around offset off.
func describeAt(nodes []int32, logs [][]storedBatch, off int64) string {
	var sb strings.Builder
	for i, l := range logs {
		k := sort.Search(len(l), func(j int) bool { return l[j].next > off })
		fmt.Fprintf(&sb, "  broker %d:", nodes[i])
		for j := max(k-1, 0); j < min(k+3, len(l)); j++ {
			fmt.Fprintf(&sb, " [%d,%d) epoch %d crc32c %08x;", l[j].base, l[j].next, l[j].epoch, storage.CRC32C(l[j].data))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// ReplicaOffsets opens a stopped node's copy of topic's partition p (with
// storage.Open, recovering it as the broker would) and returns its high
// watermark and log end offset.
func (n *Node) ReplicaOffsets(topic string, p int32) (hw, leo int64, err error) {
	if n.Running() {
		return 0, 0, fmt.Errorf("testcluster: broker %d is running", n.ID)
	}
	l, err := storage.Open(filepath.Join(n.DataDir, topic+"-"+strconv.Itoa(int(p))), storage.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer l.Close()
	return l.HighWatermark(), l.LogEndOffset(), nil
}
