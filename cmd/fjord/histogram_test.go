package main

import (
	"math"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	// Every value lies within its bucket, and buckets are contiguous.
	prevHigh := uint64(0)
	for i := 1; i < histBuckets; i++ {
		lo := prevHigh + 1
		if got := bucketOf(lo); got != i {
			t.Fatalf("bucketOf(%d) = %d, want %d", lo, got, i)
		}
		hi := bucketHigh(i)
		if got := bucketOf(hi); got != i {
			t.Fatalf("bucketOf(bucketHigh(%d)=%d) = %d", i, hi, got)
		}
		if i >= subBuckets && float64(hi-lo+1)/float64(lo) > 1.0/subBuckets+1e-9 {
			t.Fatalf("bucket %d [%d,%d] wider than 1/%d of its values", i, lo, hi, subBuckets)
		}
		prevHigh = hi
	}
	if bucketOf(math.MaxUint64) != histBuckets-1 {
		t.Error("huge values do not clamp to the last bucket")
	}
}

func TestHistogramQuantiles(t *testing.T) {
	h := newHistogram()
	if h.quantile(0.5) != 0 || h.mean() != 0 {
		t.Error("empty histogram not zero")
	}
	// 1..10000 µs uniformly.
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5000 * time.Microsecond}, {0.95, 9500 * time.Microsecond}, {0.99, 9900 * time.Microsecond}, {1, 10000 * time.Microsecond}} {
		got := h.quantile(tc.q)
		if diff := math.Abs(float64(got-tc.want)) / float64(tc.want); diff > 1.0/subBuckets {
			t.Errorf("quantile(%v) = %v, want %v within %.1f%%", tc.q, got, tc.want, 100.0/subBuckets)
		}
	}
	if h.max != 10*time.Millisecond || h.min != time.Microsecond || h.count() != 10000 {
		t.Errorf("max %v min %v count %d", h.max, h.min, h.count())
	}
	if m := h.mean(); m != 5000500*time.Nanosecond {
		t.Errorf("mean = %v", m)
	}

	total := newHistogram()
	total.merge(h)
	total.merge(newHistogram())
	h.reset()
	if total.count() != 10000 || total.quantile(1) != 10*time.Millisecond || h.count() != 0 {
		t.Errorf("merge/reset: total %d, h %d", total.count(), h.count())
	}
}
