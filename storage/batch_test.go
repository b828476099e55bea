package storage_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/storage"
	"google.golang.org/protobuf/proto"
)

var codecs = []storage.Compression{
	storage.CompressionUnspecified, storage.CompressionNone, storage.CompressionGzip,
	storage.CompressionSnappy, storage.CompressionLZ4, storage.CompressionZstd,
}

// TestCompatibility proves stored batches are fjord.v1.RecordBatch bytes.
func TestCompatibility(t *testing.T) {
	for _, c := range codecs {
		t.Run(fjordv1.Compression(c).String(), func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			o.TimestampType = storage.LogAppendTime
			l := e.open(o)
			defer l.Close()
			// Producer 77 starts at sequence 0, so the batch under test may
			// carry a later one.
			pad := storage.BatchBuilder{ProducerID: 77, ProducerEpoch: 2}
			for range 9 {
				pad.Add([]byte("p"), nil, 0)
			}
			padRaw, err := pad.Build(nil)
			if err != nil {
				t.Fatal(err)
			}
			mustAppend(t, l, padRaw, 1)
			var b storage.BatchBuilder
			b.Compression = c
			b.ProducerID, b.ProducerEpoch, b.BaseSequence = 77, 2, 9
			b.Add([]byte("a"), []byte("1"), 1000, storage.RecordHeader{Key: []byte("h"), Value: []byte("hv")})
			b.Add(nil, []byte{}, 1005)
			b.Add([]byte{}, nil, 1002)
			raw, err := b.Build(nil)
			if err != nil {
				t.Fatal(err)
			}
			// Producer-side bytes decode too.
			var pb fjordv1.RecordBatch
			if err := proto.Unmarshal(raw, &pb); err != nil {
				t.Fatal(err)
			}
			res := mustAppend(t, l, raw, 5)
			rr, err := l.Read(res.BaseOffset, 1<<20, 1<<62)
			if err != nil || len(rr.Batches) != 1 {
				t.Fatalf("read: %v %d", err, len(rr.Batches))
			}
			stored := rr.Batches[0]
			var got fjordv1.RecordBatch
			if err := proto.Unmarshal(stored, &got); err != nil {
				t.Fatal(err)
			}
			if got.GetBaseOffset() != 9 || got.GetLeaderEpoch() != 5 || got.GetRecordCount() != 3 ||
				got.GetLastOffsetDelta() != 2 || got.GetFirstTimestamp() != 1000 ||
				got.GetMaxTimestamp() != epoch0.UnixMilli() || got.GetTimestampType() != fjordv1.TimestampType_TIMESTAMP_TYPE_LOG_APPEND_TIME ||
				got.GetProducerId() != 77 || got.GetProducerEpoch() != 2 || got.GetBaseSequence() != 9 ||
				got.GetCompression() != fjordv1.Compression(c) || got.Crc == nil {
				t.Fatalf("header: %v", &got)
			}
			var recs []*fjordv1.Record
			if c == storage.CompressionNone || c == storage.CompressionUnspecified {
				recs = got.GetRecords().GetRecords()
			} else {
				payload := got.GetCompressedRecords()
				if storage.CRC32C(payload) != got.GetCrc() {
					t.Fatal("crc does not cover compressed payload")
				}
			}
			var fromIter []storage.Record
			for r, err := range storage.Records(stored) {
				if err != nil {
					t.Fatal(err)
				}
				r.Key, r.Value = bytes.Clone(r.Key), bytes.Clone(r.Value)
				if r.Key == nil && r.Value == nil {
					t.Fatal("unexpected null/null")
				}
				fromIter = append(fromIter, r)
			}
			if len(fromIter) != 3 || fromIter[0].Offset != 9 || fromIter[2].Offset != 11 ||
				string(fromIter[0].Key) != "a" || fromIter[1].Key != nil || fromIter[1].Value == nil ||
				len(fromIter[1].Value) != 0 || fromIter[2].Key == nil || fromIter[2].Value != nil ||
				fromIter[0].Timestamp != epoch0.UnixMilli() || len(fromIter[0].Headers) != 0 && string(fromIter[0].Headers[0].Value) != "hv" {
				t.Fatalf("iterated records: %+v", fromIter)
			}
			if recs != nil {
				if len(recs) != 3 || string(recs[0].GetKey()) != "a" || recs[1].Key != nil || recs[2].Value != nil ||
					recs[2].GetOffsetDelta() != 2 || recs[1].GetTimestampDelta() != 5 ||
					string(recs[0].GetHeaders()[0].GetValue()) != "hv" {
					t.Fatalf("proto records: %v", recs)
				}
			}
			// Our header codec agrees with protobuf's.
			h, _, err := storage.ParseBatchHeader(stored)
			if err != nil || h.BaseOffset != got.GetBaseOffset() || h.CRC != got.GetCrc() || h.MaxTimestamp != got.GetMaxTimestamp() {
				t.Fatalf("parse: %+v %v", h, err)
			}
			// Re-encoding the header + payload reproduces the stored bytes.
			_, payload, _ := storage.ParseBatchHeader(stored)
			if again := storage.AppendBatch(nil, &h, payload); !bytes.Equal(again, stored) {
				t.Fatal("re-encoding differs from stored bytes")
			}
			// proto.Marshal with deterministic field order gives the same bytes.
			m, err := proto.MarshalOptions{Deterministic: true}.Marshal(&got)
			if err != nil || !bytes.Equal(m, stored) {
				t.Fatalf("proto re-marshal differs (err %v)", err)
			}
		})
	}
}

