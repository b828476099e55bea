package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/fjordfake"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// produceBatches stores count batches of size records in partition p, each
// batch one ProduceSync with a long linger (so one batch per call).
func produceBatches(t *testing.T, cl *fjord.Client, topic string, p int32, count, size int) {
	t.Helper()
	pr, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()), fjord.Linger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	for b := range count {
		for i := range size {
			pr.Produce(context.Background(), &fjord.Record{Topic: topic, Partition: p, Value: []byte(fmt.Sprint(b*size + i)),
				Timestamp: time.UnixMilli(int64(1000 * (b*size + i + 1)))}, nil)
		}
		if err := pr.Flush(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConsumerAcrossPartitionsAndBrokers(t *testing.T) {
	_, cl := newCluster(t, 2, map[string]int32{"t": 4})
	for p := range int32(4) {
		produceBatches(t, cl, "t", p, 3, 5)
	}
	got := consumeN(t, cl, 60, "t", 0, 1, 2, 3)
	if len(got) != 60 {
		t.Fatalf("got %d records", len(got))
	}
	next := map[int32]int64{}
	for _, r := range got {
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: offset %d, want %d", r.Partition, r.Offset, next[r.Partition])
		}
		next[r.Partition]++
		if want := fmt.Sprint(r.Offset); string(r.Value) != want {
			t.Fatalf("offset %d value %q", r.Offset, r.Value)
		}
	}
}

func TestConsumerSeekSkipsInsideBatch(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 2, 10)
	if n := len(fc.Batches("t", 0)); n != 2 {
		t.Fatalf("%d batches", n)
	}
	c, err := fjord.NewConsumer(cl, fjord.FetchMaxWait(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Assign("t", 0, fjord.AtOffset(13)) // inside the second batch
	recs, err := c.Poll(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || recs[0].Offset != 13 || recs[6].Offset != 19 {
		t.Fatalf("got %d records from %d", len(recs), recs[0].Offset)
	}
	if pos, ok := c.Position("t", 0); !ok || pos != 20 {
		t.Fatalf("position %d %v", pos, ok)
	}
	c.Seek("t", 0, fjord.AtTime(time.UnixMilli(5000))) // record 4 has ts 5000
	recs, err = c.Poll(testCtx(t))
	if err != nil || recs[0].Offset != 4 {
		t.Fatalf("after seek by time: %v, first offset %d", err, recs[0].Offset)
	}
}

func TestConsumerAtEndWaitsForNewRecords(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 1, 3)
	c, err := fjord.NewConsumer(cl, fjord.FetchMaxWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Assign("t", 0, fjord.AtEnd())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	recs, err := c.Poll(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || recs != nil {
		t.Fatalf("poll with nothing new: %d records, %v", len(recs), err)
	}
	produceBatches(t, cl, "t", 0, 1, 1)
	recs, err = c.Poll(testCtx(t))
	if err != nil || len(recs) != 1 || recs[0].Offset != 3 {
		t.Fatalf("got %v %v", recs, err)
	}
	c.Unassign("t", 0)
	if _, ok := c.Position("t", 0); ok {
		t.Fatal("position after unassign")
	}
}

func TestConsumerDetectsCorruption(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 1, 3)
	fc.CorruptBatch("t", 0, 0)
	c, _ := fjord.NewConsumer(cl)
	defer c.Close()
	c.Assign("t", 0, fjord.AtStart())
	recs, err := c.Poll(testCtx(t))
	var fe *fjord.Error
	if len(recs) != 0 || !errors.As(err, &fe) || fe.Reason != fjord.ReasonCorruptMessage || fe.Topic != "t" {
		t.Fatalf("got %d records, %v", len(recs), err)
	}
	if pos, _ := c.Position("t", 0); pos != 0 {
		t.Fatalf("position advanced past a corrupt batch: %d", pos)
	}
}

func TestConsumerOffsetOutOfRange(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 2, 5)
	if _, err := fjord.NewAdmin(cl).DeleteRecords(testCtx(t), "t", 0, 5); err != nil {
		t.Fatal(err)
	}
	strict, _ := fjord.NewConsumer(cl, fjord.ResetOffset(fjord.NoResetOffset()))
	defer strict.Close()
	strict.Assign("t", 0, fjord.AtOffset(2))
	if _, err := strict.Poll(testCtx(t)); !errors.Is(err, fjord.ErrOffsetOutOfRange) {
		t.Fatalf("got %v", err)
	}
	reset, _ := fjord.NewConsumer(cl) // default: reset to start
	defer reset.Close()
	reset.Assign("t", 0, fjord.AtOffset(2))
	recs, err := reset.Poll(testCtx(t))
	if err != nil || recs[0].Offset != 5 {
		t.Fatalf("after reset: %v %v", recs, err)
	}
}

func TestConsumerCloseEndsPoll(t *testing.T) {
	_, cl := newCluster(t, 1, map[string]int32{"t": 1})
	c, _ := fjord.NewConsumer(cl)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Poll(testCtx(t)) // nothing assigned: waits
		errc <- err
	}()
	c.Close()
	if err := <-errc; !errors.Is(err, fjord.ErrClosed) {
		t.Fatalf("got %v", err)
	}
}

var _ = fjordfake.New

func TestRPCErrorDetailsReachCaller(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	st, err := status.New(codes.InvalidArgument, "bad fetch").WithDetails(
		&errdetails.ErrorInfo{Reason: "INVALID_REQUEST", Domain: "fjord", Metadata: map[string]string{"topic": "t", "partition": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	fc.InjectRPCError("/fjord.v1.FetchService/Fetch", st.Err())
	c, _ := fjord.NewConsumer(cl)
	defer c.Close()
	c.Assign("t", 0, fjord.AtStart())
	_, err = c.Poll(testCtx(t))
	var fe *fjord.Error
	if !errors.As(err, &fe) || fe.Reason != fjord.ReasonInvalidRequest || fe.Code != codes.InvalidArgument || fe.Topic != "t" || fe.Partition != 0 || fe.Retriable {
		t.Fatalf("got %#v", err)
	}
	// A retriable RPC failure (no details) is retried inside Poll.
	fc.InjectRPCError("/fjord.v1.FetchService/Fetch", status.Error(codes.Unavailable, "down"))
	produceBatches(t, cl, "t", 0, 1, 1)
	if recs, err := c.Poll(testCtx(t)); err != nil || len(recs) != 1 {
		t.Fatalf("after retriable failure: %v %v", recs, err)
	}
}

const fetchRPC = "/fjord.v1.FetchService/Fetch"

// waitRequests waits until the fake has served at least n calls of method
// (a prefetch is sent in the background, after Poll returned).
func waitRequests(t *testing.T, fc *fjordfake.Cluster, method string, n int) {
	t.Helper()
	ctx := testCtx(t)
	for fc.Requests(method) < n {
		if ctx.Err() != nil {
			t.Fatalf("%d calls of %s, want %d", fc.Requests(method), method, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// pollExact polls once and checks the records run from want to the
// returned position without a gap.
func pollExact(t *testing.T, c *fjord.Consumer, want int64, n int) {
	t.Helper()
	recs, err := c.Poll(testCtx(t))
	if err != nil {
		t.Fatalf("poll from %d: %v", want, err)
	}
	if len(recs) != n {
		t.Fatalf("poll from %d: %d records, want %d", want, len(recs), n)
	}
	for i, r := range recs {
		if r.Offset != want+int64(i) || string(r.Value) != fmt.Sprint(r.Offset) {
			t.Fatalf("record %d: offset %d value %q, want offset %d", i, r.Offset, r.Value, want+int64(i))
		}
	}
	if pos, ok := c.Position("t", 0); !ok || pos != want+int64(n) {
		t.Fatalf("position %d %v, want %d", pos, ok, want+int64(n))
	}
}

func TestConsumerPrefetchDiscardedBySeek(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 4, 5)
	// One batch per fetch: the first batch is always returned whole.
	c, err := fjord.NewConsumer(cl, fjord.FetchPartitionMaxBytes(1), fjord.FetchMaxWait(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Assign("t", 0, fjord.AtStart())
	pollExact(t, c, 0, 5)
	// The prefetch of offsets 5..9 has reached the broker; Position still
	// names the next record Poll returns.
	waitRequests(t, fc, fetchRPC, 2)
	if pos, _ := c.Position("t", 0); pos != 5 {
		t.Fatalf("position %d after prefetch, want 5", pos)
	}
	c.Seek("t", 0, fjord.AtOffset(1))
	pollExact(t, c, 1, 4) // not the prefetched 5..9
	pollExact(t, c, 5, 5)
	c.Seek("t", 0, fjord.AtOffset(17))
	pollExact(t, c, 17, 3)
	c.Unassign("t", 0)
	c.Assign("t", 0, fjord.AtOffset(10))
	pollExact(t, c, 10, 5)
	pollExact(t, c, 15, 5)
}

func TestConsumerPrefetchPositionsExact(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 20, 3)
	c, err := fjord.NewConsumer(cl, fjord.FetchPartitionMaxBytes(1), fjord.FetchMaxWait(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Assign("t", 0, fjord.AtOffset(1)) // inside the first batch
	pollExact(t, c, 1, 2)
	for b := 1; b < 20; b++ {
		pollExact(t, c, int64(3*b), 3)
	}
	// Every Poll after the first was served by a prefetch: one fetch per
	// batch, plus at most the prefetch now waiting at the end.
	if n := fc.Requests(fetchRPC); n < 20 || n > 21 {
		t.Fatalf("%d fetches for 20 batches", n)
	}
}

func TestConsumerPrefetchErrorReportedByPoll(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 2, 5)
	fc.CorruptBatch("t", 0, 1)
	c, _ := fjord.NewConsumer(cl, fjord.FetchPartitionMaxBytes(1))
	defer c.Close()
	c.Assign("t", 0, fjord.AtStart())
	pollExact(t, c, 0, 5)
	waitRequests(t, fc, fetchRPC, 2) // the prefetch reads the corrupt batch
	for range 2 {                    // prefetched, then fetched directly
		recs, err := c.Poll(testCtx(t))
		var fe *fjord.Error
		if len(recs) != 0 || !errors.As(err, &fe) || fe.Reason != fjord.ReasonCorruptMessage || fe.Topic != "t" || fe.Partition != 0 {
			t.Fatalf("got %d records, %v", len(recs), err)
		}
		if pos, _ := c.Position("t", 0); pos != 5 {
			t.Fatalf("position %d after a corrupt batch, want 5", pos)
		}
	}
}

func TestConsumerCloseCancelsPrefetch(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	produceBatches(t, cl, "t", 0, 1, 5)
	c, _ := fjord.NewConsumer(cl, fjord.FetchMaxWait(time.Hour))
	c.Assign("t", 0, fjord.AtStart())
	pollExact(t, c, 0, 5)
	waitRequests(t, fc, fetchRPC, 2) // the prefetch waits at the end of the log
	done := make(chan struct{})
	go func() {
		c.Close() // returns once the prefetch goroutine has stopped
		close(done)
	}()
	select {
	case <-done:
	case <-testCtx(t).Done():
		t.Fatal("Close waited for the prefetch's long poll")
	}
	if _, err := c.Poll(testCtx(t)); !errors.Is(err, fjord.ErrClosed) {
		t.Fatalf("poll after close: %v", err)
	}
}

func TestConsumerPrefetchKeepsWatchingEveryLeader(t *testing.T) {
	_, cl := newCluster(t, 2, map[string]int32{"t": 2}) // leaders 0 and 1
	produceBatches(t, cl, "t", 0, 1, 5)
	c, _ := fjord.NewConsumer(cl, fjord.FetchMaxWait(time.Hour))
	defer c.Close()
	c.Assign("t", 0, fjord.AtStart())
	c.Assign("t", 1, fjord.AtStart())
	pollExact(t, c, 0, 5)
	// Both leaders now hold a prefetch at the end of their logs. New
	// records on one must end the next Poll, however long the other's
	// long poll lasts.
	for from := 5; from <= 10; from += 5 {
		var rs []*fjord.Record
		for i := range 5 {
			rs = append(rs, &fjord.Record{Topic: "t", Partition: 0, Value: []byte(fmt.Sprint(from + i))})
		}
		pr, _ := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
		if err := pr.ProduceSync(testCtx(t), rs...); err != nil {
			t.Fatal(err)
		}
		pr.Close()
		pollExact(t, c, int64(from), 5)
	}
}
