package fjord

import (
	"context"
	"fmt"
	"time"
)

// Header is one application header on a record.
type Header struct {
	Key   string
	Value []byte
}

// Record is one key/value entry. Producers fill Topic, Key, Value and
// optionally Headers, Timestamp (zero means now), Partition (used only by
// ManualPartitioner) and Context; the producer sets Partition and Offset on
// success. Consumers receive every field filled in.
type Record struct {
	// Topic is the record's topic.
	Topic string
	// Partition is the partition; set by the producer's Partitioner (read
	// from here only by ManualPartitioner).
	Partition int32
	// Key is the record key; nil is a null key, distinct from an empty key.
	Key []byte
	// Value is the record value; nil is a null value (a tombstone on
	// compacted topics).
	Value []byte
	// Headers are the record's headers in order; a key may repeat.
	Headers []Header
	// Timestamp is the record's time (ms precision on the wire). Producers
	// use time.Now() when it is zero.
	Timestamp time.Time
	// Offset is the record's offset in its partition (-1 with acks NONE).
	Offset int64
	// LeaderEpoch is the epoch of the leader that appended the record's
	// batch (consumers only).
	LeaderEpoch int32
	// Context is the Produce call's context when the record was produced
	// with a nil Context: if it ends before the record is sent, the record
	// fails with its error. Not set on consumed records.
	Context context.Context
}

// size estimates the record's encoded size in a batch.
func (r *Record) size() int {
	n := len(r.Key) + len(r.Value) + 16
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value) + 6
	}
	return n
}

type offsetKind uint8

const (
	offsetNone offsetKind = iota
	offsetStart
	offsetEnd
	offsetExact
	offsetTime
)

// Offset is a position to start consuming from: AtStart, AtEnd, AtOffset or
// AtTime. The zero Offset is "none" (see NoResetOffset).
type Offset struct {
	kind offsetKind
	at   int64
	ts   time.Time
}

// AtStart is the partition's log start offset (earliest record).
func AtStart() Offset { return Offset{kind: offsetStart} }

// AtEnd is the partition's high watermark: only records produced later.
func AtEnd() Offset { return Offset{kind: offsetEnd} }

// AtOffset is the exact offset o.
func AtOffset(o int64) Offset { return Offset{kind: offsetExact, at: o} }

// AtTime is the first offset whose timestamp is at or after t (the high
// watermark if there is none).
func AtTime(t time.Time) Offset { return Offset{kind: offsetTime, ts: t} }

// String implements fmt.Stringer.
func (o Offset) String() string {
	switch o.kind {
	case offsetStart:
		return "start"
	case offsetEnd:
		return "end"
	case offsetExact:
		return fmt.Sprintf("offset %d", o.at)
	case offsetTime:
		return "time " + o.ts.Format(time.RFC3339Nano)
	}
	return "none"
}

type topicPartition struct {
	topic     string
	partition int32
}
