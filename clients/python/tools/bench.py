"""Produce then consume 100-byte records against a fresh `fjord serve`; prints records/s for both.

Run with `make bench FJORD_BIN=...`. BENCH_RECORDS overrides the count (default 500000).
"""

from __future__ import annotations

import os
import time

from fjord import Admin, Consumer, Producer
from harness import start_cluster


def main() -> None:
    n = int(os.environ.get("BENCH_RECORDS", "500000"))
    partitions = int(os.environ.get("BENCH_PARTITIONS", "1"))
    cluster = start_cluster(1)
    try:
        with Admin(cluster.bootstrap) as admin:
            admin.create_topic("bench", partitions=partitions)
        value = b"x" * 100
        with Producer(cluster.bootstrap) as p:
            start = time.perf_counter()
            send = p.send
            for _ in range(n):
                send("bench", value)
            p.flush()
            took = time.perf_counter() - start
        print(f"produce: {n} records of 100 B in {took:.2f}s: {n / took:,.0f} records/s "
              f"({n * 100 / took / 1e6:.1f} MB/s), acks=all idempotent, linger 5 ms, batch 1 MiB, {partitions} partition(s)")
        with Consumer(cluster.bootstrap) as c:
            c.assign_topic("bench")
            got = 0
            start = time.perf_counter()
            deadline = time.monotonic() + 300
            while got < n and time.monotonic() < deadline:
                got += len(c.poll(1.0))
            took = time.perf_counter() - start
        print(f"consume: {got} records in {took:.2f}s: {got / took:,.0f} records/s ({got * 100 / took / 1e6:.1f} MB/s)")
        print(f"broker: {cluster.bootstrap} (go figure: {os.environ.get('FJORD_BIN')} bench produce/consume "
              f"--brokers {cluster.bootstrap})")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
