package testcluster

import (
	"testing"
	"time"
)

// TestKIP101DoubleFailure: RF 2 (min.insync.replicas 1,
// flush.policy=replication, so an ack means "in the page cache of every
// ISR member" and survives process crashes), leader A and follower B,
// both other than the controller leader C so the quorum outlives A:
//
//  1. Producers write with acks=all; A and B are in sync.
//  2. SIGSTOP B for 300ms and, while it is frozen, kill -9 A: A dies
//     with a suffix B never fetched (appended, not acknowledged), and B's
//     high watermark lags its log end (it learns the HW a fetch later).
//  3. SIGCONT B. The controller fences A and elects B (the only live ISR
//     member); producers get acks=all from B alone (ISR {B}).
//  4. kill -9 B. Both replicas are down; the quorum (C alone) too.
//  5. Restart B first: it must lead again without truncating to its
//     stale on-disk high watermark (KIP-101 case 1, which would drop
//     acknowledged records), and take new writes in a new epoch.
//  6. Restart A: following B it must truncate its divergent suffix by
//     leader epoch (KIP-101 case 2: a high-watermark truncation would keep
//     records B overwrote at the same offsets) and catch up.
//
// No acknowledged record may be lost (both failures are process crashes),
// and the two logs must end byte-identical.
func TestKIP101DoubleFailure(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 3)
	const topic = "kip101"
	c.CreateTopic(topic, 1, 2, map[string]string{"min.insync.replicas": "1", "flush.policy": "replication", "segment.bytes": "65536"})
	ctrl := c.Controller(5 * time.Second)
	ab := others(c, ctrl)
	a, b := ab[0], ab[1]
	st := c.Place(topic, 0, a, b)
	t.Logf("%s-0 on [%d %d] (leader %d, epoch %d); controller %d", topic, a, b, a, st.LeaderEpoch, ctrl)
	w := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: 1})
	w.WaitAcks(300, 10*time.Second, nil)

	// 2. A dies with a suffix B does not have.
	c.Node(b).Pause()
	time.Sleep(300 * time.Millisecond)
	c.Node(a).Kill()
	c.Node(b).Resume()
	killedA := time.Now()

	// 3. B leads alone.
	stB := c.WaitPartition(topic, 0, 10*time.Second, "broker "+itoa(b)+" leading", func(s PartitionState) bool {
		return s.Leader == b && s.LeaderEpoch > st.LeaderEpoch
	})
	t.Logf("broker %d leads in epoch %d with ISR %v, %s after kill -9 of %d", b, stB.LeaderEpoch, stB.ISR, time.Since(killedA).Round(time.Millisecond), a)
	w.WaitAcks(100, 10*time.Second, func(x Attempt) bool { return x.LeaderEpoch >= stB.LeaderEpoch })

	// 4. B dies too.
	c.Node(b).Kill()
	hwA, leoA, errA := c.Node(a).ReplicaOffsets(topic, 0)
	hwB, leoB, errB := c.Node(b).ReplicaOffsets(topic, 0)
	if errA != nil || errB != nil {
		t.Fatalf("reading the replicas of the dead brokers: %v %v", errA, errB)
	}
	var ackedAboveHW int
	for _, x := range w.Attempts() {
		if x.Outcome == Acked && x.BaseOffset+int64(len(x.Values)) > hwB && x.BaseOffset < leoB {
			ackedAboveHW++
		}
	}
	t.Logf("on disk after both crashes: broker %d HW %d LEO %d; broker %d HW %d LEO %d; %d acknowledged batches lie above %d's high watermark",
		a, hwA, leoA, b, hwB, leoB, ackedAboveHW, b)

	// 5. B first.
	filesB := logFiles(t, c.Node(b), topic, 0)
	c.Node(b).Restart()
	stB2 := c.WaitPartition(topic, 0, 15*time.Second, "broker "+itoa(b)+" leading again", func(s PartitionState) bool {
		return s.Leader == b && s.LeaderEpoch > stB.LeaderEpoch
	})
	t.Logf("restarted broker %d leads in epoch %d with ISR %v", b, stB2.LeaderEpoch, stB2.ISR)
	checkKeptLog(t, c.Node(b), topic, 0, filesB)
	w.WaitAcks(100, 15*time.Second, func(x Attempt) bool { return x.LeaderEpoch >= stB2.LeaderEpoch })

	// 6. Then A.
	c.Node(a).Restart()
	waitFullISR(t, c, topic, 1, 20*time.Second)
	w.WaitAcks(100, 10*time.Second, nil)
	finish(t, c, w, 2, true)
	hwA2, leoA2, _ := c.Node(a).ReplicaOffsets(topic, 0)
	t.Logf("broker %d ended with HW %d LEO %d (it had LEO %d when it died)", a, hwA2, leoA2, leoA)
}

