package fjord

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Batch wire format (fjord.v1.RecordBatch), written field by field so that
// the CRC covers exactly the payload bytes on the wire.
const (
	fieldBaseOffset       = 1
	fieldLeaderEpoch      = 2
	fieldLastOffsetDelta  = 3
	fieldRecordCount      = 4
	fieldFirstTimestamp   = 5
	fieldMaxTimestamp     = 6
	fieldTimestampType    = 7
	fieldCompression      = 8
	fieldCRC              = 12
	fieldUncompressedSize = 13
	fieldRecords          = 14
	fieldCompressed       = 15
)

// maxDecompressed bounds a batch's decompressed size.
const maxDecompressed = 512 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is the batch checksum: CRC-32C (Castagnoli).
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func millis(t time.Time) int64 { return t.UnixMilli() }

// encodeBatch serializes recs as one RecordBatch. Timestamps must be set.
func encodeBatch(recs []*Record, codec fjordv1.Compression) ([]byte, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("fjord: empty batch")
	}
	first := millis(recs[0].Timestamp)
	maxTS := first
	pb := &fjordv1.Records{Records: make([]*fjordv1.Record, len(recs))}
	for i, r := range recs {
		ts := millis(r.Timestamp)
		maxTS = max(maxTS, ts)
		pr := &fjordv1.Record{OffsetDelta: int32(i), TimestampDelta: ts - first, Key: r.Key, Value: r.Value}
		if len(r.Headers) > 0 {
			pr.Headers = make([]*fjordv1.RecordHeader, len(r.Headers))
			for j, h := range r.Headers {
				pr.Headers[j] = &fjordv1.RecordHeader{Key: h.Key, Value: h.Value}
			}
		}
		pb.Records[i] = pr
	}
	raw, err := proto.Marshal(pb)
	if err != nil {
		return nil, fmt.Errorf("fjord: encoding records: %w", err)
	}
	payload, payloadField := raw, protowire.Number(fieldRecords)
	compressed := codec != fjordv1.Compression_COMPRESSION_UNSPECIFIED && codec != fjordv1.Compression_COMPRESSION_NONE
	if compressed {
		payload, err = compress(codec, raw)
		if err != nil {
			return nil, err
		}
		payloadField = fieldCompressed
	}
	n := int32(len(recs))
	b := make([]byte, 0, len(payload)+64)
	b = appendVarintField(b, fieldLastOffsetDelta, uint64(n-1))
	b = appendVarintField(b, fieldRecordCount, uint64(n))
	b = appendVarintField(b, fieldFirstTimestamp, uint64(first))
	b = appendVarintField(b, fieldMaxTimestamp, uint64(maxTS))
	if compressed {
		b = appendVarintField(b, fieldCompression, uint64(codec))
	}
	b = protowire.AppendTag(b, fieldCRC, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, crc32c(payload))
	b = appendVarintField(b, fieldUncompressedSize, uint64(len(raw)))
	b = protowire.AppendTag(b, payloadField, protowire.BytesType)
	b = protowire.AppendBytes(b, payload)
	return b, nil
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b // proto3 default: absent
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// batchPayload scans a serialized RecordBatch for its CRC and the payload
// field's content bytes.
func batchPayload(raw []byte) (crc uint32, hasCRC bool, payload []byte, err error) {
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return 0, false, nil, protowire.ParseError(n)
		}
		raw = raw[n:]
		switch {
		case num == fieldCRC && typ == protowire.Fixed32Type:
			v, m := protowire.ConsumeFixed32(raw)
			if m < 0 {
				return 0, false, nil, protowire.ParseError(m)
			}
			crc, hasCRC, n = v, true, m
		case (num == fieldRecords || num == fieldCompressed) && typ == protowire.BytesType:
			v, m := protowire.ConsumeBytes(raw)
			if m < 0 {
				return 0, false, nil, protowire.ParseError(m)
			}
			payload, n = v, m
		default:
			n = protowire.ConsumeFieldValue(num, typ, raw)
			if n < 0 {
				return 0, false, nil, protowire.ParseError(n)
			}
		}
		raw = raw[n:]
	}
	return crc, hasCRC, payload, nil
}

