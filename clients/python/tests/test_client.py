"""The SDK against a real single `fjord serve` (session fixture)."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from fjord import (Admin, AvroDeserializer, AvroSerializer, Consumer, FjordError, Producer, RecordMetadata,
                   RecordTooLargeError, SchemaError, SchemaRegistryClient, TopicExistsError, TopicPartition,
                   UnknownTopicError)
from fjord.aio import AsyncConsumer, AsyncProducer
from harness import Cluster


def consume_all(bootstrap: str, topic: str, n: int, timeout: float = 20.0, **kw: object) -> list:  # type: ignore[type-arg]
    out = []
    with Consumer(bootstrap, **kw) as c:  # type: ignore[arg-type]
        c.assign_topic(topic)
        deadline = time.monotonic() + timeout
        while len(out) < n and time.monotonic() < deadline:
            out.extend(c.poll(0.5))
    return out


@pytest.mark.parametrize("compression", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_round_trip_keys_headers(cluster: Cluster, topic_name: str, compression: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=3)
    delivered: list[RecordMetadata] = []
    with Producer(cluster.bootstrap, compression=compression, linger_ms=2) as p:
        futs = [p.send(topic_name, f"v{i}".encode(), f"k{i % 7}".encode(), headers=[("h", bytes([i % 256])), ("h", b"")],
                       callback=lambda e, md: delivered.append(md))  # type: ignore[arg-type]
                for i in range(300)]
        null = p.send(topic_name, None, None, partition=1).result(10)
        mds = [f.result(10) for f in futs]
    assert len(delivered) == 300
    assert all(md.timestamp_ms > 1_700_000_000_000 for md in mds)
    got = consume_all(cluster.bootstrap, topic_name, 301)
    assert len(got) == 301
    by_val = {r.value: r for r in got}
    for i, md in enumerate(mds):
        r = by_val[f"v{i}".encode()]
        assert (r.partition, r.offset, r.key) == (md.partition, md.offset, f"k{i % 7}".encode())
        assert [(h.key, h.value) for h in r.headers] == [("h", bytes([i % 256])), ("h", b"")]
    # Same key -> same partition (murmur2), per-partition order kept.
    parts: dict[bytes, set[int]] = {}
    for r in got:
        if r.key is not None:
            parts.setdefault(r.key, set()).add(r.partition)
    assert all(len(s) == 1 for s in parts.values())
    assert any(r.value is None and r.key is None and r.offset == null.offset for r in got)


def test_keyless_sticky_and_custom_partitioner(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=4)
    with Producer(cluster.bootstrap, partitioner=lambda t, k, n: n - 1) as p:
        assert {p.send(topic_name, b"x").result(10).partition for _ in range(5)} == {3}
    with Producer(cluster.bootstrap, linger_ms=50) as p:
        mds = [f.result(10) for f in [p.send(topic_name, b"y") for _ in range(50)]]
    assert len({m.partition for m in mds}) == 1  # one batch, one partition


def test_bad_inputs(cluster: Cluster, topic_name: str) -> None:
    with Producer(cluster.bootstrap, delivery_timeout=5) as p:
        with pytest.raises(UnknownTopicError) as ei:
            p.send("no-such-topic-" + topic_name, b"x").result(10)
        assert ei.value.reason == "UNKNOWN_TOPIC_OR_PARTITION" and not ei.value.retriable
        with Admin(cluster.bootstrap) as admin:
            admin.create_topic(topic_name, partitions=1, configs={"max.message.bytes": "2048"})
            with pytest.raises(TopicExistsError):
                admin.create_topic(topic_name, partitions=1)
            with pytest.raises(FjordError) as bad:
                admin.create_topic("bad/name", partitions=1)
            assert bad.value.reason == "INVALID_TOPIC"
        with pytest.raises(RecordTooLargeError) as big:
            p.send(topic_name, b"x" * 4096).result(10)
        assert big.value.reason == "MESSAGE_TOO_LARGE"
        with pytest.raises(UnknownTopicError):
            p.send(topic_name, b"x", partition=5).result(10)
        assert p.send(topic_name, b"ok").result(10).offset == 0
    with Producer(cluster.bootstrap, max_request_bytes=1000) as p:
        with pytest.raises(RecordTooLargeError) as local:
            p.send(topic_name, b"x" * 2000).result(10)
        assert local.value.reason == "RECORD_TOO_LARGE"


def test_admin_configs_and_offsets(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=2)
        assert admin.list_topics()[topic_name] == 2
        admin.alter_configs(topic_name, set={"retention.ms": "3600000"})
        assert admin.describe_configs(topic_name)["retention.ms"] == "3600000"
        admin.create_partitions(topic_name, 3)
        assert len(admin.describe_topic(topic_name).partitions) == 3
        with Producer(cluster.bootstrap) as p:
            for i in range(5):
                p.send(topic_name, b"v", partition=0)
        assert admin.list_offsets(topic_name) == {0: 5, 1: 0, 2: 0}
        admin.delete_topic(topic_name)
        assert topic_name not in admin.list_topics()
        with pytest.raises(UnknownTopicError):
            admin.describe_topic(topic_name)


def test_commit_resume_seek_pause(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=1)
    with Producer(cluster.bootstrap) as p:
        for i in range(20):
            p.send(topic_name, str(i).encode())
    tp = TopicPartition(topic_name, 0)
    group = "g-" + topic_name
    with Consumer(cluster.bootstrap, group_id=group, enable_auto_commit=False) as c:
        c.assign([tp])
        got: list = []  # type: ignore[type-arg]
        while len(got) < 20:
            got.extend(c.poll(1))
        c.commit({tp: 12})
        c.seek(tp, 3)
        assert c.poll(5)[0].offset == 3
        c.pause([tp])
        assert c.poll(0.3) == []
        c.seek(tp, 19)
        c.resume([tp])
        assert [r.offset for r in c.poll(5)] == [19]
    with Consumer(cluster.bootstrap, group_id=group) as c:
        c.assign([tp])
        first = c.poll(5)
        assert first[0].offset == 12 and first[0].value == b"12"
    with Admin(cluster.bootstrap) as admin:
        assert admin.group_offsets(group)[tp] == 20  # auto-commit on close
        admin.reset_offsets(group, [tp], earliest=True)
        assert admin.group_offsets(group)[tp] == 0


def test_group_of_three_with_member_leaving(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=6)
    group = "g-" + topic_name
    n_records = 600
    with Producer(cluster.bootstrap) as p:
        for i in range(n_records):
            p.send(topic_name, str(i).encode(), str(i).encode())
    seen: dict[bytes, int] = {}
    lock = threading.Lock()
    events: dict[int, list[tuple[str, set[TopicPartition]]]] = {0: [], 1: [], 2: []}
    consumers = []
    for i in range(3):
        c = Consumer(cluster.bootstrap, group_id=group, session_timeout_ms=3000, auto_commit_interval=0.2)
        c.subscribe([topic_name], on_assigned=lambda s, i=i: events[i].append(("assigned", s)),
                     on_revoked=lambda s, i=i: events[i].append(("revoked", s)))
        consumers.append(c)
    stop = threading.Event()

    def run(c: Consumer, until: threading.Event) -> None:
        while not until.is_set():
            for r in c.poll(0.2):
                with lock:
                    seen[r.value] = seen.get(r.value, 0) + 1  # type: ignore[index]

    leave0 = threading.Event()
    threads = [threading.Thread(target=run, args=(c, leave0 if i == 0 else stop)) for i, c in enumerate(consumers)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(len(c.assignment()) == 2 for c in consumers):
            time.sleep(0.05)
        assert [len(c.assignment()) for c in consumers] == [2, 2, 2]
        leave0.set()
        threads[0].join(5)
        consumers[0].close()
        with Producer(cluster.bootstrap) as p:
            for i in range(n_records, 2 * n_records):
                p.send(topic_name, str(i).encode(), str(i).encode())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                if len(seen) >= 2 * n_records and sum(len(c.assignment()) for c in consumers[1:]) == 6:
                    break
            time.sleep(0.05)
        assert len(seen) == 2 * n_records
        assert sorted(len(c.assignment()) for c in consumers[1:]) == [3, 3]
        assert ("revoked", consumers[0].assignment() or events[0][-1][1]) in events[0]
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        for c in consumers:
            c.close()


def test_avro_round_trip(cluster: Cluster, topic_name: str) -> None:
    reg = SchemaRegistryClient(cluster.registry_url)
    schema = json.dumps({"type": "record", "name": "User", "fields": [
        {"name": "name", "type": "string"}, {"name": "age", "type": "int"},
        {"name": "email", "type": ["null", "string"], "default": None}]})
    ser = AvroSerializer(reg, topic_name + "-value", schema)
    de = AvroDeserializer(reg)
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=1)
    with Producer(cluster.bootstrap) as p:
        p.send(topic_name, ser({"name": "ann", "age": 3, "email": None})).result(10)
        p.send(topic_name, ser({"name": "bo", "age": 4, "email": "b@x"})).result(10)
    got = consume_all(cluster.bootstrap, topic_name, 2)
    assert [de(r.value) for r in got] == [{"name": "ann", "age": 3, "email": None},
                                         {"name": "bo", "age": 4, "email": "b@x"}]
    assert got[0].value[:1] == b"\x00"
    sid = int.from_bytes(got[0].value[1:5], "big")
    assert json.loads(SchemaRegistryClient(cluster.registry_url).get_schema(sid))["name"] == "User"
    with pytest.raises(SchemaError):
        AvroSerializer(reg, topic_name + "-x", '{"type": "nosuchtype"}')  # bad schema, refused locally
    with pytest.raises(SchemaError) as reg_err:
        reg.register(topic_name + "-x", '{"type": "record", "name": "X"}')  # bad schema, refused by the registry
    assert reg_err.value.metadata["http_status"] == "422"
    with pytest.raises(SchemaError):
        ser({"name": "ann"})  # value does not match
    incompatible = json.dumps({"type": "record", "name": "User", "fields": [{"name": "name", "type": "int"}]})
    with pytest.raises(SchemaError) as ei:
        AvroSerializer(reg, topic_name + "-value", incompatible)({"name": 1})
    assert ei.value.metadata["http_status"] == "409"


async def test_asyncio(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=2)
    async with AsyncProducer(cluster.bootstrap) as p:
        mds = await asyncio.gather(*[p.send_nowait(topic_name, b"a%d" % i, b"k") for i in range(10)])
        assert len({m.partition for m in mds}) == 1
        one = await p.send(topic_name, b"last", b"k")
        assert one.offset == 10
    got = []
    async with AsyncConsumer(cluster.bootstrap, group_id="g-" + topic_name) as c:
        c.subscribe([topic_name])
        async for r in c:
            got.append(r)
            if len(got) == 11:
                break
    assert got[-1].value == b"last"
