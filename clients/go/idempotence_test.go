package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/fjordfake"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

const initProducerIDMethod = "/fjord.v1.ProduceService/InitProducerId"

// stampOf is a stored batch's producer id, epoch and base sequence.
type stampOf struct {
	id      int64
	epoch   int32
	baseSeq int32
	records int32
}

func stamps(t *testing.T, fc *fjordfake.Cluster, topic string, partition int32) []stampOf {
	t.Helper()
	var out []stampOf
	for _, raw := range fc.Batches(topic, partition) {
		var b fjordv1.RecordBatch
		if err := proto.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, stampOf{b.GetProducerId(), b.GetProducerEpoch(), b.GetBaseSequence(), b.GetRecordCount()})
	}
	return out
}

// produceBatch produces recs as one batch (Linger holds them until Flush).
func produceBatch(t *testing.T, p *fjord.Producer, recs ...*fjord.Record) []error {
	t.Helper()
	errs := make([]error, len(recs))
	for i, r := range recs {
		p.Produce(testCtx(t), r, func(_ *fjord.Record, err error) { errs[i] = err })
	}
	if err := p.Flush(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	return errs
}

func values(recs []*fjord.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, string(r.Value))
	}
	return out
}

// By default a producer is idempotent: it gets a producer id on first use
// and stamps every batch with it, its epoch and consecutive sequence
// numbers per partition.
func TestIdempotentProducerStampsBatches(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 2})
	p, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()), fjord.Linger(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if n := fc.Requests(initProducerIDMethod); n != 0 {
		t.Fatalf("%d InitProducerId calls before the first record", n)
	}
	rec := func(part int32, v string) *fjord.Record {
		return &fjord.Record{Topic: "t", Partition: part, Value: []byte(v)}
	}
	produceBatch(t, p, rec(0, "a"), rec(0, "b"), rec(0, "c"), rec(1, "x"))
	produceBatch(t, p, rec(0, "d"), rec(1, "y"), rec(1, "z"))
	produceBatch(t, p, rec(0, "e"), rec(0, "f"))
	got0, got1 := stamps(t, fc, "t", 0), stamps(t, fc, "t", 1)
	id := got0[0].id
	if id <= 0 {
		t.Fatalf("batches carry no producer id: %+v", got0)
	}
	want0 := []stampOf{{id, 0, 0, 3}, {id, 0, 3, 1}, {id, 0, 4, 2}}
	want1 := []stampOf{{id, 0, 0, 1}, {id, 0, 1, 2}}
	if fmt.Sprint(got0) != fmt.Sprint(want0) || fmt.Sprint(got1) != fmt.Sprint(want1) {
		t.Fatalf("stamps\n%+v\n%+v\nwant\n%+v\n%+v", got0, got1, want0, want1)
	}
	if n := fc.Requests(initProducerIDMethod); n != 1 {
		t.Fatalf("%d InitProducerId calls, want 1", n)
	}
}

// A write whose outcome was unknown (the broker appended it, then answered
// REQUEST_TIMED_OUT) is retried with the same stamp, and the broker answers
// the retry with the original offsets instead of appending it again.
func TestIdempotentRetryOfWrittenBatchIsDeduplicated(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte("first")}); err != nil {
		t.Fatal(err)
	}
	fc.InjectProduceErrorAfterAppend("t", 0, fjord.ReasonRequestTimedOut, 2)
	r := &fjord.Record{Topic: "t", Value: []byte("second")}
	if err := p.ProduceSync(testCtx(t), r); err != nil {
		t.Fatal(err)
	}
	if r.Offset != 1 || fc.EndOffset("t", 0) != 2 {
		t.Fatalf("acknowledged at %d, log end %d; want 1 and 2", r.Offset, fc.EndOffset("t", 0))
	}
	if n := fc.Requests(streamMethod); n != 4 {
		t.Fatalf("%d produce requests, want 4 (the first record, two answered with errors, one deduplicated)", n)
	}
	if got := values(consumeN(t, cl, 2, "t", 0)); fmt.Sprint(got) != "[first second]" {
		t.Fatalf("log holds %v", got)
	}
}

