package storage_test

import (
	"bytes"
	"errors"
	"path"
	"testing"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
	"google.golang.org/protobuf/proto"
)

// FuzzParseBatchHeader: the header decoder never panics, agrees with the
// generated protobuf code, and re-encodes canonically.
func FuzzParseBatchHeader(f *testing.F) {
	f.Add(simpleBatch(f, "a", 3, 5))
	f.Add(batchOf(f, storage.CompressionZstd, kv{"k", "v", 1}))
	f.Add([]byte{0x08, 0x01, 0x72, 0x00})
	f.Add([]byte{0x7a, 0x00, 0x72, 0x00})
	f.Add([]byte{0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x72, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, payload, err := storage.ParseBatchHeader(b)
		if err != nil {
			return
		}
		var pb fjordv1.RecordBatch
		if perr := proto.Unmarshal(b, &pb); perr == nil {
			if pb.GetBaseOffset() != h.BaseOffset || pb.GetLeaderEpoch() != h.LeaderEpoch ||
				pb.GetRecordCount() != h.RecordCount || pb.GetMaxTimestamp() != h.MaxTimestamp ||
				pb.GetProducerId() != h.ProducerID || (pb.Crc != nil) != h.HasCRC || pb.GetCrc() != h.CRC ||
				int32(pb.GetCompression()) != int32(h.Compression) || pb.GetUncompressedSize() != h.UncompressedSize {
				t.Fatalf("disagrees with protobuf: %+v vs %v", h, &pb)
			}
			if h.Compressed && !bytes.Equal(pb.GetCompressedRecords(), payload) {
				t.Fatal("payload differs")
			}
		} else if h.Compressed {
			t.Fatalf("accepted what protobuf rejects: %v", perr)
		}
		again := storage.AppendBatch(nil, &h, payload)
		h2, p2, err := storage.ParseBatchHeader(again)
		if err != nil || h2 != h || !bytes.Equal(p2, payload) {
			t.Fatalf("re-encode round trip: %v %+v %+v", err, h, h2)
		}
	})
}

// FuzzAppend: arbitrary producer input is either rejected with
// ErrInvalidBatch (or, carrying a producer id, ErrUnknownProducerID: the
// log has no state for it) or stored as a batch every decoder accepts.
func FuzzAppend(f *testing.F) {
	f.Add(simpleBatch(f, "a", 3, 5))
	for _, c := range codecs {
		f.Add(batchOf(f, c, kv{"k", "v", 1}, kv{"", "x", 2}))
	}
	f.Add([]byte{0x72, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		e := newEnv(t)
		l := e.open(e.opts())
		defer l.Close()
		res, err := l.AppendLeader(b, 1)
		if err != nil {
			if !storage.IsCorruption(err) && !bytesIsInvalid(err) && !errors.Is(err, storage.ErrUnknownProducerID) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		rr, err := l.Read(0, 1<<20, 1<<62)
		if err != nil || len(rr.Batches) != 1 {
			t.Fatalf("read back: %v", err)
		}
		stored := rr.Batches[0]
		var pb fjordv1.RecordBatch
		if err := proto.Unmarshal(stored, &pb); err != nil {
			t.Fatalf("stored batch is not a RecordBatch: %v", err)
		}
		n := 0
		for _, err := range storage.Records(stored) {
			if err != nil {
				t.Fatalf("stored batch records: %v", err)
			}
			n++
		}
		if n != res.Records || int(pb.GetRecordCount()) != n || pb.GetCrc() != storage.CRC32C(payloadOf(t, stored)) {
			t.Fatalf("count %d res %d header %d", n, res.Records, pb.GetRecordCount())
		}
		if c := pb.GetCompression(); c <= fjordv1.Compression_COMPRESSION_NONE {
			recs := pb.GetRecords()
			if _, ok := pb.GetPayload().(*fjordv1.RecordBatch_CompressedRecords); ok {
				// Field 15 with codec NONE holds a plain Records message.
				recs = &fjordv1.Records{}
				if err := proto.Unmarshal(pb.GetCompressedRecords(), recs); err != nil {
					t.Fatalf("uncompressed field 15: %v", err)
				}
			}
			if len(recs.GetRecords()) != n {
				t.Fatalf("protobuf sees %d records, storage %d", len(recs.GetRecords()), n)
			}
		}
	})
}

func payloadOf(t *testing.T, b []byte) []byte {
	_, p, err := storage.ParseBatchHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bytesIsInvalid(err error) bool {
	var ib *storage.InvalidBatchError
	return errorsAs(err, &ib)
}

// FuzzRecovery damages the tail of a segment (truncation, overwrite,
// zero or garbage extension) and checks that Open recovers to a prefix of
// the original batches, and that with the damage below the recovery point
// it reports corruption or finds the data intact.
func FuzzRecovery(f *testing.F) {
	f.Add(uint16(0), uint16(0), []byte{}, false)
	f.Add(uint16(10), uint16(0), []byte{0, 0, 0, 0}, false)
	f.Add(uint16(300), uint16(5), []byte{0xff}, true)
	f.Add(uint16(65535), uint16(40), []byte("garbage"), false)
	f.Fuzz(func(t *testing.T, cut, at uint16, patch []byte, keepCheckpoint bool) {
		e := newEnv(t)
		o := e.opts()
		o.SegmentBytes = 900
		o.IndexIntervalBytes = 64
		l := e.open(o)
		for i := 0; i < 30; i++ {
			mustAppend(t, l, simpleBatch(t, "x", 1+i%3, int64(i+1)), int32(i/10))
		}
		want := readAll(t, l, 0)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		names, _ := e.fs.List(e.dir)
		var logs []string
		for _, n := range names {
			if path.Ext(n) == ".log" {
				logs = append(logs, n)
			}
		}
		victim := path.Join(e.dir, logs[int(at)%len(logs)])
		b, _ := e.fs.ReadFile(victim)
		pos := int(cut) % (len(b) + 1)
		if int(at)%3 == 0 {
			b = b[:pos] // torn
		}
		b = append(b[:pos:pos], append(patch, b[min(pos+len(patch), len(b)):]...)...)
		e.fs.WriteFile(victim, b)
		if !keepCheckpoint {
			e.fs.Remove(path.Join(e.dir, "offsets.checkpoint"))
		}
		l2, err := storage.Open(e.dir, o)
		if err != nil {
			if keepCheckpoint && storage.IsCorruption(err) {
				return
			}
			t.Fatalf("open: %v", err)
		}
		defer l2.Close()
		got := readAllTolerant(t, l2)
		if len(got) > len(want) || !equalBatches(got, want[:len(got)]) {
			if keepCheckpoint {
				// Damage below the recovery point is only caught when read.
				return
			}
			t.Fatalf("recovered %d batches, not a prefix of the %d written", len(got), len(want))
		}
		// The recovered log accepts appends.
		if _, err := l2.AppendLeader(simpleBatch(t, "y", 1, 1), 9); err != nil {
			t.Fatal(err)
		}
	})
}

// readAllTolerant reads like readAll but stops at corruption errors.
func readAllTolerant(t *testing.T, l *storage.Log) [][]byte {
	var out [][]byte
	for off := l.LogStartOffset(); off < l.LogEndOffset(); {
		res, err := l.Read(off, 1<<20, 1<<62)
		if err != nil {
			if storage.IsCorruption(err) {
				return out
			}
			t.Fatalf("read %d: %v", off, err)
		}
		if len(res.Batches) == 0 {
			break
		}
		out = append(out, res.Batches...)
		off = res.NextOffset
	}
	return out
}

var _ = storagefake.NewMemFS
