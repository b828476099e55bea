"""A batch the broker rejects with MESSAGE_TOO_LARGE is split, like the Go SDK does."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from fjord import Admin, FjordError, Producer, RecordMetadata, RecordTooLargeError
from harness import Cluster
from test_client import consume_all


def test_split_batch_over_max_message_bytes(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=1, configs={"max.message.bytes": "2048"})
    calls: Counter[int] = Counter()
    lock = threading.Lock()

    def cb(i: int):  # type: ignore[no-untyped-def]
        def done(err: FjordError | None, md: RecordMetadata | None) -> None:
            with lock:
                calls[i] += 1
        return done

    values = [f"{i:03d}".encode() + bytes([65 + i % 26]) * 297 for i in range(40)]
    # A long linger and a large batch_bytes: the 40 records (~12 KB) go in one batch the broker rejects.
    with Producer(cluster.bootstrap, linger_ms=5000, idempotence=True) as p:
        futs = [p.send(topic_name, v, partition=0, callback=cb(i)) for i, v in enumerate(values)]
        assert p.flush(10)
        assert [f.result(0).offset for f in futs] == list(range(40))

        # One record alone too large among small ones: only it fails.
        small = [f"s{i}".encode() * 50 for i in range(10)]
        futs2 = [p.send(topic_name, v, partition=0, callback=cb(100 + i)) for i, v in enumerate(small[:5])]
        big = p.send(topic_name, b"x" * 4000, partition=0, callback=cb(200))
        futs2 += [p.send(topic_name, v, partition=0, callback=cb(105 + i)) for i, v in enumerate(small[5:])]
        assert p.flush(10)
        with pytest.raises(RecordTooLargeError) as ei:
            big.result(0)
        assert ei.value.reason == "MESSAGE_TOO_LARGE"
        assert [f.result(0).offset for f in futs2] == list(range(40, 50))
    assert set(calls.values()) == {1} and len(calls) == 51  # every callback ran exactly once
    got = consume_all(cluster.bootstrap, topic_name, 50, timeout=10)
    assert [r.offset for r in got] == list(range(50))
    assert [r.value for r in got] == values + small
