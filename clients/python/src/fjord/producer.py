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
import functools
import random
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, Sequence

import grpc

from fjord._codec import _VARINTS, Header, Record, codec_from_name, finish_batch, key_partition, record_tail, uvarint
from fjord.client import Client, ClientConfig, TopicPartition
from fjord.errors import (REASON_CLOSED, REASON_INVALID_PRODUCER_EPOCH, REASON_MESSAGE_TOO_LARGE,
                          REASON_OUT_OF_ORDER_SEQUENCE,
                          REASON_RECORD_TOO_LARGE, REASON_REQUEST_TIMED_OUT, REASON_UNKNOWN_PRODUCER_ID, ClosedError,
                          FjordError, from_proto, from_rpc, make_error)
from fjord.v1 import produce_pb2, produce_pb2_grpc, record_pb2

_time_ns = time.time_ns
_monotonic = time.monotonic

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


class _Batch:
    """An open or closed batch of one partition: its records as serialized Records entries."""

    __slots__ = ("part", "buf", "n", "first_ts", "max_ts", "size", "created", "deadline", "attempts", "retry_at",
                 "base_seq", "pid", "encoded", "maybe_written", "seq_errs", "done", "err", "base_offset",
                 "log_append", "cond", "cbs", "watched", "split")

    def __init__(self, part: _Part, first_ts: int, now: float, deadline: float) -> None:
        self.part = part
        self.buf = bytearray()
        self.n = 0
        self.first_ts = first_ts
        self.max_ts = first_ts
        self.size = 0
        self.created = now
        self.deadline = deadline
        self.attempts = 0
        self.retry_at = 0.0
        self.base_seq = -1  # stamped on the first send, kept through retries
        self.pid = (0, 0)
        self.encoded = b""
        self.maybe_written: FjordError | None = None  # an attempt's outcome was unknown
        self.seq_errs = 0
        self.done = False
        self.err: BaseException | None = None
        self.base_offset = -1
        self.log_append = 0
        self.cond = threading.Condition()  # reentrant: concurrent.futures.wait acquires each future's
        self.cbs: list[tuple[_RecordFuture, Callable[[Future[RecordMetadata]], object]]] = []
        self.watched: list[_RecordFuture] = []  # futures with concurrent.futures waiters
        self.split: tuple[_Batch, _Batch] | None = None  # the halves that replaced this batch, if split

    def resolve(self, base_offset: int, err: BaseException | None, log_append: int) -> None:
        with self.cond:
            self.base_offset, self.err, self.log_append = base_offset, err, log_append
            self.done = True
            self.cond.notify_all()
            for f in self.watched:  # under the condition, as concurrent.futures does
                for w in f.__dict__["_wl"]:
                    if err is None:
                        w.add_result(f)
                    else:
                        w.add_exception(f)
            cbs = self.cbs
            self.cbs, self.watched = [], []
        for f, fn in cbs:
            try:
                fn(f)
            except Exception:  # like concurrent.futures: a callback's failure does not stop the others
                pass

    def records(self) -> list[Record]:
        """The batch's records decoded again (for on_possible_duplicates)."""
        tp = self.part.tp
        return [Record(r.value if r.HasField("value") else None, r.key if r.HasField("key") else None,
                       [Header(h.key, h.value) for h in r.headers], self.first_ts + r.timestamp_delta,
                       tp.topic, tp.partition)
                for r in record_pb2.Records.FromString(bytes(self.buf)).records]

    def halves(self) -> tuple[_Batch, _Batch]:
        """Two new batches holding the first and second half of this one's records (re-encoded, with
        their own offset and timestamp deltas), inheriting its deadline and attempts, not yet stamped."""
        recs = record_pb2.Records.FromString(bytes(self.buf)).records
        half = self.n // 2
        out = []
        for lo, hi in ((0, half), (half, self.n)):
            ts = [self.first_ts + r.timestamp_delta for r in recs[lo:hi]]
            h = _Batch(self.part, ts[0], self.created, self.deadline)
            h.max_ts = max(ts)
            h.attempts, h.maybe_written, h.seq_errs = self.attempts, self.maybe_written, self.seq_errs
            msg = record_pb2.Records()
            for j, r in enumerate(recs[lo:hi]):
                nr = msg.records.add()
                nr.CopyFrom(r)
                nr.offset_delta, nr.timestamp_delta = j, ts[j] - h.first_ts
                h.size += _RECORD_OVERHEAD + len(r.key) + len(r.value) + \
                    sum(len(x.key) + len(x.value) for x in r.headers)
            h.buf = bytearray(msg.SerializeToString(deterministic=True))
            h.n = hi - lo
            out.append(h)
        # The sizes only count against max_buffered_bytes: keep their sum the one accounted for.
        out[1].size = self.size - out[0].size
        return out[0], out[1]

    def replace(self, first: _Batch, second: _Batch) -> None:
        """Hands this batch's futures (and their callbacks and waiters) over to its two halves."""
        with self.cond:
            self.split = (first, second)
            for f, fn in self.cbs:
                f._loc()[0].cbs.append((f, fn))
            for f in self.watched:
                f._loc()[0].watched.append(f)
            self.cbs, self.watched = [], []
            self.cond.notify_all()


