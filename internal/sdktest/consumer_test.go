package sdktest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// produceN writes n records with values "0".."n-1" to one partition, the
// i-th stamped base+i seconds, and returns them.
func produceN(t *testing.T, p *fjord.Producer, topic string, partition int32, n int, base time.Time) []*fjord.Record {
	t.Helper()
	var rs []*fjord.Record
	for i := range n {
		rs = append(rs, &fjord.Record{Topic: topic, Partition: partition, Value: fmt.Appendf(nil, "%d", i), Timestamp: base.Add(time.Duration(i) * time.Second)})
	}
	if err := p.ProduceSync(ctxT(t), rs...); err != nil {
		t.Fatalf("ProduceSync: %v", err)
	}
	return rs
}

func wantOffsets(t *testing.T, recs []*fjord.Record, from int64) {
	t.Helper()
	for i, r := range recs {
		if r.Offset != from+int64(i) || string(r.Value) != fmt.Sprint(from+int64(i)) {
			t.Fatalf("record %d is %s, want offset and value %d", i, describe(r), from+int64(i))
		}
	}
}

func TestConsumerSeekAndAtTime(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "seek", 1, nil)
	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	base := time.UnixMilli(1_600_000_000_000)
	produceN(t, p, "seek", 0, 10, base)

	c := newConsumer(t, cl)
	c.Assign("seek", 0, fjord.AtOffset(6))
	wantOffsets(t, pollN(t, c, 4), 6)
	if pos, ok := c.Position("seek", 0); !ok || pos != 10 {
		t.Errorf("Position = %d, %v; want 10, true", pos, ok)
	}
	c.Seek("seek", 0, fjord.AtOffset(2))
	wantOffsets(t, pollN(t, c, 8), 2)
	c.Seek("seek", 0, fjord.AtStart())
	wantOffsets(t, pollN(t, c, 10), 0)

	// Timestamps are base+i s: 3.5 s resolves to offset 4, an exact
	// timestamp to its own record, and a later time to the end.
	for _, tc := range []struct {
		at   time.Time
		want int64
	}{
		{base.Add(3500 * time.Millisecond), 4},
		{base.Add(7 * time.Second), 7},
		{base.Add(-time.Hour), 0},
		{base.Add(time.Hour), 10},
	} {
		off, err := fjord.NewAdmin(cl).ListOffset(ctxT(t), "seek", 0, fjord.AtTime(tc.at))
		if err != nil || off != tc.want {
			t.Errorf("ListOffset(AtTime(%v)) = %d, %v; want %d", tc.at, off, err, tc.want)
		}
		if tc.want < 10 {
			c.Seek("seek", 0, fjord.AtTime(tc.at))
			recs := pollN(t, c, int(10-tc.want))
			wantOffsets(t, recs, tc.want)
			if !recs[0].Timestamp.Equal(base.Add(time.Duration(tc.want) * time.Second)) {
				t.Errorf("record %d timestamp %v", recs[0].Offset, recs[0].Timestamp)
			}
		}
	}
}

// TestConsumerAtEndLongPoll checks that AtEnd skips existing records and
// that a parked long poll returns as soon as a later produce lands, long
// before its FetchMaxWait.
func TestConsumerAtEndLongPoll(t *testing.T) {
	t.Parallel()
	const maxWait = 20 * time.Second
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "tail", 1, nil)
	p := newProducer(t, cl)
	produceN(t, p, "tail", 0, 3, time.Now())

	c := newConsumer(t, cl, fjord.FetchMaxWait(maxWait))
	c.Assign("tail", 0, fjord.AtEnd())
	// A first poll resolves AtEnd (to 3) and parks; it ends with its ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	recs, err := c.Poll(ctx)
	cancel()
	if len(recs) != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Poll at the end = %d records, %v; want none and the deadline", len(recs), err)
	}
	if pos, ok := c.Position("tail", 0); !ok || pos != 3 {
		t.Fatalf("Position after AtEnd = %d, %v; want 3, true", pos, ok)
	}

	type result struct {
		recs []*fjord.Record
		err  error
		took time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		recs, err := c.Poll(ctxT(t))
		done <- result{recs, err, time.Since(start)}
	}()
	if err := p.ProduceSync(ctxT(t), &fjord.Record{Topic: "tail", Value: []byte("3")}); err != nil {
		t.Fatalf("ProduceSync: %v", err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("Poll: %v", res.err)
	}
	wantOffsets(t, res.recs, 3)
	if len(res.recs) != 1 {
		t.Fatalf("Poll returned %d records, want 1", len(res.recs))
	}
	if res.took >= maxWait/2 {
		t.Errorf("long poll took %v: it did not wake on the produce", res.took)
	}
}