// TestOfflinePartitionNoUncleanElection takes every ISR member of a
// partition down and checks it goes offline (leader -1 in metadata,
// produce answered with a retriable error) instead of electing the live
// out-of-sync replica, unless the topic enables unclean election:
//
//	RF 2 on [A B] (both other than the controller leader C; the quorum
//	needs two of three nodes). kill -9 B: the ISR shrinks to {A}; writes
//	acknowledged by A alone. kill -9 A (quorum lost with B and A down).
//	Restart B: the quorum returns, A is fenced.
//	  unclean.leader.election.enable=false: the partition must stay
//	  offline while B runs; restarting A brings it back with no
//	  acknowledged write lost.
//	  unclean.leader.election.enable=true: B is elected with ISR {B}; the
//	  writes only A had are lost, as the setting documents; when A
//	  returns it truncates to B's log.
func TestOfflinePartitionNoUncleanElection(t *testing.T) {
	for _, unclean := range []bool{false, true} {
		name := "clean"
		if unclean {
			name = "unclean"
		}
		t.Run(name, func(t *testing.T) { offlinePartition(t, unclean) })
	}
}

func offlinePartition(t *testing.T, unclean bool) {
	processTest(t)
	c := StartCluster(t, 3)
	const topic = "offline"
	cfg := map[string]string{"min.insync.replicas": "1", "unclean.leader.election.enable": "false"}
	if unclean {
		cfg["unclean.leader.election.enable"] = "true"
	}
	c.CreateTopic(topic, 1, 2, cfg)
	ctrl := c.Controller(5 * time.Second)
	ab := others(c, ctrl)
	a, b := ab[0], ab[1]
	c.Place(topic, 0, a, b)
	both := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: 1, Name: "both"})
	both.WaitAcks(200, 10*time.Second, nil)
	both.Stop()

	c.Node(b).Kill()
	c.WaitPartition(topic, 0, 10*time.Second, "the ISR of "+itoa(a)+" alone", func(s PartitionState) bool {
		return s.Leader == a && len(s.ISR) == 1
	})
	onlyA := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: 1, Name: "onlyA"})
	onlyA.WaitAcks(100, 10*time.Second, nil)
	onlyA.Stop()
	c.Node(a).Kill()
	c.Node(b).Restart()

	if !unclean {
		st := c.WaitPartition(topic, 0, 15*time.Second, "offline", func(s PartitionState) bool { return s.Leader == -1 })
		t.Logf("%s-0 offline: leader %d, epoch %d, ISR %v, replicas %v", topic, st.Leader, st.LeaderEpoch, st.ISR, st.Replicas)
		c.WaitActive(15*time.Second, ctrl, b)
		// B runs and is active; it must not be elected.
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			if st, err := c.State(topic, 0); err == nil && st.Leader != -1 {
				t.Fatalf("%s-0 elected broker %d (ISR %v) although every ISR member is down and unclean election is off", topic, st.Leader, st.ISR)
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, id := range []int32{b, ctrl} {
			x := onlyA.ProduceVia(id, 0)
			if x.Outcome == Acked {
				t.Errorf("broker %d acknowledged a write to offline %s-0 at offset %d", id, topic, x.BaseOffset)
			} else {
				t.Logf("produce to offline %s-0 via broker %d: %s %s", topic, id, x.Reason, x.Err)
			}
			if x.Outcome == Failed && x.Reason != "NOT_LEADER_OR_FOLLOWER" && x.Reason != "LEADER_NOT_AVAILABLE" {
				t.Errorf("produce to offline %s-0 via broker %d: %s, want a retriable NOT_LEADER_OR_FOLLOWER or LEADER_NOT_AVAILABLE", topic, id, x.Reason)
			}
		}
		c.Node(a).Restart()
		st = c.WaitPartition(topic, 0, 15*time.Second, "broker "+itoa(a)+" leading", func(s PartitionState) bool { return s.Leader == a })
		t.Logf("%s-0 back with leader %d (epoch %d) after broker %d restarted", topic, st.Leader, st.LeaderEpoch, a)
	} else {
		st := c.WaitPartition(topic, 0, 15*time.Second, "an unclean leader", func(s PartitionState) bool { return s.Leader == b })
		t.Logf("%s-0 elected out-of-sync broker %d (epoch %d, ISR %v) as unclean.leader.election.enable allows", topic, b, st.LeaderEpoch, st.ISR)
		onlyA.ExpectLoss("unclean leader election of a replica that never had them")
		c.Node(a).Restart()
	}
	after := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: 1, Name: "after"})
	after.WaitAcks(100, 15*time.Second, nil)
	waitFullISR(t, c, topic, 1, 20*time.Second)
	after.Stop()
	for _, w := range []*Workload{both, onlyA} {
		rep := Verify(t, c, w)
		t.Logf("checker (%s): %s", w.cfg.Name, rep)
		if unclean && w == onlyA && rep.AckedLost == 0 {
			t.Logf("note: no write acknowledged by %d alone was lost (B may have fetched them before it died)", a)
		}
	}
	finish(t, c, after, 2, true)
}
