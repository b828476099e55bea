package sdktest_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server"
)

// benchBroker starts a real in-process broker for a benchmark, shut down
// at its end, and returns a client of it.
func benchBroker(b *testing.B) *fjord.Client {
	b.Helper()
	srv, err := server.New(server.Options{DataDir: b.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off", OffsetsTopicPartitions: 3})
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(srv.Addr().String()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			b.Error(err)
		}
		<-served
	})
	return cl
}

// benchFill writes n records of 100-byte values round-robin over the
// topic's partitions.
func benchFill(b *testing.B, cl *fjord.Client, topic string, partitions int32, n int) {
	b.Helper()
	ctx := context.Background()
	p, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	var failed atomic.Int64
	value := make([]byte, 100)
	for i := range n {
		p.Produce(ctx, &fjord.Record{Topic: topic, Partition: int32(i) % partitions, Value: value}, func(_ *fjord.Record, err error) {
			if err != nil {
				failed.Add(1)
			}
		})
	}
	if err := p.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d records failed", n)
	}
}

// benchMember is a GroupConsumer polling on its own goroutine, counting
// what it receives.
type benchMember struct {
	gc   *fjord.GroupConsumer
	got  atomic.Int64
	stop context.CancelFunc
	done chan struct{}
}

func startBenchMember(b *testing.B, cl *fjord.Client, group, topic string, opts ...fjord.GroupOpt) *benchMember {
	b.Helper()
	gc, err := fjord.NewGroupConsumer(cl, group, append([]fjord.GroupOpt{fjord.Topics(topic), fjord.ResetOffset(fjord.AtStart())}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &benchMember{gc: gc, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for ctx.Err() == nil {
			recs, _ := gc.Poll(ctx)
			m.got.Add(int64(len(recs)))
		}
	}()
	return m
}

// close stops polling and leaves the group.
func (m *benchMember) close(b *testing.B) {
	m.stop()
	<-m.done
	if err := m.gc.Close(); err != nil {
		b.Errorf("GroupConsumer.Close: %v", err)
	}
}

// benchWaitStable waits until the group is Stable with n members owning every
// partition.
func benchWaitStable(b *testing.B, admin *fjord.Admin, group string, n int, partitions int) {
	b.Helper()
	deadline := time.Now().Add(testTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		d, err := admin.DescribeGroup(ctx, group)
		cancel()
		if err == nil && d.GetState() == fjordv1.GroupState_GROUP_STATE_STABLE && len(d.GetMembers()) == n {
			owned := 0
			for _, m := range d.GetMembers() {
				for _, tps := range m.GetAssigned() {
					owned += len(tps.GetPartitions())
				}
			}
			if owned == partitions {
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("group %s not stable with %d members within %s: %v %v", group, n, testTimeout, d, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkGroupRebalance measures one cooperative rebalance against a
// real in-process broker: a fourth member joins a Stable group of three
// consuming a 48-partition topic (default uniform assignor, auto-commit).
// ms-to-stable runs from NewGroupConsumer until DescribeGroup reports the
// group Stable with four members owning all 48 partitions: the revoking
// members released their partitions (committing their positions and
// acknowledging) and the coordinator sent the joiner its share.
// ms-to-owned (and ns/op) runs until the joiner owns its 12 partitions
// (its Poll looked up their committed offsets and acknowledged). A
// producer writes 2,000 records/s meanwhile so revocations commit real
// positions. Between iterations the fourth member leaves (untimed).
// DescribeGroup is polled every millisecond, which bounds the resolution.
//
//	go test ./internal/sdktest -run '^$' -bench GroupRebalance -benchtime 20x
func BenchmarkGroupRebalance(b *testing.B) {
	cl := benchBroker(b)
	admin := fjord.NewAdmin(cl)
	ctx := context.Background()
	const topic, group, partitions = "rebalance", "rebalance-app", 48
	if _, err := admin.CreateTopic(ctx, topic, partitions, 0, nil); err != nil {
		b.Fatal(err)
	}
	benchFill(b, cl, topic, partitions, 48_000)
	p, err := fjord.NewProducer(cl)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	pctx, stopLoad := context.WithCancel(ctx)
	var loadWG sync.WaitGroup
	loadWG.Add(1)
	go func() {
		defer loadWG.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 0; pctx.Err() == nil; i++ {
			select {
			case <-pctx.Done():
			case <-tick.C:
				for j := range 20 {
					p.Produce(ctx, &fjord.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d-%d", i, j), Value: make([]byte, 100)}, nil)
				}
			}
		}
	}()
	defer func() {
		stopLoad()
		loadWG.Wait()
	}()

	var members []*benchMember
	for range 3 {
		members = append(members, startBenchMember(b, cl, group, topic))
		benchWaitStable(b, admin, group, len(members), partitions)
	}
	defer func() {
		for _, m := range members {
			m.close(b)
		}
	}()
	var stable, owned time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		benchWaitStable(b, admin, group, 3, partitions)
		time.Sleep(50 * time.Millisecond) // let in-flight commits and fetches settle
		b.StartTimer()
		start := time.Now()
		m := startBenchMember(b, cl, group, topic)
		benchWaitStable(b, admin, group, 4, partitions)
		stable += time.Since(start)
		// The coordinator counts an assignment as owned once it is sent;
		// the joiner owns it once its Poll looked up the committed offsets
		// and acknowledged.
		deadline := time.Now().Add(testTimeout)
		for len(m.gc.Assignment()) != partitions/4 {
			if time.Now().After(deadline) {
				b.Fatalf("the fourth member owns %v, want %d partitions", m.gc.Assignment(), partitions/4)
			}
			time.Sleep(100 * time.Microsecond)
		}
		owned += time.Since(start)
		b.StopTimer()
		m.close(b)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(stable.Microseconds())/1000/float64(b.N), "ms-to-stable")
	b.ReportMetric(float64(owned.Microseconds())/1000/float64(b.N), "ms-to-owned")
}

// BenchmarkGroupConsume compares consuming b.N records of 100-byte values
// from a 12-partition topic of a real in-process broker with a plain
// Consumer assigned every partition (from the start) against a
// GroupConsumer of a new group (one member, and three members splitting
// the partitions; auto-commit every 5s, the default). The group figures
// include joining and the assignment (the clock starts at
// NewGroupConsumer), a few milliseconds; __consumer_offsets exists and the
// coordinator is loaded before. The records are produced before the clock
// starts.
//
//	go test ./internal/sdktest -run '^$' -bench GroupConsume -benchtime 1000000x
func BenchmarkGroupConsume(b *testing.B) {
	const partitions = 12
	cl := benchBroker(b)
	admin := fjord.NewAdmin(cl)
	ctx := context.Background()
	run := 0
	fill := func(b *testing.B) string {
		b.Helper()
		run++
		topic := fmt.Sprintf("consume-%d", run)
		if _, err := admin.CreateTopic(ctx, topic, partitions, 0, nil); err != nil {
			b.Fatal(err)
		}
		benchFill(b, cl, topic, partitions, b.N)
		return topic
	}
	report := func(b *testing.B, elapsed time.Duration) {
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
		b.ReportMetric(float64(b.N)*100/elapsed.Seconds()/1e6, "MB/s")
	}

	b.Run("plain", func(b *testing.B) {
		topic := fill(b)
		c, err := fjord.NewConsumer(cl)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ResetTimer()
		start := time.Now()
		for p := range int32(partitions) {
			c.Assign(topic, p, fjord.AtStart())
		}
		got := 0
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		for got < b.N {
			recs, err := c.Poll(pctx)
			if err != nil {
				b.Fatalf("Poll after %d of %d records: %v", got, b.N, err)
			}
			got += len(recs)
		}
		b.StopTimer()
		report(b, time.Since(start))
	})

	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("group-members=%d", n), func(b *testing.B) {
			topic := fill(b)
			// Create __consumer_offsets and load the group's coordinator
			// before the clock starts.
			if _, err := admin.FetchOffsets(ctx, topic+"-app"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			var ms []*benchMember
			for range n {
				ms = append(ms, startBenchMember(b, cl, topic+"-app", topic))
			}
			deadline := time.Now().Add(time.Minute)
			for {
				got := int64(0)
				for _, m := range ms {
					got += m.got.Load()
				}
				if got >= int64(b.N) {
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("consumed %d of %d records within a minute", got, b.N)
				}
				time.Sleep(200 * time.Microsecond)
			}
			b.StopTimer()
			report(b, time.Since(start))
			for _, m := range ms {
				m.close(b)
			}
		})
	}
}
