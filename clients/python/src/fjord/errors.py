"""Errors of the Fjord SDK.

Every failure a broker reports becomes a :class:`FjordError` (or a subclass
chosen by its reason) carrying the gRPC code, the stable ``reason`` (the
``ErrorInfo`` reason, e.g. ``NOT_LEADER_OR_FOLLOWER``), ``retriable`` and
``indefinite`` flags and the broker's ``metadata``. Catch by class
(``except fjord.UnknownTopicError``) or test ``err.reason``.
"""

from __future__ import annotations

from typing import Any, Mapping

import grpc

REASON_UNKNOWN_TOPIC_OR_PARTITION = "UNKNOWN_TOPIC_OR_PARTITION"
REASON_NOT_LEADER = "NOT_LEADER_OR_FOLLOWER"
REASON_LEADER_NOT_AVAILABLE = "LEADER_NOT_AVAILABLE"
REASON_OFFSET_OUT_OF_RANGE = "OFFSET_OUT_OF_RANGE"
REASON_MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE"
REASON_CORRUPT_MESSAGE = "CORRUPT_MESSAGE"
REASON_INVALID_RECORD = "INVALID_RECORD"
REASON_TOPIC_ALREADY_EXISTS = "TOPIC_ALREADY_EXISTS"
REASON_REQUEST_TIMED_OUT = "REQUEST_TIMED_OUT"
REASON_UNAVAILABLE = "UNAVAILABLE"
REASON_NOT_COORDINATOR = "NOT_COORDINATOR"
REASON_COORDINATOR_NOT_AVAILABLE = "COORDINATOR_NOT_AVAILABLE"
REASON_COORDINATOR_LOAD_IN_PROGRESS = "COORDINATOR_LOAD_IN_PROGRESS"
REASON_UNKNOWN_MEMBER_ID = "UNKNOWN_MEMBER_ID"
REASON_FENCED_MEMBER_EPOCH = "FENCED_MEMBER_EPOCH"
REASON_STALE_MEMBER_EPOCH = "STALE_MEMBER_EPOCH"
REASON_INVALID_PRODUCER_EPOCH = "INVALID_PRODUCER_EPOCH"
REASON_OUT_OF_ORDER_SEQUENCE = "OUT_OF_ORDER_SEQUENCE_NUMBER"
REASON_UNKNOWN_PRODUCER_ID = "UNKNOWN_PRODUCER_ID"
REASON_THROTTLED = "THROTTLING_QUOTA_EXCEEDED"
REASON_SCHEMA = "SCHEMA_ERROR"
REASON_RECORD_TOO_LARGE = "RECORD_TOO_LARGE"
REASON_CLOSED = "CLOSED"

# Reasons that are retriable (and, for writes, indefinite) even when the
# broker did not say so (RPC-level statuses carry only RetryInfo).
_REASON_INFO: dict[str, tuple[bool, bool]] = {
    REASON_NOT_LEADER: (True, False),
    REASON_LEADER_NOT_AVAILABLE: (True, False),
    REASON_REQUEST_TIMED_OUT: (True, True),
    "NOT_ENOUGH_REPLICAS": (True, False),
    "NOT_ENOUGH_REPLICAS_AFTER_APPEND": (True, True),
    "BROKER_SHUTTING_DOWN": (True, False),
    "FENCED_LEADER_EPOCH": (True, False),
    "UNKNOWN_LEADER_EPOCH": (True, False),
    REASON_UNAVAILABLE: (True, False),
    REASON_THROTTLED: (True, False),
    REASON_NOT_COORDINATOR: (True, False),
    REASON_COORDINATOR_NOT_AVAILABLE: (True, False),
    REASON_COORDINATOR_LOAD_IN_PROGRESS: (True, False),
}


