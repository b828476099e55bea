"""Batch encoding, compression, CRC-32C and the Kafka murmur2 hash.

A RecordBatch is written field by field exactly like the Go SDK (proto3
field order, zeros absent) so that the CRC-32C covers the payload bytes as
they travel; clients/testdata/batches.json pins the bytes.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from typing import Sequence

import google_crc32c
import zstandard

from fjord.errors import CorruptRecordError, REASON_CORRUPT_MESSAGE
from fjord.v1 import record_pb2

COMPRESSION_NONE = record_pb2.COMPRESSION_NONE
COMPRESSION_GZIP = record_pb2.COMPRESSION_GZIP
COMPRESSION_ZSTD = record_pb2.COMPRESSION_ZSTD

_CODECS = {"none": COMPRESSION_NONE, "gzip": COMPRESSION_GZIP, "zstd": COMPRESSION_ZSTD}
_MAX_DECOMPRESSED = 512 << 20


def codec_from_name(name: str) -> int:
    """Maps "none", "gzip" or "zstd" to the fjord.v1.Compression value."""
    try:
        return _CODECS[name]
    except KeyError:
        raise ValueError(f"fjord: unsupported compression {name!r} (none, gzip, zstd)") from None


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of data."""
    return int(google_crc32c.value(data))


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash (org.apache.kafka.common.utils.Utils.murmur2) as a signed 32-bit int."""
    m, r, mask = 0x5BD1E995, 24, 0xFFFFFFFF
    length = len(data)
    h = (0x9747B28C ^ length) & mask
    n4 = length & ~3
    for i in range(0, n4, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = ((h * m) & mask) ^ k
    rest = length & 3
    if rest == 3:
        h ^= data[n4 + 2] << 16
    if rest >= 2:
        h ^= data[n4 + 1] << 8
    if rest >= 1:
        h ^= data[n4]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def key_partition(key: bytes, num_partitions: int) -> int:
    """Kafka's default partition of a key: positive murmur2 modulo the partition count."""
    return (murmur2(key) & 0x7FFFFFFF) % num_partitions


def _varint(v: int) -> bytes:
    v &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def _vfield(num: int, v: int) -> bytes:
    return b"" if v == 0 else _varint(num << 3) + _varint(v)


def _ldfield(num: int, b: bytes) -> bytes:
    return _varint((num << 3) | 2) + _varint(len(b)) + b


@dataclass
class Header:
    """One record header: a name and a (possibly empty) byte value."""

    key: str
    value: bytes = b""


@dataclass
class Record:
    """A record as produced or consumed. key/value None means null."""

    value: bytes | None
    key: bytes | None = None
    headers: list[Header] = field(default_factory=list)
    timestamp_ms: int = 0
    topic: str = ""
    partition: int = -1
    offset: int = -1
    leader_epoch: int = -1


def compress(codec: int, raw: bytes) -> bytes:
    if codec == COMPRESSION_GZIP:
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if codec == COMPRESSION_ZSTD:
        return zstandard.ZstdCompressor().compress(raw)
    raise ValueError(f"fjord: unsupported compression {codec}")


def decompress(codec: int, data: bytes) -> bytes:
    try:
        if codec == COMPRESSION_GZIP:
            out = gzip.decompress(data)
        elif codec == COMPRESSION_ZSTD:
            out = zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_DECOMPRESSED)
        else:
            raise CorruptRecordError(f"unsupported compression {codec}", reason=REASON_CORRUPT_MESSAGE)
    except (OSError, EOFError, zstandard.ZstdError) as e:
        raise CorruptRecordError(f"decompress: {e}", reason=REASON_CORRUPT_MESSAGE) from e
    if len(out) > _MAX_DECOMPRESSED:
        raise CorruptRecordError("decompressed batch too large", reason=REASON_CORRUPT_MESSAGE)
    return out


def encode_records(records: Sequence[Record], first_ts: int) -> bytes:
    """Serializes records as a fjord.v1.Records message."""
    msg = record_pb2.Records()
    add = msg.records.add
    for i, r in enumerate(records):
        rec = add(offset_delta=i, timestamp_delta=r.timestamp_ms - first_ts)
        if r.key is not None:
            rec.key = r.key
        if r.value is not None:
            rec.value = r.value
        for h in r.headers:
            rec.headers.add(key=h.key, value=h.value)
    return msg.SerializeToString(deterministic=True)


def encode_batch(records: Sequence[Record], codec: int = COMPRESSION_NONE, producer_id: int = 0,
                 producer_epoch: int = 0, base_sequence: int = 0) -> bytes:
    """Serializes records (timestamps set) as one fjord.v1.RecordBatch, byte for byte like the Go SDK."""
    if not records:
        raise ValueError("fjord: empty batch")
    first = records[0].timestamp_ms
    max_ts = max(r.timestamp_ms for r in records)
    raw = encode_records(records, first)
    return finish_batch(raw, len(records), first, max_ts, codec, producer_id, producer_epoch, base_sequence)


def finish_batch(raw: bytes, n: int, first: int, max_ts: int, codec: int, producer_id: int = 0,
                 producer_epoch: int = 0, base_sequence: int = 0) -> bytes:
    compressed = codec not in (0, COMPRESSION_NONE)
    payload = compress(codec, raw) if compressed else raw
    hdr = b"".join((
        _vfield(3, n - 1), _vfield(4, n), _vfield(5, first), _vfield(6, max_ts),
        _vfield(8, codec) if compressed else b"",
        _vfield(9, producer_id), _vfield(10, producer_epoch), _vfield(11, base_sequence),
        b"\x65" + crc32c(payload).to_bytes(4, "little"),
        _vfield(13, len(raw)),
    ))
    return hdr + _ldfield(15 if compressed else 14, payload)


def decode_batch(batch: record_pb2.RecordBatch, topic: str, partition: int, from_offset: int = 0) -> list[Record]:
    """Decodes a fetched RecordBatch, verifying its CRC, and returns its records at or after from_offset."""
    which = batch.WhichOneof("payload")
    if which == "compressed_records":
        payload = batch.compressed_records
        if batch.HasField("crc") and crc32c(payload) != batch.crc:
            raise CorruptRecordError(f"batch crc {batch.crc:08x}, payload has {crc32c(payload):08x}",
                                     reason=REASON_CORRUPT_MESSAGE, topic=topic, partition=partition)
        recs = record_pb2.Records.FromString(decompress(batch.compression, payload)).records
    elif which == "records":
        recs = batch.records.records
        if batch.HasField("crc"):
            got = crc32c(batch.records.SerializeToString(deterministic=True))
            if got != batch.crc:
                raise CorruptRecordError(f"batch crc {batch.crc:08x}, payload has {got:08x}",
                                         reason=REASON_CORRUPT_MESSAGE, topic=topic, partition=partition)
    else:
        return []
    base, first, epoch = batch.base_offset, batch.first_timestamp, batch.leader_epoch
    log_append = batch.timestamp_type == record_pb2.TIMESTAMP_TYPE_LOG_APPEND_TIME
    out: list[Record] = []
    for r in recs:
        off = base + r.offset_delta
        if off < from_offset:
            continue
        out.append(Record(
            value=r.value if r.HasField("value") else None,
            key=r.key if r.HasField("key") else None,
            headers=[Header(h.key, h.value) for h in r.headers],
            timestamp_ms=batch.max_timestamp if log_append else first + r.timestamp_delta,
            topic=topic, partition=partition, offset=off, leader_epoch=epoch,
        ))
    return out
