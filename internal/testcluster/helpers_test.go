package testcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// processTest skips process-level fault tests under -short.
func processTest(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("process-level fault test")
	}
}

// durableTopic is the configuration of the checker topics: acks=all needs
// two in-sync replicas; small segments so logs roll during a test.
func durableTopic() map[string]string {
	return map[string]string{"min.insync.replicas": "2", "segment.bytes": "65536"}
}

// ledBy returns the partitions of topic that node id leads, with their
// leader epochs.
func ledBy(t *testing.T, c *Cluster, topic string, partitions int32, id int32) map[int32]int32 {
	t.Helper()
	out := map[int32]int32{}
	for p := range partitions {
		st := c.Leader(topic, p, 10*time.Second)
		if st.Leader == id {
			out[p] = st.LeaderEpoch
		}
	}
	return out
}

// waitFullISR waits until every partition of topic has all its replicas
// in the ISR and a leader.
func waitFullISR(t *testing.T, c *Cluster, topic string, partitions int32, timeout time.Duration) {
	t.Helper()
	for p := range partitions {
		c.WaitPartition(topic, p, timeout, "a full ISR", func(st PartitionState) bool {
			return st.Leader > 0 && len(st.ISR) == len(st.Replicas)
		})
	}
}

// finish stops the workload, checks the log through the leaders, stops
// every broker and compares the replicas on disk: byte-identical below
// their smallest high watermark. With converged, it first waits for a full
// ISR and writes a barrier record with acks=all to each partition while
// the ISR is full, so every replica must hold the same log up to it (no
// divergent suffix left below it), which CompareReplicas then checks too.
func finish(t *testing.T, c *Cluster, w *Workload, rf int, converged bool) {
	t.Helper()
	w.Stop()
	var barrier map[int32]int64
	if converged {
		waitFullISR(t, c, w.cfg.Topic, w.cfg.Partitions, 20*time.Second)
		barrier = barrierWrites(t, c, w.cfg.Topic, w.cfg.Partitions)
	}
	rep := Verify(t, c, w)
	t.Logf("checker: %s", rep)
	c.StopAll()
	for _, r := range CompareReplicas(t, c, w.cfg.Topic, w.cfg.Partitions, rf) {
		t.Logf("replicas of %s-%d on %v: HW %v, LEO %v; %d batches identical below min HW %d", w.cfg.Topic, r.Partition, r.Nodes, r.HW, r.LEO, r.Batches, r.MinHW)
		if converged && r.IdenticalTo < barrier[r.Partition] {
			t.Errorf("%s-%d: replicas differ from offset %d, below the barrier write at %d acknowledged by a full ISR:\n%s",
				w.cfg.Topic, r.Partition, r.IdenticalTo, barrier[r.Partition]-1, r.Detail)
		}
	}
}

// barrierWrites writes one acks=all record to each partition and returns
// the offset after it, retrying until the write was acknowledged in a
// leader epoch whose ISR is (still) every replica: then every replica
// fetched the record in that epoch, so holds the leader's log up to it.
func barrierWrites(t *testing.T, c *Cluster, topic string, partitions int32) map[int32]int64 {
	t.Helper()
	bw := NewWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: partitions, Name: "barrier"})
	out := map[int32]int64{}
	for p := range partitions {
		// A loaded machine can drop a slow follower from the ISR for a
		// moment: keep trying (bounded) until it is back.
		deadline := time.Now().Add(40 * time.Second)
		for {
			a, ok := bw.ProduceLeader(p, 10*time.Second)
			st, err := c.State(topic, p)
			if ok && err == nil && st.LeaderEpoch == a.LeaderEpoch && len(st.ISR) == len(st.Replicas) {
				out[p] = a.BaseOffset + 1
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s-%d: no barrier write acknowledged under a full ISR: %+v (%v), last attempt %+v", topic, p, st, err, a)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	return out
}

// others returns the node ids other than the given ones.
func others(c *Cluster, not ...int32) []int32 {
	var out []int32
	for _, n := range c.Nodes {
		if !slices.Contains(not, n.ID) {
			out = append(out, n.ID)
		}
	}
	return out
}

func keys(m map[int32]int32) string { return fmt.Sprint(m) }

func itoa(id int32) string { return fmt.Sprint(id) }

// logFiles identifies a stopped or running replica's on-disk log: the
// inode of each .log segment file by name. A broker that recovers its log
// at restart keeps these files; one that deletes and re-fetches it does not.
func logFiles(t *testing.T, n *Node, topic string, p int32) map[string]uint64 {
	t.Helper()
	dir := filepath.Join(n.DataDir, topic+"-"+strconv.Itoa(int(p)))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("broker %d's replica of %s-%d: %v", n.ID, topic, p, err)
	}
	out := map[string]uint64{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".log") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if id, ok := fileID(fi); ok {
			out[e.Name()] = id
		}
	}
	return out
}

// checkKeptLog fails the test unless the first segment of before is still
// the same file: the broker recovered its log instead of deleting it.
func checkKeptLog(t *testing.T, n *Node, topic string, p int32, before map[string]uint64) {
	t.Helper()
	first := ""
	for name := range before {
		if first == "" || name < first {
			first = name
		}
	}
	after := logFiles(t, n, topic, p)
	if ino, ok := after[first]; !ok || ino != before[first] {
		t.Errorf("broker %d did not keep its log of %s-%d across the restart: segment %s (inode %d) is gone or replaced (now %v); the broker deleted the partition directory and started an empty log",
			n.ID, topic, p, first, before[first], after)
	}
}
