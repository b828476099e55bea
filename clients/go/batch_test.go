package fjord

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

var codecs = []fjordv1.Compression{
	fjordv1.Compression_COMPRESSION_NONE,
	fjordv1.Compression_COMPRESSION_GZIP,
	fjordv1.Compression_COMPRESSION_SNAPPY,
	fjordv1.Compression_COMPRESSION_LZ4,
	fjordv1.Compression_COMPRESSION_ZSTD,
}

func sampleRecords() []*Record {
	t0 := time.UnixMilli(1_700_000_000_000)
	return []*Record{
		{Key: []byte("k1"), Value: []byte("v1"), Timestamp: t0, Headers: []Header{{Key: "h", Value: []byte("x")}, {Key: "h", Value: nil}}},
		{Key: nil, Value: bytes.Repeat([]byte("abc"), 200), Timestamp: t0.Add(5 * time.Millisecond)},
		{Key: []byte{}, Value: nil, Timestamp: t0.Add(-3 * time.Millisecond)},
	}
}

func TestBatchRoundTrip(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			in := sampleRecords()
			raw, err := encodeBatch(in, codec, stamp{})
			if err != nil {
				t.Fatal(err)
			}
			// The generated type must read what we wrote, with the header we set.
			var pb fjordv1.RecordBatch
			if err := proto.Unmarshal(raw, &pb); err != nil {
				t.Fatal(err)
			}
			if pb.GetRecordCount() != 3 || pb.GetLastOffsetDelta() != 2 {
				t.Fatalf("count %d last delta %d", pb.GetRecordCount(), pb.GetLastOffsetDelta())
			}
			if pb.GetFirstTimestamp() != 1_700_000_000_000 || pb.GetMaxTimestamp() != 1_700_000_000_005 {
				t.Fatalf("timestamps %d %d", pb.GetFirstTimestamp(), pb.GetMaxTimestamp())
			}
			_, isRecords := pb.GetPayload().(*fjordv1.RecordBatch_Records)
			if compressed := codec != fjordv1.Compression_COMPRESSION_NONE; compressed == isRecords || (compressed && pb.GetCompression() != codec) {
				t.Fatalf("payload %T compression %v", pb.GetPayload(), pb.GetCompression())
			}
			// The CRC covers the payload field's content exactly as on the wire.
			crc, ok, payload, err := batchPayload(raw)
			if err != nil || !ok || crc != crc32c(payload) || pb.GetCrc() != crc {
				t.Fatalf("crc %08x ok %v payload crc %08x err %v", crc, ok, crc32c(payload), err)
			}
			if pb.GetUncompressedSize() <= 0 {
				t.Fatal("uncompressed_size not set")
			}

			// A stored batch gets a base offset in front; decode from there.
			stored := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 100)
			stored = append(stored, raw...)
			out, _, err := decodeBatch(stored, "t", 2, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(in) {
				t.Fatalf("got %d records", len(out))
			}
			for i, r := range out {
				want := in[i]
				if r.Offset != 100+int64(i) || r.Partition != 2 || r.Topic != "t" {
					t.Errorf("record %d at %s/%d@%d", i, r.Topic, r.Partition, r.Offset)
				}
				if !bytes.Equal(r.Key, want.Key) || (r.Key == nil) != (want.Key == nil) {
					t.Errorf("record %d key %q (nil %v), want %q (nil %v)", i, r.Key, r.Key == nil, want.Key, want.Key == nil)
				}
				if !bytes.Equal(r.Value, want.Value) || (r.Value == nil) != (want.Value == nil) {
					t.Errorf("record %d value differs (nil %v want nil %v)", i, r.Value == nil, want.Value == nil)
				}
				if !r.Timestamp.Equal(want.Timestamp) {
					t.Errorf("record %d timestamp %v want %v", i, r.Timestamp, want.Timestamp)
				}
				if len(r.Headers) != len(want.Headers) {
					t.Errorf("record %d headers %v", i, r.Headers)
				}
			}
		})
	}
}

func TestBatchCorruptionDetected(t *testing.T) {
	for _, codec := range codecs {
		raw, err := encodeBatch(sampleRecords(), codec, stamp{})
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)-1] ^= 0x01 // last byte is inside the payload
		_, _, err = decodeBatch(raw, "t", 0, 0)
		if !errors.Is(err, ErrCorruptMessage) {
			t.Errorf("%v: got %v, want ErrCorruptMessage", codec, err)
		}
	}
}