func TestAppendValidation(t *testing.T) {
	good := simpleBatch(t, "g", 3, 10)
	h, payload, err := storage.ParseBatchHeader(good)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(h *storage.BatchHeader)) []byte {
		h2 := h
		f(&h2)
		return storage.AppendBatch(nil, &h2, payload)
	}
	// Records with offset deltas 0, 2.
	var bad storage.BatchBuilder
	bad.Add([]byte("a"), []byte("b"), 1)
	gapRaw, _ := bad.Build(nil)
	gh, gp, _ := storage.ParseBatchHeader(gapRaw)
	rec := bytes.Clone(gp)
	// append a second record with offset_delta 2: field1 len, {08 02}
	rec = append(rec, 0x0a, 0x02, 0x08, 0x02)
	gh.HasCRC, gh.RecordCount, gh.LastOffsetDelta = false, 0, 0
	gapBatch := storage.AppendBatch(nil, &gh, rec)

	cases := []struct {
		name   string
		batch  []byte
		tooBig bool
	}{
		{"bad crc", mod(func(h *storage.BatchHeader) { h.CRC++ }), false},
		{"wrong count", mod(func(h *storage.BatchHeader) { h.RecordCount = 4 }), false},
		{"wrong last delta", mod(func(h *storage.BatchHeader) { h.LastOffsetDelta = 7 }), false},
		{"unknown codec", mod(func(h *storage.BatchHeader) { h.Compression = 9 }), false},
		{"codec with field 14", mod(func(h *storage.BatchHeader) { h.Compression = storage.CompressionGzip }), false},
		{"gzip garbage", mod(func(h *storage.BatchHeader) {
			h.Compression, h.Compressed, h.HasCRC = storage.CompressionGzip, true, false
		}), false},
		{"max below first ts", mod(func(h *storage.BatchHeader) { h.MaxTimestamp = 1; h.FirstTimestamp = 5 }), false},
		{"offset gap", gapBatch, false},
		{"producer log append time", mod(func(h *storage.BatchHeader) { h.TimestampType = storage.LogAppendTime }), false},
		{"garbage", []byte{0xff, 0xff, 0xff}, false},
		{"no payload", []byte{0x08, 0x01}, false},
		{"too large", make([]byte, 2<<20), true},
	}
	e := newEnv(t)
	l := e.open(e.opts())
	defer l.Close()
	for _, c := range cases {
		_, err := l.AppendLeader(c.batch, 0)
		if !errors.Is(err, storage.ErrInvalidBatch) || errors.Is(err, storage.ErrBatchTooLarge) != c.tooBig {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
	var ib *storage.InvalidBatchError
	if _, err := l.AppendLeader(gapBatch, 0); !errors.As(err, &ib) || ib.Record != 1 {
		t.Errorf("offset gap should name record 1: %v", err)
	}
	if l.LogEndOffset() != 0 {
		t.Fatal("rejected batches were appended")
	}
	// Absent crc/count/last delta are filled in.
	r := mustAppend(t, l, mod(func(h *storage.BatchHeader) { h.HasCRC, h.RecordCount, h.LastOffsetDelta = false, 0, 0 }), 0)
	if r.Records != 3 || r.LastOffset != 2 {
		t.Fatalf("%+v", r)
	}
	// Stale epoch.
	mustAppend(t, l, good, 4)
	if _, err := l.AppendLeader(good, 3); !errors.Is(err, storage.ErrStaleEpoch) {
		t.Fatalf("stale epoch: %v", err)
	}
}

func TestTimestamps(t *testing.T) {
	e := newEnv(t)
	l := e.open(e.opts())
	defer l.Close()
	r := mustAppend(t, l, simpleBatch(t, "z", 2, 0), 0)
	if r.MaxTimestamp != epoch0.UnixMilli() || r.LogAppendTime != -1 {
		t.Fatalf("zero timestamps not stamped: %+v", r)
	}
	recs := decodeBatches(t, readAll(t, l, 0))
	if recs[1].ts != epoch0.UnixMilli() {
		t.Fatalf("record ts %d", recs[1].ts)
	}
	o := l.Options()
	o.TimestampType = storage.LogAppendTime
	if err := l.SetOptions(o); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	r = mustAppend(t, l, simpleBatch(t, "z", 2, 5), 0)
	if r.LogAppendTime != epoch0.UnixMilli()+1000 || r.MaxTimestamp != r.LogAppendTime {
		t.Fatalf("log append time: %+v", r)
	}
}

func TestParseBatchHeaderAllocs(t *testing.T) {
	b := simpleBatch(t, "a", 100, 1)
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := storage.ParseBatchHeader(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("ParseBatchHeader allocates %v times", allocs)
	}
}
