package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const streamMethod = "/fjord.v1.ProduceService/ProduceStream"

func TestProduceConsumeRoundTripAllCodecs(t *testing.T) {
	for _, codec := range []fjordv1.Compression{
		fjordv1.Compression_COMPRESSION_NONE, fjordv1.Compression_COMPRESSION_GZIP, fjordv1.Compression_COMPRESSION_SNAPPY,
		fjordv1.Compression_COMPRESSION_LZ4, fjordv1.Compression_COMPRESSION_ZSTD,
	} {
		t.Run(codec.String(), func(t *testing.T) {
			_, cl := newCluster(t, 1, map[string]int32{"t": 1})
			p, err := fjord.NewProducer(cl, fjord.Compression(codec))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			var rs []*fjord.Record
			for i := range 20 {
				rs = append(rs, &fjord.Record{Topic: "t", Key: []byte(fmt.Sprint("k", i)), Value: []byte(fmt.Sprint("v", i)),
					Headers: []fjord.Header{{Key: "i", Value: []byte(fmt.Sprint(i))}}})
			}
			if err := p.ProduceSync(testCtx(t), rs...); err != nil {
				t.Fatal(err)
			}
			got := consumeN(t, cl, 20, "t", 0)
			for i, r := range got {
				if r.Offset != int64(i) || string(r.Value) != fmt.Sprint("v", i) || string(r.Headers[0].Value) != fmt.Sprint(i) {
					t.Fatalf("record %d: offset %d value %q", i, r.Offset, r.Value)
				}
				if rs[i].Offset != int64(i) || rs[i].Partition != 0 {
					t.Fatalf("produced record %d got offset %d partition %d", i, rs[i].Offset, rs[i].Partition)
				}
			}
		})
	}
}

func TestLingerBatchesUntilFlush(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.Linger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var done atomic.Int32
	for i := range 10 {
		p.Produce(testCtx(t), &fjord.Record{Topic: "t", Value: []byte{byte(i)}}, func(_ *fjord.Record, err error) {
			if err != nil {
				t.Error(err)
			}
			done.Add(1)
		})
	}
	if n := fc.Requests(streamMethod); n != 0 {
		t.Fatalf("%d requests sent before linger or flush", n)
	}
	if err := p.Flush(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if done.Load() != 10 {
		t.Fatalf("flush returned with %d of 10 promises called", done.Load())
	}
	if b := fc.Batches("t", 0); len(b) != 1 {
		t.Fatalf("%d batches stored, want 1 with 10 records", len(b))
	}
}

func TestBatchBytesSplitsBatches(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.Linger(time.Hour), fjord.BatchBytes(1000))
	if err != nil {
		t.Fatal(err)
	}
	var failed atomic.Int32
	for range 10 {
		p.Produce(context.Background(), &fjord.Record{Topic: "t", Value: make([]byte, 300)}, func(_ *fjord.Record, err error) {
			if err != nil {
				failed.Add(1)
			}
		})
	}
	// Full batches go without waiting for the hour of linger; Close
	// flushes the last one.
	if err := p.Close(); err != nil || failed.Load() != 0 {
		t.Fatalf("close %v, %d failed", err, failed.Load())
	}
	if b := fc.Batches("t", 0); len(b) < 4 {
		t.Fatalf("%d batches for 3000+ bytes with BatchBytes 1000", len(b))
	}
	if got := fc.EndOffset("t", 0); got != 10 {
		t.Fatalf("end offset %d", got)
	}
}

