package fjordfake

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// header is a batch's header fields 1-13; payload is field 14 or 15's
// content as received.
type header struct {
	varints      [14]uint64 // by field number (1-11, 13)
	crc          uint32
	hasCRC       bool
	payloadField protowire.Number
	payload      []byte
}

func parseBatch(raw []byte) (*header, error) {
	h := &header{}
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		raw = raw[n:]
		switch {
		case num == 12 && typ == protowire.Fixed32Type:
			v, m := protowire.ConsumeFixed32(raw)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			h.crc, h.hasCRC, n = v, true, m
		case (num == 14 || num == 15) && typ == protowire.BytesType:
			v, m := protowire.ConsumeBytes(raw)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			h.payloadField, h.payload, n = num, v, m
		case num >= 1 && num <= 13 && typ == protowire.VarintType:
			v, m := protowire.ConsumeVarint(raw)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			h.varints[num], n = v, m
		default:
			n = protowire.ConsumeFieldValue(num, typ, raw)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
		}
		raw = raw[n:]
	}
	if h.payloadField == 0 {
		return nil, errors.New("batch has no records")
	}
	return h, nil
}

// records decodes the payload.
func (h *header) records() ([]*fjordv1.Record, error) {
	raw := h.payload
	if h.payloadField == 15 {
		var err error
		raw, err = decompress(fjordv1.Compression(h.varints[8]), h.payload)
		if err != nil {
			return nil, err
		}
	} else if c := fjordv1.Compression(h.varints[8]); c != fjordv1.Compression_COMPRESSION_UNSPECIFIED && c != fjordv1.Compression_COMPRESSION_NONE {
		return nil, fmt.Errorf("compression %v with uncompressed records", c)
	}
	rs := new(fjordv1.Records)
	if err := proto.Unmarshal(raw, rs); err != nil {
		return nil, err
	}
	return rs.GetRecords(), nil
}

// encode writes the header fields in field-number order, then the payload
// bytes as they came.
func (h *header) encode() []byte {
	b := make([]byte, 0, len(h.payload)+80)
	for num := protowire.Number(1); num <= 13; num++ {
		if num == 12 {
			b = protowire.AppendTag(b, 12, protowire.Fixed32Type)
			b = protowire.AppendFixed32(b, h.crc)
			continue
		}
		if v := h.varints[num]; v != 0 {
			b = protowire.AppendTag(b, num, protowire.VarintType)
			b = protowire.AppendVarint(b, v)
		}
	}
	b = protowire.AppendTag(b, h.payloadField, protowire.BytesType)
	return protowire.AppendBytes(b, h.payload)
}

func decompress(codec fjordv1.Compression, data []byte) ([]byte, error) {
	switch codec {
	case fjordv1.Compression_COMPRESSION_GZIP:
		r, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	case fjordv1.Compression_COMPRESSION_SNAPPY:
		return snappy.Decode(nil, data)
	case fjordv1.Compression_COMPRESSION_LZ4:
		return io.ReadAll(lz4.NewReader(bytes.NewReader(data)))
	case fjordv1.Compression_COMPRESSION_ZSTD:
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return d.DecodeAll(data, nil)
	}
	return nil, fmt.Errorf("unsupported compression %v", codec)
}

// appendBatch validates a produced batch and appends it at the log end
// offset, returning the stored bytes. Callers hold c.mu.
func (c *Cluster) appendLocked(t *topic, pt *partition, raw []byte) (base, last int64, e *fjordv1.Error) {
	h, err := parseBatch(raw)
	if err != nil {
		return 0, 0, perr("CORRUPT_MESSAGE", "malformed batch: %v", err)
	}
	if h.hasCRC {
		if got := crc32.Checksum(h.payload, castagnoli); got != h.crc {
			return 0, 0, perr("CORRUPT_MESSAGE", "batch crc %08x, payload has %08x", h.crc, got)
		}
	} else {
		h.crc, h.hasCRC = crc32.Checksum(h.payload, castagnoli), true
	}
	recs, err := h.records()
	if err != nil {
		return 0, 0, perr("CORRUPT_MESSAGE", "decoding records: %v", err)
	}
	if len(recs) == 0 {
		return 0, 0, perr("INVALID_RECORD", "empty batch")
	}
	if n := h.varints[4]; n != 0 && int(n) != len(recs) {
		return 0, 0, perr("INVALID_RECORD", "record_count %d, payload has %d", n, len(recs))
	}
	for i, r := range recs {
		if int(r.GetOffsetDelta()) != i {
			return 0, 0, perr("INVALID_RECORD", "record %d has offset_delta %d", i, r.GetOffsetDelta())
		}
	}
	h.varints[4] = uint64(len(recs))
	if h.varints[3] == 0 {
		h.varints[3] = uint64(len(recs) - 1)
	}
	pid, epoch, seq := int64(h.varints[9]), int32(h.varints[10]), int32(h.varints[11])
	if pid > 0 {
		if epoch < 0 || seq < 0 {
			return 0, 0, perr("INVALID_RECORD", "producer %d with epoch %d and base sequence %d", pid, epoch, seq)
		}
		dup, isDup, e := checkProducerLocked(pt, pid, epoch, seq, int64(len(recs)))
		if e != nil {
			return 0, 0, e
		}
		if isDup {
			return dup.base, dup.last, nil
		}
		defer func() {
			recordProducerLocked(pt, pid, epoch, producerBatch{firstSeq: seq, lastSeq: lastSeqOf(seq, int64(len(recs))), base: base, last: last})
		}()
	}
	h.varints[1] = uint64(pt.leo)
	h.varints[2] = uint64(pt.epoch)
	if h.varints[5] == 0 && h.varints[6] == 0 {
		now := uint64(nowMillis())
		h.varints[5], h.varints[6] = now, now
	}
	if t.configs["message.timestamp.type"] == "LogAppendTime" {
		h.varints[7] = uint64(fjordv1.TimestampType_TIMESTAMP_TYPE_LOG_APPEND_TIME)
		h.varints[6] = uint64(nowMillis())
	}
	stored := h.encode()
	base, last = pt.leo, pt.leo+int64(h.varints[3])
	pt.batches = append(pt.batches, storedBatch{base: base, last: last, raw: stored})
	pt.leo = last + 1
	close(c.appended)
	c.appended = make(chan struct{})
	return base, last, nil
}
