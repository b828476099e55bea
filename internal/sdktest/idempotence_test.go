package sdktest_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// lossyRecords is how many records the lossy-proxy tests produce.
const lossyRecords = 4000

// lossyProducerOpts make many small batches, five requests in flight.
func lossyProducerOpts(extra ...fjord.ProducerOpt) []fjord.ProducerOpt {
	return append([]fjord.ProducerOpt{fjord.MaxInFlight(5), fjord.Linger(time.Millisecond), fjord.BatchBytes(200),
		fjord.DeliveryTimeout(time.Minute)}, extra...)
}

// produceAll produces the records numbered in vals (value and key
// "v<n>"), waits for every promise and returns the failures by value and
// the acknowledged offsets by value.
func produceAll(t *testing.T, p *fjord.Producer, topic string, vals []string) (failed map[string]error, acked map[string]*fjord.Record) {
	t.Helper()
	var mu sync.Mutex
	failed, acked = map[string]error{}, map[string]*fjord.Record{}
	var wg sync.WaitGroup
	wg.Add(len(vals))
	for _, v := range vals {
		p.Produce(ctxT(t), &fjord.Record{Topic: topic, Key: []byte(v), Value: []byte(v)}, func(r *fjord.Record, err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed[v] = err
			} else {
				acked[v] = r
			}
		})
	}
	wg.Wait()
	return failed, acked
}

// readAll reads every partition of topic up to its high watermark and
// returns the records in offset order per partition.
func readAll(t *testing.T, cl *fjord.Client, topic string, partitions int32) map[int32][]*fjord.Record {
	t.Helper()
	total := 0
	c := newConsumer(t, cl, fjord.FetchMaxWait(50*time.Millisecond))
	for part := range partitions {
		end, err := fjord.NewAdmin(cl).ListOffset(ctxT(t), topic, part, fjord.AtEnd())
		if err != nil {
			t.Fatalf("ListOffset: %v", err)
		}
		total += int(end)
		c.Assign(topic, part, fjord.AtStart())
	}
	out := map[int32][]*fjord.Record{}
	for _, r := range pollN(t, c, total) {
		out[r.Partition] = append(out[r.Partition], r)
	}
	return out
}

func valueSeq(v string) int {
	var n int
	fmt.Sscanf(v, "v%d", &n) //nolint:errcheck // test values are well formed
	return n
}

// TestIdempotentProducerThroughLossyProxy: a proxy in front of the broker
// drops one produce response in ten after the broker appended the batches,
// breaking the stream. The idempotent producer (the default), with five
// requests in flight, retries; the broker drops the retries it already
// has. Every record is acknowledged, and the log holds each exactly once,
// at its acknowledged offset, in Produce order per partition.
func TestIdempotentProducerThroughLossyProxy(t *testing.T) {
	t.Parallel()
	const partitions = 3
	_, proxy := startBrokerBehindProxy(t, 0.1, 1)
	cl := newClient(t, proxy.addr())
	createTopic(t, cl, "lossy", partitions, nil)
	p := newProducer(t, cl, lossyProducerOpts(fjord.OnPossibleDuplicates(func(recs []*fjord.Record) {
		t.Errorf("%d records reported as possible duplicates", len(recs))
	}))...)
	var vals []string
	for i := range lossyRecords {
		vals = append(vals, fmt.Sprintf("v%05d", i))
	}
	failed, acked := produceAll(t, p, "lossy", vals)
	for v, err := range failed {
		t.Errorf("%s failed: %v", v, err)
	}
	if proxy.dropped.Load() < 10 {
		t.Fatalf("the proxy dropped only %d responses", proxy.dropped.Load())
	}
	seen := map[string]bool{}
	for part, recs := range readAll(t, cl, "lossy", partitions) {
		last := -1
		for _, r := range recs {
			v := string(r.Value)
			if seen[v] {
				t.Fatalf("%s stored twice", v)
			}
			seen[v] = true
			if a := acked[v]; a == nil || a.Partition != part || a.Offset != r.Offset {
				t.Errorf("%s stored at %d/%d, acknowledged as %v", v, part, r.Offset, a)
			}
			if n := valueSeq(v); n < last {
				t.Errorf("%s stored after v%05d in partition %d", v, last, part)
			} else {
				last = n
			}
		}
	}
	if len(seen) != lossyRecords {
		t.Fatalf("%d distinct records stored, want %d", len(seen), lossyRecords)
	}
	t.Logf("%d produce responses forwarded, %d dropped", proxy.forwarded.Load(), proxy.dropped.Load())
}

// TestProducerWithoutIdempotenceDuplicatesThroughLossyProxy is the same
// with Idempotence(false): the producer does not retry the records whose
// responses were lost, it fails them as indefinite; an application that
// produces them again (at-least-once) stores some of them twice.
func TestProducerWithoutIdempotenceDuplicatesThroughLossyProxy(t *testing.T) {
	t.Parallel()
	const partitions = 3
	_, proxy := startBrokerBehindProxy(t, 0.1, 1)
	cl := newClient(t, proxy.addr())
	createTopic(t, cl, "dups", partitions, nil)
	p := newProducer(t, cl, lossyProducerOpts(fjord.Idempotence(false))...)
	var vals []string
	for i := range lossyRecords {
		vals = append(vals, fmt.Sprintf("v%05d", i))
	}
	indefinite := 0
	for round := 0; len(vals) > 0; round++ {
		if round == 20 {
			t.Fatalf("%d records still failing after %d rounds", len(vals), round)
		}
		failed, _ := produceAll(t, p, "dups", vals)
		vals = vals[:0]
		for v, err := range failed {
			if fjord.IsIndefinite(err) {
				indefinite++
			} else if !errors.Is(err, fjord.ErrWouldReorder) {
				t.Fatalf("%s failed definitely with %v", v, err)
			}
			vals = append(vals, v)
		}
	}
	count := map[string]int{}
	dups := 0
	for _, recs := range readAll(t, cl, "dups", partitions) {
		for _, r := range recs {
			if count[string(r.Value)]++; count[string(r.Value)] == 2 {
				dups++
			}
		}
	}
	if len(count) != lossyRecords {
		t.Fatalf("%d distinct records stored, want %d", len(count), lossyRecords)
	}
	if dups == 0 {
		t.Fatalf("no record stored twice after %d indefinite failures produced again", indefinite)
	}
	t.Logf("%d responses dropped, %d indefinite failures produced again, %d records stored more than once",
		proxy.dropped.Load(), indefinite, dups)
}
