package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/fjordfake"
)

const metadataMethod = "/fjord.v1.MetadataService/GetMetadata"

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// noBackoff fails the test if the client backs off: a retry loop that waits
// (rather than trying the next broker) would stall it.
func noBackoff(t *testing.T) func(int) time.Duration {
	return func(attempt int) time.Duration {
		t.Errorf("client backed off (attempt %d) instead of trying another broker", attempt)
		return time.Millisecond
	}
}

// A seed that is down costs no retry: the same attempt asks the next seed.
func TestMetadataSkipsDownSeed(t *testing.T) {
	fc, err := fjordfake.New(2)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if err := fc.CreateTopic("t", 2); err != nil {
		t.Fatal(err)
	}
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(deadAddr(t), fc.Addrs()[1]), fjord.RetryBackoff(noBackoff(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for range 3 { // every rotation start, the dead seed included
		md, err := cl.Metadata(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(md.GetBrokers()) != 2 || len(md.GetTopics()) != 1 {
			t.Fatalf("metadata %v", md)
		}
	}
	// Admin requests, which pick a broker the same way, avoid the dead seed
	// once it failed.
	if _, err := fjord.NewAdmin(cl).ListTopics(testCtx(t), false); err != nil {
		t.Fatal(err)
	}
}

// A broker that stops takes its leaderships with it; producer and consumer
// go on with the new leader, learning it from the brokers still up.
func TestFailoverWhenBrokerStops(t *testing.T) {
	fc, err := fjordfake.New(3)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if err := fc.CreateTopic("t", 1); err != nil { // led by broker 0
		t.Fatal(err)
	}
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(fc.Addrs()...), fjord.RetryBackoff(fastBackoff))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cons, err := fjord.NewConsumer(cl, fjord.FetchMaxWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	cons.Assign("t", 0, fjord.AtStart())
	produce := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			r := &fjord.Record{Topic: "t", Value: fmt.Append(nil, i)}
			err := p.ProduceSync(testCtx(t), r)
			if fjord.IsIndefinite(err) && fc.EndOffset("t", 0) == int64(i) {
				// Sent on the stream to the stopped broker before the client
				// saw it break: the client cannot know it was not stored,
				// the application can check, and send it again.
				r = &fjord.Record{Topic: "t", Value: fmt.Append(nil, i)}
				err = p.ProduceSync(testCtx(t), r)
			}
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if r.Offset != int64(i) {
				t.Fatalf("record %d at offset %d", i, r.Offset)
			}
		}
	}
	consume := func(from, to int) {
		t.Helper()
		for next := from; next < to; {
			recs, err := cons.Poll(testCtx(t))
			if err != nil {
				t.Fatalf("poll at %d: %v", next, err)
			}
			for _, r := range recs {
				if r.Offset != int64(next) || string(r.Value) != fmt.Sprint(next) {
					t.Fatalf("got offset %d value %q, want %d", r.Offset, r.Value, next)
				}
				next++
			}
		}
	}
	produce(0, 10)
	consume(0, 10)
	fc.StopBroker(0)
	fc.SetLeader("t", 0, 2)
	produce(10, 20)
	consume(10, 20)
}

// A NOT_LEADER_OR_FOLLOWER error names the new leader: producer and
// consumer go there without asking for metadata.
func TestLeaderHintAvoidsMetadataRequest(t *testing.T) {
	fc, cl := newCluster(t, 3, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cons, err := fjord.NewConsumer(cl, fjord.FetchMaxWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	cons.Assign("t", 0, fjord.AtStart())
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if recs, err := cons.Poll(testCtx(t)); err != nil || len(recs) != 1 {
		t.Fatalf("poll: %d records, %v", len(recs), err)
	}
	before := fc.Requests(metadataMethod)
	fc.SetLeader("t", 0, 1)
	r := &fjord.Record{Topic: "t", Value: []byte("b")}
	if err := p.ProduceSync(testCtx(t), r); err != nil || r.Offset != 1 {
		t.Fatalf("produce after the move: offset %d, %v", r.Offset, err)
	}
	if recs, err := cons.Poll(testCtx(t)); err != nil || len(recs) != 1 || recs[0].Offset != 1 {
		t.Fatalf("poll after the move: %v, %v", recs, err)
	}
	if n := fc.Requests(metadataMethod) - before; n != 0 {
		t.Fatalf("%d metadata requests after a NOT_LEADER_OR_FOLLOWER that named the leader", n)
	}
}

// Fetches carry the leader epoch the client knows: after an election that
// keeps the leader but bumps the epoch, the broker fences the consumer's
// fetch, and the consumer refreshes metadata and goes on from the same
// offset.
func TestConsumerRefreshesOnFencedLeaderEpoch(t *testing.T) {
	fc, cl := newCluster(t, 2, map[string]int32{"t": 1})
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cons, err := fjord.NewConsumer(cl, fjord.FetchMaxWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	cons.Assign("t", 0, fjord.AtStart())
	for i := range 2 {
		if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: fmt.Append(nil, i)}); err != nil {
			t.Fatal(err)
		}
	}
	if recs, err := cons.Poll(testCtx(t)); err != nil || len(recs) != 2 {
		t.Fatalf("poll: %d records, %v", len(recs), err)
	}
	fc.SetLeader("t", 0, 0) // same leader, new epoch
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t", Value: []byte("2")}); err != nil {
		t.Fatal(err)
	}
	before := fc.Requests(metadataMethod)
	recs, err := cons.Poll(testCtx(t))
	if err != nil || len(recs) != 1 || recs[0].Offset != 2 || string(recs[0].Value) != "2" {
		t.Fatalf("poll after the epoch bump: %v, %v", recs, err)
	}
	if fc.Requests(metadataMethod) == before {
		t.Fatal("no metadata refresh: the fetch did not carry the stale leader epoch, or the consumer ignored FENCED_LEADER_EPOCH")
	}
}

// Without idempotence, an indefinite produce failure (the batch may be in
// the log) reaches the promise, marked so, and is not retried: a retry
// could write the records twice.
func TestIndefiniteProduceFailureNotRetried(t *testing.T) {
	fc, cl := newCluster(t, 1, map[string]int32{"t": 1})
	fc.InjectProduceError("t", 0, fjord.ReasonRequestTimedOut, 1)
	p, err := fjord.NewProducer(cl, fjord.Idempotence(false))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	err = p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"})
	if !errors.Is(err, fjord.ErrRequestTimedOut) || !fjord.IsIndefinite(err) {
		t.Fatalf("got %v, want an indefinite REQUEST_TIMED_OUT", err)
	}
	if n := fc.Requests(streamMethod); n != 1 {
		t.Fatalf("%d produce requests for an indefinite failure, want 1", n)
	}
	// The producer goes on.
	if err := p.ProduceSync(testCtx(t), &fjord.Record{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
}