class FjordError(Exception):
    """A failure reported by a broker or detected by the SDK.

    Attributes:
        code: the gRPC status code.
        reason: stable machine-readable reason (``ErrorInfo.reason``).
        message: human-readable description.
        retriable: the same request may succeed if retried.
        indefinite: for writes, the write may have been applied anyway.
        retry_after: broker's suggested delay in seconds (0 if none).
        metadata: extra context such as ``leader_id``, ``topic``.
        topic, partition: where the failure happened when known (-1 if not).
    """

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        reason: str = "",
        retriable: bool = False,
        indefinite: bool = False,
        retry_after: float = 0.0,
        metadata: Mapping[str, str] | None = None,
        topic: str = "",
        partition: int = -1,
    ) -> None:
        self.code = code
        self.reason = reason
        self.message = message
        self.retriable = retriable
        self.indefinite = indefinite
        self.retry_after = retry_after
        self.metadata: dict[str, str] = dict(metadata or {})
        self.topic = topic or self.metadata.get("topic", "")
        if partition < 0 and self.metadata.get("partition", "").lstrip("-").isdigit():
            partition = int(self.metadata["partition"])
        self.partition = partition
        super().__init__(str(self))

    def __str__(self) -> str:
        s = f"fjord: {self.reason or self.code.name}"
        if self.message:
            s += f": {self.message}"
        if self.topic:
            s += f" (topic {self.topic!r}" + (f" partition {self.partition}" if self.partition >= 0 else "") + ")"
        return s

    def __reduce__(self) -> Any:  # keep pickling (e.g. across processes) working
        return (_rebuild, (type(self), self.message, self.code, self.reason, self.retriable, self.indefinite,
                           self.retry_after, self.metadata, self.topic, self.partition))


def _rebuild(cls: type[FjordError], message: str, code: grpc.StatusCode, reason: str, retriable: bool,
             indefinite: bool, retry_after: float, metadata: dict[str, str], topic: str,
             partition: int) -> FjordError:
    return cls(message, code=code, reason=reason, retriable=retriable, indefinite=indefinite,
               retry_after=retry_after, metadata=metadata, topic=topic, partition=partition)


class UnknownTopicError(FjordError):
    """UNKNOWN_TOPIC_OR_PARTITION: the topic or partition does not exist."""


class NotLeaderError(FjordError):
    """NOT_LEADER_OR_FOLLOWER: the broker does not lead the partition (retriable)."""


class RecordTooLargeError(FjordError):
    """MESSAGE_TOO_LARGE (broker) or RECORD_TOO_LARGE (producer buffer): the record is too big."""


class OffsetOutOfRangeError(FjordError):
    """OFFSET_OUT_OF_RANGE: the fetch offset is outside the log."""


class CorruptRecordError(FjordError):
    """CORRUPT_MESSAGE: a batch failed its CRC or could not be decoded."""


class TopicExistsError(FjordError):
    """TOPIC_ALREADY_EXISTS."""


class CoordinatorError(FjordError):
    """NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS (retriable)."""


class MemberFencedError(FjordError):
    """UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, STALE_MEMBER_EPOCH: the group no longer counts this member."""


class ProducerFencedError(FjordError):
    """INVALID_PRODUCER_EPOCH: another producer took over this producer id."""


class UnavailableError(FjordError):
    """UNAVAILABLE: the broker could not be reached (retriable)."""


class TimeoutError_(FjordError):
    """REQUEST_TIMED_OUT or a delivery timeout (retriable, indefinite for writes)."""


class SchemaError(FjordError):
    """SCHEMA_ERROR: the schema registry refused a schema, or a value does not match its schema."""


class ClosedError(FjordError):
    """CLOSED: the client was closed."""


DeliveryTimeoutError = TimeoutError_

