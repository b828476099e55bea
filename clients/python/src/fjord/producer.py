"""Producer: batching with linger, compression, partitioning, retries and idempotence.

``send()`` appends a record to its partition's open batch and returns a
:class:`concurrent.futures.Future` resolving to :class:`RecordMetadata`. A
background sender thread closes batches when full (``batch_bytes``), when
``linger_ms`` expires or on ``flush()``, and sends them to the partition
leaders, at most one request in flight per partition so that retries keep
the order. An idempotent producer (the default) stamps each batch with its
producer id, epoch and base sequence, so a retry after a lost answer cannot
write twice.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence

import grpc

from fjord._codec import Header, Record, codec_from_name, encode_batch, key_partition
from fjord.client import Client, ClientConfig, TopicPartition
from fjord.errors import (REASON_CLOSED, REASON_INVALID_PRODUCER_EPOCH, REASON_OUT_OF_ORDER_SEQUENCE,
                          REASON_RECORD_TOO_LARGE, REASON_REQUEST_TIMED_OUT, REASON_UNKNOWN_PRODUCER_ID, ClosedError,
                          FjordError, from_proto, from_rpc, make_error)
from fjord.v1 import produce_pb2, produce_pb2_grpc

_ACKS = {"all": produce_pb2.ACKS_ALL, "leader": produce_pb2.ACKS_LEADER, "1": produce_pb2.ACKS_LEADER,
         "none": produce_pb2.ACKS_NONE, "0": produce_pb2.ACKS_NONE, "-1": produce_pb2.ACKS_ALL}
_RECORD_OVERHEAD = 16


class Partitioner(Protocol):
    """Chooses a partition: called with the topic, the key (None for none) and the partition count."""

    def __call__(self, topic: str, key: bytes | None, num_partitions: int) -> int: ...


def murmur2_partitioner(topic: str, key: bytes | None, num_partitions: int) -> int:
    """Kafka's default keyed partitioning (positive murmur2 of the key modulo the count); random without key."""
    if key is None:
        return random.randrange(num_partitions)
    return key_partition(key, num_partitions)


