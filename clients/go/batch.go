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
	fieldProducerID       = 9
	fieldProducerEpoch    = 10
	fieldBaseSequence     = 11
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

// producerID is an idempotent producer's id and epoch; zero for none.
type producerID struct {
	id    int64
	epoch int32
}

// stamp is what an idempotent producer writes on a batch: its id and
// epoch and the sequence number of the batch's first record. The zero
// stamp writes nothing (a producer without idempotence).
type stamp struct {
	producerID
	baseSeq int32
}

// encodeBatch serializes recs as one RecordBatch. Timestamps must be set.
func encodeBatch(recs []*Record, codec fjordv1.Compression, st stamp) ([]byte, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("fjord: empty batch")
	}
	first := millis(recs[0].Timestamp)
	scratch := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(scratch)
	raw, maxTS := appendRecords((*scratch)[:0], recs, first)
	*scratch = raw
	return finishBatch(raw, int32(len(recs)), first, maxTS, codec, st)
}

// finishBatch builds a RecordBatch in a fresh buffer (kept for retries
// after raw is reused) around raw, n records encoded by appendRecords.
func finishBatch(raw []byte, n int32, first, maxTS int64, codec fjordv1.Compression, st stamp) ([]byte, error) {
	payload, payloadField := raw, protowire.Number(fieldRecords)
	if compressed(codec) {
		var err error
		payload, err = compress(codec, raw)
		if err != nil {
			return nil, err
		}
		payloadField = fieldCompressed
	}
	b := make([]byte, 0, len(payload)+maxBatchHeader)
	b = appendBatchHeader(b, n, first, maxTS, codec, st, crc32c(payload), len(raw), payloadField, len(payload))
	return append(b, payload...), nil
}

func compressed(codec fjordv1.Compression) bool {
	return codec != fjordv1.Compression_COMPRESSION_UNSPECIFIED && codec != fjordv1.Compression_COMPRESSION_NONE
}

// maxBatchHeader bounds what appendBatchHeader writes: nine varint fields
// of at most 11 bytes, the CRC (5) and the payload's tag and length (11).
const maxBatchHeader = 9*11 + 5 + 11

// appendBatchHeader appends a RecordBatch's fields up to and including the
// payload field's tag and length; the payload's bytes follow.
func appendBatchHeader(b []byte, n int32, first, maxTS int64, codec fjordv1.Compression, st stamp, crc uint32, rawLen int, payloadField protowire.Number, payloadLen int) []byte {
	b = appendVarintField(b, fieldLastOffsetDelta, uint64(n-1))
	b = appendVarintField(b, fieldRecordCount, uint64(n))
	b = appendVarintField(b, fieldFirstTimestamp, uint64(first))
	b = appendVarintField(b, fieldMaxTimestamp, uint64(maxTS))
	if compressed(codec) {
		b = appendVarintField(b, fieldCompression, uint64(codec))
	}
	// Epoch and sequence are never negative; zeros are absent (proto3).
	b = appendVarintField(b, fieldProducerID, uint64(st.id))
	b = appendVarintField(b, fieldProducerEpoch, uint64(st.epoch))
	b = appendVarintField(b, fieldBaseSequence, uint64(st.baseSeq))
	b = protowire.AppendTag(b, fieldCRC, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, crc)
	b = appendVarintField(b, fieldUncompressedSize, uint64(rawLen))
	b = protowire.AppendTag(b, payloadField, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(payloadLen))
}

// batchBuf is a batch encoded as its records arrive: maxBatchHeader bytes
// of headroom, then the records as appendRecords writes them, so that the
// header can be written in front of them without copying the records.
type batchBuf struct {
	buf          []byte
	n            int32
	first, maxTS int64
}

// batchBufs recycles the buffers of finished batches: at a million records
// a second, page faults and zeroing of fresh megabyte buffers cost more than
// encoding the records into them.
var batchBufs sync.Pool // of *[]byte

// newBatchBuf returns an empty batchBuf with room for about capHint bytes
// of records.
func newBatchBuf(capHint int) batchBuf {
	if bp, _ := batchBufs.Get().(*[]byte); bp != nil && cap(*bp) >= maxBatchHeader+capHint {
		return batchBuf{buf: (*bp)[:maxBatchHeader]}
	}
	return batchBuf{buf: make([]byte, maxBatchHeader, maxBatchHeader+capHint)}
}

// recycle hands bb's buffer back for reuse; nothing may use bb, or the
// batch finish returned, afterwards.
func (bb *batchBuf) recycle() {
	if bb.buf != nil {
		buf := bb.buf
		batchBufs.Put(&buf)
	}
	*bb = batchBuf{}
}

// add appends r, whose timestamp must be set.
func (bb *batchBuf) add(r *Record) {
	ts := millis(r.Timestamp)
	if bb.n == 0 {
		bb.first, bb.maxTS = ts, ts
	}
	bb.maxTS = max(bb.maxTS, ts)
	bb.buf = appendRecord(bb.buf, bb.n, ts-bb.first, r)
	bb.n++
}