_BY_REASON: dict[str, type[FjordError]] = {
    REASON_UNKNOWN_TOPIC_OR_PARTITION: UnknownTopicError,
    REASON_NOT_LEADER: NotLeaderError,
    REASON_MESSAGE_TOO_LARGE: RecordTooLargeError,
    REASON_RECORD_TOO_LARGE: RecordTooLargeError,
    REASON_OFFSET_OUT_OF_RANGE: OffsetOutOfRangeError,
    REASON_CORRUPT_MESSAGE: CorruptRecordError,
    REASON_TOPIC_ALREADY_EXISTS: TopicExistsError,
    REASON_NOT_COORDINATOR: CoordinatorError,
    REASON_COORDINATOR_NOT_AVAILABLE: CoordinatorError,
    REASON_COORDINATOR_LOAD_IN_PROGRESS: CoordinatorError,
    REASON_UNKNOWN_MEMBER_ID: MemberFencedError,
    REASON_FENCED_MEMBER_EPOCH: MemberFencedError,
    REASON_STALE_MEMBER_EPOCH: MemberFencedError,
    REASON_INVALID_PRODUCER_EPOCH: ProducerFencedError,
    REASON_UNAVAILABLE: UnavailableError,
    REASON_REQUEST_TIMED_OUT: TimeoutError_,
    REASON_SCHEMA: SchemaError,
    REASON_CLOSED: ClosedError,
}


def make_error(message: str, *, reason: str, **kw: Any) -> FjordError:
    """Builds the FjordError subclass that matches reason."""
    return _BY_REASON.get(reason, FjordError)(message, reason=reason, **kw)


def from_proto(pe: Any, topic: str = "", partition: int = -1) -> FjordError | None:
    """Maps a fjord.v1.Error from a response; None when it is unset."""
    if pe is None or (pe.code == 0 and not pe.reason):
        return None
    retriable, indefinite = pe.retriable, pe.indefinite
    ri = _REASON_INFO.get(pe.reason)
    if ri:
        retriable, indefinite = retriable or ri[0], indefinite or ri[1]
    try:
        code = _CODES[pe.code]
    except KeyError:
        code = grpc.StatusCode.UNKNOWN
    return make_error(pe.message, reason=pe.reason, code=code, retriable=retriable, indefinite=indefinite,
                      retry_after=pe.retry_after_ms / 1000.0, metadata=dict(pe.metadata), topic=topic,
                      partition=partition)


_CODES = {c.value[0]: c for c in grpc.StatusCode}


def from_rpc(err: grpc.RpcError, write: bool = False) -> FjordError:
    """Maps a failed RPC (a grpc.RpcError with google.rpc.Status details) to a FjordError."""
    from google.rpc import error_details_pb2  # type: ignore[import-untyped]
    from grpc_status import rpc_status  # type: ignore[import-untyped]

    code = err.code() if isinstance(err, grpc.Call) else grpc.StatusCode.UNKNOWN
    message = err.details() if isinstance(err, grpc.Call) else str(err)
    reason, retry_after, has_retry = "", 0.0, False
    metadata: dict[str, str] = {}
    try:
        st = rpc_status.from_call(err) if isinstance(err, grpc.Call) else None
    except ValueError:
        st = None
    if st is not None:
        for d in st.details:
            if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                d.Unpack(info)
                reason, metadata = info.reason, dict(info.metadata)
            elif d.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                ri = error_details_pb2.RetryInfo()
                d.Unpack(ri)
                has_retry = True
                retry_after = ri.retry_delay.seconds + ri.retry_delay.nanos / 1e9
    if reason:
        r, ind = _REASON_INFO.get(reason, (False, False))
        retriable = has_retry or r
        indefinite = metadata.get("indefinite") == "true" or (ind and write)
    elif code == grpc.StatusCode.UNAVAILABLE:
        reason, retriable, indefinite = REASON_UNAVAILABLE, True, write
    elif code in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
        reason, retriable, indefinite = REASON_REQUEST_TIMED_OUT, True, write
    else:
        retriable, indefinite = has_retry, write
    return make_error(message or "", reason=reason, code=code, retriable=retriable, indefinite=indefinite,
                      retry_after=retry_after, metadata=metadata)