class _RecordFuture(Future):  # type: ignore[type-arg]
    """The Future send() returns: a light handle on its batch's outcome (no lock of its own).

    Behaves as a concurrent.futures.Future (result, exception, done, add_done_callback,
    concurrent.futures.wait/as_completed, asyncio.wrap_future); it cannot be cancelled.
    """

    def __init__(self, batch: _Batch, index: int, timestamp_ms: int) -> None:  # no Future.__init__: no lock
        self._at = (batch, index)  # replaced as a whole (atomic) when the batch was split
        self._ts = timestamp_ms

    def _loc(self) -> tuple[_Batch, int]:
        """The batch holding the record now and its index there: a split batch hands it to a half."""
        b, i = self._at
        if b.split is not None:
            while b.split is not None:
                first, second = b.split
                b, i = (first, i) if i < first.n else (second, i - first.n)
            self._at = (b, i)
        return b, i

    @property
    def _b(self) -> _Batch:
        return self._loc()[0]

    @property
    def _i(self) -> int:
        return self._loc()[1]

    # The internals concurrent.futures.wait and as_completed use.
    @property
    def _condition(self) -> threading.Condition:  # type: ignore[override]
        return self._b.cond

    @property
    def _state(self) -> str:  # type: ignore[override]
        return "FINISHED" if self._b.done else "PENDING"

    @property
    def _waiters(self) -> list[Any]:  # type: ignore[override]
        wl = self.__dict__.get("_wl")
        if wl is None:
            wl = self.__dict__["_wl"] = []
            self._b.watched.append(self)
        return wl

    def __repr__(self) -> str:
        b, i = self._loc()
        return f"<RecordFuture {b.part.tp.topic}-{b.part.tp.partition} #{i} {'done' if b.done else 'pending'}>"

    def cancel(self) -> bool:
        return False

    def cancelled(self) -> bool:
        return False

    def running(self) -> bool:
        return not self._b.done

    def done(self) -> bool:
        return self._b.done

    def set_running_or_notify_cancel(self) -> bool:
        return True

    def _wait(self, timeout: float | None) -> tuple[_Batch, int]:
        b, i = self._loc()
        if b.done:
            return b, i
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with b.cond:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not b.cond.wait_for(lambda: b.done or b.split is not None, left):
                    raise FutureTimeoutError()
            b, i = self._loc()
            if b.done:
                return b, i

    def result(self, timeout: float | None = None) -> RecordMetadata:
        b, i = self._wait(timeout)
        if b.err is not None:
            raise b.err
        tp = b.part.tp
        return RecordMetadata(tp.topic, tp.partition, -1 if b.base_offset < 0 else b.base_offset + i,
                              b.log_append if b.log_append > 0 else self._ts)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        return self._wait(timeout)[0].err

    def add_done_callback(self, fn: Callable[[Future[RecordMetadata]], object]) -> None:
        while True:
            b = self._b
            with b.cond:
                if b.split is not None:
                    continue  # split meanwhile: register on the half
                if not b.done:
                    b.cbs.append((self, fn))
                    return
            break
        fn(self)

    def set_result(self, result: object) -> None:
        raise RuntimeError("fjord: a producer future is resolved by the producer")

    def set_exception(self, exception: BaseException | None) -> None:
        raise RuntimeError("fjord: a producer future is resolved by the producer")


