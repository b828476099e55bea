package sdktest_test

import (
	"context"
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// quotaRate is the byte rate the throttled clients get (bytes/s).
const quotaRate = 200 << 10

// TestClientQuotas is the proof of issue 9's quotas: a producer pushing as
// fast as it can under producer_byte_rate gets within 10% of the quota
// over 10 s and every acknowledged record is in the log exactly once; a
// consumer under consumer_byte_rate likewise reads within 10% of it; a
// client without a quota, running at the same time, is not throttled.
func TestClientQuotas(t *testing.T) {
	b := startBroker(t, "")
	adminCl := newClient(t, b.addr())
	adm := fjord.NewAdmin(adminCl)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := adm.AlterClientQuotas(ctx, fjord.QuotaEntity{ClientID: "slow"}, map[string]float64{fjord.QuotaProducerByteRate: quotaRate}); err != nil {
		t.Fatalf("AlterClientQuotas: %v", err)
	}
	if err := adm.AlterClientQuotas(ctx, fjord.QuotaEntity{ClientID: "slow-reader"}, map[string]float64{fjord.QuotaConsumerByteRate: quotaRate}); err != nil {
		t.Fatalf("AlterClientQuotas: %v", err)
	}
	qs, err := adm.DescribeClientQuotas(ctx, fjord.QuotaEntity{})
	if err != nil || len(qs) != 2 || qs[0].Entity.ClientID != "slow" || qs[0].Values[fjord.QuotaProducerByteRate] != quotaRate {
		t.Fatalf("DescribeClientQuotas = %+v, %v", qs, err)
	}
	for _, topic := range []string{"quota-slow", "quota-fast", "quota-read"} {
		createTopic(t, adminCl, topic, 1, nil)
	}

	// Data for the fetch run, written by an unthrottled client: more than
	// the throttled reader can get in its run.
	const fetchRun = 6 * time.Second
	value := make([]byte, 2000)
	fast := newProducer(t, newClient(t, b.addr(), fjord.ClientID("fast")), fjord.MaxBufferedBytes(4<<20), fjord.BatchBytes(16<<10))
	for range 1200 { // 2.4 MB
		fast.Produce(ctx, &fjord.Record{Topic: "quota-read", Value: value}, nil)
	}
	if err := fast.Flush(ctx); err != nil {
		t.Fatalf("preload: %v", err)
	}

	var wg sync.WaitGroup
	wg.Add(3)
	var slowAcked []uint64
	var slowBytes int64
	var slowErr error
	go func() { // the throttled producer: 10 s as fast as it can
		defer wg.Done()
		slowAcked, slowBytes, slowErr = produceFor(ctx, newClient(t, b.addr(), fjord.ClientID("slow")), "quota-slow", 10*time.Second)
	}()
	var fastBytes int64
	var fastErr error
	go func() { // an unthrottled producer beside it
		defer wg.Done()
		_, fastBytes, fastErr = produceFor(ctx, newClient(t, b.addr(), fjord.ClientID("fast")), "quota-fast", 3*time.Second)
	}()
	var readBytes int64
	var readErr error
	go func() { // the throttled consumer
		defer wg.Done()
		readBytes, readErr = consumeFor(ctx, newClient(t, b.addr(), fjord.ClientID("slow-reader")), "quota-read", fetchRun)
	}()
	wg.Wait()
	for _, err := range []error{slowErr, fastErr, readErr} {
		if err != nil {
			t.Fatal(err)
		}
	}

	slowRate := float64(slowBytes) / 10
	t.Logf("throttled producer: %.0f B/s (quota %d); unthrottled: %.0f B/s; throttled consumer: %.0f B/s",
		slowRate, quotaRate, float64(fastBytes)/3, float64(readBytes)/fetchRun.Seconds())
	if math.Abs(slowRate-quotaRate) > 0.1*quotaRate {
		t.Errorf("throttled producer achieved %.0f B/s, want within 10%% of %d", slowRate, quotaRate)
	}
	if readRate := float64(readBytes) / fetchRun.Seconds(); math.Abs(readRate-quotaRate) > 0.1*quotaRate {
		t.Errorf("throttled consumer achieved %.0f B/s, want within 10%% of %d", readRate, quotaRate)
	}
	if fastRate := float64(fastBytes) / 3; fastRate < 2*quotaRate {
		t.Errorf("unthrottled producer achieved only %.0f B/s; it has no quota", fastRate)
	}

	// Every acknowledged record is in the log exactly once.
	seen := map[uint64]int{}
	cons := newConsumer(t, newClient(t, b.addr()), fjord.FetchMaxWait(50*time.Millisecond))
	cons.Assign("quota-slow", 0, fjord.AtStart())
	for len(seen) < len(slowAcked) && ctx.Err() == nil {
		recs, err := cons.Poll(ctx)
		if err != nil {
			t.Fatalf("read back after %d records: %v", len(seen), err)
		}
		for _, r := range recs {
			seen[binary.BigEndian.Uint64(r.Key)]++
		}
	}
	for _, id := range slowAcked {
		if n := seen[id]; n != 1 {
			t.Fatalf("acknowledged record %d is in the log %d times", id, n)
		}
	}
}

// produceFor produces 2 KB records with sequential keys to topic for d and
// returns the keys acknowledged within d and their value bytes.
func produceFor(ctx context.Context, cl *fjord.Client, topic string, d time.Duration) ([]uint64, int64, error) {
	p, err := fjord.NewProducer(cl, fjord.BatchBytes(16<<10), fjord.MaxBufferedBytes(256<<10))
	if err != nil {
		return nil, 0, err
	}
	defer p.Close()
	var mu sync.Mutex
	var acked []uint64
	var bytes atomic.Int64
	var failed atomic.Value
	start := time.Now()
	deadline := start.Add(d)
	value := make([]byte, 2000)
	pctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for id := uint64(0); pctx.Err() == nil; id++ {
		key := binary.BigEndian.AppendUint64(nil, id)
		p.Produce(pctx, &fjord.Record{Topic: topic, Key: key, Value: value}, func(r *fjord.Record, err error) {
			if err != nil {
				if pctx.Err() == nil {
					failed.Store(err)
				}
				return
			}
			if time.Now().Before(deadline) {
				bytes.Add(int64(len(r.Value)))
			}
			mu.Lock()
			acked = append(acked, id)
			mu.Unlock()
		})
	}
	if err := p.Flush(ctx); err != nil {
		return nil, 0, err
	}
	if err, ok := failed.Load().(error); ok {
		return nil, 0, err
	}
	mu.Lock()
	defer mu.Unlock()
	return acked, bytes.Load(), nil
}

// consumeFor reads topic's partition 0 for d and returns the value bytes.
func consumeFor(ctx context.Context, cl *fjord.Client, topic string, d time.Duration) (int64, error) {
	c, err := fjord.NewConsumer(cl, fjord.FetchMaxBytes(32<<10), fjord.FetchMaxWait(50*time.Millisecond))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.Assign(topic, 0, fjord.AtStart())
	cctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n int64
	for {
		recs, err := c.Poll(cctx)
		if cctx.Err() != nil {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		for _, r := range recs {
			n += int64(len(r.Value))
		}
	}
}
