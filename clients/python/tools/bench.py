"""Produce then consume 100-byte records against a fresh `fjord serve`; prints records/s for both.

Run with `make bench FJORD_BIN=...`. BENCH_RECORDS overrides the count (default 1000000),
BENCH_PARTITIONS the partitions (default 1); BENCH_BOOTSTRAP=host:port uses a running broker
instead (with a new topic, BENCH_TOPIC), e.g. to compare with `fjord bench` on the same broker.
"""

from __future__ import annotations

import os
import time
import uuid

from fjord import Admin, Consumer, Producer


def run(bootstrap: str, topic: str, n: int, partitions: int) -> None:
    with Admin(bootstrap) as admin:
        admin.create_topic(topic, partitions=partitions)
    value = b"x" * 100
    with Producer(bootstrap) as p:
        start = time.perf_counter()
        send = p.send
        for _ in range(n):
            send(topic, value)
        p.flush()
        took = time.perf_counter() - start
    print(f"produce: {n} records of 100 B in {took:.2f}s: {n / took:,.0f} records/s "
          f"({n * 100 / took / 1e6:.1f} MB/s), acks=all idempotent, linger 5 ms, batch 1 MiB, {partitions} partition(s)")
    with Consumer(bootstrap) as c:
        c.assign_topic(topic)
        got = 0
        start = time.perf_counter()
        deadline = time.monotonic() + 300
        while got < n and time.monotonic() < deadline:
            got += len(c.poll(1.0))
        took = time.perf_counter() - start
    print(f"consume: {got} records in {took:.2f}s: {got / took:,.0f} records/s ({got * 100 / took / 1e6:.1f} MB/s)")


def main() -> None:
    n = int(os.environ.get("BENCH_RECORDS", "1000000"))
    partitions = int(os.environ.get("BENCH_PARTITIONS", "1"))
    topic = os.environ.get("BENCH_TOPIC", "bench-" + uuid.uuid4().hex[:8])
    if os.environ.get("BENCH_BOOTSTRAP"):
        run(os.environ["BENCH_BOOTSTRAP"], topic, n, partitions)
        return
    from harness import start_cluster
    cluster = start_cluster(1)
    try:
        run(cluster.bootstrap, topic, n, partitions)
        print(f"broker: {cluster.bootstrap} (go figure: {os.environ.get('FJORD_BIN')} bench produce --brokers "
              f"{cluster.bootstrap} --topic go --records {n} --record-size 100 --linger 5ms; bench consume "
              f"--topic go)")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
