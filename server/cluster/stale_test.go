package cluster

import (
	"testing"
)

func mustApply(t *testing.T, img *Image, index uint64, rec Record) *Image {
	t.Helper()
	next, _, err := img.Apply(index, rec)
	if err != nil {
		t.Fatalf("apply %s: %v", rec.Type, err)
	}
	return next
}

// TestStaleISRAfterLostUnsyncedData: a broker that restarts after losing
// page-cache data may not lead a flush.policy=replication partition whose
// only ISR member it is; a flush.policy=sync partition is unaffected;
// enabling unclean election brings the stale partition back.
func TestStaleISRAfterLostUnsyncedData(t *testing.T) {
	img := NewImage()
	var i uint64
	next := func(rec Record) {
		i++
		img = mustApply(t, img, i, rec)
	}
	next(NewRecord(&RegisterBroker{ID: 1, IncarnationID: "a", Address: "b1"}))
	e1 := img.brokers[1].Epoch
	next(NewRecord(&RegisterBroker{ID: 2, IncarnationID: "a", Address: "b2"}))
	e2 := img.brokers[2].Epoch
	next(UnfenceRecord(1, e1))
	next(UnfenceRecord(2, e2))
	next(NewRecord(&CreateTopic{Name: "page", ID: "p", Configs: map[string]string{ConfigFlushPolicy: "replication"}, Assignment: [][]int32{{1, 2}}}))
	next(NewRecord(&CreateTopic{Name: "synced", ID: "s", Assignment: [][]int32{{1, 2}}}))
	// Broker 2 dies: broker 1 is the only ISR member of both.
	next(FenceRecord(2, e2))
	// Broker 1's machine crashes and it comes back without its page cache.
	next(NewRecord(&RegisterBroker{ID: 1, IncarnationID: "b", Address: "b1", LostUnsyncedData: true}))
	e1 = img.brokers[1].Epoch
	next(UnfenceRecord(1, e1))

	page, _ := img.Partition("page", 0)
	if !page.StaleISR || page.Leader != NoLeader {
		t.Fatalf("page partition: leader %d stale %v; want offline and stale", page.Leader, page.StaleISR)
	}
	synced, _ := img.Partition("synced", 0)
	if synced.StaleISR || synced.Leader != 1 {
		t.Fatalf("synced partition: leader %d stale %v; want led by 1", synced.Leader, synced.StaleISR)
	}
	if got := img.Imbalanced(); len(got) != 0 {
		t.Fatalf("imbalanced %v; a stale partition must not be elected", got)
	}
	_, res, err := img.Apply(i+1, NewRecord(&ElectPreferredLeaders{Partitions: []TopicPartition{{"page", 0}}}))
	if err != nil || len(res.Elections) != 1 || res.Elections[0].Err == nil {
		t.Fatalf("preferred election of a stale partition: %v %+v", err, res.Elections)
	}
	// The operator accepts the loss.
	next(NewRecord(&AlterConfigs{Topic: "page", Set: map[string]string{ConfigUncleanLeaderElection: "true"}}))
	page, _ = img.Partition("page", 0)
	if page.StaleISR || page.Leader != 1 {
		t.Fatalf("after enabling unclean election: leader %d stale %v", page.Leader, page.StaleISR)
	}
}
