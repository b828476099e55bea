package testcluster

import (
	"slices"
	"testing"
	"time"
)

// TestFollowerPartitioned cuts followers off from their leader through the
// fault proxies while producers write with acks=all (RF 3,
// min.insync.replicas 2). Four brokers, so the partition under test can
// sit on three that exclude the controller leader: cutting a follower from
// the leader then leaves both in touch with the controller, and the ISR
// shrinks only by the leader's replica.lag.time.max rule (2s here), not
// by fencing.
//
//  1. Cut follower F1 from leader L: after about replica.lag.time.max the
//     ISR shrinks to {L, F2}; acks=all keeps succeeding.
//  2. Cut F2 from L as well: the ISR shrinks to {L}; acks=all is refused
//     with NOT_ENOUGH_REPLICAS before anything is appended.
//  3. Heal: both followers catch up, the ISR is full again and acks=all
//     succeeds.
//
// The checker then holds every acknowledged write to the final log, and
// the replicas end byte-identical.
func TestFollowerPartitioned(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 4, WithProxies())
	const topic, partitions = "net", 2
	c.CreateTopic(topic, partitions, 3, durableTopic())
	ctrl := c.Controller(5 * time.Second)
	replicas := others(c, ctrl)
	leader, f1, f2 := replicas[0], replicas[1], replicas[2]
	const p = 0
	c.Place(topic, p, replicas...)
	c.Place(topic, 1, replicas[1], replicas[2], replicas[0])
	t.Logf("controller %d; %s-%d on %v: leader %d, followers %d and %d", ctrl, topic, p, replicas, leader, f1, f2)
	w := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: partitions})
	w.WaitAcks(200, 10*time.Second, nil)

	// 1. One follower cut off.
	cut1 := time.Now()
	c.Cut(leader, f1)
	st := c.WaitPartition(topic, p, 10*time.Second, "the ISR without "+itoa(f1), func(st PartitionState) bool {
		return !slices.Contains(st.ISR, f1)
	})
	shrink := time.Since(cut1)
	t.Logf("ISR of %s-%d shrank to %v %s after cutting %d from %d (replica.lag.time.max 2s)", topic, p, st.ISR, shrink.Round(time.Millisecond), f1, leader)
	if shrink < 1500*time.Millisecond {
		t.Errorf("ISR shrank %s after the cut, before replica.lag.time.max (2s) could have passed", shrink)
	}
	if st.Leader != leader || !slices.Equal(st.ISR, []int32{leader, f2}) {
		t.Errorf("after cutting %d: %+v, want leader %d with ISR [%d %d]", f1, st, leader, leader, f2)
	}
	afterShrink := time.Now()
	w.WaitAcks(50, 10*time.Second, func(a Attempt) bool { return a.Partition == p && a.Sent.After(afterShrink) })

	// 2. The second follower cut off too.
	cut2 := time.Now()
	c.Cut(leader, f2)
	st = c.WaitPartition(topic, p, 10*time.Second, "the ISR of the leader alone", func(st PartitionState) bool {
		return slices.Equal(st.ISR, []int32{leader})
	})
	t.Logf("ISR of %s-%d shrank to %v %s after cutting %d", topic, p, st.ISR, time.Since(cut2).Round(time.Millisecond), f2)
	time.Sleep(200 * time.Millisecond) // let the leader apply the ISR change
	for i := 0; ; i++ {
		a := w.ProduceVia(leader, p)
		if a.Outcome == Failed && a.Reason == "NOT_ENOUGH_REPLICAS" {
			t.Logf("acks=all to %s-%d with ISR %v: %s (%s)", topic, p, st.ISR, a.Reason, a.Err)
			break
		}
		if i == 20 {
			t.Errorf("acks=all to %s-%d with ISR [%d] below min.insync.replicas 2: got %s %s %s, want NOT_ENOUGH_REPLICAS", topic, p, leader, a.Outcome, a.Reason, a.Err)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	// 3. Heal.
	healed := time.Now()
	c.Heal()
	waitFullISR(t, c, topic, partitions, 20*time.Second)
	t.Logf("ISR of %s full again %s after healing", topic, time.Since(healed).Round(time.Millisecond))
	afterHeal := time.Now()
	w.WaitAcks(50, 10*time.Second, func(a Attempt) bool { return a.Partition == p && a.Sent.After(afterHeal) })
	finish(t, c, w, 3, true)
}
