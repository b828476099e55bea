"""The cross-SDK interop tool (see the SDK contract): produce, consume, avro-encode, avro-decode."""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from typing import Any

from fjord import AvroDeserializer, AvroSerializer, Consumer, FjordError, Producer, SchemaRegistryClient


def b64(b: bytes | None) -> str | None:
    return None if b is None else base64.b64encode(b).decode()


def unb64(s: str | None) -> bytes | None:
    return None if s is None else base64.b64decode(s)


def produce(a: argparse.Namespace) -> None:
    with open(a.input) as f:
        records = json.load(f)["records"]
    with Producer(a.bootstrap, acks="all", idempotence=True, compression=a.compression) as p:
        futs = [p.send(a.topic, unb64(r.get("value_b64")), unb64(r.get("key_b64")), partition=int(r["partition"]),
                       headers=[(h["key"], unb64(h.get("value_b64")) or b"") for h in r.get("headers") or []],
                       timestamp_ms=r.get("timestamp_ms"))
                for r in records]
        acks = [f.result(60) for f in futs]
    with open(a.output, "w") as f:
        json.dump({"acks": [{"partition": m.partition, "offset": m.offset} for m in acks]}, f)


def consume(a: argparse.Namespace) -> None:
    out: list[Any] = []
    deadline = time.monotonic() + a.timeout_ms / 1000.0
    with Consumer(a.bootstrap) as c:
        c.assign_topic(a.topic)
        while len(out) < a.count:
            if time.monotonic() > deadline:
                raise SystemExit(f"interop: consume: {len(out)} of {a.count} records before the timeout")
            out.extend(c.poll(0.5))
    out.sort(key=lambda r: (r.partition, r.offset))
    with open(a.output, "w") as f:
        json.dump({"records": [{"partition": r.partition, "offset": r.offset, "key_b64": b64(r.key),
                                "value_b64": b64(r.value), "timestamp_ms": r.timestamp_ms,
                                "headers": [{"key": h.key, "value_b64": b64(h.value)} for h in r.headers]}
                               for r in out]}, f)


def avro_encode(a: argparse.Namespace) -> None:
    with open(a.schema) as f:
        schema = f.read()
    with open(a.json) as f:
        value = json.load(f)
    data = AvroSerializer(SchemaRegistryClient(a.registry), a.subject, schema)(value)
    with open(a.output, "w") as f:
        f.write(data.hex())


def avro_decode(a: argparse.Namespace) -> None:
    with open(a.input) as f:
        data = bytes.fromhex(f.read().strip())
    value = AvroDeserializer(SchemaRegistryClient(a.registry))(data)
    with open(a.output, "w") as f:
        json.dump(value, f)


def main() -> None:
    ap = argparse.ArgumentParser(prog="interop")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--compression", default="none", choices=["none", "gzip", "snappy", "lz4", "zstd"])
    c = sub.add_parser("consume")
    c.add_argument("--bootstrap", required=True)
    c.add_argument("--topic", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--output", required=True)
    c.add_argument("--timeout-ms", type=int, default=20000)
    e = sub.add_parser("avro-encode")
    e.add_argument("--registry", required=True)
    e.add_argument("--subject", required=True)
    e.add_argument("--schema", required=True)
    e.add_argument("--json", required=True)
    e.add_argument("--output", required=True)
    d = sub.add_parser("avro-decode")
    d.add_argument("--registry", required=True)
    d.add_argument("--input", required=True)
    d.add_argument("--output", required=True)
    a = ap.parse_args()
    try:
        {"produce": produce, "consume": consume, "avro-encode": avro_encode, "avro-decode": avro_decode}[a.cmd](a)
    except (FjordError, OSError, ValueError, KeyError) as err:
        print(f"interop: {a.cmd}: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
