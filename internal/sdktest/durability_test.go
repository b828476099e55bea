package sdktest_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// TestCloseFlushesInFlight produces many small batches asynchronously with
// several requests in flight and relies on Close alone to deliver them: every
// promise runs exactly once before Close returns, and the log holds exactly
// the acknowledged records, densely.
func TestCloseFlushesInFlight(t *testing.T) {
	t.Parallel()
	const (
		partitions = 3
		n          = 3000
	)
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "flood", partitions, nil)
	p, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.RoundRobinPartitioner()),
		fjord.BatchBytes(512), fjord.Linger(time.Millisecond), fjord.MaxInFlight(5),
		fjord.Compression(fjordv1.Compression_COMPRESSION_LZ4))
	if err != nil {
		t.Fatal(err)
	}
	var ok, failed, calls atomic.Int64
	ctx := ctxT(t)
	for i := range n {
		p.Produce(ctx, &fjord.Record{Topic: "flood", Value: fmt.Appendf(nil, "record-%05d", i)}, func(r *fjord.Record, err error) {
			calls.Add(1)
			if err != nil {
				failed.Add(1)
				t.Errorf("record %q: %v", r.Value, err)
				return
			}
			ok.Add(1)
		})
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if calls.Load() != n || ok.Load() != n {
		t.Fatalf("after Close: %d promises (%d ok, %d failed), want %d ok", calls.Load(), ok.Load(), failed.Load(), n)
	}
	c := newConsumer(t, cl)
	for part := range int32(partitions) {
		c.Assign("flood", part, fjord.AtStart())
	}
	seen := map[string]bool{}
	next := map[int32]int64{}
	for _, r := range pollN(t, c, n) {
		if seen[string(r.Value)] {
			t.Fatalf("duplicate %s", describe(r))
		}
		seen[string(r.Value)] = true
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: offset %d, want %d", r.Partition, r.Offset, next[r.Partition])
		}
		next[r.Partition]++
	}
	expectNoMore(t, c)
}

// TestRestartKeepsAcknowledgedRecords restarts the broker on the same data
// directory and a new port: a client re-created against the new address
// reads every acknowledged record, and offsets continue after them.
func TestRestartKeepsAcknowledgedRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b1 := startBroker(t, dir)
	acked := map[int32][]string{}
	{
		cl, err := fjord.NewClient(ctxT(t), fjord.SeedBrokers(b1.addr()), fjord.RetryBackoff(fastBackoff))
		if err != nil {
			t.Fatal(err)
		}
		createTopic(t, cl, "durable", 2, nil)
		for _, acks := range []fjordv1.Acks{fjordv1.Acks_ACKS_ALL, fjordv1.Acks_ACKS_LEADER} {
			p, err := fjord.NewProducer(cl, fjord.Acks(acks), fjord.Compression(fjordv1.Compression_COMPRESSION_ZSTD))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 100 {
				r := &fjord.Record{Topic: "durable", Key: fmt.Appendf(nil, "k%d", i%9), Value: fmt.Appendf(nil, "%v-%d", acks, i)}
				p.Produce(ctxT(t), r, func(r *fjord.Record, err error) {
					if err != nil {
						t.Errorf("produce %q: %v", r.Value, err)
					}
				})
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
		}
		// Promises ran by Close; collect the acknowledged records in offset order.
		c, _ := fjord.NewConsumer(cl)
		c.Assign("durable", 0, fjord.AtStart())
		c.Assign("durable", 1, fjord.AtStart())
		for _, r := range pollN(t, c, 200) {
			acked[r.Partition] = append(acked[r.Partition], string(r.Value))
		}
		c.Close()
		cl.Close()
	}
	oldAddr := b1.addr()
	b1.stop()

	b2 := startBroker(t, dir)
	if brokerPort(t, b2.addr()) == brokerPort(t, oldAddr) {
		t.Logf("the new broker reused port %s", brokerPort(t, oldAddr))
	}
	cl := newClient(t, b2.addr())
	md, err := cl.Metadata(ctxT(t), "durable")
	if err != nil {
		t.Fatalf("Metadata after restart: %v", err)
	}
	if bs := md.GetBrokers(); len(bs) != 1 || bs[0].GetAddress() != b2.addr() {
		t.Fatalf("brokers after restart %v, want one at %s", bs, b2.addr())
	}
	c := newConsumer(t, cl)
	c.Assign("durable", 0, fjord.AtStart())
	c.Assign("durable", 1, fjord.AtStart())
	got := map[int32][]string{}
	for _, r := range pollN(t, c, 200) {
		if int64(len(got[r.Partition])) != r.Offset {
			t.Fatalf("after restart: %s out of order", describe(r))
		}
		got[r.Partition] = append(got[r.Partition], string(r.Value))
	}
	for part, want := range acked {
		if fmt.Sprint(got[part]) != fmt.Sprint(want) {
			t.Errorf("partition %d after restart:\n got %q\nwant %q", part, got[part], want)
		}
	}
	expectNoMore(t, c)

	// The log continues where it stopped.
	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	r := &fjord.Record{Topic: "durable", Partition: 0, Value: []byte("after restart")}
	if err := p.ProduceSync(ctxT(t), r); err != nil {
		t.Fatalf("produce after restart: %v", err)
	}
	if want := int64(len(acked[0])); r.Offset != want {
		t.Errorf("first offset after restart %d, want %d", r.Offset, want)
	}
	c.Seek("durable", 0, fjord.AtOffset(r.Offset))
	if recs := pollN(t, c, 1); string(recs[0].Value) != "after restart" {
		t.Errorf("read back %s", describe(recs[0]))
	}
}
