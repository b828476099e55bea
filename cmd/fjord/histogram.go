package main

import (
	"math"
	"math/bits"
	"time"
)

// histogram records durations in log-linear buckets, HdrHistogram style: each
// power of two of microseconds is split into subBuckets linear buckets, so a
// recorded value is off by at most 1/subBuckets (about 1.6%). It is not safe
// for concurrent use.
type histogram struct {
	counts   []uint64
	total    uint64
	sum      time.Duration
	min, max time.Duration
}

const (
	subBucketBits = 6
	subBuckets    = 1 << subBucketBits
	// Values up to 2^40 µs (about 12 days) are tracked; larger ones clamp.
	histBuckets = (40 - subBucketBits + 1) * subBuckets
)

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, histBuckets)}
}

// bucketOf maps a value in microseconds to its bucket index.
func bucketOf(us uint64) int {
	if us < subBuckets {
		return int(us)
	}
	exp := bits.Len64(us) - subBucketBits // >= 1
	idx := exp*subBuckets + int(us>>uint(exp-1)) - subBuckets
	if idx >= histBuckets {
		return histBuckets - 1
	}
	return idx
}

// bucketHigh is the largest value in microseconds that maps to bucket i.
func bucketHigh(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	exp := i / subBuckets
	sub := uint64(i%subBuckets + subBuckets)
	return (sub+1)<<uint(exp-1) - 1
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d/time.Microsecond))]++
	if h.total == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.total++
	h.sum += d
}

func (h *histogram) count() uint64 { return h.total }

func (h *histogram) mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return h.sum / time.Duration(h.total)
}

// quantile returns the value at q (0..1), as the upper bound of its bucket
// clamped to the exact maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(bucketHigh(i)) * time.Microsecond
			if v > h.max {
				v = h.max
			}
			if v < h.min {
				v = h.min
			}
			return v
		}
	}
	return h.max
}

// merge adds o's values to h.
func (h *histogram) merge(o *histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.total += o.total
	h.sum += o.sum
}

func (h *histogram) reset() {
	clear(h.counts)
	h.total, h.sum, h.min, h.max = 0, 0, 0, 0
}
