package storage_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fjordlog/fjord/storage"
)

func TestAppendReadReopen(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.SegmentBytes = 4 << 10
	o.IndexIntervalBytes = 256
	l := e.open(o)
	var want []gotRecord
	for i := 0; i < 200; i++ {
		n := 1 + i%5
		r := mustAppend(t, l, simpleBatch(t, fmt.Sprint(i), n, int64(1000+i)), 3)
		if r.Records != n || r.LastOffset-r.BaseOffset != int64(n-1) {
			t.Fatalf("append %d: %+v", i, r)
		}
		for j := 0; j < n; j++ {
			want = append(want, gotRecord{r.BaseOffset + int64(j), int64(1000 + i), fmt.Sprintf("k%d", j), fmt.Sprintf("v%d-%d", i, j)})
		}
	}
	if l.NumSegments() < 3 {
		t.Fatalf("expected rolls, got %d segments", l.NumSegments())
	}
	check := func(l *storage.Log) {
		t.Helper()
		got := decodeBatches(t, readAll(t, l, 0))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("records differ:\n got %v\nwant %v", got[:min(5, len(got))], want[:5])
		}
		// Every offset reads back starting at the batch containing it.
		for off := int64(0); off < l.LogEndOffset(); off++ {
			res, err := l.Read(off, 1, 1<<62)
			if err != nil {
				t.Fatal(err)
			}
			recs := decodeBatches(t, res.Batches)
			if len(res.Batches) != 1 || recs[0].offset > off || recs[len(recs)-1].offset < off {
				t.Fatalf("read %d: got %d batches %v", off, len(res.Batches), recs)
			}
		}
	}
	check(l)
	leo := l.LogEndOffset()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Read(0, 100, 100); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	l = e.open(o)
	defer l.Close()
	if l.LogEndOffset() != leo || l.RecoveryPoint() != leo {
		t.Fatalf("reopen: leo %d rp %d want %d", l.LogEndOffset(), l.RecoveryPoint(), leo)
	}
	check(l)
	if ep, ok := l.LatestEpoch(); !ok || ep != 3 {
		t.Fatalf("latest epoch %d %v", ep, ok)
	}
}

func TestReadBounds(t *testing.T) {
	e := newEnv(t)
	l := e.open(e.opts())
	defer l.Close()
	for i := 0; i < 10; i++ {
		mustAppend(t, l, simpleBatch(t, "x", 10, 5), 0)
	}
	var oor *storage.OffsetOutOfRangeError
	if _, err := l.Read(101, 100, 1000); !errors.As(err, &oor) || oor.End != 100 || !errors.Is(err, storage.ErrOffsetOutOfRange) {
		t.Fatalf("read past LEO: %v", err)
	}
	if res, err := l.Read(100, 100, 1000); err != nil || len(res.Batches) != 0 || res.NextOffset != 100 {
		t.Fatalf("read at LEO: %+v %v", res, err)
	}
	// maxOffset excludes batches reaching it.
	res, err := l.Read(0, 1<<20, 35)
	if err != nil || len(res.Batches) != 3 || res.NextOffset != 30 {
		t.Fatalf("maxOffset: %d batches next %d err %v", len(res.Batches), res.NextOffset, err)
	}
	// The first batch is returned even when bigger than maxBytes.
	res, err = l.Read(15, 1, 1000)
	if err != nil || len(res.Batches) != 1 || res.NextOffset != 20 {
		t.Fatalf("maxBytes: %d batches next %d err %v", len(res.Batches), res.NextOffset, err)
	}
	// maxBytes is never exceeded after the first batch.
	sz := len(res.Batches[0])
	res, err = l.Read(0, 3*sz+sz/2, 1000)
	if err != nil || len(res.Batches) != 3 || res.Bytes > 3*sz+sz/2 {
		t.Fatalf("maxBytes 3.5 batches: %d batches, %d bytes, err %v", len(res.Batches), res.Bytes, err)
	}
	if err := l.DeleteRecordsBefore(42); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Read(41, 100, 1000); !errors.As(err, &oor) || oor.Start != 42 {
		t.Fatalf("read below start: %v", err)
	}
	res, err = l.Read(42, 1, 1000)
	if err != nil || len(res.Batches) != 1 || res.NextOffset != 50 {
		t.Fatalf("read at start: %+v %v", res, err)
	}
}
