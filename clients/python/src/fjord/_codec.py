"""Batch encoding, compression, CRC-32C and the Kafka murmur2 hash.

A RecordBatch is written field by field exactly like the Go SDK (proto3
field order, zeros absent) so that the CRC-32C covers the payload bytes as
they travel; clients/testdata/batches.json pins the bytes.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import Sequence

import cramjam
import google_crc32c
import zstandard

from fjord.errors import CorruptRecordError, REASON_CORRUPT_MESSAGE
from fjord.v1 import record_pb2

COMPRESSION_NONE = record_pb2.COMPRESSION_NONE
COMPRESSION_GZIP = record_pb2.COMPRESSION_GZIP
COMPRESSION_SNAPPY = record_pb2.COMPRESSION_SNAPPY
COMPRESSION_LZ4 = record_pb2.COMPRESSION_LZ4
COMPRESSION_ZSTD = record_pb2.COMPRESSION_ZSTD

_CODECS = {"none": COMPRESSION_NONE, "gzip": COMPRESSION_GZIP, "snappy": COMPRESSION_SNAPPY,
           "lz4": COMPRESSION_LZ4, "zstd": COMPRESSION_ZSTD}
CODEC_NAMES = tuple(_CODECS)
_MAX_DECOMPRESSED = 512 << 20


def codec_from_name(name: str) -> int:
    """Maps "none", "gzip", "snappy", "lz4" or "zstd" to the fjord.v1.Compression value."""
    try:
        return _CODECS[name]
    except KeyError:
        raise ValueError(f"fjord: unsupported compression {name!r} ({', '.join(CODEC_NAMES)})") from None


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


# Varints of small numbers, precomputed: the produce path writes several per record.
_SMALL = 1 << 14
_VARINTS = [_varint(i) for i in range(_SMALL)]


def uvarint(v: int) -> bytes:
    """The protobuf varint of v (two's complement for negative numbers)."""
    return _VARINTS[v] if 0 <= v < _SMALL else _varint(v)


def _vfield(num: int, v: int) -> bytes:
    return b"" if v == 0 else _varint(num << 3) + _varint(v)


def _ldfield(num: int, b: bytes) -> bytes:
    return _varint((num << 3) | 2) + _varint(len(b)) + b


@dataclass
class Header:
    """One record header: a name and a (possibly empty) byte value."""

    key: str
    value: bytes = b""


class Record:
    """A record as produced or consumed. key/value None means null."""

    __slots__ = ("value", "key", "headers", "timestamp_ms", "topic", "partition", "offset", "leader_epoch")

    def __init__(self, value: bytes | None, key: bytes | None = None, headers: list[Header] | None = None,
                 timestamp_ms: int = 0, topic: str = "", partition: int = -1, offset: int = -1,
                 leader_epoch: int = -1) -> None:
        self.value = value
        self.key = key
        self.headers: list[Header] = [] if headers is None else headers
        self.timestamp_ms = timestamp_ms
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.leader_epoch = leader_epoch

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return "Record(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__) + ")"


def record_tail(key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()) -> bytes:
    """The key, value and headers fields (3, 4, 5) of a serialized fjord.v1.Record."""
    out = b"" if key is None else b"\x1a" + uvarint(len(key)) + key
    if value is not None:
        out += b"\x22" + uvarint(len(value)) + value
    for h in headers:
        hb = h.key.encode()
        body = (b"\x0a" + uvarint(len(hb)) + hb if hb else b"") + \
            (b"\x12" + uvarint(len(h.value)) + h.value if h.value else b"")
        out += b"\x2a" + uvarint(len(body)) + body
    return out


def record_entry(offset_delta: int, timestamp_delta: int, tail: bytes) -> bytes:
    """One element of Records.records (field 1), serialized exactly like the deterministic protobuf
    encoding: the entries of a batch concatenated are its serialized Records payload."""
    body = (b"\x08" + uvarint(offset_delta) if offset_delta else b"") + \
        (b"\x10" + uvarint(timestamp_delta) if timestamp_delta else b"") + tail
    return b"\x0a" + uvarint(len(body)) + body


def compress(codec: int, raw: bytes) -> bytes:
    """Compresses a serialized Records payload. Snappy is the raw block format (not the framing
    format) and LZ4 the frame format, like the Go SDK (proto/fjord/v1/record.proto)."""
    if codec == COMPRESSION_GZIP:
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if codec == COMPRESSION_SNAPPY:
        return bytes(cramjam.snappy.compress_raw(raw))
    if codec == COMPRESSION_LZ4:
        return bytes(cramjam.lz4.compress(raw))
    if codec == COMPRESSION_ZSTD:
        return zstandard.ZstdCompressor().compress(raw)
    raise ValueError(f"fjord: unsupported compression {codec}")


def decompress(codec: int, data: bytes) -> bytes:
    try:
        if codec == COMPRESSION_GZIP:
            out = gzip.decompress(data)
        elif codec == COMPRESSION_SNAPPY:
            # The raw block format starts with the decoded length: refuse a bomb before allocating.
            n = cramjam.snappy.decompress_raw_len(data)
            if n > _MAX_DECOMPRESSED:
                raise CorruptRecordError(f"snappy: decompressed size {n} too large", reason=REASON_CORRUPT_MESSAGE)
            out = bytes(cramjam.snappy.decompress_raw(data))
        elif codec == COMPRESSION_LZ4:
            out = bytes(cramjam.lz4.decompress(data))
        elif codec == COMPRESSION_ZSTD:
            out = zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_DECOMPRESSED)
        else:
            raise CorruptRecordError(f"unsupported compression {codec}", reason=REASON_CORRUPT_MESSAGE)
    except (OSError, EOFError, zstandard.ZstdError, cramjam.DecompressionError) as e:
        raise CorruptRecordError(f"decompress: {e}", reason=REASON_CORRUPT_MESSAGE) from e
    if len(out) > _MAX_DECOMPRESSED:
        raise CorruptRecordError("decompressed batch too large", reason=REASON_CORRUPT_MESSAGE)
    return out


def encode_records(records: Sequence[Record], first_ts: int) -> bytes:
    """Serializes records as a fjord.v1.Records message (byte-exact with the protobuf encoding)."""
    return b"".join(record_entry(i, r.timestamp_ms - first_ts, record_tail(r.key, r.value, r.headers))
                    for i, r in enumerate(records))


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
    max_ts = batch.max_timestamp
    out: list[Record] = []
    append = out.append
    skip = from_offset - base
    for r in recs:
        od = r.offset_delta
        if od < skip:
            continue
        hs = r.headers
        append(Record(
            r.value if r.HasField("value") else None,
            r.key if r.HasField("key") else None,
            [Header(h.key, h.value) for h in hs] if hs else None,
            max_ts if log_append else first + r.timestamp_delta,
            topic, partition, base + od, epoch,
        ))
    return out