func TestDecodeBatchSkipsAndLogAppendTime(t *testing.T) {
	raw, err := encodeBatch(sampleRecords(), fjordv1.Compression_COMPRESSION_NONE, stamp{})
	if err != nil {
		t.Fatal(err)
	}
	// The broker's header: base offset 10, log append time 42 (appended
	// last: in protobuf the last occurrence of a scalar field wins).
	stored := appendVarintField(append([]byte(nil), raw...), fieldBaseOffset, 10)
	stored = appendVarintField(stored, fieldTimestampType, uint64(fjordv1.TimestampType_TIMESTAMP_TYPE_LOG_APPEND_TIME))
	stored = appendVarintField(stored, fieldMaxTimestamp, 42)
	out, info, err := decodeBatch(stored, "t", 0, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Offset != 11 || out[1].Offset != 12 || info.nextOffset() != 13 {
		t.Fatalf("got %d records (next %d)", len(out), info.nextOffset())
	}
	for _, r := range out {
		if r.Timestamp.UnixMilli() != 42 {
			t.Errorf("offset %d timestamp %d, want max_timestamp 42", r.Offset, r.Timestamp.UnixMilli())
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	for _, codec := range codecs {
		raw, _ := encodeBatch(sampleRecords(), codec, stamp{})
		f.Add(raw)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		decodeBatch(raw, "t", 0, 0)
	})
}

// TestAppendRecordsMatchesProtoMarshal pins the hand-rolled record encoder
// to the generated code's encoding, byte for byte.
func TestAppendRecordsMatchesProtoMarshal(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	recs := []*Record{
		{Key: []byte("k"), Value: []byte("v"), Timestamp: base},
		{Key: nil, Value: []byte{}, Timestamp: base.Add(-5 * time.Millisecond)}, // negative delta, empty value
		{Key: []byte{}, Value: nil, Timestamp: base.Add(time.Hour)},             // empty key, tombstone
		{Value: make([]byte, 300), Headers: []Header{{Key: "a", Value: []byte("1")}, {Key: "a"}, {Key: "", Value: []byte("x")}}, Timestamp: base},
	}
	got, maxTS := appendRecords(nil, recs, millis(base))
	want := &fjordv1.Records{}
	for i, r := range recs {
		pr := &fjordv1.Record{OffsetDelta: int32(i), TimestampDelta: millis(r.Timestamp) - millis(base), Key: r.Key, Value: r.Value}
		for _, h := range r.Headers {
			pr.Headers = append(pr.Headers, &fjordv1.RecordHeader{Key: h.Key, Value: h.Value})
		}
		want.Records = append(want.Records, pr)
	}
	wantBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantBytes) {
		t.Fatalf("appendRecords differs from proto.Marshal:\n got %x\nwant %x", got, wantBytes)
	}
	if maxTS != millis(base.Add(time.Hour)) {
		t.Errorf("max timestamp %d", maxTS)
	}
}

// TestBatchBufMatchesEncodeBatch checks that encoding records as Produce
// buffers them gives encodeBatch's bytes, also in a recycled buffer, with
// timestamps and an idempotent producer's stamp that make the header as
// long as it gets, and when finished again with another stamp (an
// idempotent batch re-sequenced under a new epoch).
func TestBatchBufMatchesEncodeBatch(t *testing.T) {
	negative := []*Record{
		{Value: []byte("old"), Timestamp: time.UnixMilli(-1)},
		{Value: []byte("new"), Timestamp: time.UnixMilli(1 << 62)},
	}
	longest := stamp{producerID{math.MaxInt64, math.MaxInt16}, math.MaxInt32}
	restamped := stamp{producerID{7, 1}, 0}
	for _, codec := range codecs {
		for name, recs := range map[string][]*Record{"sample": sampleRecords(), "extreme timestamps": negative} {
			for _, st := range []stamp{{}, longest} {
				t.Run(fmt.Sprintf("%v/%s/%v", codec, name, st), func(t *testing.T) {
					want, err := encodeBatch(recs, codec, st)
					if err != nil {
						t.Fatal(err)
					}
					again, err := encodeBatch(recs, codec, restamped)
					if err != nil {
						t.Fatal(err)
					}
					for round := range 2 {
						bb := newBatchBuf(16)
						for _, r := range recs {
							bb.add(r)
						}
						got, err := bb.finish(codec, st)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, want) {
							t.Fatalf("round %d: batchBuf gives\n%x\nencodeBatch\n%x", round, got, want)
						}
						if got, err = bb.finish(codec, restamped); err != nil || !bytes.Equal(got, again) {
							t.Fatalf("round %d: restamped batchBuf gives\n%x (%v)\nencodeBatch\n%x", round, got, err, again)
						}
						bb.recycle()
					}
				})
			}
		}
	}
}

// TestStampOnTheWire checks the stamp against the generated RecordBatch.
func TestStampOnTheWire(t *testing.T) {
	st := stamp{producerID{1 << 40, 3}, math.MaxInt32 - 1}
	raw, err := encodeBatch(sampleRecords(), fjordv1.Compression_COMPRESSION_NONE, st)
	if err != nil {
		t.Fatal(err)
	}
	var b fjordv1.RecordBatch
	if err := proto.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if b.GetProducerId() != st.id || b.GetProducerEpoch() != st.epoch || b.GetBaseSequence() != st.baseSeq {
		t.Fatalf("stamp %+v decodes as id %d epoch %d base sequence %d", st, b.GetProducerId(), b.GetProducerEpoch(), b.GetBaseSequence())
	}
}
