"""Consumer: fetches records from assigned partitions, alone (assign) or in a group (subscribe).

Not thread-safe: use one Consumer from one thread (poll, commit, seek,
pause). Group rebalances run in a background thread and are applied
inside poll(): callbacks on_revoked, on_assigned and on_lost run there, on
the polling thread, and revoked partitions are committed first when
auto-commit is on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import grpc

from fjord._codec import Record, decode_batch
from fjord.client import Client, ClientConfig, TopicPartition
from fjord.errors import (REASON_OFFSET_OUT_OF_RANGE, REASON_UNKNOWN_TOPIC_OR_PARTITION, FjordError, from_proto,
                          from_rpc)
from fjord.group import Member, Target
from fjord.v1 import fetch_pb2, fetch_pb2_grpc, group_pb2, group_pb2_grpc

RebalanceCallback = Callable[[set[TopicPartition]], None]


class Consumer:
    """Reads records. Use as a context manager, or call close().

    Options (defaults in brackets):
        group_id: needed for subscribe() and commits [None].
        auto_offset_reset: "earliest" | "latest" where to start without a committed offset ["earliest"].
        enable_auto_commit: commit positions every auto_commit_interval, before revocation and on close [True].
        fetch_max_wait_ms: long-poll time of one fetch [500]; fetch_max_bytes [50 MiB];
        partition_max_bytes [1 MiB].
        session_timeout_ms, rebalance_timeout_ms: 0 for the broker's defaults.
        assignor: "" (uniform), "sticky", "range", "roundrobin"; instance_id for static membership.
        max_poll_interval: seconds between two poll() calls after which a group member leaves the
            group so that its partitions move; the next poll() reports them lost and rejoins [300].
    """

    def __init__(self, bootstrap: str | Sequence[str], *, group_id: str | None = None, client_id: str = "",
                 auto_offset_reset: str = "earliest", enable_auto_commit: bool = True,
                 auto_commit_interval: float = 5.0, fetch_max_wait_ms: int = 500, fetch_max_bytes: int = 50 << 20,
                 partition_max_bytes: int = 1 << 20, session_timeout_ms: int = 0, rebalance_timeout_ms: int = 0,
                 assignor: str = "", instance_id: str = "", request_timeout: float = 30.0,
                 max_poll_interval: float = 300.0) -> None:
        if auto_offset_reset not in ("earliest", "latest"):
            raise ValueError("fjord: auto_offset_reset must be 'earliest' or 'latest'")
        if max_poll_interval <= 0:
            raise ValueError("fjord: max_poll_interval must be positive")
        self._max_poll_interval = max_poll_interval
        self._last_poll = time.monotonic()
        self._polling = False
        self._client = Client(ClientConfig(bootstrap, client_id=client_id, request_timeout=request_timeout))
        self.group_id = group_id
        self._reset = fetch_pb2.OFFSET_SPEC_EARLIEST if auto_offset_reset == "earliest" else fetch_pb2.OFFSET_SPEC_LATEST
        self._auto_commit = enable_auto_commit and group_id is not None
        self._commit_interval = auto_commit_interval
        self._next_commit = time.monotonic() + auto_commit_interval
        self._max_wait = fetch_max_wait_ms
        self._max_bytes = fetch_max_bytes
        self._part_bytes = partition_max_bytes
        self._session_timeout = session_timeout_ms
        self._rebalance_timeout = rebalance_timeout_ms
        self._assignor = assignor
        self._instance_id = instance_id
        self._positions: dict[TopicPartition, int | None] = {}
        self._epochs: dict[TopicPartition, int] = {}
        self._committed_pos: dict[TopicPartition, int] = {}
        self._paused: set[TopicPartition] = set()
        self._member: Member | None = None
        self._applied_seq = 0
        self._on_assigned: RebalanceCallback | None = None
        self._on_revoked: RebalanceCallback | None = None
        self._on_lost: RebalanceCallback | None = None
        self._closed = False
        self._ahead: list[tuple[Any, dict[TopicPartition, int]]] = []  # fetches sent ahead (see _fetch)

    # -- assignment ------------------------------------------------------------------------------
    def assign(self, partitions: Iterable[TopicPartition]) -> None:
        """Reads exactly these partitions, without group membership (starting at the committed offset
        if group_id is set, else at auto_offset_reset)."""
        if self._member is not None:
            raise ValueError("fjord: assign() after subscribe()")
        tps = set(partitions)
        for tp in tps:
            self._client.topic(tp.topic)
        self._positions = {tp: self._positions.get(tp) for tp in tps}
        self._init_positions(tps)

    def assign_topic(self, topic: str) -> None:
        """Assigns every partition of topic."""
        n = len(self._client.retry(lambda: self._client.topic(topic)).partitions)
        self.assign(TopicPartition(topic, p) for p in range(n))

    def subscribe(self, topics: Sequence[str] = (), *, topic_pattern: str | None = None,
                  on_assigned: RebalanceCallback | None = None, on_revoked: RebalanceCallback | None = None,
                  on_lost: RebalanceCallback | None = None) -> None:
        """Joins group_id consuming topics, or every topic whose whole name matches topic_pattern (an
        RE2 regular expression matched by the coordinator, which also follows topics created later);
        partitions come and go (cooperatively) through poll().

        Called again on a subscribed consumer, it replaces the subscription on the running member:
        the group rebalances and poll() revokes what no longer matches (callbacks given again
        replace the old ones)."""
        if self.group_id is None:
            raise ValueError("fjord: subscribe() needs a group_id")
        if isinstance(topics, str):
            raise TypeError("fjord: subscribe() takes a list of topics (or topic_pattern=...)")
        if bool(topics) == (topic_pattern is not None):
            raise ValueError("fjord: subscribe() needs topics or topic_pattern (not both)")
        sub = group_pb2.Subscription(topics=list(topics)) if topics else group_pb2.Subscription(pattern=topic_pattern)
        if on_assigned is not None or on_revoked is not None or on_lost is not None or self._member is None:
            self._on_assigned, self._on_revoked, self._on_lost = on_assigned, on_revoked, on_lost
        if self._member is not None:
            self._member.resubscribe(sub)
            return
        self._positions.clear()
        self._member = Member(self._client, self.group_id, sub, instance_id=self._instance_id,
                              assignor=self._assignor, session_timeout_ms=self._session_timeout,
                              rebalance_timeout_ms=self._rebalance_timeout, poll_expired=self._poll_expired,
                              max_poll_interval=self._max_poll_interval)

    def _poll_expired(self) -> bool:
        return not self._polling and not self._closed and \
            time.monotonic() - self._last_poll > self._max_poll_interval

    def assignment(self) -> set[TopicPartition]:
        return set(self._positions)

    @property
    def member_id(self) -> str | None:
        return self._member.member_id if self._member else None

    # -- positions -------------------------------------------------------------------------------
    def position(self, tp: TopicPartition) -> int | None:
        """The next offset poll() returns for tp (None until known)."""
        return self._positions.get(tp)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        """Moves tp's position; the next poll() reads from offset."""
        if tp not in self._positions:
            raise ValueError(f"fjord: {tp} is not assigned")
        self._positions[tp] = offset

    def seek_to_beginning(self, tps: Iterable[TopicPartition] | None = None) -> None:
        self._seek_spec(tps, fetch_pb2.OFFSET_SPEC_EARLIEST)

    def seek_to_end(self, tps: Iterable[TopicPartition] | None = None) -> None:
        self._seek_spec(tps, fetch_pb2.OFFSET_SPEC_LATEST)

    def _seek_spec(self, tps: Iterable[TopicPartition] | None, spec: fetch_pb2.OffsetSpec) -> None:
        tps = set(self._positions if tps is None else tps)
        for tp, off in self._list_offsets(tps, spec).items():
            self.seek(tp, off)

    def pause(self, tps: Iterable[TopicPartition]) -> None:
        """Stops fetching tps (they stay assigned) until resume()."""
        self._paused.update(tps)

    def resume(self, tps: Iterable[TopicPartition]) -> None:
        self._paused.difference_update(tps)

    def paused(self) -> set[TopicPartition]:
        return set(self._paused)

    def _list_offsets(self, tps: Iterable[TopicPartition], spec: fetch_pb2.OffsetSpec) -> dict[TopicPartition, int]:
        by_leader: dict[int, list[TopicPartition]] = {}
        for tp in tps:
            def lead(tp: TopicPartition = tp) -> int:
                return self._client.leader(tp.topic, tp.partition).leader_id
            by_leader.setdefault(self._client.retry(lead), []).append(tp)
        out: dict[TopicPartition, int] = {}
        for leader, group in by_leader.items():
            def call(group: list[TopicPartition] = group) -> fetch_pb2.ListOffsetsResponse:
                topics: dict[str, list[fetch_pb2.ListOffsetsPartition]] = {}
                for tp in group:
                    topics.setdefault(tp.topic, []).append(fetch_pb2.ListOffsetsPartition(partition=tp.partition, spec=spec))
                stub = fetch_pb2_grpc.FetchServiceStub(self._client.broker_channel(
                    self._client.leader(group[0].topic, group[0].partition).leader_id))
                resp = self._client.unary(stub.ListOffsets, fetch_pb2.ListOffsetsRequest(
                    topics=[fetch_pb2.ListOffsetsTopic(topic=t, partitions=ps) for t, ps in topics.items()]))
                for t in resp.topics:
                    for p in t.partitions:
                        err = from_proto(p.error, t.topic, p.partition) if p.HasField("error") else None
                        if err is not None:
                            raise err
                return resp  # type: ignore[no-any-return]
            resp = self._client.retry(call)
            for t in resp.topics:
                for p in t.partitions:
                    out[TopicPartition(t.topic, p.partition)] = p.offset
        return out

    def _init_positions(self, tps: Iterable[TopicPartition]) -> None:
        need = [tp for tp in tps if self._positions.get(tp) is None]
        if not need:
            return
        if self.group_id is not None:
            for tp, off in self.committed(need).items():
                if off >= 0:
                    self._positions[tp] = off
                    self._committed_pos[tp] = off
        rest = [tp for tp in need if self._positions.get(tp) is None]
        if rest:
            self._positions.update(self._list_offsets(rest, self._reset))

    # -- commits ---------------------------------------------------------------------------------
    def committed(self, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        """The group's committed offsets (-1 for none)."""
        if self.group_id is None:
            raise ValueError("fjord: committed() needs a group_id")
        gid = self.group_id
        req = group_pb2.FetchOffsetsRequest(group_id=gid, topics=_tps_wire(tps))
        resp = self._client.group_call(gid, lambda ch: self._client.unary(
            group_pb2_grpc.GroupServiceStub(ch).FetchOffsets, req))
        return {TopicPartition(t.topic, p.partition): p.offset for t in resp.topics for p in t.partitions}

    def commit(self, offsets: dict[TopicPartition, int] | None = None) -> None:
        """Commits offsets (next offsets to read), by default the current positions. Synchronous."""
        if self.group_id is None:
            raise ValueError("fjord: commit() needs a group_id")
        if offsets is None:
            offsets = {tp: off for tp, off in self._positions.items() if off is not None}
            offsets = {tp: off for tp, off in offsets.items() if self._committed_pos.get(tp) != off}
        if not offsets:
            return
        topics: dict[str, list[group_pb2.CommitOffsetsPartition]] = {}
        for tp, off in sorted(offsets.items()):
            topics.setdefault(tp.topic, []).append(group_pb2.CommitOffsetsPartition(
                partition=tp.partition, offset=off, leader_epoch=self._epochs.get(tp, -1)))
        member_id, epoch = "", 0
        if self._member is not None:
            with self._member.lock:
                member_id, epoch = self._member.member_id, self._member.epoch
        req = group_pb2.CommitOffsetsRequest(group_id=self.group_id, member_id=member_id, member_epoch=epoch,
                                             topics=[group_pb2.CommitOffsetsTopic(topic=t, partitions=ps)
                                                     for t, ps in topics.items()])

        def call(ch: grpc.Channel) -> None:
            resp = self._client.unary(group_pb2_grpc.GroupServiceStub(ch).CommitOffsets, req)
            for t in resp.topics:
                for p in t.partitions:
                    err = from_proto(p.error, t.topic, p.partition) if p.HasField("error") else None
                    if err is not None:
                        raise err
        self._client.group_call(self.group_id, call)
        self._committed_pos.update(offsets)

    # -- group reconciliation ---------------------------------------------------------------------
    def _reconcile(self) -> None:
        m = self._member
        if m is None:
            return
        with m.lock:
            target, lost, fatal = m.target, m.lost, m.fatal
            m.lost = False
            m.wake.clear()
        if lost:
            owned = set(self._positions)
            self._positions.clear()
            self._paused.clear()
            try:
                if owned and self._on_lost:
                    self._on_lost(owned)
            finally:
                m.rejoin()
        if fatal is not None:
            raise fatal
        if target.seq == self._applied_seq or target.epoch == 0:
            return
        self._applied_seq = target.seq
        self._apply(target)
        m.acknowledge(target)

    def _apply(self, target: Target) -> None:
        owned = set(self._positions)
        revoked = owned - target.assigned
        added = set(target.assigned) - owned
        if revoked:
            if self._auto_commit:
                try:
                    self.commit({tp: off for tp, off in self._positions.items() if tp in revoked and off is not None
                                 and self._committed_pos.get(tp) != off})
                except FjordError:
                    pass  # the next owner re-reads from the last commit
            if self._on_revoked:
                self._on_revoked(revoked)
            for tp in revoked:
                self._positions.pop(tp, None)
                self._paused.discard(tp)
        if added:
            for tp in added:
                self._positions[tp] = None
            self._init_positions(added)
            if self._on_assigned:
                self._on_assigned(added)

    # -- fetching --------------------------------------------------------------------------------
    def poll(self, timeout: float = 1.0) -> list[Record]:
        """Returns the records available within timeout seconds (maybe none), advancing positions."""
        if self._closed:
            raise FjordError("consumer closed", reason="CLOSED")
        self._polling = True
        try:
            return self._poll(timeout)
        finally:
            self._last_poll = time.monotonic()
            self._polling = False

    def _poll(self, timeout: float) -> list[Record]:
        deadline = time.monotonic() + timeout
        while True:
            self._reconcile()
            if self._auto_commit and time.monotonic() >= self._next_commit:
                self._next_commit = time.monotonic() + self._commit_interval
                try:
                    self.commit()
                except FjordError:
                    pass
            left = deadline - time.monotonic()
            fetchable = [tp for tp in self._positions if tp not in self._paused]
            if not fetchable:
                if left <= 0:
                    return []
                if self._member is not None:
                    self._member.wake.wait(min(left, 0.2))
                else:
                    time.sleep(min(left, 0.05))
                continue
            recs = self._fetch(fetchable, max(0, min(int(left * 1000), self._max_wait)))
            if recs or time.monotonic() >= deadline:
                return recs

    def __iter__(self) -> Iterator[Record]:
        """Yields records forever (until close())."""
        while not self._closed:
            yield from self.poll(1.0)

    def _issue(self, tps: list[TopicPartition], wait_ms: int) -> list[tuple[Any, dict[TopicPartition, int]]]:
        """Sends one Fetch per leader for tps at their positions; returns (future, asked offsets)."""
        by_leader: dict[int, list[TopicPartition]] = {}
        for tp in tps:
            try:
                by_leader.setdefault(self._client.leader(tp.topic, tp.partition).leader_id, []).append(tp)
            except FjordError as e:
                if not e.retriable:
                    raise
                self._client.invalidate(tp.topic)
        calls: list[tuple[Any, dict[TopicPartition, int]]] = []
        for leader, group in by_leader.items():
            try:
                ch = self._client.broker_channel(leader)
            except FjordError:
                continue
            asked = {tp: self._positions[tp] or 0 for tp in group}
            topics: dict[str, list[fetch_pb2.FetchPartition]] = {}
            for tp, off in asked.items():
                topics.setdefault(tp.topic, []).append(fetch_pb2.FetchPartition(
                    partition=tp.partition, offset=off or 0, max_bytes=self._part_bytes))
            req = fetch_pb2.FetchRequest(max_wait_ms=wait_ms, min_bytes=1, max_bytes=self._max_bytes,
                                         topics=[fetch_pb2.FetchTopic(topic=t, partitions=ps) for t, ps in topics.items()])
            fut = fetch_pb2_grpc.FetchServiceStub(ch).Fetch.future(
                req, timeout=wait_ms / 1000.0 + self._client.cfg.request_timeout, metadata=self._client.call_metadata)
            calls.append((fut, asked))
        return calls

    def _fetch(self, tps: list[TopicPartition], wait_ms: int) -> list[Record]:
        """Records from tps: the answers of the fetches sent ahead at the end of the previous call
        (for partitions whose position has not moved since), and new fetches for the rest. While
        records flow, the next fetches go out before this call returns, so that the broker's answer
        travels while the application handles these records."""
        self._init_positions(tps)
        want = set(tps)
        calls = [(f, a) for f, a in self._ahead if any(self._positions.get(tp) == off and tp in want
                                                        for tp, off in a.items())]
        for f, a in self._ahead:
            if (f, a) not in calls:
                f.cancel()
        self._ahead = []
        covered = {tp for _, a in calls for tp, off in a.items() if self._positions.get(tp) == off}
        ahead = len(calls)
        calls += self._issue([tp for tp in tps if tp not in covered], wait_ms)
        if not calls:
            time.sleep(min(0.1, wait_ms / 1000.0))
            return []
        out: list[Record] = []
        now = time.monotonic()
        deadline = now + wait_ms / 1000.0 + self._client.cfg.request_timeout
        ahead_deadline = now + wait_ms / 1000.0 + 0.005  # a fetch sent ahead may long-poll past this poll
        keep: list[tuple[Any, dict[TopicPartition, int]]] = []
        for i, (fut, asked) in enumerate(calls):
            try:
                if i < ahead and not fut.done():
                    try:
                        fut.result(timeout=max(0.0, ahead_deadline - time.monotonic()))
                    except grpc.FutureTimeoutError:
                        keep.append((fut, asked))  # still waiting for data: the next poll takes it
                        continue
                resp = fut.result(timeout=max(0.0, deadline - time.monotonic()))
            except grpc.RpcError as e:
                err = from_rpc(e)
                if not err.retriable:
                    raise err
                self._client.invalidate()
                continue
            except grpc.FutureTimeoutError:
                fut.cancel()
                continue
            except grpc.FutureCancelledError:
                continue
            for t in resp.topics:
                for p in t.partitions:
                    tp = TopicPartition(t.topic, p.partition)
                    if tp not in want or tp not in asked or self._positions.get(tp) != asked[tp]:
                        continue  # seeked, paused, revoked or unassigned meanwhile
                    perr = from_proto(p.error, t.topic, p.partition) if p.HasField("error") else None
                    if perr is not None:
                        err = perr
                        if err.reason == REASON_OFFSET_OUT_OF_RANGE:
                            self._positions[tp] = None
                            self._positions.update(self._list_offsets([tp], self._reset))
                        elif err.retriable:
                            self._client.invalidate(t.topic)
                        else:
                            raise err
                        continue
                    pos = asked[tp]
                    for b in p.batches:
                        recs = decode_batch(b, t.topic, p.partition, pos)
                        if recs:
                            out.extend(recs)
                            pos = recs[-1].offset + 1
                            self._epochs[tp] = recs[-1].leader_epoch
                        pos = max(pos, b.base_offset + b.last_offset_delta + 1)
                    self._positions[tp] = pos
        if out and not keep:
            keep = self._issue(tps, self._max_wait)
        self._ahead = keep
        return out

    def close(self, *, commit: bool = True) -> None:
        """Commits (when auto-commit is on), leaves the group and closes the connections."""
        if self._closed:
            return
        try:
            if self._auto_commit and commit:
                try:
                    self.commit()
                except FjordError:
                    pass
            if self._member is not None:
                if self._positions and self._on_revoked:
                    self._on_revoked(set(self._positions))
                self._member.leave()
        finally:
            self._closed = True
            for f, _ in self._ahead:
                f.cancel()
            self._client.close()

    def __enter__(self) -> Consumer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tps_wire(tps: Iterable[TopicPartition]) -> list[group_pb2.TopicPartitions]:
    out: dict[str, list[int]] = {}
    for tp in sorted(tps):
        out.setdefault(tp.topic, []).append(tp.partition)
    return [group_pb2.TopicPartitions(topic=t, partitions=ps) for t, ps in out.items()]
