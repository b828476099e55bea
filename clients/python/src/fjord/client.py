"""Connections, cluster metadata and retries shared by Producer, Consumer and Admin."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence, TypeVar

import grpc

from fjord.errors import (REASON_CLOSED, REASON_COORDINATOR_NOT_AVAILABLE, REASON_LEADER_NOT_AVAILABLE,
                          REASON_NOT_COORDINATOR, REASON_UNAVAILABLE, REASON_UNKNOWN_TOPIC_OR_PARTITION, ClosedError,
                          FjordError, from_proto, from_rpc, make_error)
from fjord.v1 import metadata_pb2, metadata_pb2_grpc

T = TypeVar("T")

_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", 256 << 20),
    ("grpc.max_send_message_length", 256 << 20),
    ("grpc.keepalive_time_ms", 10000),
    ("grpc.keepalive_timeout_ms", 5000),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]


@dataclass(frozen=True, order=True)
class TopicPartition:
    """A topic and a partition number."""

    topic: str
    partition: int


@dataclass
class PartitionInfo:
    partition: int
    leader_id: int
    leader_epoch: int
    replicas: list[int] = field(default_factory=list)
    isr: list[int] = field(default_factory=list)


@dataclass
class TopicInfo:
    name: str
    partitions: list[PartitionInfo]


@dataclass
class ClientConfig:
    """Connection settings shared by every client.

    bootstrap: "host:port" or a comma-separated list, or a list of them.
    client_id: sent as gRPC metadata "fjord-client-id" when set.
    request_timeout: seconds for one RPC attempt (default 30).
    retry_backoff: first retry delay in seconds, doubled up to retry_backoff_max (default 0.1, 1.0).
    retry_timeout: total seconds a call keeps retrying retriable errors (default 30).
    metadata_max_age: seconds before cached metadata is refreshed (default 300).
    """

    bootstrap: str | Sequence[str]
    client_id: str = ""
    request_timeout: float = 30.0
    retry_backoff: float = 0.1
    retry_backoff_max: float = 1.0
    retry_timeout: float = 30.0
    metadata_max_age: float = 300.0


class Client:
    """A pool of gRPC channels (one per broker) and a metadata cache. Thread-safe."""

    def __init__(self, cfg: ClientConfig) -> None:
        b = cfg.bootstrap
        self.bootstrap = [s.strip() for s in (b.split(",") if isinstance(b, str) else b) if s.strip()]
        if not self.bootstrap:
            raise ValueError("fjord: no bootstrap address")
        self.cfg = cfg
        self.call_metadata: tuple[tuple[str, str], ...] = (("fjord-client-id", cfg.client_id),) if cfg.client_id else ()
        self._lock = threading.Lock()  # guards everything below
        self._channels: dict[str, grpc.Channel] = {}
        self._brokers: dict[int, str] = {}
        self._topics: dict[str, tuple[float, TopicInfo]] = {}
        self._coordinators: dict[str, str] = {}  # group id -> coordinator address
        self._closed = False

    # -- connections -------------------------------------------------------------------------
    def channel(self, address: str) -> grpc.Channel:
        with self._lock:
            if self._closed:
                raise ClosedError("client closed", reason=REASON_CLOSED)
            ch = self._channels.get(address)
            if ch is None:
                ch = grpc.insecure_channel(address, options=_CHANNEL_OPTIONS)
                self._channels[address] = ch
            return ch

    def broker_channel(self, broker_id: int) -> grpc.Channel:
        with self._lock:
            addr = self._brokers.get(broker_id)
        if addr is None:
            self.refresh_metadata([])
            with self._lock:
                addr = self._brokers.get(broker_id)
            if addr is None:
                raise make_error(f"broker {broker_id} unknown", reason=REASON_LEADER_NOT_AVAILABLE, retriable=True)
        return self.channel(addr)

    def any_channel(self) -> grpc.Channel:
        with self._lock:
            addrs = list(self._brokers.values()) or list(self.bootstrap)
        return self.channel(random.choice(addrs))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            chans = list(self._channels.values())
            self._channels.clear()
        for ch in chans:
            ch.close()

    # -- metadata ----------------------------------------------------------------------------
    def refresh_metadata(self, topics: Iterable[str]) -> metadata_pb2.GetMetadataResponse:
        """Asks a broker (known brokers first, then bootstrap) for metadata and updates the cache."""
        with self._lock:
            candidates = list(dict.fromkeys(list(self._brokers.values()) + self.bootstrap))
        random.shuffle(candidates)
        last: FjordError | None = None
        for addr in candidates:
            stub = metadata_pb2_grpc.MetadataServiceStub(self.channel(addr))
            try:
                resp: metadata_pb2.GetMetadataResponse = stub.GetMetadata(
                    metadata_pb2.GetMetadataRequest(topics=list(topics)),
                    timeout=min(self.cfg.request_timeout, 10.0), metadata=self.call_metadata)
            except grpc.RpcError as e:
                last = from_rpc(e)
                continue
            now = time.monotonic()
            with self._lock:
                if resp.brokers:
                    self._brokers = {b.id: b.address for b in resp.brokers}
                for t in resp.topics:
                    if t.HasField("error") and t.error.reason:
                        self._topics.pop(t.name, None)
                        continue
                    self._topics[t.name] = (now, TopicInfo(t.name, [
                        PartitionInfo(p.partition, p.leader_id, p.leader_epoch, list(p.replicas), list(p.isr))
                        for p in t.partitions]))
            return resp
        assert last is not None
        raise last

    def topic(self, name: str, refresh: bool = False) -> TopicInfo:
        """The topic's partitions and leaders (cached). Raises UnknownTopicError."""
        with self._lock:
            hit = self._topics.get(name)
        if hit and not refresh and time.monotonic() - hit[0] < self.cfg.metadata_max_age:
            return hit[1]
        resp = self.refresh_metadata([name])
        for t in resp.topics:
            if t.name == name:
                err = from_proto(t.error, topic=name)
                if err is not None:
                    raise err
                with self._lock:
                    return self._topics[name][1]
        raise make_error("topic not in metadata", reason=REASON_UNKNOWN_TOPIC_OR_PARTITION, topic=name)

    def invalidate(self, topic: str | None = None) -> None:
        with self._lock:
            if topic is None:
                self._topics.clear()
            else:
                self._topics.pop(topic, None)

    def leader(self, topic: str, partition: int) -> PartitionInfo:
        info = self.topic(topic)
        if partition < 0 or partition >= len(info.partitions):
            raise make_error(f"partition {partition} out of range [0, {len(info.partitions)})",
                             reason=REASON_UNKNOWN_TOPIC_OR_PARTITION, topic=topic, partition=partition)
        p = info.partitions[partition]
        if p.leader_id < 0:
            raise make_error("no leader", reason=REASON_LEADER_NOT_AVAILABLE, retriable=True, topic=topic,
                             partition=partition)
        return p

    # -- group coordinators ---------------------------------------------------------------------
    def coordinator(self, group_id: str, refresh: bool = False) -> str:
        """The address of the group's coordinator: the one a NOT_COORDINATOR named, else FindCoordinator's."""
        with self._lock:
            addr = self._coordinators.get(group_id)
        if addr and not refresh:
            return addr
        from fjord.v1 import group_pb2, group_pb2_grpc
        stub = group_pb2_grpc.GroupServiceStub(self.any_channel())
        resp = self.unary(stub.FindCoordinator, group_pb2.FindCoordinatorRequest(group_id=group_id), timeout=10.0)
        addr = str(resp.coordinator.address)
        with self._lock:
            self._coordinators[group_id] = addr
        return addr

    def coordinator_failed(self, group_id: str, err: FjordError) -> None:
        """Follows a coordinator error: a NOT_COORDINATOR naming the coordinator (coordinator_address,
        or coordinator_id of a known broker) is used at once; otherwise FindCoordinator is asked again."""
        md = err.metadata
        addr = md.get("coordinator_address", "") if err.reason == REASON_NOT_COORDINATOR else ""
        with self._lock:
            if not addr and err.reason == REASON_NOT_COORDINATOR and md.get("coordinator_id", "").isdigit():
                addr = self._brokers.get(int(md["coordinator_id"]), "")
            if addr:
                self._coordinators[group_id] = addr
            elif err.reason in (REASON_NOT_COORDINATOR, REASON_COORDINATOR_NOT_AVAILABLE) or \
                    err.reason == REASON_UNAVAILABLE:
                self._coordinators.pop(group_id, None)

    def group_call(self, group_id: str, fn: Callable[[grpc.Channel], T], *, timeout: float | None = None) -> T:
        """Calls fn with a channel to the group's coordinator, following NOT_COORDINATOR, with retries."""
        def call() -> T:
            try:
                return fn(self.channel(self.coordinator(group_id)))
            except grpc.RpcError as e:
                err = from_rpc(e)
            except FjordError as e:
                err = e
            self.coordinator_failed(group_id, err)
            raise err
        return self.retry(call, timeout=timeout)

    # -- retries -----------------------------------------------------------------------------
    def backoff(self, attempt: int) -> float:
        d = min(self.cfg.retry_backoff * (2 ** max(0, attempt - 1)), self.cfg.retry_backoff_max)
        return float(d * (0.8 + 0.4 * random.random()))

    def retry(self, fn: Callable[[], T], *, write: bool = False, timeout: float | None = None,
              on_retry: Callable[[FjordError], None] | None = None) -> T:
        """Calls fn, retrying retriable failures with backoff (refreshing metadata) until timeout."""
        deadline = time.monotonic() + (self.cfg.retry_timeout if timeout is None else timeout)
        attempt = 0
        while True:
            try:
                return fn()
            except grpc.RpcError as e:
                err = from_rpc(e, write)
            except FjordError as e:
                err = e
            if self._closed:
                raise ClosedError("client closed", reason=REASON_CLOSED) from err
            attempt += 1
            delay = max(self.backoff(attempt), err.retry_after)
            if not err.retriable or time.monotonic() + delay > deadline:
                raise err
            self.invalidate()
            if on_retry:
                on_retry(err)
            time.sleep(delay)

    def unary(self, method: Any, request: Any, *, write: bool = False, timeout: float | None = None) -> Any:
        """Calls a bound stub method with the client's metadata and per-attempt timeout."""
        return method(request, timeout=timeout or self.cfg.request_timeout, metadata=self.call_metadata)