// payloadLen is the size of the records encoded so far.
func (bb *batchBuf) payloadLen() int { return len(bb.buf) - maxBatchHeader }

// finish returns the RecordBatch, byte for byte what encodeBatch returns
// for the same records. Uncompressed, it aliases bb's buffer (the header
// goes into its headroom, so finishing again with another stamp rewrites
// it in place).
func (bb *batchBuf) finish(codec fjordv1.Compression, st stamp) ([]byte, error) {
	if bb.n == 0 {
		return nil, fmt.Errorf("fjord: empty batch")
	}
	raw := bb.buf[maxBatchHeader:]
	if compressed(codec) {
		return finishBatch(raw, bb.n, bb.first, bb.maxTS, codec, st)
	}
	var hdr [maxBatchHeader]byte
	h := appendBatchHeader(hdr[:0], bb.n, bb.first, bb.maxTS, codec, st, crc32c(raw), len(raw), fieldRecords, len(raw))
	start := maxBatchHeader - len(h)
	copy(bb.buf[start:], h)
	return bb.buf[start:], nil
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

// scratchPool holds buffers for encoding records before they are
// compressed or copied into a batch.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// appendRecords encodes recs as a fjord.v1.Records message directly with
// protowire, byte for byte what proto.Marshal produces for the same
// records, without building message structs. It returns the bytes and the
// largest timestamp.
func appendRecords(dst []byte, recs []*Record, first int64) ([]byte, int64) {
	maxTS := first
	for i, r := range recs {
		ts := millis(r.Timestamp)
		maxTS = max(maxTS, ts)
		dst = appendRecord(dst, int32(i), ts-first, r)
	}
	return dst, maxTS
}

// appendRecord appends one Records.records entry: r with its offset delta
// and timestamp delta.
func appendRecord(dst []byte, delta int32, tsDelta int64, r *Record) []byte {
	dst = protowire.AppendTag(dst, 1, protowire.BytesType)
	dst = protowire.AppendVarint(dst, uint64(recordSize(delta, tsDelta, r)))
	dst = appendVarintField(dst, 1, uint64(delta))
	dst = appendVarintField(dst, 2, uint64(tsDelta))
	if r.Key != nil {
		dst = protowire.AppendTag(dst, 3, protowire.BytesType)
		dst = protowire.AppendBytes(dst, r.Key)
	}
	if r.Value != nil {
		dst = protowire.AppendTag(dst, 4, protowire.BytesType)
		dst = protowire.AppendBytes(dst, r.Value)
	}
	for _, h := range r.Headers {
		dst = protowire.AppendTag(dst, 5, protowire.BytesType)
		dst = protowire.AppendVarint(dst, uint64(headerSize(h)))
		if h.Key != "" {
			dst = protowire.AppendTag(dst, 1, protowire.BytesType)
			dst = protowire.AppendString(dst, h.Key)
		}
		if len(h.Value) > 0 {
			dst = protowire.AppendTag(dst, 2, protowire.BytesType)
			dst = protowire.AppendBytes(dst, h.Value)
		}
	}
	return dst
}

func varintFieldSize(v uint64) int {
	if v == 0 {
		return 0
	}
	return 1 + protowire.SizeVarint(v)
}

func recordSize(delta int32, tsDelta int64, r *Record) int {
	n := varintFieldSize(uint64(delta)) + varintFieldSize(uint64(tsDelta))
	if r.Key != nil {
		n += 1 + protowire.SizeBytes(len(r.Key))
	}
	if r.Value != nil {
		n += 1 + protowire.SizeBytes(len(r.Value))
	}
	for _, h := range r.Headers {
		n += 1 + protowire.SizeBytes(headerSize(h))
	}
	return n
}

func headerSize(h Header) int {
	n := 0
	if h.Key != "" {
		n += 1 + protowire.SizeBytes(len(h.Key))
	}
	if len(h.Value) > 0 {
		n += 1 + protowire.SizeBytes(len(h.Value))
	}
	return n
}

// batchInfo is the part of a stored batch's header a consumer needs.
type batchInfo struct {
	baseOffset      int64
	leaderEpoch     int32
	lastOffsetDelta int32
	firstTimestamp  int64
	maxTimestamp    int64
	logAppendTime   bool
	compression     fjordv1.Compression
}

// nextOffset is the offset after the batch's last record.
func (b *batchInfo) nextOffset() int64 { return b.baseOffset + int64(b.lastOffsetDelta) + 1 }

// peekNextOffset reads only a stored batch's header fields and returns the
// offset after it, as decodeBatch's info.nextOffset() would; ok is false if
// the header does not parse. It does not check the CRC or touch records.
func peekNextOffset(raw []byte) (next int64, ok bool) {
	var base int64
	var delta int32
	for b := raw; len(b) > 0; {
		num, typ, n := protowire.ConsumeField(b)
		if n < 0 {
			return 0, false
		}
		if typ == protowire.VarintType && (num == fieldBaseOffset || num == fieldLastOffsetDelta) {
			_, _, m := protowire.ConsumeTag(b)
			v, _ := protowire.ConsumeVarint(b[m:])
			if num == fieldBaseOffset {
				base = int64(v)
			} else {
				delta = int32(v)
			}
		}
		b = b[n:]
	}
	return base + int64(delta) + 1, true
}

func corrupt(format string, args ...any) error {
	return &Error{Reason: ReasonCorruptMessage, Message: fmt.Sprintf(format, args...), Partition: -1}
}

// decodeBatch verifies a stored RecordBatch's CRC and decodes the records
// at or after from with protowire, without building generated messages.
// Keys, values and header values alias raw (or the decompressed payload),
// which the caller owns; a present-but-empty key or value is non-nil.
func decodeBatch(raw []byte, topic string, partition int32, from int64) ([]*Record, batchInfo, error) {
	var info batchInfo
	var payload []byte
	var crc uint32
	hasCRC, compressed := false, false
	for b := raw; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, info, corrupt("malformed batch: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v uint64
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v32 uint32
			v32, n = protowire.ConsumeFixed32(b)
			v = uint64(v32)
		case protowire.BytesType:
			var bs []byte
			bs, n = protowire.ConsumeBytes(b)
			if num == fieldRecords || num == fieldCompressed {
				payload, compressed = bs, num == fieldCompressed
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return nil, info, corrupt("malformed batch field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
		switch num {
		case fieldBaseOffset:
			info.baseOffset = int64(v)
		case fieldLeaderEpoch:
			info.leaderEpoch = int32(v)
		case fieldLastOffsetDelta:
			info.lastOffsetDelta = int32(v)
		case fieldFirstTimestamp:
			info.firstTimestamp = int64(v)
		case fieldMaxTimestamp:
			info.maxTimestamp = int64(v)
		case fieldTimestampType:
			info.logAppendTime = fjordv1.TimestampType(v) == fjordv1.TimestampType_TIMESTAMP_TYPE_LOG_APPEND_TIME
		case fieldCompression:
			info.compression = fjordv1.Compression(v)
		case fieldCRC:
			crc, hasCRC = uint32(v), typ == protowire.Fixed32Type
		}
	}
	if hasCRC {
		if got := crc32c(payload); got != crc {
			return nil, info, corrupt("batch crc %08x, payload has %08x", crc, got)
		}
	}
	if compressed && info.compression != fjordv1.Compression_COMPRESSION_UNSPECIFIED && info.compression != fjordv1.Compression_COMPRESSION_NONE {
		var err error
		if payload, err = decompress(info.compression, payload); err != nil {
			return nil, info, corrupt("%v", err)
		}
	}
	// Count records to size one slab for them all.
	count := 0
	for b := payload; len(b) > 0; count++ {
		num, typ, n := protowire.ConsumeField(b)
		if n < 0 || num != 1 || typ != protowire.BytesType {
			return nil, info, corrupt("malformed records at byte %d", len(payload)-len(b))
		}
		b = b[n:]
	}
	slab := make([]Record, count)
	out := make([]*Record, 0, count)
	for b, i := payload, 0; len(b) > 0; i++ {
		_, _, n := protowire.ConsumeTag(b)
		rb, m := protowire.ConsumeBytes(b[n:])
		b = b[n+m:]
		r := &slab[i]
		delta, tsDelta, err := decodeRecord(rb, r)
		if err != nil {
			return nil, info, corrupt("record %d: %v", i, err)
		}
		r.Offset = info.baseOffset + int64(delta)
		if r.Offset < from {
			continue
		}
		ts := info.firstTimestamp + tsDelta
		if info.logAppendTime {
			ts = info.maxTimestamp
		}
		r.Topic, r.Partition, r.LeaderEpoch, r.Timestamp = topic, partition, info.leaderEpoch, time.UnixMilli(ts)
		out = append(out, r)
	}
	return out, info, nil
}

// decodeRecord fills r's key, value and headers from a serialized Record and
// returns its offset and timestamp deltas.
func decodeRecord(b []byte, r *Record) (int32, int64, error) {
	var delta int32
	var tsDelta int64
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, 0, protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			delta, n = int32(v), m
		case num == 2 && typ == protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			tsDelta, n = int64(v), m
		case (num == 3 || num == 4 || num == 5) && typ == protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			n = m
			if m >= 0 {
				v = v[:len(v):len(v)]
				if v == nil {
					v = []byte{}
				}
				switch num {
				case 3:
					r.Key = v
				case 4:
					r.Value = v
				default:
					h, err := decodeHeader(v)
					if err != nil {
						return 0, 0, err
					}
					r.Headers = append(r.Headers, h)
				}
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return 0, 0, protowire.ParseError(n)
		}
		b = b[n:]
	}
	return delta, tsDelta, nil
}

func decodeHeader(b []byte) (Header, error) {
	var h Header
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return h, protowire.ParseError(n)
		}
		b = b[n:]
		if (num == 1 || num == 2) && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return h, protowire.ParseError(m)
			}
			if num == 1 {
				h.Key = string(v)
			} else if len(v) > 0 {
				h.Value = v[:len(v):len(v)]
			}
			b = b[m:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return h, protowire.ParseError(n)
		}
		b = b[n:]
	}
	return h, nil
}
