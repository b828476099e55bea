package testcluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/storage"
)

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// acked is a record the broker acknowledged with acks=all.
type acked struct {
	partition int32
	offset    int64
	value     string
}

// TestKill9LosesNoAcknowledgedWrite kills the broker with SIGKILL while
// producers write with acks=all, restarts it on the same data and checks
// that every acknowledged record is at its acknowledged offset, offsets are
// dense and never reused, and writes continue after recovery.
func TestKill9LosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level fault test")
	}
	rounds := 3
	dir := t.TempDir()
	b := Start(t, dir)
	conn := dial(t, b.Addr)
	admin := fjordv1.NewAdminServiceClient(conn)
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := admin.CreateTopics(c, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "crash", Partitions: 2,
		Configs: map[string]string{"segment.bytes": "65536"}}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create topic: %v %v", err, resp)
	}
	var all []acked
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < rounds; round++ {
		got := produceUntilKilled(t, b, round, time.Duration(100+rng.IntN(300))*time.Millisecond)
		if len(got) == 0 {
			t.Fatalf("round %d: nothing was acknowledged before the kill", round)
		}
		t.Logf("round %d: %d records acknowledged before kill -9", round, len(got))
		all = append(all, got...)
		b.Restart()
		verify(t, dial(t, b.Addr), all)
	}
	b.Stop()
	b.Restart()
	verify(t, dial(t, b.Addr), all)
}

// produceUntilKilled runs producers against b and kills b after d; it
// returns what was acknowledged.
func produceUntilKilled(t *testing.T, b *Broker, round int, d time.Duration) []acked {
	conn := dial(t, b.Addr)
	var mu sync.Mutex
	var out []acked
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 100000; i++ { // bounded; the kill ends it far sooner
				partition := int32(w % 2)
				var bb storage.BatchBuilder
				values := make([]string, 1+i%5)
				for j := range values {
					values[j] = fmt.Sprintf("r%d-w%d-i%d-j%d", round, w, i, j)
					bb.Add(nil, []byte(values[j]), time.Now().UnixMilli())
				}
				batch, err := bb.Build(nil)
				if err != nil {
					t.Error(err)
					return
				}
				req := &wirev1.ProduceRequest{Acks: fjordv1.Acks_ACKS_ALL, Topics: []*wirev1.ProduceTopicData{{Topic: "crash",
					Partitions: []*wirev1.ProducePartitionData{{Partition: partition, Batches: [][]byte{batch}}}}}}
				resp := new(fjordv1.ProduceResponse)
				c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err = conn.Invoke(c, fjordv1.ProduceService_Produce_FullMethodName, req, resp)
				cancel()
				if err != nil {
					return // the broker died
				}
				pr := resp.GetTopics()[0].GetPartitions()[0]
				if pr.GetError() != nil {
					return
				}
				mu.Lock()
				for j, v := range values {
					out = append(out, acked{partition, pr.GetBaseOffset() + int64(j), v})
				}
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(d) // the kill lands at an arbitrary point of the write stream
	b.Kill()
	wg.Wait()
	return out
}

// verify reads both partitions fully and checks every acknowledged record.
func verify(t *testing.T, conn *grpc.ClientConn, want []acked) {
	t.Helper()
	fetch := fjordv1.NewFetchServiceClient(conn)
	for p := int32(0); p < 2; p++ {
		log := map[int64]string{}
		next := int64(0)
		for i := 0; i < 100000; i++ {
			c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			resp, err := fetch.Fetch(c, &fjordv1.FetchRequest{Topics: []*fjordv1.FetchTopic{{Topic: "crash",
				Partitions: []*fjordv1.FetchPartition{{Partition: p, Offset: next, MaxBytes: 1 << 20}}}}})
			cancel()
			if err != nil {
				t.Fatalf("fetch partition %d at %d: %v", p, next, err)
			}
			pr := resp.GetTopics()[0].GetPartitions()[0]
			if pr.GetError() != nil {
				t.Fatalf("fetch partition %d at %d: %v", p, next, pr.GetError())
			}
			if len(pr.GetBatches()) == 0 {
				break
			}
			for _, b := range pr.GetBatches() {
				for _, r := range b.GetRecords().GetRecords() {
					off := b.GetBaseOffset() + int64(r.GetOffsetDelta())
					if off < next {
						continue
					}
					if off != next {
						t.Fatalf("partition %d: offset %d follows %d (offsets must be dense)", p, off, next-1)
					}
					if _, dup := log[off]; dup {
						t.Fatalf("partition %d: offset %d returned twice", p, off)
					}
					log[off] = string(r.GetValue())
					next = off + 1
				}
			}
		}
		for _, a := range want {
			if a.partition != p {
				continue
			}
			if got, ok := log[a.offset]; !ok || got != a.value {
				t.Fatalf("partition %d offset %d: acknowledged %q, log has %q (present=%v)", p, a.offset, a.value, got, ok)
			}
		}
	}
}
