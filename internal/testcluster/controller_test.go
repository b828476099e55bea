package testcluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// TestControllerKilledDuringTopicCreation kills the controller leader with
// SIGKILL while a CreateTopics call is in flight, sent to the controller
// itself or to another broker that forwards it. Afterwards the topic must
// exist completely (every partition, every replica, the same topic id on
// every broker) or not at all; retrying the creation must work and the
// topic must take writes; the restarted controller must see the same topic.
func TestControllerKilledDuringTopicCreation(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 3)
	const partitions, rf = 4, 3
	for round, delay := range []time.Duration{0, 5 * time.Millisecond, 15 * time.Millisecond, 40 * time.Millisecond} {
		ctrl := c.Controller(10 * time.Second)
		via := ctrl
		if round%2 == 1 {
			via = others(c, ctrl)[0]
		}
		name := fmt.Sprintf("created-%d", round)
		result := make(chan string, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			resp, err := fjordv1.NewAdminServiceClient(c.Conn(via)).CreateTopics(ctx, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{
				Name: name, Partitions: partitions, ReplicationFactor: rf, Configs: map[string]string{"min.insync.replicas": "2"}}}})
			switch {
			case err != nil:
				result <- err.Error()
			case resp.GetResults()[0].GetError() != nil:
				e := resp.GetResults()[0].GetError()
				result <- fmt.Sprintf("error %s (retriable %v, indefinite %v): %s", e.GetReason(), e.GetRetriable(), e.GetIndefinite(), e.GetMessage())
			default:
				result <- "created " + resp.GetResults()[0].GetTopicId()
			}
		}()
		time.Sleep(delay)
		c.Node(ctrl).Kill()
		res := <-result
		c.Controller(10 * time.Second)
		id := checkTopicWhole(t, c, name, partitions, rf)
		t.Logf("round %d: CreateTopics via broker %d, controller %d killed after %s: %s; afterwards the topic %s", round, via, ctrl, delay, res, existence(id))
		if res[:7] == "created" && id == "" {
			t.Errorf("round %d: CreateTopics of %s succeeded (%s) but the topic does not exist after the controller died", round, name, res)
		}
		c.CreateTopic(name, partitions, rf, map[string]string{"min.insync.replicas": "2"})
		id2 := checkTopicWhole(t, c, name, partitions, rf)
		if id2 == "" || (id != "" && id2 != id) {
			t.Errorf("round %d: after retrying, %s has id %q (before the retry %q)", round, name, id2, id)
		}
		w := StartWorkload(t, c, WorkloadConfig{Topic: name, Partitions: partitions, Producers: partitions, Name: name})
		w.WaitAcks(20, 15*time.Second, nil)
		w.Stop()
		c.Node(ctrl).Restart()
		c.WaitAllActive(15 * time.Second)
		if got := checkTopicWhole(t, c, name, partitions, rf); got != id2 {
			t.Errorf("round %d: restarted broker %d sees %s with id %q, the others %q", round, ctrl, name, got, id2)
		}
		t.Logf("checker (%s): %s", name, Verify(t, c, w))
	}
}

func existence(id string) string {
	if id == "" {
		return "does not exist"
	}
	return "exists (id " + id + ")"
}

// checkTopicWhole waits until every running broker agrees on topic (absent,
// or present with the same id) and fails the test unless a present topic
// is whole: partitions partitions of rf distinct replicas each. It returns
// the topic id, or "" when the topic does not exist.
func checkTopicWhole(t *testing.T, c *Cluster, topic string, partitions, rf int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ids := map[string][]int32{}
		var bad []string
		for _, n := range c.live(0) {
			md, err := c.GetMetadata(context.Background(), n, topic)
			if err != nil {
				bad = append(bad, fmt.Sprintf("broker %d: %v", n, err))
				continue
			}
			tm := md.GetTopics()[0]
			if tm.GetError() != nil {
				ids[""] = append(ids[""], n)
				continue
			}
			if len(tm.GetPartitions()) != partitions {
				t.Errorf("broker %d: %s has %d partitions, want %d (a partial topic)", n, topic, len(tm.GetPartitions()), partitions)
			}
			for _, pm := range tm.GetPartitions() {
				seen := map[int32]bool{}
				for _, r := range pm.GetReplicas() {
					seen[r] = true
				}
				if len(pm.GetReplicas()) != rf || len(seen) != rf {
					t.Errorf("broker %d: %s-%d has replicas %v, want %d distinct", n, topic, pm.GetPartition(), pm.GetReplicas(), rf)
				}
			}
			ids[tm.GetTopicId()] = append(ids[tm.GetTopicId()], n)
		}
		if len(bad) == 0 && len(ids) == 1 {
			for id := range ids {
				return id
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("brokers disagree about %s after 10s: %v %v", topic, ids, bad)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