class _Part:
    __slots__ = ("tp", "open", "queue", "inflight", "pid", "seq", "rewrite")

    def __init__(self, tp: TopicPartition) -> None:
        self.tp = tp
        self.open: _Batch | None = None
        self.queue: collections.deque[_Batch] = collections.deque()
        self.inflight = False
        self.pid: tuple[int, int] | None = None  # the epoch this partition's sequence runs under
        self.seq = 0
        self.rewrite = False  # the sequence restarts under a new epoch (after a sequence error)


class _Topic:
    __slots__ = ("name", "n", "checked", "parts", "sticky", "sticky_batch")

    def __init__(self, name: str, n: int, now: float) -> None:
        self.name = name
        self.n = n
        self.checked = now
        self.parts: list[_Part | None] = [None] * n
        self.sticky = -1
        self.sticky_batch: _Batch | None = None


class Producer:
    """Produces records to Fjord. Thread-safe; use as a context manager or call close().

    Options (defaults in brackets):
        acks: "all" | "leader" | "none" ["all"].
        linger_ms: how long a batch waits for more records [5].
        batch_bytes: a batch is sent once this full [1 MiB].
        compression: "none" | "gzip" | "snappy" (raw block) | "lz4" (frame) | "zstd" ["none"].
        partitioner: a :class:`Partitioner` for records without an explicit partition
            [murmur2 of the key; keyless records stick to one partition per batch].
        idempotence: stamp producer id/epoch/sequence so retries never duplicate [True].
        on_possible_duplicates: called (on the sender thread) with the records of a batch
            sent again under a new epoch after an attempt whose outcome was unknown: the
            only records an idempotent producer may write twice [None].
        delivery_timeout: seconds a record may take, retries included [120].
        max_buffered_bytes: send() blocks while this much is unsent [64 MiB].
        max_request_bytes: larger records fail with RecordTooLargeError at once [16 MiB].
    """

    def __init__(self, bootstrap: str | Sequence[str], *, client_id: str = "", acks: str = "all",
                 linger_ms: float = 5.0, batch_bytes: int = 1 << 20, compression: str = "none",
                 partitioner: Partitioner | None = None, idempotence: bool = True,
                 on_possible_duplicates: Callable[[list[Record]], None] | None = None,
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
        self._on_dups = on_possible_duplicates
        self._delivery_timeout = delivery_timeout
        self._max_buffered = max_buffered_bytes
        self._max_request = max_request_bytes
        self._lock = threading.Lock()  # guards every field below
        self._cond = threading.Condition(self._lock)
        self._parts: dict[TopicPartition, _Part] = {}
        self._topics: dict[str, _Topic] = {}
        self._buffered = 0
        self._pending = 0  # batches closed or open and not yet resolved, in records
        self._flushing = 0
        self._closing = False
        self._pid: tuple[int, int] | None = None
        self._bump_from: tuple[int, int] | None = None  # a new epoch of this pid is wanted
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
        ts = _time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms
        if headers:
            tail = record_tail(key, value, [h if isinstance(h, Header) else Header(h[0], bytes(h[1]))
                                            for h in headers])
        else:
            # record_tail inlined: this is the hot path.
            tail = b"" if key is None else b"\x1a" + uvarint(len(key)) + key
            if value is not None:
                n = len(value)
                tail += b"\x22" + (_VARINTS[n] if n < 16384 else uvarint(n)) + value
        size = _RECORD_OVERHEAD + len(tail)
        try:
            if size > self._max_request:
                raise make_error(f"record of {size} bytes is larger than max_request_bytes {self._max_request}",
                                 reason=REASON_RECORD_TOO_LARGE, topic=topic)
            t = self._topics.get(topic)
            if t is None or _monotonic() - t.checked >= 5.0:
                t = self._topic(topic)
            n = t.n
            if partition is None:
                if key is not None or self._partitioner is not None:
                    partition = self._choose(topic, key, n)
            elif not 0 <= partition < n:
                raise make_error(f"partition {partition} out of range [0, {n})", reason="UNKNOWN_TOPIC_OR_PARTITION",
                                 topic=topic, partition=partition)
            with self._lock:
                if partition is None:  # sticky: keyless records fill one partition's batch, then move on
                    partition = t.sticky
                    if partition < 0 or partition >= n or (
                            t.sticky_batch is not None and (t.parts[partition] or _NOPART).open is not t.sticky_batch):
                        partition = self._new_sticky(t)
                    sticky = True
                else:
                    sticky = False
                part = t.parts[partition]
                if part is None:
                    part = t.parts[partition] = self._parts[TopicPartition(topic, partition)] = \
                        _Part(TopicPartition(topic, partition))
                if self._buffered + size > self._max_buffered:
                    self._wait_buffer(part.tp, size)
                if self._closing:
                    raise ClosedError("producer closed", reason=REASON_CLOSED)
                if self._fatal is not None:
                    raise self._fatal
                b = part.open
                if b is not None and b.size + size > self._batch_bytes and b.n:
                    part.queue.append(b)
                    b = None
                    self._cond.notify()
                if b is None:
                    now = _monotonic()
                    b = part.open = _Batch(part, ts, now, now + self._delivery_timeout)
                    self._cond.notify()  # the sender's linger timer starts
                i = b.n
                d = ts - b.first_ts
                if d > 0 and ts > b.max_ts:
                    b.max_ts = ts
                body = (b"\x08" + _VARINTS[i] if 0 < i < 16384 else b"\x08" + uvarint(i) if i else b"") + \
                    (b"\x10" + _VARINTS[d] if 0 < d < 16384 else b"\x10" + uvarint(d) if d else b"") + tail
                ln = len(body)
                b.buf += (b"\x0a" + _VARINTS[ln] + body) if ln < 16384 else (b"\x0a" + uvarint(ln) + body)
                b.n = i + 1
                b.size += size
                self._buffered += size
                self._pending += 1
                if sticky:
                    t.sticky_batch = b
                if b.size >= self._batch_bytes:
                    part.queue.append(b)
                    part.open = None
                    self._cond.notify()
                fut: Future[RecordMetadata] = _RecordFuture(b, i, ts)
        except FjordError as e:
            f: Future[RecordMetadata] = Future()
            f.set_exception(e)
            fut = f
        if callback is not None:
            cb = callback

            def done(f: Future[RecordMetadata]) -> None:
                e = f.exception()
                if e is None:
                    cb(None, f.result())
                else:
                    cb(e if isinstance(e, FjordError) else FjordError(str(e)), None)
            fut.add_done_callback(done)
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
    def _topic(self, topic: str) -> _Topic:
        """The topic's accumulation state, its partition count refreshed every 5 s."""
        n = len(self._client.retry(lambda: self._client.topic(topic), timeout=min(self._delivery_timeout, 10.0)).partitions)
        with self._lock:
            t = self._topics.get(topic)
            now = _monotonic()
            if t is None:
                t = self._topics[topic] = _Topic(topic, n, now)
            else:
                if n > t.n:
                    t.parts.extend([None] * (n - t.n))
                    t.n = n
                t.checked = now
            return t

    def _new_sticky(self, t: _Topic) -> int:
        p = random.randrange(t.n)
        if t.n > 1 and p == t.sticky:
            p = (p + 1) % t.n
        t.sticky, t.sticky_batch = p, None
        return p

    def _choose(self, topic: str, key: bytes | None, n: int) -> int:
        if self._partitioner is not None:
            p = self._partitioner(topic, key, n)
            if not 0 <= p < n:
                raise ValueError(f"fjord: partitioner returned {p} for {n} partitions")
            return p
        assert key is not None
        return key_partition(key, n)

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
        """Gets the producer id, or a new epoch when a partition's sequence must restart."""
        if not self._idempotent:
            return
        with self._cond:
            if self._pid is not None and (self._bump_from is None or self._bump_from != self._pid):
                return
            cur = self._pid
        req = produce_pb2.InitProducerIdRequest()
        if cur is not None:
            req.producer_id, req.producer_epoch = cur
        resp = self._client.retry(lambda: self._client.unary(
            produce_pb2_grpc.ProduceServiceStub(self._client.any_channel()).InitProducerId, req))
        with self._cond:
            self._pid = (resp.producer_id, resp.producer_epoch)
            self._bump_from = None

    def _stamp(self, b: _Batch) -> bytes:
        """b's encoded batch: stamped with its partition's next sequence numbers when first sent, and
        kept through retries. Only a sequence restart (a sequence error on the partition's first
        unresolved batch, once the new epoch is there) stamps it again, from 0."""
        risky = False
        with self._cond:
            pid = self._pid or (0, 0)
            part = b.part
            if self._idempotent:
                if b.base_seq < 0:
                    if part.pid != pid:  # nothing of the partition is unresolved: move to the new epoch
                        part.pid, part.seq, part.rewrite = pid, 0, False
                    b.base_seq, b.pid, b.encoded = part.seq, pid, b""
                    part.seq = (part.seq + b.n) & 0x7FFFFFFF
                elif part.rewrite and part.pid != pid:
                    part.pid, part.rewrite = pid, False
                    b.base_seq, b.pid, b.encoded = 0, pid, b""
                    part.seq = b.n & 0x7FFFFFFF
                    risky = b.maybe_written is not None
        if risky and self._on_dups is not None:
            try:
                self._on_dups(b.records())
            except Exception:
                pass
        if not b.encoded:
            b.encoded = finish_batch(bytes(b.buf), b.n, b.first_ts, b.max_ts, self._codec, b.pid[0], b.pid[1],
                                     max(b.base_seq, 0))
        return b.encoded

    def _dispatch(self, ready: list[_Batch]) -> None:
        by_leader: dict[int, list[_Batch]] = {}
        for b in ready:
            try:
                if b.part.rewrite and self._pid == b.part.pid:
                    raise make_error("waiting for a new producer epoch", reason=REASON_UNKNOWN_PRODUCER_ID,
                                     retriable=True)  # the bump failed: try again
                leader = self._client.leader(b.part.tp.topic, b.part.tp.partition).leader_id
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
            # The request is written by hand around the encoded batches (no parse and re-serialize).
            topics: dict[str, list[bytes]] = {}
            for b in batches:
                tp = b.part.tp
                enc = self._stamp(b)
                pd = (b"\x08" + uvarint(tp.partition) if tp.partition else b"") + b"\x12" + uvarint(len(enc)) + enc
                topics.setdefault(tp.topic, []).append(b"\x12" + uvarint(len(pd)) + pd)
            timeout_ms = int(self._client.cfg.request_timeout * 1000)
            req = bytearray((b"\x08" + uvarint(self._acks) if self._acks else b"") +
                            (b"\x10" + uvarint(timeout_ms) if timeout_ms else b""))
            for t, pds in topics.items():
                tb = t.encode()
                body = b"".join([b"\x0a" + uvarint(len(tb)) + tb, *pds])
                req += b"\x1a" + uvarint(len(body)) + body
            call = ch.unary_unary(_PRODUCE_METHOD, request_serializer=bytes,
                                  response_deserializer=produce_pb2.ProduceResponse.FromString).future(
                req, timeout=self._client.cfg.request_timeout + 5, metadata=self._client.call_metadata)
            call.add_done_callback(functools.partial(self._on_response, batches=batches))

    def _on_response(self, call: Any, batches: list[_Batch]) -> None:
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
            tp = b.part.tp
            pr = results.get((tp.topic, tp.partition))
            if pr is None:
                if self._acks == produce_pb2.ACKS_NONE:
                    self._finish(b, -1, None, retry=False)
                else:
                    self._finish(b, None, FjordError("no result for partition", reason="INVALID_REQUEST",
                                                     topic=tp.topic, partition=tp.partition), retry=False)
                continue
            perr = from_proto(pr.error, tp.topic, tp.partition) if pr.HasField("error") else None
            self._finish(b, pr.base_offset, perr, retry=True, log_append_time=pr.log_append_time)

    def _finish(self, b: _Batch, base_offset: int | None, err: FjordError | None, *, retry: bool,
                log_append_time: int = 0) -> None:
        now = time.monotonic()
        part = b.part
        if err is not None:
            b.attempts += 1
            if err.indefinite and b.maybe_written is None and b.base_seq >= 0:
                b.maybe_written = err
            backoff = max(self._client.backoff(b.attempts - b.seq_errs), err.retry_after)
            if self._idempotent and err.reason in (REASON_OUT_OF_ORDER_SEQUENCE, REASON_UNKNOWN_PRODUCER_ID):
                # KIP-360: b is its partition's first unresolved batch (one batch in flight per
                # partition, in order), so the broker lost the producer's sequence, or a batch before
                # b failed for good unwritten: restart the sequence under a new epoch. _stamp reports b
                # to on_possible_duplicates if an earlier attempt of it may have been written.
                b.seq_errs += 1
                with self._cond:
                    part.rewrite = True
                    if self._pid is not None and self._pid == part.pid:
                        self._bump_from = self._pid
                err = make_error(err.message, reason=err.reason, code=err.code, retriable=True,
                                 indefinite=b.maybe_written is not None, metadata=err.metadata,
                                 topic=err.topic, partition=err.partition)
                backoff = 0.0
            if retry and err.reason == REASON_MESSAGE_TOO_LARGE and b.n > 1 and not self._closing:
                self._split(b)
                return
            if retry and err.retriable and now + backoff < b.deadline and not self._closing \
                    and err.reason != REASON_INVALID_PRODUCER_EPOCH:
                if err.reason not in (REASON_OUT_OF_ORDER_SEQUENCE, REASON_UNKNOWN_PRODUCER_ID):
                    self._client.invalidate(part.tp.topic)
                with self._cond:
                    b.retry_at = now + backoff
                    part.queue.appendleft(b)
                    part.inflight = False
                    self._cond.notify_all()
                return
            if b.maybe_written is not None and not err.indefinite:
                # An earlier attempt may have been written: the outcome is unknown, whatever the last error.
                err = make_error(f"{err.message} (an earlier attempt may have been written: {b.maybe_written})",
                                 reason=err.reason, code=err.code, retriable=err.retriable, indefinite=True,
                                 metadata=err.metadata, topic=err.topic, partition=err.partition)
            with self._cond:
                if err.reason == REASON_INVALID_PRODUCER_EPOCH:
                    self._fatal = err
                elif self._idempotent and b.base_seq >= 0 and not err.indefinite and part.pid == b.pid and \
                        part.seq == (b.base_seq + b.n) & 0x7FFFFFFF:
                    part.seq = b.base_seq  # certainly not written, nothing stamped after it: no gap
                # else, if it was not written after all, the next batch finds the gap (a sequence error).
        with self._cond:
            part.inflight = False
            self._buffered -= b.size
            self._pending -= b.n
            self._cond.notify_all()
        b.resolve(-1 if base_offset is None or base_offset < 0 else base_offset, err, log_append_time)

    def _split(self, b: _Batch) -> None:
        """Replaces b, rejected whole as larger than the topic's max.message.bytes (which batch_bytes
        does not know), by its two halves: nothing was appended, and its records may fit alone. They
        go first in the partition's queue (first half first) and are sent one at a time like retries;
        a single record still too large then fails alone. An idempotent producer's halves take b's
        sequence numbers: b was its partition's only stamped unresolved batch (one in flight, in
        order), so the sequence steps back to b's base and the halves are stamped from it when sent,
        the first with b's base sequence, the second with base + len(first half)."""
        first, second = b.halves()
        part = b.part
        with self._cond:
            if self._idempotent and b.base_seq >= 0 and part.pid == b.pid and \
                    part.seq == (b.base_seq + b.n) & 0x7FFFFFFF:
                part.seq = b.base_seq
            # else a sequence restart is pending: the halves are stamped under the new epoch.
            b.replace(first, second)
            part.queue.appendleft(second)
            part.queue.appendleft(first)
            part.inflight = False
            self._cond.notify_all()

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
                self._buffered -= b.size
                self._pending -= b.n
            self._cond.notify_all()
        for b in left:
            if not b.done:
                b.resolve(-1, err, 0)


_NOPART = _Part(TopicPartition("", -1))
_PRODUCE_METHOD = "/fjord.v1.ProduceService/Produce"
