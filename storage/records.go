package storage

import (
	"iter"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Record is one record of a batch as seen by iteration. Key and Value are
// nil when absent (null) and non-nil, possibly empty, when present. Slices
// point into the batch (or a decompression buffer) and are valid until the
// iterator moves on.
type Record struct {
	Offset    int64
	Timestamp int64
	Key       []byte
	Value     []byte
	Headers   []RecordHeader
	// raw is the record's serialized bytes (a Records field 1 entry's
	// content), kept so compaction copies records without re-encoding.
	raw []byte
}

// RecordHeader is one application header.
type RecordHeader struct {
	Key   []byte
	Value []byte
}

// parseRecord decodes one serialized Record into r, storing the offset
// delta in r.Offset and the timestamp delta in r.Timestamp. Headers are
// appended to *hdrs when hdrs is non-nil, otherwise only validated.
func parseRecord(b []byte, r *Record, hdrs *[]RecordHeader) *InvalidBatchError {
	*r = Record{raw: b}
	if hdrs != nil {
		*hdrs = (*hdrs)[:0]
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return invalidf(-1, "bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case (num == 1 || num == 2) && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return invalidf(-1, "field %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			if num == 1 {
				if int64(v) < -1<<31 || int64(v) > 1<<31-1 {
					return invalidf(-1, "offset delta %d overflows int32", int64(v))
				}
				r.Offset = int64(int32(int64(v)))
			} else {
				r.Timestamp = int64(v)
			}
		case num >= 3 && num <= 5 && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return invalidf(-1, "field %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			switch num {
			case 3:
				r.Key = v
			case 4:
				r.Value = v
			case 5:
				h, err := parseHeader(v)
				if err != nil {
					return err
				}
				if hdrs != nil {
					*hdrs = append(*hdrs, h)
				}
			}
		default:
			// Unknown fields are legal protobuf; skip them.
			if !num.IsValid() {
				return invalidf(-1, "invalid field number %d", num)
			}
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return invalidf(-1, "field %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	if hdrs != nil {
		r.Headers = *hdrs
	}
	return nil
}

func parseHeader(b []byte) (RecordHeader, *InvalidBatchError) {
	var h RecordHeader
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return h, invalidf(-1, "bad header tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		if (num == 1 || num == 2) && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return h, invalidf(-1, "header field %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			if num == 1 {
				// proto3 strings must be UTF-8 or every consumer's decoder fails.
				if !utf8.Valid(v) {
					return h, invalidf(-1, "header key is not valid utf-8")
				}
				h.Key = v
			} else {
				h.Value = v
			}
			continue
		}
		if !num.IsValid() {
			return h, invalidf(-1, "invalid header field number %d", num)
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return h, invalidf(-1, "header field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
	}
	return h, nil
}

// RecordIterator walks the records of one stored or producer batch,
// decompressing if needed.
type RecordIterator struct {
	h    BatchHeader
	b    []byte
	buf  *[]byte
	hdrs []RecordHeader
	i    int
	err  error
}

// NewRecordIterator parses batch's header and prepares to iterate its
// records. Call Close to return decompression buffers to their pool.
func NewRecordIterator(batch []byte) (*RecordIterator, error) {
	h, payload, err := ParseBatchHeader(batch)
	if err != nil {
		return nil, err
	}
	it := &RecordIterator{h: h, b: payload}
	if h.Compressed && h.Compression != CompressionUnspecified && h.Compression != CompressionNone {
		buf, err := decompress(h.Compression, payload, int(h.UncompressedSize), maxUncompressedBytes)
		if err != nil {
			return nil, err
		}
		it.buf, it.b = buf, *buf
	} else if h.Compression != CompressionUnspecified && h.Compression != CompressionNone {
		return nil, invalidf(-1, "compression %d with uncompressed records field 14", h.Compression)
	}
	return it, nil
}

// Header returns the batch header.
func (it *RecordIterator) Header() BatchHeader { return it.h }

// Next decodes the next record into r, returning false at the end or on
// error (see Err). r's slices are valid until the next call.
func (it *RecordIterator) Next(r *Record) bool {
	if it.err != nil || len(it.b) == 0 {
		return false
	}
	num, typ, n := protowire.ConsumeTag(it.b)
	if n < 0 || num != 1 || typ != protowire.BytesType {
		it.err = invalidf(it.i, "bad record tag")
		return false
	}
	rec, m := protowire.ConsumeBytes(it.b[n:])
	if m < 0 {
		it.err = invalidf(it.i, "truncated record")
		return false
	}
	it.b = it.b[n+m:]
	if err := parseRecord(rec, r, &it.hdrs); err != nil {
		err.Record = it.i
		it.err = err
		return false
	}
	r.Offset += it.h.BaseOffset
	if it.h.TimestampType == LogAppendTime {
		r.Timestamp = it.h.MaxTimestamp
	} else {
		r.Timestamp += it.h.FirstTimestamp
	}
	it.i++
	return true
}

// Err returns the first decoding error.
func (it *RecordIterator) Err() error { return it.err }

// Close releases decompression buffers. The iterator's records become
// invalid.
func (it *RecordIterator) Close() {
	if it.buf != nil {
		releaseBuf(it.buf)
		it.buf, it.b = nil, nil
	}
}

// Records iterates over the records of a serialized RecordBatch. The
// Record's slices are valid only during the loop body. A decoding error is
// yielded once, last.
func Records(batch []byte) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		it, err := NewRecordIterator(batch)
		if err != nil {
			yield(Record{}, err)
			return
		}
		defer it.Close()
		var r Record
		for it.Next(&r) {
			if !yield(r, nil) {
				return
			}
		}
		if it.err != nil {
			yield(Record{}, it.err)
		}
	}
}