// Streams breaking under a pipelined producer with five requests in flight:
// every record is acknowledged, written once, at its acknowledged offset,
// in Produce order per partition, and promises run in that order.
func TestIdempotentOrderAcrossBrokenStreams(t *testing.T) {
	const n = 3000
	fc, cl := newCluster(t, 2, map[string]int32{"t": 4})
	p, err := fjord.NewProducer(cl, fjord.MaxInFlight(5), fjord.BatchBytes(600), fjord.Linger(time.Millisecond),
		fjord.OnPossibleDuplicates(func(recs []*fjord.Record) { t.Errorf("possible duplicates: %d records", len(recs)) }))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(rng.IntN(3000)) * time.Microsecond):
			}
			if rng.IntN(2) == 0 {
				fc.BreakStreams()
			} else {
				fc.InjectProduceErrorAfterAppend("t", int32(rng.IntN(4)), fjord.ReasonRequestTimedOut, 1)
			}
		}
	}()

	var mu sync.Mutex
	last := map[int32]int64{0: -1, 1: -1, 2: -1, 3: -1} // per partition, the last promised offset
	acked := map[string]int64{}
	var pwg sync.WaitGroup
	pwg.Add(n)
	for i := range n {
		v := fmt.Sprintf("v%05d", i)
		p.Produce(testCtx(t), &fjord.Record{Topic: "t", Key: []byte(v), Value: []byte(v)}, func(r *fjord.Record, err error) {
			defer pwg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("%s: %v", v, err)
				return
			}
			if r.Offset <= last[r.Partition] {
				t.Errorf("%s promised at %d/%d after offset %d", v, r.Partition, r.Offset, last[r.Partition])
			}
			last[r.Partition] = r.Offset
			acked[v] = r.Offset
		})
	}
	pwg.Wait()
	close(stop)
	wg.Wait()

	total := 0
	for part := range int32(4) {
		total += int(fc.EndOffset("t", part))
	}
	if total != n {
		t.Fatalf("%d records in the log, want %d", total, n)
	}
	seen := map[string]bool{}
	order := map[int32]string{}
	for _, r := range consumeN(t, cl, n, "t", 0, 1, 2, 3) {
		v := string(r.Value)
		if seen[v] {
			t.Fatalf("%s stored twice", v)
		}
		seen[v] = true
		if acked[v] != r.Offset {
			t.Errorf("%s acknowledged at %d, stored at %d/%d", v, acked[v], r.Partition, r.Offset)
		}
		if v <= order[r.Partition] {
			t.Errorf("%s stored after %s in partition %d", v, order[r.Partition], r.Partition)
		}
		order[r.Partition] = v
	}
	t.Logf("%d produce requests for %d records", fc.Requests(streamMethod), n)
}