func TestConsumerOffsetOutOfRangeAfterDeleteRecords(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "trunc", 1, nil)
	p := newProducer(t, cl)
	produceN(t, p, "trunc", 0, 10, time.Now())
	adm := fjord.NewAdmin(cl)
	low, err := adm.DeleteRecords(ctxT(t), "trunc", 0, 5)
	if err != nil || low != 5 {
		t.Fatalf("DeleteRecords(5) = %d, %v; want 5", low, err)
	}
	if off, err := adm.ListOffset(ctxT(t), "trunc", 0, fjord.AtStart()); err != nil || off != 5 {
		t.Fatalf("ListOffset(AtStart) = %d, %v; want 5", off, err)
	}

	strict := newConsumer(t, cl, fjord.ResetOffset(fjord.NoResetOffset()))
	strict.Assign("trunc", 0, fjord.AtOffset(2))
	recs, err := strict.Poll(ctxT(t))
	if len(recs) != 0 || !errors.Is(err, fjord.ErrOffsetOutOfRange) {
		t.Fatalf("Poll below the log start = %d records, %v; want ErrOffsetOutOfRange", len(recs), err)
	}
	var fe *fjord.Error
	if !errors.As(err, &fe) || fe.Topic != "trunc" || fe.Partition != 0 {
		t.Errorf("error %#v does not locate trunc/0", err)
	}
	// Above the high watermark too.
	strict.Seek("trunc", 0, fjord.AtOffset(11))
	if _, err := strict.Poll(ctxT(t)); !errors.Is(err, fjord.ErrOffsetOutOfRange) {
		t.Errorf("Poll above the high watermark = %v, want ErrOffsetOutOfRange", err)
	}

	// The default reset (AtStart) lands on the new log start.
	lenient := newConsumer(t, cl)
	lenient.Assign("trunc", 0, fjord.AtOffset(2))
	wantOffsets(t, pollN(t, lenient, 5), 5)
}

// TestConsumerLargeFetchResponse reads partitions whose data together exceed
// gRPC's default 4 MiB receive limit in a single fetch response.
func TestConsumerLargeFetchResponse(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "big", 8, nil)
	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	value := make([]byte, 64<<10)
	var rs []*fjord.Record
	for part := int32(0); part < 8; part++ {
		for i := 0; i < 16; i++ { // 1 MiB per partition, 8 MiB in all
			rs = append(rs, &fjord.Record{Topic: "big", Partition: part, Value: value})
		}
	}
	if err := p.ProduceSync(ctxT(t), rs...); err != nil {
		t.Fatal(err)
	}
	c := newConsumer(t, cl, fjord.FetchPartitionMaxBytes(2<<20))
	for part := int32(0); part < 8; part++ {
		c.Assign("big", part, fjord.AtStart())
	}
	if got := pollN(t, c, len(rs)); len(got) != len(rs) {
		t.Fatalf("got %d records", len(got))
	}
}

// TestConsumerPrefetch reads with one batch per fetch, so every Poll after
// the first is served by the fetch the consumer started in the background.
func TestConsumerPrefetch(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "pf", 1, nil)
	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	const batches, size = 30, 10
	for i := range batches {
		var rs []*fjord.Record
		for j := range size {
			rs = append(rs, &fjord.Record{Topic: "pf", Value: fmt.Appendf(nil, "%d", i*size+j)})
		}
		if err := p.ProduceSync(ctxT(t), rs...); err != nil {
			t.Fatalf("ProduceSync: %v", err)
		}
	}

	// The broker returns the first batch whole however small the limit.
	c := newConsumer(t, cl, fjord.FetchPartitionMaxBytes(1), fjord.FetchMaxWait(time.Minute))
	c.Assign("pf", 0, fjord.AtStart())
	wantOffsets(t, pollN(t, c, size), 0)

	// Records prefetched for offsets 10.. must not follow a Seek back.
	c.Seek("pf", 0, fjord.AtOffset(3))
	wantOffsets(t, pollN(t, c, size-3), 3)
	// Nor a Seek forward to the records before.
	c.Seek("pf", 0, fjord.AtOffset(25))
	wantOffsets(t, pollN(t, c, 5), 25)

	// Positions stay exact, Poll by Poll.
	for next := int64(30); next < batches*size; {
		recs, err := c.Poll(ctxT(t))
		if err != nil {
			t.Fatalf("Poll from %d: %v", next, err)
		}
		if len(recs) == 0 {
			t.Fatalf("Poll from %d returned nothing", next)
		}
		wantOffsets(t, recs, next)
		next += int64(len(recs))
		if pos, ok := c.Position("pf", 0); !ok || pos != next {
			t.Fatalf("Position = %d, %v; want %d", pos, ok, next)
		}
	}

	// A prefetch now waits at the end of the log for up to a minute; Close
	// cancels it and returns promptly (goleak checks it stopped).
	done := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		c.Close()
		done <- time.Since(start)
	}()
	select {
	case took := <-done:
		if took > 5*time.Second {
			t.Errorf("Close took %v", took)
		}
	case <-ctxT(t).Done():
		t.Fatal("Close waited for the prefetch's long poll")
	}
	if _, err := c.Poll(ctxT(t)); !errors.Is(err, fjord.ErrClosed) {
		t.Fatalf("Poll after Close = %v, want ErrClosed", err)
	}
}