@dataclass(frozen=True)
class RecordMetadata:
    """Where a produced record was written."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int


DeliveryCallback = Callable[[FjordError | None, RecordMetadata | None], None]


@dataclass
class _Batch:
    tp: TopicPartition
    records: list[Record] = field(default_factory=list)
    futures: list[Future[RecordMetadata]] = field(default_factory=list)
    size: int = 0
    created: float = 0.0
    deadline: float = 0.0
    attempts: int = 0
    retry_at: float = 0.0
    base_seq: int = -1
    pid: tuple[int, int] = (0, 0)
    encoded: bytes = b""


@dataclass
class _Part:
    open: _Batch | None = None
    queue: collections.deque[_Batch] = field(default_factory=collections.deque)
    inflight: bool = False
    next_seq: int = 0


class Producer:
    """Produces records to Fjord. Thread-safe; use as a context manager or call close().

    Options (defaults in brackets):
        acks: "all" | "leader" | "none" ["all"].
        linger_ms: how long a batch waits for more records [5].
        batch_bytes: a batch is sent once this full [1 MiB].
        compression: "none" | "gzip" | "zstd" ["none"].
        partitioner: a :class:`Partitioner` for records without an explicit partition
            [murmur2 of the key; keyless records stick to one partition per batch].
        idempotence: stamp producer id/epoch/sequence so retries never duplicate [True].
        delivery_timeout: seconds a record may take, retries included [120].
        max_buffered_bytes: send() blocks while this much is unsent [64 MiB].
        max_request_bytes: larger records fail with RecordTooLargeError at once [16 MiB].
    """

    def __init__(self, bootstrap: str | Sequence[str], *, client_id: str = "", acks: str = "all",
                 linger_ms: float = 5.0, batch_bytes: int = 1 << 20, compression: str = "none",
                 partitioner: Partitioner | None = None, idempotence: bool = True,
                 delivery_timeout: float = 120.0, request_timeout: float = 30.0, retry_backoff: float = 0.1,
                 max_buffered_bytes: int = 64 << 20, max_request_bytes: int = 16 << 20) -> None:
        if acks not in _ACKS:
            raise ValueError(f"fjord: acks must be one of {sorted(_ACKS)}")
        self._client = Client(ClientConfig(bootstrap, client_id=client_id, request_timeout=request_timeout,
                                           retry_backoff=retry_backoff))
        self._acks = _ACKS[acks]
        self._linger = linger_ms / 1000.0
        self._batch_bytes = batch_bytes
        self._codec = codec_from_name(compression)
        self._partitioner = partitioner
        self._idempotent = idempotence and self._acks == produce_pb2.ACKS_ALL
        self._delivery_timeout = delivery_timeout
        self._max_buffered = max_buffered_bytes
        self._max_request = max_request_bytes
        self._cond = threading.Condition()  # guards every field below
        self._parts: dict[TopicPartition, _Part] = {}
        self._sticky: dict[str, tuple[int, _Batch | None]] = {}
        self._nparts: dict[str, tuple[float, int]] = {}  # topic -> (when, partition count), send() thread cache
        self._buffered = 0
        self._pending = 0  # records accepted and not yet resolved
        self._flushing = 0
        self._closing = False
        self._pid: tuple[int, int] | None = None
        self._need_bump = False
        self._fatal: FjordError | None = None
        self._sender = threading.Thread(target=self._run, name="fjord-producer-sender", daemon=True)
        self._sender.start()

    # -- public API ----------------------------------------------------------------------------
    def send(self, topic: str, value: bytes | None, key: bytes | None = None, *,
             headers: Iterable[tuple[str, bytes] | Header] | None = None, partition: int | None = None,
             timestamp_ms: int | None = None, callback: DeliveryCallback | None = None) -> Future[RecordMetadata]:
        """Queues one record and returns a Future of its RecordMetadata.

        The future fails with a FjordError subclass (UnknownTopicError, RecordTooLargeError, ...).
        callback(err, metadata), if given, runs once the outcome is known, on a client thread.
        """
        fut: Future[RecordMetadata] = Future()
        if callback is not None:
            cb = callback

            def done(f: Future[RecordMetadata]) -> None:
                e = f.exception()
                if e is None:
                    cb(None, f.result())
                else:
                    cb(e if isinstance(e, FjordError) else FjordError(str(e)), None)
            fut.add_done_callback(done)
        hdrs = [h if isinstance(h, Header) else Header(h[0], bytes(h[1])) for h in headers or ()]
        rec = Record(value=value, key=key, headers=hdrs,
                     timestamp_ms=int(time.time() * 1000) if timestamp_ms is None else timestamp_ms, topic=topic)
        size = _RECORD_OVERHEAD + len(key or b"") + len(value or b"") + sum(len(h.key) + len(h.value) + 4 for h in hdrs)
        try:
            if size > self._max_request:
                raise make_error(f"record of {size} bytes is larger than max_request_bytes {self._max_request}",
                                 reason=REASON_RECORD_TOO_LARGE, topic=topic)
            n = self._num_partitions(topic)
            if partition is None and (key is not None or self._partitioner is not None):
                partition = self._choose(topic, key, n)
            elif partition is not None and not 0 <= partition < n:
                raise make_error(f"partition {partition} out of range [0, {n})", reason="UNKNOWN_TOPIC_OR_PARTITION",
                                 topic=topic, partition=partition)
            self._append(topic, partition, n, rec, fut, size)
        except FjordError as e:
            fut.set_exception(e)
        return fut

    def produce(self, topic: str, value: bytes | None, key: bytes | None = None, **kw: object) -> RecordMetadata:
        """Sends one record and waits for its acknowledgement (synchronous convenience)."""
        return self.send(topic, value, key, **kw).result()  # type: ignore[arg-type]

    def flush(self, timeout: float | None = None) -> bool:
        """Sends everything buffered now and waits until every record is resolved; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._pending > 0:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._cond.wait(left)
                return True
            finally:
                self._flushing -= 1

    def close(self, timeout: float | None = None) -> None:
        """Flushes (up to timeout), fails what is left with ClosedError and stops the sender."""
        self.flush(timeout)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._sender.join(timeout=5)
        self._fail_all(ClosedError("producer closed", reason=REASON_CLOSED))
        self._client.close()

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- accumulation -----------------------------------------------------------------------
    def _num_partitions(self, topic: str) -> int:
        hit = self._nparts.get(topic)
        now = time.monotonic()
        if hit is not None and now - hit[0] < 5.0:
            return hit[1]
        n = len(self._client.retry(lambda: self._client.topic(topic), timeout=min(self._delivery_timeout, 10.0)).partitions)
        self._nparts[topic] = (now, n)
        return n

    def _sticky_partition(self, topic: str, n: int) -> int:
        # Keyless records fill one partition's batch, then move on (called with the lock held).
        cur = self._sticky.get(topic)
        if cur is not None and cur[0] < n:
            part = self._parts.get(TopicPartition(topic, cur[0]))
            if cur[1] is None or (part is not None and part.open is cur[1]):
                return cur[0]
        p = random.randrange(n)
        if cur is not None and n > 1 and p == cur[0]:
            p = (p + 1) % n
        self._sticky[topic] = (p, None)
        return p

    def _choose(self, topic: str, key: bytes | None, n: int) -> int:
        if self._partitioner is not None:
            p = self._partitioner(topic, key, n)
            if not 0 <= p < n:
                raise ValueError(f"fjord: partitioner returned {p} for {n} partitions")
            return p
        assert key is not None
        return key_partition(key, n)

    def _append(self, topic: str, partition: int | None, n: int, rec: Record, fut: Future[RecordMetadata],
                size: int) -> None:
        with self._cond:
            if partition is None:
                partition = self._sticky_partition(topic, n)
            tp = TopicPartition(topic, partition)
            if self._buffered + size > self._max_buffered:
                self._wait_buffer(tp, size)
            if self._closing:
                raise ClosedError("producer closed", reason=REASON_CLOSED)
            if self._fatal is not None:
                raise self._fatal
            part = self._parts.get(tp)
            if part is None:
                part = self._parts[tp] = _Part()
            b = part.open
            if b is not None and b.size + size > self._batch_bytes and b.records:
                part.queue.append(b)
                b = None
                self._cond.notify_all()
            if b is None:
                now = time.monotonic()
                b = part.open = _Batch(tp, created=now, deadline=now + self._delivery_timeout)
                self._cond.notify_all()  # the sender's linger timer starts
            b.records.append(rec)
            b.futures.append(fut)
            b.size += size
            self._buffered += size
            self._pending += 1
            st = self._sticky.get(tp.topic)
            if st is not None and st[0] == tp.partition and st[1] is None:
                self._sticky[tp.topic] = (tp.partition, b)
            if b.size >= self._batch_bytes:
                part.queue.append(b)
                part.open = None
                self._cond.notify_all()

    def _wait_buffer(self, tp: TopicPartition, size: int) -> None:
        deadline = time.monotonic() + self._delivery_timeout
        while self._buffered + size > self._max_buffered and self._buffered > 0 and not self._closing:
            if not self._cond.wait(deadline - time.monotonic()):
                raise make_error("buffer full for delivery_timeout", reason=REASON_REQUEST_TIMED_OUT,
                                 retriable=True, topic=tp.topic, partition=tp.partition)

    # -- sender --------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                ready = self._collect()
                while not ready:
                    if self._closing and self._pending == 0:
                        return
                    if self._closing and not any(p.inflight for p in self._parts.values()):
                        # Close after a flush timeout: fail what is left.
                        return
                    self._cond.wait(self._next_wake())
                    ready = self._collect()
            try:
                self._ensure_pid()
            except FjordError as e:
                for b in ready:
                    self._finish(b, None, e, retry=False)
                continue
            self._dispatch(ready)

    def _next_wake(self) -> float:
        now, wake = time.monotonic(), 1.0
        for p in self._parts.values():
            if p.inflight:
                continue
            if p.queue:
                wake = min(wake, max(0.0, p.queue[0].retry_at - now))
            elif p.open is not None:
                wake = min(wake, max(0.0, p.open.created + self._linger - now))
        return max(wake, 0.0005)

    def _collect(self) -> list[_Batch]:
        now, out = time.monotonic(), []
        force = self._flushing > 0 or self._closing
        for part in self._parts.values():
            if part.inflight:
                continue
            if not part.queue and part.open is not None and (force or now - part.open.created >= self._linger):
                part.queue.append(part.open)
                part.open = None
            if part.queue and part.queue[0].retry_at <= now:
                part.inflight = True
                out.append(part.queue.popleft())
        return out

    def _ensure_pid(self) -> None:
        if not self._idempotent:
            return
        with self._cond:
            if self._pid is not None and not self._need_bump:
                return
            cur = self._pid
        req = produce_pb2.InitProducerIdRequest()
        if cur is not None:
            req.producer_id, req.producer_epoch = cur
        resp = self._client.retry(lambda: self._client.unary(
            produce_pb2_grpc.ProduceServiceStub(self._client.any_channel()).InitProducerId, req))
        with self._cond:
            self._pid = (resp.producer_id, resp.producer_epoch)
            self._need_bump = False
            for part in self._parts.values():
                part.next_seq = 0
                for b in part.queue:
                    b.base_seq = -1

    def _stamp(self, b: _Batch) -> bytes:
        with self._cond:
            pid = self._pid or (0, 0)
            if self._idempotent and (b.base_seq < 0 or b.pid != pid):
                part = self._parts[b.tp]
                b.base_seq, b.pid, b.encoded = part.next_seq, pid, b""
                part.next_seq = (part.next_seq + len(b.records)) & 0x7FFFFFFF
        if not b.encoded:
            b.encoded = encode_batch(b.records, self._codec, b.pid[0], b.pid[1], max(b.base_seq, 0))
        return b.encoded

    def _dispatch(self, ready: list[_Batch]) -> None:
        by_leader: dict[int, list[_Batch]] = {}
        for b in ready:
            try:
                leader = self._client.leader(b.tp.topic, b.tp.partition).leader_id
                by_leader.setdefault(leader, []).append(b)
            except FjordError as e:
                self._finish(b, None, e, retry=True)
        for leader, batches in by_leader.items():
            try:
                ch = self._client.broker_channel(leader)
            except FjordError as e:
                for b in batches:
                    self._finish(b, None, e, retry=True)
                continue
            topics: dict[str, list[produce_pb2.ProducePartitionData]] = {}
            for b in batches:
                pd = produce_pb2.ProducePartitionData(partition=b.tp.partition)
                pd.batches.add().MergeFromString(self._stamp(b))
                topics.setdefault(b.tp.topic, []).append(pd)
            req = produce_pb2.ProduceRequest(acks=self._acks, timeout_ms=int(self._client.cfg.request_timeout * 1000),
                                             topics=[produce_pb2.ProduceTopicData(topic=t, partitions=ps)
                                                     for t, ps in topics.items()])
            stub = produce_pb2_grpc.ProduceServiceStub(ch)
            call = stub.Produce.future(req, timeout=self._client.cfg.request_timeout + 5,
                                       metadata=self._client.call_metadata)
            call.add_done_callback(lambda f, bs=batches: self._on_response(f, bs))

    def _on_response(self, call: "grpc.Future[produce_pb2.ProduceResponse]", batches: list[_Batch]) -> None:
        try:
            resp: produce_pb2.ProduceResponse = call.result()
        except grpc.RpcError as e:
            err = from_rpc(e, write=True)
            for b in batches:
                self._finish(b, None, err, retry=True)
            return
        except Exception as e:  # a cancelled call on close
            for b in batches:
                self._finish(b, None, FjordError(str(e), reason=REASON_CLOSED), retry=False)
            return
        results = {(t.topic, p.partition): p for t in resp.topics for p in t.partitions}
        for b in batches:
            pr = results.get((b.tp.topic, b.tp.partition))
            if pr is None:
                if self._acks == produce_pb2.ACKS_NONE:
                    self._finish(b, -1, None, retry=False)
                else:
                    self._finish(b, None, FjordError("no result for partition", reason="INVALID_REQUEST",
                                                     topic=b.tp.topic, partition=b.tp.partition), retry=False)
                continue
            perr = from_proto(pr.error, b.tp.topic, b.tp.partition) if pr.HasField("error") else None
            self._finish(b, pr.base_offset, perr, retry=True, log_append_time=pr.log_append_time)

    def _finish(self, b: _Batch, base_offset: int | None, err: FjordError | None, *, retry: bool,
                log_append_time: int = 0) -> None:
        now = time.monotonic()
        if err is not None:
            b.attempts += 1
            if err.reason in (REASON_OUT_OF_ORDER_SEQUENCE, REASON_UNKNOWN_PRODUCER_ID) and self._idempotent:
                # KIP-360: bump the epoch and restart this partition's sequence.
                with self._cond:
                    self._need_bump = True
                err.retriable = True
            if retry and err.retriable and now + self._client.backoff(b.attempts) < b.deadline and not self._closing:
                self._client.invalidate(b.tp.topic)
                with self._cond:
                    b.retry_at = now + max(self._client.backoff(b.attempts), err.retry_after)
                    part = self._parts[b.tp]
                    part.queue.appendleft(b)
                    part.inflight = False
                    self._cond.notify_all()
                return
            if err.reason == REASON_INVALID_PRODUCER_EPOCH:
                with self._cond:
                    self._fatal = err
            elif self._idempotent and b.base_seq >= 0:
                with self._cond:
                    self._need_bump = True  # the sequence has a hole now
        with self._cond:
            part = self._parts[b.tp]
            part.inflight = False
            self._buffered -= b.size
            self._pending -= len(b.records)
            self._cond.notify_all()
        for i, (r, f) in enumerate(zip(b.records, b.futures)):
            if err is not None:
                f.set_exception(err)
            else:
                off = -1 if base_offset is None or base_offset < 0 else base_offset + i
                f.set_result(RecordMetadata(b.tp.topic, b.tp.partition, off, log_append_time if log_append_time > 0 else r.timestamp_ms))

    def _fail_all(self, err: FjordError) -> None:
        with self._cond:
            left: list[_Batch] = []
            for part in self._parts.values():
                left.extend(part.queue)
                part.queue.clear()
                if part.open is not None:
                    left.append(part.open)
                    part.open = None
        for b in left:
            with self._cond:
                self._buffered -= b.size
                self._pending -= len(b.records)
                self._cond.notify_all()
            for f in b.futures:
                if not f.done():
                    f.set_exception(err)
