"""Shared cross-language vectors in clients/testdata."""

from __future__ import annotations

import io
import json
import os
import struct

import fastavro
import pytest

from conftest import TESTDATA
from fjord import FjordError, Header, Record, UnknownTopicError, errors, key_partition, murmur2
from fjord._codec import crc32c, decode_batch, decompress, encode_batch, encode_records
from fjord.v1 import common_pb2, record_pb2


def load(name: str) -> list[dict]:  # type: ignore[type-arg]
    with open(os.path.join(TESTDATA, name)) as f:
        return json.load(f)["cases"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", load("murmur2.json"), ids=lambda c: c["key"][:20])
def test_murmur2(case: dict) -> None:  # type: ignore[type-arg]
    assert murmur2(case["key"].encode()) == case["murmur2"]
    for n, p in case["partitions"].items():
        assert key_partition(case["key"].encode(), int(n)) == p


def _records(case: dict) -> list[Record]:  # type: ignore[type-arg]
    def b(h: str | None) -> bytes | None:
        return None if h is None else bytes.fromhex(h)
    return [Record(value=b(r["value_hex"]), key=b(r["key_hex"]), timestamp_ms=r["timestamp_ms"],
                   headers=[Header(h["key"], bytes.fromhex(h["value_hex"])) for h in r["headers"]])
            for r in case["records"]]


@pytest.mark.parametrize("case", load("batches.json"), ids=lambda c: c["name"])
def test_batches(case: dict) -> None:  # type: ignore[type-arg]
    recs = _records(case)
    raw = encode_records(recs, recs[0].timestamp_ms)
    assert raw.hex() == case["records_hex"]
    assert crc32c(raw) == case["crc32c"]
    batch = encode_batch(recs, 0, case["producer_id"], case["producer_epoch"], case["base_sequence"])
    assert batch.hex() == case["batch_hex"]
    for key in ("batch_hex", "batch_gzip_hex", "batch_zstd_hex"):
        got = decode_batch(record_pb2.RecordBatch.FromString(bytes.fromhex(case[key])), "t", 0)
        assert [(r.key, r.value, r.headers, r.timestamp_ms, r.offset) for r in got] == \
               [(r.key, r.value, r.headers, r.timestamp_ms, i) for i, r in enumerate(recs)]


@pytest.mark.parametrize("case", load("batches_more_codecs.json"), ids=lambda c: c["name"])
def test_snappy_lz4_batches_from_go(case: dict) -> None:  # type: ignore[type-arg]
    """Snappy (raw block) and LZ4 (frame) batches written by the Go SDK decode to their records;
    ours, written with the same codecs, decode too and carry the same uncompressed payload."""
    recs = _records(case)
    want = [(r.key, r.value, r.headers, r.timestamp_ms, i) for i, r in enumerate(recs)]
    for key, codec in (("batch_snappy_hex", record_pb2.COMPRESSION_SNAPPY), ("batch_lz4_hex", record_pb2.COMPRESSION_LZ4)):
        go = record_pb2.RecordBatch.FromString(bytes.fromhex(case[key]))
        assert go.compression == codec
        assert decompress(codec, go.compressed_records).hex() == case["records_hex"]
        got = decode_batch(go, "t", 0)
        assert [(r.key, r.value, r.headers, r.timestamp_ms, r.offset) for r in got] == want
        ours = record_pb2.RecordBatch.FromString(encode_batch(recs, codec))
        assert ours.compression == codec and ours.uncompressed_size == go.uncompressed_size
        assert decompress(codec, ours.compressed_records).hex() == case["records_hex"]
        got = decode_batch(ours, "t", 0)
        assert [(r.key, r.value, r.headers, r.timestamp_ms, r.offset) for r in got] == want


@pytest.mark.parametrize("codec", [record_pb2.COMPRESSION_SNAPPY, record_pb2.COMPRESSION_LZ4])
def test_snappy_lz4_garbage_is_corrupt(codec: int) -> None:
    with pytest.raises(FjordError) as ei:
        decompress(codec, b"\xff\xff\xff\xff\x0fgarbage")
    assert ei.value.reason == "CORRUPT_MESSAGE"


def test_snappy_length_bomb_refused() -> None:
    # A raw snappy block announcing 1 GiB of output is refused before decoding.
    with pytest.raises(FjordError, match="too large"):
        decompress(record_pb2.COMPRESSION_SNAPPY, bytes([0x80, 0x80, 0x80, 0x80, 0x04]) + b"\x00")


def test_corrupt_batch_detected() -> None:
    case = load("batches.json")[0]
    b = record_pb2.RecordBatch.FromString(bytes.fromhex(case["batch_zstd_hex"]))
    b.crc ^= 1
    with pytest.raises(FjordError) as ei:
        decode_batch(b, "t", 0)
    assert ei.value.reason == "CORRUPT_MESSAGE"


@pytest.mark.parametrize("case", load("avro_wire.json"), ids=lambda c: c["schema"][:30])
def test_avro_wire(case: dict) -> None:  # type: ignore[type-arg]
    schema = fastavro.parse_schema(json.loads(case["schema"]))
    buf = io.BytesIO()
    buf.write(struct.pack(">bI", 0, case["id"]))
    fastavro.schemaless_writer(buf, schema, json.loads(case["json"]))
    assert buf.getvalue().hex() == case["hex"]
    data = bytes.fromhex(case["hex"])
    assert fastavro.schemaless_reader(io.BytesIO(data[5:]), schema, None) == json.loads(case["json"])


def test_error_from_proto() -> None:
    pe = common_pb2.Error(code=5, reason="UNKNOWN_TOPIC_OR_PARTITION", message="no such topic",
                          metadata={"topic": "x", "partition": "3"})
    e = errors.from_proto(pe)
    assert isinstance(e, UnknownTopicError) and e.topic == "x" and e.partition == 3 and not e.retriable
    e2 = errors.from_proto(common_pb2.Error(code=14, reason="NOT_LEADER_OR_FOLLOWER"))
    assert e2 is not None and e2.retriable
    e3 = errors.from_proto(common_pb2.Error(code=4, reason="REQUEST_TIMED_OUT"))
    assert e3 is not None and e3.retriable and e3.indefinite
    assert errors.from_proto(common_pb2.Error()) is None
