package fjord

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// updateVectors rewrites clients/testdata/batches.json from this SDK's
// encoder; every other SDK's tests read the file.
var updateVectors = flag.Bool("update-vectors", false, "rewrite clients/testdata/batches.json")

const batchVectorsPath = "../testdata/batches.json"

type vectorHeader struct {
	Key      string `json:"key"`
	ValueHex string `json:"value_hex"`
}

type vectorRecord struct {
	KeyHex      *string        `json:"key_hex"`
	ValueHex    *string        `json:"value_hex"`
	Headers     []vectorHeader `json:"headers"`
	TimestampMS int64          `json:"timestamp_ms"`
}

type vectorCase struct {
	Name          string         `json:"name"`
	Records       []vectorRecord `json:"records"`
	ProducerID    int64          `json:"producer_id"`
	ProducerEpoch int32          `json:"producer_epoch"`
	BaseSequence  int32          `json:"base_sequence"`
	// RecordsHex is the serialized Records message (the uncompressed
	// payload); CRC32C is its CRC-32C (Castagnoli).
	RecordsHex string `json:"records_hex"`
	CRC32C     uint32 `json:"crc32c"`
	// BatchHex is the whole RecordBatch an uncompressed producer sends:
	// byte-exact for every SDK.
	BatchHex string `json:"batch_hex"`
	// Gzip and zstd batches are for decoding: compressors differ in their
	// bytes, so SDKs check they decode these to Records, not that they
	// produce them.
	BatchGzipHex string `json:"batch_gzip_hex"`
	BatchZstdHex string `json:"batch_zstd_hex"`
}

type vectorFile struct {
	Source string       `json:"source"`
	Cases  []vectorCase `json:"cases"`
}

func hexp(s string) *string { return &s }

// vectorInputs are the records the vectors encode: null and empty keys and
// values, repeated and empty headers, timestamps going backwards (negative
// deltas), binary bytes, an idempotent stamp.
func vectorInputs() []vectorCase {
	return []vectorCase{
		{Name: "one record", Records: []vectorRecord{
			{KeyHex: hexp(hex.EncodeToString([]byte("k1"))), ValueHex: hexp(hex.EncodeToString([]byte("hello"))), TimestampMS: 1700000000000},
		}},
		{Name: "null key, empty value, headers", Records: []vectorRecord{
			{ValueHex: hexp(""), Headers: []vectorHeader{{Key: "trace", ValueHex: "0102"}, {Key: "trace", ValueHex: ""}, {Key: "", ValueHex: "ff"}}, TimestampMS: 1700000000001},
		}},
		{Name: "tombstone with empty key", Records: []vectorRecord{
			{KeyHex: hexp(""), TimestampMS: 1700000000002},
		}},
		{Name: "several records, timestamps out of order", Records: []vectorRecord{
			{KeyHex: hexp(hex.EncodeToString([]byte("a"))), ValueHex: hexp(hex.EncodeToString([]byte("1"))), TimestampMS: 1700000005000},
			{KeyHex: hexp(hex.EncodeToString([]byte("b"))), ValueHex: hexp(hex.EncodeToString([]byte("2"))), TimestampMS: 1700000001000},
			{KeyHex: hexp(hex.EncodeToString([]byte("a"))), ValueHex: hexp(hex.EncodeToString(bytes.Repeat([]byte("xyz"), 50))), TimestampMS: 1700000009999,
				Headers: []vectorHeader{{Key: "h\u00e9", ValueHex: "00ff00"}}},
		}},
		{Name: "idempotent stamp, binary bytes", ProducerID: 4242, ProducerEpoch: 3, BaseSequence: 17, Records: []vectorRecord{
			{KeyHex: hexp("00ff7f80"), ValueHex: hexp("deadbeef"), TimestampMS: 1},
			{KeyHex: hexp("00ff7f80"), ValueHex: hexp("cafebabe"), TimestampMS: 2},
		}},
	}
}

func (c vectorCase) records(t *testing.T) []*Record {
	t.Helper()
	dec := func(s *string) []byte {
		if s == nil {
			return nil
		}
		b, err := hex.DecodeString(*s)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			b = []byte{}
		}
		return b
	}
	var out []*Record
	for _, r := range c.Records {
		rec := &Record{Key: dec(r.KeyHex), Value: dec(r.ValueHex), Timestamp: time.UnixMilli(r.TimestampMS)}
		for _, h := range r.Headers {
			v := h.ValueHex
			rec.Headers = append(rec.Headers, Header{Key: h.Key, Value: dec(&v)})
		}
		out = append(out, rec)
	}
	return out
}

