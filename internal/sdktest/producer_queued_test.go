package sdktest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// These tests guard a fixed bug (commit "clients/go: a partition's queued
// batches after one dropped unsent ... are considered in the same pass"):
// when the first queued batch of a partition was dropped without being
// sent (all its records' contexts ended, or it outlived DeliveryTimeout),
// the sender moved on to the next partition and nothing woke it again, so
// the partition's later batches stayed queued, their promises were never
// called, and Flush and Close (whose Flush has no deadline) never returned.

// TestProduceContextCancelledWhileQueued cancels the context of records
// queued behind a request in flight (one batch per record, one request at a
// time). Records whose context ended before they were sent must fail with
// its error, and Flush must return: every promise is called. (Found by
// internal/testcluster's group tests: a load generator that stops its
// producer by cancelling the records' context after a broker failover, when
// batches had queued up, hung in Flush and Close forever.)
func TestProduceContextCancelledWhileQueued(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "cancelled", 1, nil)
	p, err := fjord.NewProducer(cl, fjord.Linger(0), fjord.BatchBytes(64), fjord.MaxInFlight(1))
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var ok, cancelled, other atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	for range n {
		p.Produce(ctx, &fjord.Record{Topic: "cancelled", Value: make([]byte, 100)}, func(_ *fjord.Record, err error) {
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, context.Canceled):
				cancelled.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	cancel()
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	if err := p.Flush(fctx); err != nil {
		// Close would wait for the same promises forever (its Flush has no
		// deadline): leave the producer behind.
		t.Fatalf("Flush: %v; %d of %d promises called (%d ok, %d cancelled, %d other errors): records whose context ended while queued are never failed",
			err, ok.Load()+cancelled.Load()+other.Load(), n, ok.Load(), cancelled.Load(), other.Load())
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ok.Load() + cancelled.Load(); got != n || other.Load() != 0 {
		t.Fatalf("%d ok, %d cancelled, %d other errors, want %d in all", ok.Load(), cancelled.Load(), other.Load(), n)
	}
	t.Logf("%d records sent, %d cancelled while queued", ok.Load(), cancelled.Load())
}

// TestProduceDeliveryTimeoutWhileQueued lets records expire (a short
// DeliveryTimeout) while queued behind a request in flight, one batch per
// record and one request at a time. Expired records must fail with
// ErrDeliveryTimeout and Flush must return.
func TestProduceDeliveryTimeoutWhileQueued(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "expiring", 1, nil)
	p, err := fjord.NewProducer(cl, fjord.Linger(0), fjord.BatchBytes(64), fjord.MaxInFlight(1), fjord.DeliveryTimeout(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	var ok, expired, other atomic.Int64
	for range n {
		p.Produce(context.Background(), &fjord.Record{Topic: "expiring", Value: make([]byte, 100)}, func(_ *fjord.Record, err error) {
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, fjord.ErrDeliveryTimeout):
				expired.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	if err := p.Flush(fctx); err != nil {
		t.Fatalf("Flush: %v; %d of %d promises called (%d ok, %d expired, %d other errors): records that expire while queued are never failed",
			err, ok.Load()+expired.Load()+other.Load(), n, ok.Load(), expired.Load(), other.Load())
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ok.Load() + expired.Load(); got != n || other.Load() != 0 {
		t.Fatalf("%d ok, %d expired, %d other errors, want %d in all", ok.Load(), expired.Load(), other.Load(), n)
	}
	t.Logf("%d records sent, %d expired while queued", ok.Load(), expired.Load())
}