// decodeBatch verifies a serialized RecordBatch's CRC (when present) and
// decodes it with its records.
func decodeBatch(raw []byte) (*fjordv1.RecordBatch, []*fjordv1.Record, error) {
	crc, hasCRC, payload, err := batchPayload(raw)
	if err != nil {
		return nil, nil, &Error{Reason: ReasonCorruptMessage, Message: "malformed batch: " + err.Error(), Partition: -1}
	}
	if hasCRC {
		if got := crc32c(payload); got != crc {
			return nil, nil, &Error{Reason: ReasonCorruptMessage, Message: fmt.Sprintf("batch crc %08x, payload has %08x", crc, got), Partition: -1}
		}
	}
	b := new(fjordv1.RecordBatch)
	if err := proto.Unmarshal(raw, b); err != nil {
		return nil, nil, &Error{Reason: ReasonCorruptMessage, Message: "decoding batch: " + err.Error(), Partition: -1}
	}
	switch p := b.GetPayload().(type) {
	case *fjordv1.RecordBatch_Records:
		return b, p.Records.GetRecords(), nil
	case *fjordv1.RecordBatch_CompressedRecords:
		raw, err := decompress(b.GetCompression(), p.CompressedRecords)
		if err != nil {
			return nil, nil, &Error{Reason: ReasonCorruptMessage, Message: err.Error(), Partition: -1}
		}
		rs := new(fjordv1.Records)
		if err := proto.Unmarshal(raw, rs); err != nil {
			return nil, nil, &Error{Reason: ReasonCorruptMessage, Message: "decoding records: " + err.Error(), Partition: -1}
		}
		return b, rs.GetRecords(), nil
	}
	return b, nil, nil
}

var (
	zstdEnc = sync.OnceValues(func() (*zstd.Encoder, error) {
		return zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	})
	zstdDec = sync.OnceValues(func() (*zstd.Decoder, error) {
		return zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecompressed))
	})
)

func compress(codec fjordv1.Compression, raw []byte) ([]byte, error) {
	switch codec {
	case fjordv1.Compression_COMPRESSION_GZIP:
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(raw); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case fjordv1.Compression_COMPRESSION_SNAPPY:
		return snappy.Encode(nil, raw), nil
	case fjordv1.Compression_COMPRESSION_LZ4:
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if _, err := w.Write(raw); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case fjordv1.Compression_COMPRESSION_ZSTD:
		enc, err := zstdEnc()
		if err != nil {
			return nil, err
		}
		return enc.EncodeAll(raw, nil), nil
	}
	return nil, fmt.Errorf("fjord: unsupported compression %v", codec)
}

func decompress(codec fjordv1.Compression, data []byte) ([]byte, error) {
	switch codec {
	case fjordv1.Compression_COMPRESSION_GZIP:
		r, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return readLimited(r)
	case fjordv1.Compression_COMPRESSION_SNAPPY:
		n, err := snappy.DecodedLen(data)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if n > maxDecompressed {
			return nil, fmt.Errorf("snappy: decompressed size %d too large", n)
		}
		return snappy.Decode(nil, data)
	case fjordv1.Compression_COMPRESSION_LZ4:
		return readLimited(lz4.NewReader(bytes.NewReader(data)))
	case fjordv1.Compression_COMPRESSION_ZSTD:
		dec, err := zstdDec()
		if err != nil {
			return nil, err
		}
		return dec.DecodeAll(data, nil)
	}
	return nil, fmt.Errorf("unsupported compression %v", codec)
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxDecompressed+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDecompressed {
		return nil, fmt.Errorf("decompressed batch larger than %d bytes", maxDecompressed)
	}
	return b, nil
}

// recordsFromBatch turns a decoded batch into Records at or above from.
func recordsFromBatch(topic string, partition int32, b *fjordv1.RecordBatch, recs []*fjordv1.Record, from int64) []*Record {
	out := make([]*Record, 0, len(recs))
	logAppend := b.GetTimestampType() == fjordv1.TimestampType_TIMESTAMP_TYPE_LOG_APPEND_TIME
	for _, pr := range recs {
		off := b.GetBaseOffset() + int64(pr.GetOffsetDelta())
		if off < from {
			continue
		}
		ts := b.GetFirstTimestamp() + pr.GetTimestampDelta()
		if logAppend {
			ts = b.GetMaxTimestamp()
		}
		r := &Record{
			Topic:       topic,
			Partition:   partition,
			Key:         pr.Key,
			Value:       pr.Value,
			Timestamp:   time.UnixMilli(ts),
			Offset:      off,
			LeaderEpoch: b.GetLeaderEpoch(),
		}
		if len(pr.GetHeaders()) > 0 {
			r.Headers = make([]Header, len(pr.GetHeaders()))
			for i, h := range pr.GetHeaders() {
				r.Headers[i] = Header{Key: h.GetKey(), Value: h.GetValue()}
			}
		}
		out = append(out, r)
	}
	return out
}
