"""The interop tool (./interop) against the session broker."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest

from fjord import Admin
from harness import Cluster

TOOL = os.path.join(os.path.dirname(__file__), "..", "interop")


def run(*args: str) -> None:
    subprocess.run([TOOL, *args], check=True, timeout=60)


@pytest.mark.parametrize("compression", ["zstd", "snappy", "lz4"])
def test_interop_produce_consume(cluster: Cluster, topic_name: str, tmp_path: object, compression: str) -> None:
    d = str(tmp_path)
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=2)
    recs = [{"partition": 1, "key_b64": base64.b64encode(b"k").decode(), "value_b64": base64.b64encode(b"v").decode(),
             "headers": [{"key": "h", "value_b64": ""}], "timestamp_ms": 1700000000000},
            {"partition": 0, "key_b64": None, "value_b64": None, "headers": [], "timestamp_ms": 1700000000001},
            {"partition": 1, "key_b64": "", "value_b64": "", "headers": [], "timestamp_ms": 1700000000002}]
    with open(f"{d}/in.json", "w") as f:
        json.dump({"records": recs}, f)
    run("produce", "--bootstrap", cluster.bootstrap, "--topic", topic_name, "--input", f"{d}/in.json",
        "--output", f"{d}/acks.json", "--compression", compression)
    with open(f"{d}/acks.json") as f:
        assert json.load(f)["acks"] == [{"partition": 1, "offset": 0}, {"partition": 0, "offset": 0},
                                        {"partition": 1, "offset": 1}]
    run("consume", "--bootstrap", cluster.bootstrap, "--topic", topic_name, "--count", "3", "--output", f"{d}/out.json")
    with open(f"{d}/out.json") as f:
        out = json.load(f)["records"]
    assert [(r["partition"], r["offset"], r["key_b64"], r["value_b64"], r["timestamp_ms"]) for r in out] == [
        (0, 0, None, None, 1700000000001), (1, 0, "aw==", "dg==", 1700000000000), (1, 1, "", "", 1700000000002)]
    assert out[1]["headers"] == [{"key": "h", "value_b64": ""}]


def test_interop_avro(cluster: Cluster, topic_name: str, tmp_path: object) -> None:
    d = str(tmp_path)
    schema = {"type": "record", "name": "U", "fields": [{"name": "a", "type": "long"},
                                                         {"name": "e", "type": ["null", "string"]},
                                                         {"name": "c", "type": {"type": "enum", "name": "C",
                                                                                "symbols": ["R", "G"]}}]}
    value = {"a": 5, "e": "x", "c": "G"}
    with open(f"{d}/s.avsc", "w") as f:
        json.dump(schema, f)
    with open(f"{d}/v.json", "w") as f:
        json.dump(value, f)
    run("avro-encode", "--registry", cluster.registry_url, "--subject", topic_name + "-value", "--schema",
        f"{d}/s.avsc", "--json", f"{d}/v.json", "--output", f"{d}/out.hex")
    run("avro-decode", "--registry", cluster.registry_url, "--input", f"{d}/out.hex", "--output", f"{d}/back.json")
    with open(f"{d}/back.json") as f:
        assert json.load(f) == value
    r = subprocess.run([TOOL, "consume", "--bootstrap", cluster.bootstrap, "--topic", "missing-" + topic_name,
                        "--count", "1", "--output", f"{d}/x.json"], capture_output=True, timeout=60)
    assert r.returncode != 0 and b"UNKNOWN_TOPIC_OR_PARTITION" in r.stderr
