package storage

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Compression is the codec of a batch's records (fjord.v1.Compression).
type Compression int32

// Codecs, numbered as in fjord.v1.Compression.
const (
	CompressionUnspecified Compression = 0
	CompressionNone        Compression = 1
	CompressionGzip        Compression = 2
	CompressionSnappy      Compression = 3
	CompressionLZ4         Compression = 4
	CompressionZstd        Compression = 5
)

// TimestampType says where timestamps come from (fjord.v1.TimestampType).
type TimestampType int32

// Timestamp types, numbered as in fjord.v1.TimestampType.
const (
	TimestampUnspecified TimestampType = 0
	CreateTime           TimestampType = 1
	LogAppendTime        TimestampType = 2
)

// RecordBatch field numbers.
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

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC32C returns the CRC-32C (Castagnoli) of b, the checksum used for batch
// payloads and storage frames.
func CRC32C(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// BatchHeader is every RecordBatch field except the payload.
type BatchHeader struct {
	BaseOffset       int64
	LeaderEpoch      int32
	LastOffsetDelta  int32
	RecordCount      int32
	FirstTimestamp   int64
	MaxTimestamp     int64
	TimestampType    TimestampType
	Compression      Compression
	ProducerID       int64
	ProducerEpoch    int32
	BaseSequence     int32
	CRC              uint32
	HasCRC           bool // field 12 was present
	UncompressedSize int32
	// Compressed is true when the payload is field 15 (compressed_records),
	// false when it is field 14 (records).
	Compressed bool
}

// LastOffset is BaseOffset + LastOffsetDelta.
func (h *BatchHeader) LastOffset() int64 { return h.BaseOffset + int64(h.LastOffsetDelta) }

// NextOffset is LastOffset + 1.
func (h *BatchHeader) NextOffset() int64 { return h.LastOffset() + 1 }

// ParseBatchHeader decodes a serialized RecordBatch's header and returns the
// payload: the content bytes of field 14 or 15 (a sub-slice of b). It
// validates the wire structure only (field numbers, wire types, exactly one
// payload field, int32 ranges); it does not look at records or check the
// CRC. It does not allocate.
func ParseBatchHeader(b []byte) (h BatchHeader, payload []byte, err error) {
	seenPayload := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return h, nil, invalidf(-1, "bad field tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num >= fieldBaseOffset && num <= fieldUncompressedSize && num != fieldCRC:
			if typ != protowire.VarintType {
				return h, nil, invalidf(-1, "field %d has wire type %d, want varint", num, typ)
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return h, nil, invalidf(-1, "field %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			if err := h.setVarint(num, v); err != nil {
				return h, nil, err
			}
		case num == fieldCRC:
			if typ != protowire.Fixed32Type {
				return h, nil, invalidf(-1, "field 12 (crc) has wire type %d, want fixed32", typ)
			}
			v, n := protowire.ConsumeFixed32(b)
			if n < 0 {
				return h, nil, invalidf(-1, "field 12 (crc): %v", protowire.ParseError(n))
			}
			b = b[n:]
			h.CRC, h.HasCRC = v, true
		case num == fieldRecords || num == fieldCompressed:
			if typ != protowire.BytesType {
				return h, nil, invalidf(-1, "field %d has wire type %d, want bytes", num, typ)
			}
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return h, nil, invalidf(-1, "field %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			if seenPayload {
				return h, nil, invalidf(-1, "payload field appears more than once")
			}
			seenPayload = true
			payload = v
			h.Compressed = num == fieldCompressed
		default:
			return h, nil, invalidf(-1, "unknown field %d", num)
		}
	}
	if !seenPayload {
		return h, nil, invalidf(-1, "no payload (field 14 or 15)")
	}
	if payload == nil {
		payload = []byte{}
	}
	return h, payload, nil
}

func (h *BatchHeader) setVarint(num protowire.Number, v uint64) error {
	i32 := func() (int32, error) {
		// int32 fields are sign-extended to 64 bits on the wire.
		if int64(v) < math.MinInt32 || int64(v) > math.MaxInt32 {
			return 0, invalidf(-1, "field %d value %d overflows int32", num, int64(v))
		}
		return int32(int64(v)), nil
	}
	var err error
	switch num {
	case fieldBaseOffset:
		h.BaseOffset = int64(v)
	case fieldLeaderEpoch:
		h.LeaderEpoch, err = i32()
	case fieldLastOffsetDelta:
		h.LastOffsetDelta, err = i32()
	case fieldRecordCount:
		h.RecordCount, err = i32()
	case fieldFirstTimestamp:
		h.FirstTimestamp = int64(v)
	case fieldMaxTimestamp:
		h.MaxTimestamp = int64(v)
	case fieldTimestampType:
		var t int32
		t, err = i32()
		h.TimestampType = TimestampType(t)
	case fieldCompression:
		var c int32
		c, err = i32()
		h.Compression = Compression(c)
	case fieldProducerID:
		h.ProducerID = int64(v)
	case fieldProducerEpoch:
		h.ProducerEpoch, err = i32()
	case fieldBaseSequence:
		h.BaseSequence, err = i32()
	case fieldUncompressedSize:
		h.UncompressedSize, err = i32()
	}
	return err
}

// AppendBatchHeader appends fields 1..13 of h in field-number order, omitting
// zero scalars; the crc (field 12) is written iff h.HasCRC, which storage
// always sets on the batches it stores.
func AppendBatchHeader(dst []byte, h *BatchHeader) []byte {
	putI64 := func(num protowire.Number, v int64) {
		if v != 0 {
			dst = protowire.AppendTag(dst, num, protowire.VarintType)
			dst = protowire.AppendVarint(dst, uint64(v))
		}
	}
	putI64(fieldBaseOffset, h.BaseOffset)
	putI64(fieldLeaderEpoch, int64(h.LeaderEpoch))
	putI64(fieldLastOffsetDelta, int64(h.LastOffsetDelta))
	putI64(fieldRecordCount, int64(h.RecordCount))
	putI64(fieldFirstTimestamp, h.FirstTimestamp)
	putI64(fieldMaxTimestamp, h.MaxTimestamp)
	putI64(fieldTimestampType, int64(h.TimestampType))
	putI64(fieldCompression, int64(h.Compression))
	putI64(fieldProducerID, h.ProducerID)
	putI64(fieldProducerEpoch, int64(h.ProducerEpoch))
	putI64(fieldBaseSequence, int64(h.BaseSequence))
	if h.HasCRC {
		dst = protowire.AppendTag(dst, fieldCRC, protowire.Fixed32Type)
		dst = protowire.AppendFixed32(dst, h.CRC)
	}
	putI64(fieldUncompressedSize, int64(h.UncompressedSize))
	return dst
}

// AppendPayload appends the payload field: 15 if compressed, else 14.
func AppendPayload(dst []byte, compressed bool, payload []byte) []byte {
	num := protowire.Number(fieldRecords)
	if compressed {
		num = fieldCompressed
	}
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	return protowire.AppendBytes(dst, payload)
}

// AppendBatch appends a whole serialized RecordBatch.
func AppendBatch(dst []byte, h *BatchHeader, payload []byte) []byte {
	return AppendPayload(AppendBatchHeader(dst, h), h.Compressed, payload)
}

// batchInfo is what validation learns from a batch's records.
type batchInfo struct {
	count           int32
	lastOffsetDelta int32
	uncompressed    int // size of the Records message
}

// validateBatch checks h against payload: codec, crc (computed into h if
// absent), record structure, record count and last offset delta (filled in if
// zero). If dense, offset_delta of record i must be i (leader appends);
// otherwise deltas must only strictly increase (replicas of compacted data).
func validateBatch(h *BatchHeader, payload []byte, dense bool, maxUncompressed int) (batchInfo, error) {
	var info batchInfo
	switch h.Compression {
	case CompressionUnspecified, CompressionNone:
	case CompressionGzip, CompressionSnappy, CompressionLZ4, CompressionZstd:
		if !h.Compressed {
			return info, invalidf(-1, "compression %d with uncompressed records field 14", h.Compression)
		}
	default:
		return info, invalidf(-1, "unknown compression %d", h.Compression)
	}
	if h.TimestampType < TimestampUnspecified || h.TimestampType > LogAppendTime {
		return info, invalidf(-1, "unknown timestamp type %d", h.TimestampType)
	}
	crc := CRC32C(payload)
	if h.HasCRC && h.CRC != crc {
		return info, invalidf(-1, "crc %#08x, payload has %#08x", h.CRC, crc)
	}
	h.CRC, h.HasCRC = crc, true
	if h.MaxTimestamp < h.FirstTimestamp {
		return info, invalidf(-1, "max timestamp %d < first timestamp %d", h.MaxTimestamp, h.FirstTimestamp)
	}
	records := payload
	if h.Compressed && h.Compression != CompressionUnspecified && h.Compression != CompressionNone {
		buf, err := decompress(h.Compression, payload, int(h.UncompressedSize), maxUncompressed)
		if err != nil {
			return info, err
		}
		defer releaseBuf(buf)
		records = *buf
	}
	info.uncompressed = len(records)
	count, last, err := walkRecords(records, dense)
	if err != nil {
		return info, err
	}
	if count == 0 {
		// Compaction leaves header-only batches to keep segment ends;
		// replicas copy them. Producers must send records.
		if dense || h.RecordCount != 0 {
			return info, invalidf(-1, "batch has no records")
		}
		info.uncompressed = 0
		return info, nil
	}
	if h.RecordCount == 0 {
		h.RecordCount = count
	} else if h.RecordCount != count {
		return info, invalidf(-1, "record count %d, payload has %d records", h.RecordCount, count)
	}
	if h.LastOffsetDelta == 0 {
		h.LastOffsetDelta = last
	} else if h.LastOffsetDelta != last && (dense || h.LastOffsetDelta < last) {
		// A compacted batch keeps its original last offset delta, which may
		// exceed its last record's delta.
		return info, invalidf(-1, "last offset delta %d, last record has delta %d", h.LastOffsetDelta, last)
	}
	info.count, info.lastOffsetDelta = count, h.LastOffsetDelta
	return info, nil
}

// walkRecords validates a serialized Records message without allocating and
// returns the record count and the last record's offset delta.
func walkRecords(b []byte, dense bool) (count, lastDelta int32, err error) {
	lastDelta = -1
	for i := 0; len(b) > 0; i++ {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, 0, invalidf(i, "bad tag in records: %v", protowire.ParseError(n))
		}
		b = b[n:]
		if num != 1 || typ != protowire.BytesType {
			return 0, 0, invalidf(i, "unexpected field %d (wire type %d) in records", num, typ)
		}
		rec, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return 0, 0, invalidf(i, "truncated record: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var r Record
		if err := parseRecord(rec, &r, nil); err != nil {
			err.Record = i
			return 0, 0, err
		}
		delta := int32(r.Offset)
		if dense && delta != int32(i) {
			return 0, 0, invalidf(i, "offset delta %d, want %d", delta, i)
		}
		if !dense && delta <= lastDelta {
			return 0, 0, invalidf(i, "offset delta %d not above previous %d", delta, lastDelta)
		}
		if i == math.MaxInt32 {
			return 0, 0, invalidf(i, "too many records")
		}
		lastDelta = delta
		count++
	}
	return count, lastDelta, nil
}

// be is the byte order of storage's own binary formats.
var be = binary.BigEndian