func TestCloseFlushesAndRejectsLater(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 2})
	p, err := fjord.NewProducer(cl, fjord.Linger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	for i := range 100 {
		p.Produce(context.Background(), &fjord.Record{Topic: "t", Key: []byte(fmt.Sprint(i))}, func(_ *fjord.Record, err error) {
			if err != nil {
				t.Error(err)
			}
			calls.Add(1)
		})
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 100 || fc.EndOffset("t", 0)+fc.EndOffset("t", 1) != 100 {
		t.Fatalf("after close: %d promises, %d records stored", calls.Load(), fc.EndOffset("t", 0)+fc.EndOffset("t", 1))
	}
	var gotErr error
	p.Produce(context.Background(), &fjord.Record{Topic: "t"}, func(_ *fjord.Record, err error) { gotErr = err })
	if !errors.Is(gotErr, fjord.ErrClosed) {
		t.Fatalf("produce after close: %v", gotErr)
	}
}

func TestRetriesRetriableErrors(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	fc.InjectProduceError("t", 0, fjord.ReasonNotLeaderOrFollower, 2)
	fc.InjectProduceError("t", 0, fjord.ReasonNotEnoughReplicas, 1)
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := &fjord.Record{Topic: "t", Value: []byte("x")}
	if err := p.ProduceSync(testCtx(t), r); err != nil {
		t.Fatal(err)
	}
	if n := fc.Requests(streamMethod); n != 4 {
		t.Fatalf("%d produce requests, want 4 (3 failures + success)", n)
	}
	if r.Offset != 0 || fc.EndOffset("t", 0) != 1 {
		t.Fatalf("offset %d, end %d", r.Offset, fc.EndOffset("t", 0))
	}
}

func TestMaxRetriesAndNonRetriable(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.MaxRetries(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fc.InjectProduceError("t", 0, fjord.ReasonNotLeaderOrFollower, 5)
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrNotLeader) || !fjord.IsRetriable(err) {
		t.Fatalf("after MaxRetries(1): %v", err)
	}
	fc.InjectProduceError("t", 0, fjord.ReasonMessageTooLarge, 100) // drop leftovers of the first injection
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	var fe *fjord.Error
	if !errors.As(err, &fe) || (fe.Reason != fjord.ReasonNotLeaderOrFollower && fe.Reason != fjord.ReasonMessageTooLarge) {
		t.Fatalf("got %v", err)
	}
	// Unknown topics fail the promise with the broker's reason.
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "nope"})
	if !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("unknown topic: %v", err)
	}
}

func TestNonRetriableFailsOnce(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	fc.InjectProduceError("t", 0, fjord.ReasonMessageTooLarge, 1)
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrMessageTooLarge) || fjord.IsRetriable(err) {
		t.Fatalf("got %v", err)
	}
	if n := fc.Requests(streamMethod); n != 1 {
		t.Fatalf("non-retriable error retried: %d requests", n)
	}
}

func TestDeliveryTimeout(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	fc.InjectProduceError("t", 0, fjord.ReasonNotEnoughReplicas, 1_000_000)
	p, err := fjord.NewProducer(cl, fjord.DeliveryTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrDeliveryTimeout) || !errors.Is(err, fjord.ErrNotEnoughReplicas) {
		t.Fatalf("got %v", err)
	}
}

func TestReroutesOnLeaderChange(t *testing.T) {
	fc, cl := newCluster(t, 3, map[string]int32{"t": 3})
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	man := func(part int32) *fjord.Record { return &fjord.Record{Topic: "t", Partition: part, Value: []byte("x")} }
	pm, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	for part := range int32(3) {
		if err := pm.ProduceSync(testCtx(t), man(part)); err != nil {
			t.Fatal(err)
		}
	}
	// Partition 0 moves from broker 0 to broker 2; the client's metadata is
	// stale, so the first attempt hits broker 0 and is redirected.
	fc.SetLeader("t", 0, 2)
	if err := pm.ProduceSync(testCtx(t), man(0), man(0)); err != nil {
		t.Fatal(err)
	}
	if got := fc.EndOffset("t", 0); got != 3 {
		t.Fatalf("partition 0 has %d records", got)
	}
	md, err := cl.Metadata(testCtx(t), "t")
	if err != nil {
		t.Fatal(err)
	}
	if l := md.GetTopics()[0].GetPartitions()[0].GetLeaderId(); l != 2 {
		t.Fatalf("cached leader %d, want 2", l)
	}
	// The consumer follows the move too.
	fc.SetLeader("t", 0, 1)
	if got := consumeN(t, cl, 3, "t", 0); got[2].Offset != 2 {
		t.Fatalf("consumed %v", got)
	}
}

func TestRecoversFromDroppedStreams(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.MaxInFlight(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for round := range 5 {
		if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte{byte(round)}}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		fc.BreakStreams()
	}
	// A stream the broker refuses once opened: if the request was already
	// written to it, the client cannot tell that it was not appended, so
	// the record fails as indefinite instead of being retried (which could
	// store it twice); if the refusal came first, the request is retried.
	fc.InjectRPCError(streamMethod, status.Error(codes.Unavailable, "refused"))
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte{5}})
	if err != nil && !(fjord.IsIndefinite(err) && errors.Is(err, fjord.ErrUnavailable)) {
		t.Fatalf("produce over a refused stream: %v, want success or an indefinite UNAVAILABLE", err)
	}
	if err != nil {
		if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte{5}}); err != nil {
			t.Fatal(err)
		}
	}
	got := consumeN(t, cl, 6, "t", 0)
	for i, r := range got[:6] {
		if r.Value[0] != byte(i) {
			t.Fatalf("record %d has value %d", i, r.Value[0])
		}
	}
}

