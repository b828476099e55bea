package testcluster

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// TestIdempotentProducerSurvivesLeaderKill9 runs the Go SDK's idempotent
// producer (its default: acks=all, 5 requests in flight per partition)
// while the leader of a partition is killed with SIGKILL and restarted.
// Batches in flight at the kill have an unknown outcome; the producer
// retries them with the same sequence numbers, and the new leader, which
// built the producer state while following, recognizes those already
// written. At the end each partition must hold every acknowledged record at
// its acknowledged offset, no record twice, and the records in send order.
func TestIdempotentProducerSurvivesLeaderKill9(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 3)
	const topic, partitions, perPartition = "idem", 2, 4000
	c.CreateTopic(topic, partitions, 3, durableTopic())

	var seeds []string
	for _, n := range c.Nodes {
		seeds = append(seeds, n.ClientAddr())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	producer, err := fjord.NewProducer(client, fjord.WithPartitioner(fjord.ManualPartitioner()), fjord.MaxInFlight(5),
		fjord.Linger(2*time.Millisecond), fjord.DeliveryTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	acked := map[string]int64{} // value -> offset
	var failed []string
	var wg sync.WaitGroup
	sent := make(chan struct{}, 1)
	for p := int32(0); p < partitions; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perPartition {
				if i == perPartition/3 && p == 0 {
					sent <- struct{}{}
				}
				v := fmt.Sprintf("%d-%06d", p, i)
				producer.Produce(ctx, &fjord.Record{Topic: topic, Partition: p, Value: []byte(v)}, func(r *fjord.Record, err error) {
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						failed = append(failed, v+": "+err.Error())
						return
					}
					acked[v] = r.Offset
				})
				if i%50 == 49 {
					time.Sleep(20 * time.Millisecond) // spread the load over the kill
				}
			}
		}()
	}
	<-sent
	victim := c.Leader(topic, 0, 5*time.Second).Leader
	t.Logf("killing broker %d, leader of %s-0", victim, topic)
	c.Node(victim).Kill()
	time.Sleep(2 * time.Second)
	c.Node(victim).Restart()
	wg.Wait()
	if err := producer.Flush(ctx); err != nil {
		t.Logf("flush: %v", err)
	}
	producer.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		t.Logf("%d records failed (allowed: they may or may not be stored, never twice); first: %s", len(failed), failed[0])
	}
	t.Logf("%d of %d records acknowledged", len(acked), partitions*perPartition)

	for p := int32(0); p < partitions; p++ {
		var until int64
		for v, off := range acked {
			if strings.HasPrefix(v, strconv.Itoa(int(p))+"-") && off+1 > until {
				until = off + 1
			}
		}
		log := ReadPartition(t, c, topic, p, until, 30*time.Second)
		seen := map[string]int64{}
		last := -1
		for off, v := range log {
			if prev, dup := seen[v]; dup {
				t.Errorf("%s-%d: %q at offsets %d and %d (a duplicate)", topic, p, v, prev, off)
			}
			seen[v] = int64(off)
			i, err := strconv.Atoi(v[strings.IndexByte(v, '-')+1:])
			if err != nil {
				t.Fatalf("%s-%d: unexpected value %q", topic, p, v)
			}
			if i <= last {
				t.Errorf("%s-%d: %q at offset %d after record %d (reordered)", topic, p, v, off, last)
			}
			last = i
		}
		for v, off := range acked {
			if !strings.HasPrefix(v, strconv.Itoa(int(p))+"-") {
				continue
			}
			if got, ok := seen[v]; !ok || got != off {
				t.Errorf("%s-%d: acknowledged %q at offset %d, found at %d (present %v)", topic, p, v, off, got, ok)
			}
		}
	}
}