// UNKNOWN_PRODUCER_ID (the broker forgot the producer): the producer bumps
// its epoch and starts the partition's sequence at 0 again; the record had
// no unknown outcome, so nothing is written twice or reported.
func TestIdempotentUnknownProducerBumpsEpoch(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 2})
	var dups []*fjord.Record
	p, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()),
		fjord.OnPossibleDuplicates(func(recs []*fjord.Record) { dups = append(dups, recs...) }))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	produce := func(part int32, v string) {
		t.Helper()
		if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Partition: part, Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	produce(0, "a")
	produce(0, "b")
	produce(1, "y")
	fc.ForgetProducers("t", 0)
	produce(0, "c")
	got := stamps(t, fc, "t", 0)
	id := got[0].id
	if want := []stampOf{{id, 0, 0, 1}, {id, 0, 1, 1}, {id, 1, 0, 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("stamps %+v, want %+v", got, want)
	}
	// The other partition moves to the new epoch too, at sequence 0.
	produce(1, "z")
	if got, want := stamps(t, fc, "t", 1), []stampOf{{id, 0, 0, 1}, {id, 1, 0, 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("partition 1 stamps %+v, want %+v", got, want)
	}
	if n := fc.Requests(initProducerIDMethod); n != 2 {
		t.Fatalf("%d InitProducerId calls, want 2", n)
	}
	if len(dups) != 0 {
		t.Fatalf("possible duplicates reported: %v", values(dups))
	}
	if got := values(consumeN(t, cl, 3, "t", 0)); fmt.Sprint(got) != "[a b c]" {
		t.Fatalf("log holds %v", got)
	}
}

// OUT_OF_ORDER_SEQUENCE_NUMBER for the first unresolved batch restarts the
// sequence under a new epoch too.
func TestIdempotentOutOfOrderSequenceBumpsEpoch(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl, fjord.MaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	fc.InjectProduceError("t", 0, fjord.ReasonOutOfOrderSequenceNumber, 1)
	// MaxRetries(0): the resend after a sequence restart is not a retry.
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	got := stamps(t, fc, "t", 0)
	if want := []stampOf{{got[0].id, 0, 0, 1}, {got[0].id, 1, 0, 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("stamps %+v, want %+v", got, want)
	}
}

// The one way an idempotent producer can write a record twice: its write
// had an unknown outcome (here it was appended, then answered
// REQUEST_TIMED_OUT), and the broker lost the producer's state before the
// retry. The retry fails with UNKNOWN_PRODUCER_ID, the producer restarts
// the sequence under a new epoch and sends the record again: it is
// reported to OnPossibleDuplicates, and here it is in the log twice.
func TestIdempotentPossibleDuplicateReported(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	var dups []*fjord.Record
	var forget sync.Once
	p, err := fjord.NewProducer(cl,
		fjord.OnPossibleDuplicates(func(recs []*fjord.Record) { dups = append(dups, recs...) }),
		// The broker forgets the producer while it backs off from the
		// unknown outcome.
		fjord.RetryBackoff(func(int) time.Duration {
			forget.Do(func() { fc.ForgetProducers("t", 0) })
			return time.Millisecond
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	fc.InjectProduceErrorAfterAppend("t", 0, fjord.ReasonRequestTimedOut, 1)
	b := &fjord.Record{Topic: "t", Value: []byte("b")}
	if err := p.ProduceSync(testCtx(t), b); err != nil {
		t.Fatal(err)
	}
	if len(dups) != 1 || dups[0] != b {
		t.Fatalf("possible duplicates %v, want [b]", values(dups))
	}
	if got := values(consumeN(t, cl, 3, "t", 0)); fmt.Sprint(got) != "[a b b]" || b.Offset != 2 {
		t.Fatalf("log holds %v, b acknowledged at %d", got, b.Offset)
	}
}

// INVALID_PRODUCER_EPOCH: another producer took the id over. The record
// fails definitely with ErrProducerFenced, and so does every later one.
func TestIdempotentProducerFenced(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	fc.FenceProducers()
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrProducerFenced) || !errors.Is(err, fjord.ErrInvalidProducerEpoch) || fjord.IsIndefinite(err) {
		t.Fatalf("got %v, want a definite ErrProducerFenced", err)
	}
	requests := fc.Requests(streamMethod)
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrProducerFenced) || fjord.IsIndefinite(err) {
		t.Fatalf("after fencing: %v", err)
	}
	if fc.Requests(streamMethod) != requests || fc.EndOffset("t", 0) != 1 {
		t.Fatal("a fenced producer sent a record")
	}
}

// A broker that cannot give producer ids makes an idempotent producer fail
// every record definitely, with a clear error; retriable failures of
// InitProducerId are retried.
func TestInitProducerIDFailures(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	fc.InjectRPCError(initProducerIDMethod, status.Error(codes.Unavailable, "try later"))
	fc.InjectRPCError(initProducerIDMethod, status.Error(codes.Unavailable, "try later"))
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if n := fc.Requests(initProducerIDMethod); n != 3 {
		t.Fatalf("%d InitProducerId calls, want 3", n)
	}

	fc.InjectRPCError(initProducerIDMethod, status.Error(codes.Unimplemented, "unknown method InitProducerId"))
	p, err = fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrIdempotence) || fjord.IsIndefinite(err) {
		t.Fatalf("got %v, want a definite ErrIdempotence", err)
	}
}

// Idempotence needs acks=ALL: asking for both is an error; a weaker Acks
// alone turns idempotence off, on the producer or as a client default.
func TestIdempotenceAndAcks(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	if _, err := fjord.NewProducer(cl, fjord.Acks(fjordv1.Acks_ACKS_LEADER), fjord.Idempotence(true)); err == nil {
		t.Fatal("NewProducer accepted Idempotence(true) with ACKS_LEADER")
	}
	p, err := fjord.NewProducer(cl, fjord.Acks(fjordv1.Acks_ACKS_LEADER))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	cl2, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(fc.Addrs()...), fjord.Acks(fjordv1.Acks_ACKS_NONE))
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	p, err = fjord.NewProducer(cl2)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	for _, st := range stamps(t, fc, "t", 0) {
		if st.id != 0 {
			t.Fatalf("a producer with weaker acks stamped %+v", st)
		}
	}
	if n := fc.Requests(initProducerIDMethod); n != 0 {
		t.Fatalf("%d InitProducerId calls without idempotence", n)
	}
}