// Per-partition order holds with MaxInFlight(1) even while batches are
// retried, and every promise is called exactly once. Batches in flight when
// the streams break fail as indefinite (they may be stored), without a
// retry: nothing is stored twice.
func TestOrderingAndPromiseOnce(t *testing.T) {
	const n = 2000
	fc, cl := newCluster(t, 2, map[string]int32{"t": 4})
	p, err := fjord.NewProducer(cl, fjord.MaxInFlight(1), fjord.BatchBytes(2000), fjord.Linger(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for part := range int32(4) {
		fc.InjectProduceError("t", part, fjord.ReasonNotEnoughReplicas, 3)
	}
	calls := make([]atomic.Int32, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range n {
		key := []byte(fmt.Sprint("key-", i%10))
		p.Produce(context.Background(), &fjord.Record{Topic: "t", Key: key, Value: []byte(fmt.Sprint(i))}, func(r *fjord.Record, err error) {
			if err != nil && !fjord.IsIndefinite(err) {
				t.Errorf("record %d: %v", i, err)
			}
			if calls[i].Add(1) == 1 {
				errs[i] = err
				wg.Done()
			}
		})
		if i == n/2 {
			fc.BreakStreams()
		}
	}
	wg.Wait()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range calls {
		if c := calls[i].Load(); c != 1 {
			t.Fatalf("promise %d called %d times", i, c)
		}
	}
	stored := 0
	for part := range int32(4) {
		stored += int(fc.EndOffset("t", part))
	}
	got := consumeN(t, cl, stored, "t", 0, 1, 2, 3)
	last := map[string]int{}
	seen := map[int]bool{}
	for _, r := range got {
		var v int
		fmt.Sscan(string(r.Value), &v)
		if seen[v] {
			t.Fatalf("record %d stored twice", v)
		}
		seen[v] = true
		if prev, ok := last[string(r.Key)]; ok && v < prev {
			t.Fatalf("key %s: value %d after %d", r.Key, v, prev)
		}
		last[string(r.Key)] = v
		if want := fjord.KeyHashPartition(r.Key, 4); r.Partition != want {
			t.Fatalf("key %s in partition %d, want %d", r.Key, r.Partition, want)
		}
	}
	for i, err := range errs {
		if err == nil && !seen[i] {
			t.Fatalf("acknowledged record %d not stored", i)
		}
	}
}

func TestProduceBlocksWhenBufferFull(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.Linger(time.Hour), fjord.MaxBufferedBytes(100))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var first error = errors.New("not called")
	p.Produce(context.Background(), &fjord.Record{Topic: "t", Value: make([]byte, 60)}, func(_ *fjord.Record, err error) { first = err })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var second error
	p.Produce(ctx, &fjord.Record{Topic: "t", Value: make([]byte, 60)}, func(_ *fjord.Record, err error) { second = err })
	if !errors.Is(second, context.Canceled) {
		t.Fatalf("second produce into a full buffer: %v", second)
	}
	if err := p.Flush(testCtx(t)); err != nil || first != nil {
		t.Fatalf("flush %v, first %v", err, first)
	}
	var tooBig error
	p.Produce(context.Background(), &fjord.Record{Topic: "t", Value: make([]byte, 200)}, func(_ *fjord.Record, err error) { tooBig = err })
	if !errors.Is(tooBig, fjord.ErrRecordTooLarge) {
		t.Fatalf("oversized record: %v", tooBig)
	}
}

func TestAcksNone(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.Acks(fjordv1.Acks_ACKS_NONE))
	if err != nil {
		t.Fatal(err)
	}
	r := &fjord.Record{Topic: "t"}
	if err := p.ProduceSync(testCtx(t), r); err != nil || r.Offset != -1 {
		t.Fatalf("err %v offset %d", err, r.Offset)
	}
	p.Close()
	consumeN(t, cl, 1, "t", 0)
	_ = fc
}

// TestCancelledRecordDropsOutOfItsBatch checks that a record whose context
// ends before it is sent fails alone, and that the rest of its batch (encoded
// again without it) lands with consecutive offsets.
func TestCancelledRecordDropsOutOfItsBatch(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.Linger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(testCtx(t))
	errs := make([]error, 3)
	for i := range 3 {
		r := &fjord.Record{Topic: "t", Value: []byte{byte('a' + i)}}
		if i == 1 {
			r.Context = ctx
		}
		p.Produce(testCtx(t), r, func(_ *fjord.Record, err error) { errs[i] = err })
	}
	cancel()
	if err := p.Flush(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], context.Canceled) || errs[2] != nil {
		t.Fatalf("promise errors %v", errs)
	}
	got := consumeN(t, cl, 2, "t", 0)
	if len(got) != 2 || string(got[0].Value) != "a" || string(got[1].Value) != "c" || got[1].Offset != 1 {
		t.Fatalf("consumed %v", got)
	}
}