// TestBatchVectors pins this SDK's batch encoding to
// clients/testdata/batches.json (go test -run TestBatchVectors
// -update-vectors rewrites it) and checks that the file's batches decode to
// its records with the generated RecordBatch type.
func TestBatchVectors(t *testing.T) {
	var got vectorFile
	got.Source = "Go SDK encoder (clients/go/vectors_test.go, -update-vectors). records_hex, crc32c and batch_hex are byte-exact for every SDK; gzip/zstd batches are decoding inputs."
	for _, c := range vectorInputs() {
		for i := range c.Records {
			if c.Records[i].Headers == nil {
				c.Records[i].Headers = []vectorHeader{}
			}
		}
		recs := c.records(t)
		st := stamp{producerID: producerID{id: c.ProducerID, epoch: c.ProducerEpoch}, baseSeq: c.BaseSequence}
		raw, _ := appendRecords(nil, recs, recs[0].Timestamp.UnixMilli())
		c.RecordsHex, c.CRC32C = hex.EncodeToString(raw), crc32c(raw)
		for codec, dst := range map[fjordv1.Compression]*string{
			fjordv1.Compression_COMPRESSION_NONE: &c.BatchHex,
			fjordv1.Compression_COMPRESSION_GZIP: &c.BatchGzipHex,
			fjordv1.Compression_COMPRESSION_ZSTD: &c.BatchZstdHex,
		} {
			b, err := encodeBatch(recs, codec, st)
			if err != nil {
				t.Fatal(err)
			}
			*dst = hex.EncodeToString(b)
		}
		got.Cases = append(got.Cases, c)
	}
	if *updateVectors {
		b, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(batchVectorsPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(batchVectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var want vectorFile
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Cases) != len(got.Cases) {
		t.Fatalf("%s has %d cases, the encoder %d (run with -update-vectors)", batchVectorsPath, len(want.Cases), len(got.Cases))
	}
	for i, w := range want.Cases {
		g := got.Cases[i]
		if g.RecordsHex != w.RecordsHex || g.CRC32C != w.CRC32C || g.BatchHex != w.BatchHex {
			t.Errorf("case %q: encoder output differs from %s", w.Name, batchVectorsPath)
		}
		recs := w.records(t)
		for _, h := range []string{w.BatchHex, w.BatchGzipHex, w.BatchZstdHex} {
			b, _ := hex.DecodeString(h)
			var batch fjordv1.RecordBatch
			if err := proto.Unmarshal(b, &batch); err != nil {
				t.Fatalf("case %q: %v", w.Name, err)
			}
			payload := batch.GetCompressedRecords()
			if batch.GetRecords() != nil {
				payload, _ = proto.Marshal(batch.GetRecords())
			}
			if crc32c(payload) != batch.GetCrc() {
				t.Errorf("case %q %s: crc %08x, payload's %08x", w.Name, batch.GetCompression(), batch.GetCrc(), crc32c(payload))
			}
			plain := payload
			if compressed(batch.GetCompression()) {
				if plain, err = decompress(batch.GetCompression(), payload); err != nil {
					t.Fatal(err)
				}
			}
			var rs fjordv1.Records
			if err := proto.Unmarshal(plain, &rs); err != nil {
				t.Fatal(err)
			}
			if len(rs.Records) != len(recs) || batch.GetRecordCount() != int32(len(recs)) ||
				batch.GetProducerId() != w.ProducerID || batch.GetBaseSequence() != w.BaseSequence {
				t.Fatalf("case %q %s: decoded %d records, header %+v", w.Name, batch.GetCompression(), len(rs.Records), &batch)
			}
			for j, r := range rs.Records {
				ts := batch.GetFirstTimestamp() + r.GetTimestampDelta()
				if !bytes.Equal(r.Key, recs[j].Key) || (r.Key == nil) != (recs[j].Key == nil) ||
					!bytes.Equal(r.Value, recs[j].Value) || (r.Value == nil) != (recs[j].Value == nil) ||
					ts != recs[j].Timestamp.UnixMilli() || len(r.Headers) != len(recs[j].Headers) || r.OffsetDelta != int32(j) {
					t.Errorf("case %q %s record %d: got %v", w.Name, batch.GetCompression(), j, r)
				}
			}
		}
	}
}
