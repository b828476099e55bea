package server

import (
	"fmt"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// idem stamps an idempotent producer's id, epoch and base sequence on b.
func idem(b *fjordv1.RecordBatch, pid int64, epoch, seq int32) *fjordv1.RecordBatch {
	b.ProducerId, b.ProducerEpoch, b.BaseSequence = pid, epoch, seq
	return b
}

func TestIdempotentProduceDedupsAndValidatesSequences(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("i", 1, nil)
	init, err := tb.produce.InitProducerId(ctx(t), &fjordv1.InitProducerIdRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pid := init.GetProducerId()
	first := tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, idem(batch("a", "b"), pid, 0, 0))
	second := tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, idem(batch("c"), pid, 0, 2))
	if first.GetError() != nil || second.GetError() != nil || first.GetBaseOffset() != 0 || second.GetBaseOffset() != 2 {
		t.Fatalf("first %v second %v", first, second)
	}
	// A retry of an appended batch gets its original offsets, not a copy.
	retry := tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, idem(batch("a", "b"), pid, 0, 0))
	if retry.GetError() != nil || retry.GetBaseOffset() != 0 || retry.GetLastOffset() != 1 {
		t.Fatalf("retry: %v", retry)
	}
	if got := values(t, tb.fetchOne(fetchReq("i", 0, 0)).GetBatches(), 0); fmt.Sprint(got) != "[a b c]" {
		t.Fatalf("log holds %v", got)
	}
	cases := []struct {
		name   string
		batch  *fjordv1.RecordBatch
		reason string
	}{
		{"gap", idem(batch("x"), pid, 0, 7), "OUT_OF_ORDER_SEQUENCE_NUMBER"},
		{"new epoch not at 0", idem(batch("x"), pid, 1, 3), "OUT_OF_ORDER_SEQUENCE_NUMBER"},
		{"unknown producer mid-sequence", idem(batch("x"), pid+99, 0, 5), "UNKNOWN_PRODUCER_ID"},
	}
	for _, c := range cases {
		pr := tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, c.batch)
		if pr.GetError().GetReason() != c.reason || pr.GetError().GetRetriable() || pr.GetError().GetIndefinite() {
			t.Errorf("%s: %v, want definite non-retriable %s", c.name, pr.GetError(), c.reason)
		}
	}
	// Bumping the epoch fences the old one.
	bump := tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, idem(batch("d"), pid, 1, 0))
	old := tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, idem(batch("e"), pid, 0, 3))
	if bump.GetError() != nil || old.GetError().GetReason() != "INVALID_PRODUCER_EPOCH" {
		t.Fatalf("bump %v, old epoch %v", bump.GetError(), old.GetError())
	}
	// State survives a restart.
	dir := tb.dir
	tb.stop()
	tb = startBroker(t, dir)
	deadline := time.Now().Add(10 * time.Second)
	var again *fjordv1.ProducePartitionResponse
	for {
		again = tb.produceOne("i", 0, fjordv1.Acks_ACKS_ALL, idem(batch("d"), pid, 1, 0))
		if again.GetError() == nil || !again.GetError().GetRetriable() || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if again.GetError() != nil || again.GetBaseOffset() != bump.GetBaseOffset() {
		t.Fatalf("retry after restart: %v, want offset %d", again, bump.GetBaseOffset())
	}
}

// TestIdempotentRetryAfterFailover: followers keep producer state as they
// replicate, so a retry sent to the new leader is recognized.
func TestIdempotentRetryAfterFailover(t *testing.T) {
	bs := startCluster(t, 3)
	resp, err := bs[0].admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "f", Partitions: 1, ReplicationFactor: 3,
		Configs: map[string]string{"min.insync.replicas": "2"}}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create: %v %v", err, resp)
	}
	leaderOf := func(via *testBroker) int32 {
		for {
			md, err := via.meta.GetMetadata(ctx(t), &fjordv1.GetMetadataRequest{Topics: []string{"f"}})
			if err == nil && len(md.GetTopics()[0].GetPartitions()) > 0 && md.GetTopics()[0].GetPartitions()[0].GetLeaderId() > 0 {
				return md.GetTopics()[0].GetPartitions()[0].GetLeaderId()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	produce := func(via *testBroker, b *fjordv1.RecordBatch) *fjordv1.ProducePartitionResponse {
		for range 300 {
			pr := bs[leaderOf(via)-1].produceOne("f", 0, fjordv1.Acks_ACKS_ALL, b)
			if pr.GetError() == nil || !pr.GetError().GetRetriable() {
				return pr
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("produce never succeeded")
		return nil
	}
	init, err := bs[0].produce.InitProducerId(ctx(t), &fjordv1.InitProducerIdRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pid := init.GetProducerId()
	var acked []*fjordv1.ProducePartitionResponse
	for i := range 5 {
		pr := produce(bs[0], idem(batch(fmt.Sprint("v", i)), pid, 0, int32(i)))
		if pr.GetError() != nil {
			t.Fatal(pr.GetError())
		}
		acked = append(acked, pr)
	}
	leader := leaderOf(bs[0])
	bs[leader-1].stop()
	via := bs[leader%3]
	for leaderOf(via) == leader {
		time.Sleep(20 * time.Millisecond)
	}
	// The client never saw the acks of the last batches: it retries them.
	for i := 2; i < 5; i++ {
		pr := produce(via, idem(batch(fmt.Sprint("v", i)), pid, 0, int32(i)))
		if pr.GetError() != nil || pr.GetBaseOffset() != acked[i].GetBaseOffset() {
			t.Fatalf("retry %d after failover: %v, want offset %d", i, pr, acked[i].GetBaseOffset())
		}
	}
	got := values(t, bs[leaderOf(via)-1].fetchOne(fetchReq("f", 0, 0)).GetBatches(), 0)
	if fmt.Sprint(got) != "[v0 v1 v2 v3 v4]" {
		t.Fatalf("log after retries: %v", got)
	}
}
