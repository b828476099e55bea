package testcluster

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFullClusterRestartKeepsData stops every broker gracefully and starts
// them all again on the same data: every acknowledged record must still be
// there and every broker must have recovered its own logs (not deleted
// and re-created them).
func TestFullClusterRestartKeepsData(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 3)
	const topic, partitions = "restart", 3
	c.CreateTopic(topic, partitions, 3, durableTopic())
	w := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: partitions})
	w.WaitAcks(500, 10*time.Second, nil)
	w.Stop()
	waitFullISR(t, c, topic, partitions, 10*time.Second)
	c.StopAll()
	files := map[int32][]map[string]uint64{}
	for _, n := range c.Nodes {
		for p := range int32(partitions) {
			files[n.ID] = append(files[n.ID], logFiles(t, n, topic, p))
		}
	}
	for _, n := range c.Nodes {
		n.Restart()
	}
	c.WaitAllActive(15 * time.Second)
	c.WaitTopic(topic, partitions, 15*time.Second)
	for _, n := range c.Nodes {
		for p := range int32(partitions) {
			checkKeptLog(t, n, topic, p, files[n.ID][p])
		}
	}
	after := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: partitions, Name: "after"})
	after.WaitAcks(100, 15*time.Second, nil)
	t.Logf("checker (before the restart): %s", Verify(t, c, w))
	finish(t, c, after, 3, true)
}

// TestTornSegmentTail kills a partition leader with SIGKILL, appends a torn
// frame (a header promising more bytes than follow, with a wrong CRC) to
// the active segment of each of its replicas, and restarts it: recovery
// must cut the garbage, and the broker must rejoin every ISR from its own
// recovered log, catch up, and end with logs identical to the others.
func TestTornSegmentTail(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 3)
	const topic, partitions = "torn", 2
	c.CreateTopic(topic, partitions, 3, durableTopic())
	w := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: partitions})
	w.WaitAcks(400, 10*time.Second, nil)

	victim := c.Leader(topic, 0, 5*time.Second).Leader
	c.Node(victim).Kill()
	var kept []map[string]uint64
	for p := range int32(partitions) {
		seg, size := appendTornFrame(t, c.Node(victim), topic, p)
		t.Logf("broker %d: appended a torn frame to %s (%d bytes before)", victim, seg, size)
		kept = append(kept, logFiles(t, c.Node(victim), topic, p))
	}
	w.WaitAcks(200, 15*time.Second, nil)
	c.Node(victim).Restart()
	c.WaitAllActive(15 * time.Second)
	waitFullISR(t, c, topic, partitions, 20*time.Second)
	for p := range int32(partitions) {
		checkKeptLog(t, c.Node(victim), topic, p, kept[p])
	}
	w.WaitAcks(200, 10*time.Second, nil)
	finish(t, c, w, 3, true)
}

// appendTornFrame appends a frame header whose length promises 4 KiB and
// whose CRC is wrong, followed by 40 bytes, to the newest segment of the
// node's replica; it returns the segment and its size before.
func appendTornFrame(t *testing.T, n *Node, topic string, p int32) (string, int64) {
	t.Helper()
	dir := filepath.Join(n.DataDir, topic+"-"+strconv.Itoa(int(p)))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".log") {
			logs = append(logs, e.Name())
		}
	}
	if len(logs) == 0 {
		t.Fatalf("no segment in %s", dir)
	}
	sort.Strings(logs)
	seg := filepath.Join(dir, logs[len(logs)-1])
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	torn := binary.BigEndian.AppendUint32(nil, 4096)
	torn = binary.BigEndian.AppendUint32(torn, 0xdeadbeef)
	for i := 0; i < 40; i++ {
		torn = append(torn, byte(i*37+11))
	}
	if _, err := f.Write(torn); err != nil {
		t.Fatal(err)
	}
	return filepath.Base(dir) + "/" + logs[len(logs)-1], fi.Size()
}
