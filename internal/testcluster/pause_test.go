package testcluster

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// pauseFor is how long a paused broker stays frozen: four session
// timeouts, a long GC pause or a VM migration.
const pauseFor = 4 * time.Second

// TestPausedLeaderAcknowledgesNothingStale freezes a partition leader that
// is not the controller leader with SIGSTOP for four session timeouts and
// resumes it.
func TestPausedLeaderAcknowledgesNothingStale(t *testing.T) {
	pausedLeader(t, false)
}

// TestPausedControllerLeader is the same with the broker that is both the
// controller leader and a partition leader: on resume it believes it still
// leads the quorum and its partitions until it hears otherwise.
func TestPausedControllerLeader(t *testing.T) {
	pausedLeader(t, true)
}

// pausedLeader pauses a partition leader (the controller leader too when
// controller is set) with SIGSTOP while producers write with acks=all.
// While it is frozen the other two brokers must stay active, elect new
// leaders and keep acknowledging writes on every partition. Right after
// SIGCONT the test sends acks=all writes straight to the resumed broker, as
// a client with stale metadata would. Whatever it acknowledges must be in
// the final log (the checker holds every ack to that); it must rejoin every
// ISR and the replicas end identical.
func pausedLeader(t *testing.T, controller bool) {
	processTest(t)
	c := StartCluster(t, 3)
	const topic, partitions = "pause", 3
	c.CreateTopic(topic, partitions, 3, durableTopic())
	w := StartWorkload(t, c, WorkloadConfig{Topic: topic, Partitions: partitions})
	w.WaitAcks(300, 10*time.Second, nil)

	ctrl := c.Controller(5 * time.Second)
	victim := ctrl
	if !controller {
		victim = others(c, ctrl)[0]
	}
	led := ledBy(t, c, topic, partitions, victim)
	if len(led) == 0 {
		// Make it lead partition 0, keeping the others' placement.
		st := c.Leader(topic, 0, 5*time.Second)
		c.Place(topic, 0, append([]int32{victim}, others(c, victim)...)...)
		t.Logf("broker %d led nothing; moved %s-0 to it (was led by %d)", victim, topic, st.Leader)
		led = ledBy(t, c, topic, partitions, victim)
	}
	t.Logf("pausing broker %d (controller leader: %v), leader of %v (partition: leader epoch), for %s", victim, victim == ctrl, keys(led), pauseFor)
	paused := time.Now()
	c.Node(victim).Pause()
	for p, epoch := range led {
		st, err := c.PollPartition(topic, p, pauseFor, func(st PartitionState) bool {
			return st.Leader > 0 && st.Leader != victim && st.LeaderEpoch > epoch
		})
		if err != nil {
			t.Errorf("%s-%d: no new leader while broker %d is paused: %v", topic, p, victim, err)
			continue
		}
		t.Logf("%s-%d: broker %d leads in epoch %d, %s after SIGSTOP", topic, p, st.Leader, st.LeaderEpoch, time.Since(paused).Round(time.Millisecond))
	}
	// For the rest of the pause the other brokers must stay active and
	// every partition led by one of them (after a moment for the new
	// leaders to reach every broker's metadata).
	time.Sleep(300 * time.Millisecond)
	var violations []string
	for time.Since(paused) < pauseFor-1200*time.Millisecond {
		for _, id := range others(c, victim) {
			md, err := c.GetMetadata(context.Background(), id, topic)
			if err != nil {
				continue // a slow answer is not a verdict
			}
			var active []int32
			for _, b := range md.GetBrokers() {
				active = append(active, b.GetId())
			}
			at := time.Since(paused).Round(time.Millisecond)
			for _, o := range others(c, victim) {
				if !slices.Contains(active, o) {
					violations = append(violations, fmt.Sprintf("%s into the pause, broker %d's metadata lists active brokers %v: broker %d, never paused, is fenced", at, id, active, o))
				}
			}
			for _, pm := range md.GetTopics()[0].GetPartitions() {
				if l := pm.GetLeaderId(); l <= 0 || l == victim {
					violations = append(violations, fmt.Sprintf("%s into the pause, broker %d's metadata has %s-%d led by %d with ISR %v", at, id, topic, pm.GetPartition(), l, pm.GetIsr()))
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, v := range violations {
		if i == 8 {
			t.Errorf("... and %d more", len(violations)-i)
			break
		}
		t.Error(v)
	}
	// Every partition must take writes while the broker is frozen.
	probeAt := time.Since(paused).Round(time.Millisecond)
	var wg sync.WaitGroup
	for p := range int32(partitions) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, ok := w.ProduceLeader(p, 900*time.Millisecond); !ok {
				t.Errorf("%s-%d: no acks=all write succeeded within 0.9s from %s into the pause of broker %d; last attempt via broker %d: %s %s",
					topic, p, probeAt, victim, a.Broker, a.Reason, a.Err)
			}
		}()
	}
	wg.Wait()

	time.Sleep(time.Until(paused.Add(pauseFor)))
	c.Node(victim).Resume()
	resumed := time.Now()
	var probes []Attempt
	for time.Since(resumed) < time.Second {
		for p := range led {
			probes = append(probes, w.ProduceVia(victim, p))
		}
	}
	outcomes := map[string]int{}
	for _, a := range probes {
		key := a.Outcome.String() + " " + a.Reason
		if a.Outcome == Acked {
			key = "acked in a later epoch"
			if a.LeaderEpoch <= led[a.Partition] {
				key = "acked in the epoch it led before the pause"
			}
		}
		outcomes[key]++
	}
	t.Logf("%d writes sent to broker %d after SIGCONT: %v (acks are held to the final log)", len(probes), victim, outcomes)
	parked := 0
	for _, a := range w.Attempts() {
		if a.Broker == victim && a.Outcome == Acked && a.Sent.Before(resumed) && a.Done.After(resumed) {
			parked++
		}
	}
	t.Logf("%d writes parked at broker %d during the pause were acknowledged after SIGCONT (held to the same check)", parked, victim)

	c.WaitAllActive(15 * time.Second)
	waitFullISR(t, c, topic, partitions, 20*time.Second)
	w.WaitAcks(100, 10*time.Second, nil)
	finish(t, c, w, 3, true)
}
