"""Group membership: one Membership stream to the group coordinator per member.

Mirrors clients/go/group_member.go. A background thread finds the
coordinator, joins (or resumes with its epoch and owned partitions after a
broken stream or a NOT_COORDINATOR), heartbeats, treats two silent
heartbeat intervals as a dead coordinator, and hands every new assignment
to the consumer, which reconciles it inside poll() (revoke, commit, assign)
and asks this thread to acknowledge it.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import grpc

from fjord.client import Client, TopicPartition
from fjord.errors import (REASON_FENCED_MEMBER_EPOCH, REASON_UNAVAILABLE, REASON_UNKNOWN_MEMBER_ID, FjordError,
                          from_rpc, make_error)
from fjord.v1 import group_pb2, group_pb2_grpc

_SILENT_INTERVALS = 2
REASON_POLL_EXPIRED = "MAX_POLL_INTERVAL_EXCEEDED"


def _poll_expired() -> FjordError:
    return make_error("left the group: no poll() within max_poll_interval", reason=REASON_POLL_EXPIRED)

_FATAL_REASONS = {"FENCED_INSTANCE_ID", "INVALID_GROUP_ID", "INVALID_REQUEST", "INCONSISTENT_GROUP_PROTOCOL",
                  "UNSUPPORTED_ASSIGNOR"}


def to_wire(tps: Any) -> list[group_pb2.TopicPartitions]:
    out: dict[str, list[int]] = {}
    for tp in sorted(tps):
        out.setdefault(tp.topic, []).append(tp.partition)
    return [group_pb2.TopicPartitions(topic=t, partitions=ps) for t, ps in out.items()]


def from_wire(tps: Any) -> frozenset[TopicPartition]:
    return frozenset(TopicPartition(t.topic, p) for t in tps for p in t.partitions)


@dataclass
class Target:
    """An assignment the coordinator sent: the consumer reconciles each new seq once."""

    seq: int = 0
    gen: int = 0
    epoch: int = 0
    assigned: frozenset[TopicPartition] = field(default_factory=frozenset)


class Member:
    """The membership thread of one group consumer."""

    def __init__(self, client: Client, group_id: str, subscription: group_pb2.Subscription, *, instance_id: str = "",
                 assignor: str = "", session_timeout_ms: int = 0, rebalance_timeout_ms: int = 0,
                 poll_expired: Callable[[], bool] | None = None, max_poll_interval: float = 300.0) -> None:
        self.client = client
        self.group_id = group_id
        self.member_id = str(uuid.uuid4())
        self.subscription = subscription  # replaced by resubscribe(), under lock
        self.poll_expired = poll_expired or (lambda: False)
        self.poll_tick = max(0.01, min(1.0, max_poll_interval / 10))
        self._rejoin = threading.Event()
        self.instance_id = instance_id
        self.assignor = assignor
        self.session_timeout_ms = session_timeout_ms
        self.rebalance_timeout_ms = rebalance_timeout_ms
        self.lock = threading.Lock()  # guards epoch, target, owned, lost, fatal, gen, wake
        self.epoch = 0
        self.target = Target()
        self.owned: frozenset[TopicPartition] = frozenset()  # acknowledged by the consumer
        self.lost = False
        self.fatal: FjordError | None = None
        self.gen = 0
        self.wake = threading.Event()  # set when target, lost or fatal change
        self._events: queue.Queue[tuple[str, int, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"fjord-group-{group_id}", daemon=True)
        self._thread.start()

    # -- called by the consumer ---------------------------------------------------------------
    def acknowledge(self, target: Target) -> None:
        """The consumer now owns target.assigned."""
        with self.lock:
            self.owned = target.assigned
        self._events.put(("ack", target.gen, target))

    def resubscribe(self, subscription: group_pb2.Subscription) -> None:
        """Replaces the subscription (sent on the open stream, and in every later join)."""
        with self.lock:
            self.subscription = subscription
        self._events.put(("subscribe", 0, subscription))

    def rejoin(self) -> None:
        """The consumer dropped what it lost: the member may join again."""
        self._rejoin.set()

    def leave(self, timeout: float = 5.0) -> None:
        """Leaves the group (the coordinator moves the partitions at once) and stops the thread."""
        self._events.put(("leave", 0, None))
        self._thread.join(timeout)
        self._stop.set()
        self._thread.join(1.0)

    # -- the thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            healthy, err = self._session()
            if err is None:
                return  # left
            if healthy:
                attempt = 0
            if err.reason in (REASON_UNKNOWN_MEMBER_ID, REASON_FENCED_MEMBER_EPOCH, REASON_POLL_EXPIRED):
                # The coordinator no longer counts this member (its session expired, or it left
                # because the application stopped polling): what it owned is lost, and it joins
                # again once poll() has dropped that, so that it takes no partitions it won't consume.
                self._rejoin.clear()
                with self.lock:
                    self.epoch = 0
                    self.lost = True
                    self.target = Target(self.target.seq + 1, self.gen)
                self.wake.set()
                while not self._stop.is_set() and not self._rejoin.wait(0.05):
                    try:
                        if self._events.get_nowait()[0] == "leave":
                            return  # not in the group: nothing to leave
                    except queue.Empty:
                        pass
                continue
            if err.reason in _FATAL_REASONS or (not err.reason and err.code in (
                    grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.PERMISSION_DENIED,
                    grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.INVALID_ARGUMENT)):
                with self.lock:
                    self.fatal, self.lost = err, True
                self.wake.set()
                return
            attempt += 1
            try:
                ev = self._events.get(timeout=self.client.backoff(attempt))
                if ev[0] == "leave":
                    return  # not connected: nothing to leave
            except queue.Empty:
                pass

    def _find_coordinator(self) -> str:
        # The coordinator a NOT_COORDINATOR named if one did, else FindCoordinator's answer.
        return self.client.retry(lambda: self.client.coordinator(self.group_id))

    def _session(self) -> tuple[bool, FjordError | None]:
        try:
            addr = self._find_coordinator()
        except FjordError as e:
            return False, e
        with self.lock:
            self.gen += 1
            gen = self.gen
            join = group_pb2.JoinGroup(
                group_id=self.group_id, member_id=self.member_id, instance_id=self.instance_id,
                client_id=self.client.cfg.client_id, subscription=self.subscription,
                assignor=self.assignor, rebalance_timeout_ms=self.rebalance_timeout_ms,
                session_timeout_ms=self.session_timeout_ms, member_epoch=self.epoch)
            if self.epoch > 0:
                join.owned.extend(to_wire(self.owned))
        requests: queue.Queue[group_pb2.MembershipRequest | None] = queue.Queue()

        def request_iter() -> Iterator[group_pb2.MembershipRequest]:
            while True:
                r = requests.get()
                if r is None:
                    return
                yield r

        stub = group_pb2_grpc.GroupServiceStub(self.client.channel(addr))
        call = stub.Membership(request_iter(), metadata=self.client.call_metadata)

        def reader() -> None:
            try:
                for resp in call:
                    self._events.put(("resp", gen, resp))
                self._events.put(("eof", gen, None))
            except grpc.RpcError as e:
                self._events.put(("err", gen, e))

        threading.Thread(target=reader, name="fjord-group-reader", daemon=True).start()
        requests.put(group_pb2.MembershipRequest(join=join))
        interval = 3.0 if self.session_timeout_ms <= 0 else min(3.0, self.session_timeout_ms / 3000.0)
        healthy, leaving, poll_left = False, False, False
        last_heard = time.monotonic()
        next_hb = last_heard + interval
        try:
            while True:
                if healthy and not leaving and self.poll_expired():
                    # The application stopped polling for max_poll_interval: leave, so that the
                    # partitions move (a static member leaves temporarily); poll() rejoins.
                    leaving = poll_left = True
                    requests.put(group_pb2.MembershipRequest(leave=group_pb2.LeaveGroup(
                        temporary=self.instance_id != "")))
                    last_heard, next_hb = time.monotonic(), time.monotonic() + interval
                try:
                    kind, egen, val = self._events.get(
                        timeout=max(0.0, min(next_hb - time.monotonic(), self.poll_tick)))
                except queue.Empty:
                    if self._stop.is_set():
                        return healthy, None
                    if time.monotonic() < next_hb:
                        continue
                    if poll_left:
                        return healthy, _poll_expired()  # the leave was not answered
                    if time.monotonic() - last_heard > _SILENT_INTERVALS * interval:
                        if leaving:
                            return healthy, None
                        err = make_error("the group coordinator stopped answering heartbeats",
                                         reason=REASON_UNAVAILABLE, retriable=True)
                        self.client.coordinator_failed(self.group_id, err)
                        return healthy, err
                    if healthy and not leaving:
                        with self.lock:
                            epoch = self.epoch
                        requests.put(group_pb2.MembershipRequest(heartbeat=group_pb2.Heartbeat(member_epoch=epoch)))
                    next_hb = time.monotonic() + interval
                    continue
                if kind == "subscribe":
                    if not leaving:
                        requests.put(group_pb2.MembershipRequest(subscribe=val))
                    continue
                if kind == "leave":
                    if poll_left:
                        return healthy, None  # already left
                    leaving = True
                    requests.put(group_pb2.MembershipRequest(leave=group_pb2.LeaveGroup(
                        temporary=self.instance_id != "")))
                    last_heard, next_hb = time.monotonic(), time.monotonic() + interval
                    continue
                if kind == "ack":
                    if egen == gen and not leaving:
                        t: Target = val
                        requests.put(group_pb2.MembershipRequest(ack=group_pb2.AcknowledgeAssignment(
                            member_epoch=t.epoch, owned=to_wire(t.assigned))))
                    continue
                if egen != gen:
                    continue  # from an older stream
                if kind in ("eof", "err") and poll_left:
                    return healthy, _poll_expired()
                if kind == "eof":
                    if leaving:
                        return healthy, None
                    err = make_error("membership stream ended", reason=REASON_UNAVAILABLE, retriable=True)
                    self.client.coordinator_failed(self.group_id, err)
                    return healthy, err
                if kind == "err":
                    if leaving:
                        return healthy, None
                    err = from_rpc(val)
                    if err.reason in ("NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS"):
                        err.retriable = True
                    self.client.coordinator_failed(self.group_id, err)
                    return healthy, err
                resp: group_pb2.MembershipResponse = val
                last_heard = time.monotonic()
                if resp.heartbeat_ack or leaving:
                    continue
                healthy = True
                if resp.heartbeat_interval_ms > 0:
                    interval = resp.heartbeat_interval_ms / 1000.0
                with self.lock:
                    self.epoch = resp.member_epoch
                    self.target = Target(self.target.seq + 1, gen, resp.member_epoch, from_wire(resp.assigned))
                self.wake.set()
                next_hb = time.monotonic() + interval
        finally:
            requests.put(None)
            call.cancel()
