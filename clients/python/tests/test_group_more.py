"""Group membership against a real broker: max_poll_interval, subscription changes, regex subscriptions."""

from __future__ import annotations

import time
from collections.abc import Callable

from fjord import Admin, Consumer, Producer, TopicPartition
from harness import Cluster


def poll_until(what: str, cond: Callable[[], bool], *consumers: Consumer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting until {what}: " + \
            ", ".join(str(sorted(c.assignment())) for c in consumers)
        for c in consumers:
            c.poll(0.05)


def test_max_poll_interval(cluster: Cluster, topic_name: str) -> None:
    # A member that stops polling leaves after max_poll_interval: its partitions move to the other
    # member; its next poll() reports them lost and rejoins, and the group rebalances again.
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name, partitions=2)
    group = "g-" + topic_name
    lost: list[set[TopicPartition]] = []
    slow = Consumer(cluster.bootstrap, group_id=group, session_timeout_ms=3000, max_poll_interval=0.5)
    other = Consumer(cluster.bootstrap, group_id=group, session_timeout_ms=3000, fetch_max_wait_ms=20)
    try:
        slow.subscribe([topic_name], on_lost=lost.append)
        poll_until("slow owns both partitions", lambda: len(slow.assignment()) == 2, slow)
        other.subscribe([topic_name])
        # slow stops polling: it keeps both until it leaves, then other takes them.
        poll_until("other owns both partitions", lambda: len(other.assignment()) == 2, other, timeout=20)
        assert len(slow.assignment()) == 2  # changes only inside poll()
        slow.poll(0.05)
        assert lost == [{TopicPartition(topic_name, 0), TopicPartition(topic_name, 1)}]
        assert slow.assignment() == set()
        poll_until("the partitions are shared again",
                   lambda: len(slow.assignment()) == 1 and len(other.assignment()) == 1, slow, other)
    finally:
        slow.close()
        other.close()


def test_resubscribe_and_pattern(cluster: Cluster, topic_name: str) -> None:
    a, b, c = (f"{topic_name}.{x}" for x in "abc")
    with Admin(cluster.bootstrap) as admin:
        for t in (a, b):
            admin.create_topic(t, partitions=1)
    with Producer(cluster.bootstrap) as p:
        for t in (a, b):
            p.send(t, t.encode(), partition=0)
    group = "g-" + topic_name
    revoked: list[set[TopicPartition]] = []
    with Consumer(cluster.bootstrap, group_id=group, session_timeout_ms=3000, fetch_max_wait_ms=20) as cons:
        cons.subscribe([a], on_revoked=revoked.append)
        poll_until("a is assigned", lambda: cons.assignment() == {TopicPartition(a, 0)}, cons)
        # Another topic list on the running member: a is revoked, b assigned.
        cons.subscribe([b])
        poll_until("b replaces a", lambda: cons.assignment() == {TopicPartition(b, 0)}, cons)
        # A regex: every topic of this test, including one created afterwards.
        cons.subscribe(topic_pattern=topic_name.replace(".", r"\.") + r"\.[a-z]")
        poll_until("the pattern matches a and b",
                   lambda: cons.assignment() == {TopicPartition(a, 0), TopicPartition(b, 0)}, cons)
        with Admin(cluster.bootstrap) as admin:
            admin.create_topic(c, partitions=1)
        poll_until("the pattern follows a new topic", lambda: TopicPartition(c, 0) in cons.assignment(), cons)
    assert {TopicPartition(a, 0)} in revoked


def test_pattern_subscription_from_the_start(cluster: Cluster, topic_name: str) -> None:
    with Admin(cluster.bootstrap) as admin:
        admin.create_topic(topic_name + "-x1", partitions=2)
        admin.create_topic("other-" + topic_name, partitions=1)
    with Producer(cluster.bootstrap) as p:
        p.send(topic_name + "-x1", b"v", partition=1).result(10)
    with Consumer(cluster.bootstrap, group_id="g-" + topic_name, fetch_max_wait_ms=20) as cons:
        cons.subscribe(topic_pattern=topic_name + "-x[0-9]+")
        got: list[bytes | None] = []
        deadline = time.monotonic() + 30
        while not got and time.monotonic() < deadline:
            got += [r.value for r in cons.poll(0.1)]
        assert got == [b"v"]
        assert cons.assignment() == {TopicPartition(topic_name + "-x1", 0), TopicPartition(topic_name + "-x1", 1)}
