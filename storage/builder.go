package storage

import "google.golang.org/protobuf/encoding/protowire"

// BatchBuilder builds producer batches (serialized RecordBatch messages with
// offset deltas 0..n-1 and a crc). Used by tests, benchmarks and tools.
// The zero value builds uncompressed batches.
type BatchBuilder struct {
	// Compression is the codec; NONE/UNSPECIFIED writes field 14.
	Compression Compression
	// ProducerID, ProducerEpoch and BaseSequence go into the header.
	ProducerID    int64
	ProducerEpoch int32
	BaseSequence  int32

	records  []byte
	n        int32
	firstTs  int64
	maxTs    int64
	haveTime bool
}

// Add appends a record. A nil key or value is encoded as absent (null); an
// empty non-nil slice as present and empty. ts is in ms since the epoch.
func (b *BatchBuilder) Add(key, value []byte, ts int64, headers ...RecordHeader) {
	if !b.haveTime {
		b.firstTs, b.maxTs, b.haveTime = ts, ts, true
	}
	if ts > b.maxTs {
		b.maxTs = ts
	}
	size := b.recordSize(key, value, ts, headers)
	b.records = protowire.AppendTag(b.records, 1, protowire.BytesType)
	b.records = protowire.AppendVarint(b.records, uint64(size))
	if b.n != 0 {
		b.records = protowire.AppendTag(b.records, 1, protowire.VarintType)
		b.records = protowire.AppendVarint(b.records, uint64(b.n))
	}
	if d := ts - b.firstTs; d != 0 {
		b.records = protowire.AppendTag(b.records, 2, protowire.VarintType)
		b.records = protowire.AppendVarint(b.records, uint64(d))
	}
	if key != nil {
		b.records = protowire.AppendTag(b.records, 3, protowire.BytesType)
		b.records = protowire.AppendBytes(b.records, key)
	}
	if value != nil {
		b.records = protowire.AppendTag(b.records, 4, protowire.BytesType)
		b.records = protowire.AppendBytes(b.records, value)
	}
	for _, h := range headers {
		b.records = protowire.AppendTag(b.records, 5, protowire.BytesType)
		b.records = protowire.AppendVarint(b.records, uint64(headerSize(h)))
		if len(h.Key) > 0 {
			b.records = protowire.AppendTag(b.records, 1, protowire.BytesType)
			b.records = protowire.AppendBytes(b.records, h.Key)
		}
		if len(h.Value) > 0 {
			b.records = protowire.AppendTag(b.records, 2, protowire.BytesType)
			b.records = protowire.AppendBytes(b.records, h.Value)
		}
	}
	b.n++
}

func headerSize(h RecordHeader) int {
	n := 0
	if len(h.Key) > 0 {
		n += 1 + protowire.SizeBytes(len(h.Key))
	}
	if len(h.Value) > 0 {
		n += 1 + protowire.SizeBytes(len(h.Value))
	}
	return n
}

func (b *BatchBuilder) recordSize(key, value []byte, ts int64, headers []RecordHeader) int {
	n := 0
	if b.n != 0 {
		n += 1 + protowire.SizeVarint(uint64(b.n))
	}
	if d := ts - b.firstTs; d != 0 {
		n += 1 + protowire.SizeVarint(uint64(d))
	}
	if key != nil {
		n += 1 + protowire.SizeBytes(len(key))
	}
	if value != nil {
		n += 1 + protowire.SizeBytes(len(value))
	}
	for _, h := range headers {
		n += 1 + protowire.SizeBytes(headerSize(h))
	}
	return n
}

// Len is the number of records added since the last Reset.
func (b *BatchBuilder) Len() int { return int(b.n) }

// Size is the size of the uncompressed Records message so far.
func (b *BatchBuilder) Size() int { return len(b.records) }

// Build returns the serialized batch (appended to dst), leaving the builder
// unchanged.
func (b *BatchBuilder) Build(dst []byte) ([]byte, error) {
	h := BatchHeader{
		LastOffsetDelta:  b.n - 1,
		RecordCount:      b.n,
		FirstTimestamp:   b.firstTs,
		MaxTimestamp:     b.maxTs,
		Compression:      b.Compression,
		ProducerID:       b.ProducerID,
		ProducerEpoch:    b.ProducerEpoch,
		BaseSequence:     b.BaseSequence,
		UncompressedSize: int32(len(b.records)),
		HasCRC:           true,
	}
	payload := b.records
	if b.Compression != CompressionNone && b.Compression != CompressionUnspecified {
		var err error
		payload, err = compress(b.Compression, nil, b.records)
		if err != nil {
			return nil, err
		}
		h.Compressed = true
	}
	h.CRC = CRC32C(payload)
	return AppendBatch(dst, &h, payload), nil
}

// Reset forgets all records.
func (b *BatchBuilder) Reset() {
	b.records, b.n, b.haveTime, b.firstTs, b.maxTs = b.records[:0], 0, false, 0, 0
}
