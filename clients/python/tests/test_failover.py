"""Leader failover on a 3-broker cluster: no acknowledged record is lost or duplicated."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fjord import Admin, Consumer, Producer, RecordMetadata
from fjord.errors import TopicExistsError, UnknownTopicError
from harness import Cluster, start_cluster


@pytest.fixture(scope="module")
def cluster3() -> Iterator[Cluster]:
    c = start_cluster(3)
    try:
        yield c
    finally:
        c.stop()


def test_leader_failover_keeps_acknowledged_records(cluster3: Cluster) -> None:
    topic = "failover"
    with Admin(cluster3.bootstrap) as admin:
        deadline = time.monotonic() + 30
        while True:
            try:
                admin.create_topic(topic, partitions=2, replication_factor=3)
                break
            except TopicExistsError:
                break  # an earlier attempt's answer was lost
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # The broker answering may learn of the new topic a moment after the
        # controller committed it.
        while True:
            try:
                leader_id = admin.describe_topic(topic).partitions[0].leader_id
                if leader_id >= 0:
                    break
            except UnknownTopicError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"topic {topic} has no leader after 30 s")
            time.sleep(0.1)
    acked: list[tuple[RecordMetadata, bytes]] = []
    failed = 0
    with Producer(cluster3.bootstrap, acks="all", idempotence=True, linger_ms=1, delivery_timeout=30) as p:
        def burst(start: int, n: int) -> None:
            nonlocal failed
            futs = [(p.send(topic, b"%06d" % i, partition=i % 2), b"%06d" % i) for i in range(start, start + n)]
            for f, v in futs:
                try:
                    acked.append((f.result(40), v))
                except Exception:
                    failed += 1
        burst(0, 300)
        futs_mid = [(p.send(topic, b"%06d" % i, partition=i % 2), b"%06d" % i) for i in range(300, 600)]
        victim = next(b for b in cluster3.brokers if b.node_id == leader_id)
        victim.kill()  # SIGKILL mid-stream
        for f, v in futs_mid:
            try:
                acked.append((f.result(40), v))
            except Exception:
                failed += 1
        burst(600, 300)
    assert len(acked) >= 600, f"only {len(acked)} acknowledged, {failed} failed"
    expect: dict[int, list[tuple[int, bytes]]] = {0: [], 1: []}
    for md, v in acked:
        expect[md.partition].append((md.offset, v))
    with Consumer(cluster3.bootstrap) as c:
        c.assign_topic(topic)
        got: dict[int, list[tuple[int, bytes]]] = {0: [], 1: []}
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and sum(len(x) for x in got.values()) < len(acked):
            for r in c.poll(0.5):
                got[r.partition].append((r.offset, r.value))  # type: ignore[arg-type]
    for part in (0, 1):
        values = [v for _, v in got[part]]
        assert len(values) == len(set(values)), f"partition {part} has duplicates"
        assert values == sorted(values), f"partition {part} out of order"
        have = dict(got[part])
        for off, v in expect[part]:
            assert have.get(off) == v, f"acknowledged record {v!r} at {part}/{off} lost"
