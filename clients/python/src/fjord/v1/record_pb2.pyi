from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Compression(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPRESSION_UNSPECIFIED: _ClassVar[Compression]
    COMPRESSION_NONE: _ClassVar[Compression]
    COMPRESSION_GZIP: _ClassVar[Compression]
    COMPRESSION_SNAPPY: _ClassVar[Compression]
    COMPRESSION_LZ4: _ClassVar[Compression]
    COMPRESSION_ZSTD: _ClassVar[Compression]

class TimestampType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIMESTAMP_TYPE_UNSPECIFIED: _ClassVar[TimestampType]
    TIMESTAMP_TYPE_CREATE_TIME: _ClassVar[TimestampType]
    TIMESTAMP_TYPE_LOG_APPEND_TIME: _ClassVar[TimestampType]
COMPRESSION_UNSPECIFIED: Compression
COMPRESSION_NONE: Compression
COMPRESSION_GZIP: Compression
COMPRESSION_SNAPPY: Compression
COMPRESSION_LZ4: Compression
COMPRESSION_ZSTD: Compression
TIMESTAMP_TYPE_UNSPECIFIED: TimestampType
TIMESTAMP_TYPE_CREATE_TIME: TimestampType
TIMESTAMP_TYPE_LOG_APPEND_TIME: TimestampType

class RecordBatch(_message.Message):
    __slots__ = ("base_offset", "leader_epoch", "last_offset_delta", "record_count", "first_timestamp", "max_timestamp", "timestamp_type", "compression", "producer_id", "producer_epoch", "base_sequence", "crc", "uncompressed_size", "records", "compressed_records")
    BASE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    LEADER_EPOCH_FIELD_NUMBER: _ClassVar[int]
    LAST_OFFSET_DELTA_FIELD_NUMBER: _ClassVar[int]
    RECORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MAX_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_EPOCH_FIELD_NUMBER: _ClassVar[int]
    BASE_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CRC_FIELD_NUMBER: _ClassVar[int]
    UNCOMPRESSED_SIZE_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    COMPRESSED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    base_offset: int
    leader_epoch: int
    last_offset_delta: int
    record_count: int
    first_timestamp: int
    max_timestamp: int
    timestamp_type: TimestampType
    compression: Compression
    producer_id: int
    producer_epoch: int
    base_sequence: int
    crc: int
    uncompressed_size: int
    records: Records
    compressed_records: bytes
    def __init__(self, base_offset: _Optional[int] = ..., leader_epoch: _Optional[int] = ..., last_offset_delta: _Optional[int] = ..., record_count: _Optional[int] = ..., first_timestamp: _Optional[int] = ..., max_timestamp: _Optional[int] = ..., timestamp_type: _Optional[_Union[TimestampType, str]] = ..., compression: _Optional[_Union[Compression, str]] = ..., producer_id: _Optional[int] = ..., producer_epoch: _Optional[int] = ..., base_sequence: _Optional[int] = ..., crc: _Optional[int] = ..., uncompressed_size: _Optional[int] = ..., records: _Optional[_Union[Records, _Mapping]] = ..., compressed_records: _Optional[bytes] = ...) -> None: ...

class Records(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[Record]
    def __init__(self, records: _Optional[_Iterable[_Union[Record, _Mapping]]] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("offset_delta", "timestamp_delta", "key", "value", "headers")
    OFFSET_DELTA_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_DELTA_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    offset_delta: int
    timestamp_delta: int
    key: bytes
    value: bytes
    headers: _containers.RepeatedCompositeFieldContainer[RecordHeader]
    def __init__(self, offset_delta: _Optional[int] = ..., timestamp_delta: _Optional[int] = ..., key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., headers: _Optional[_Iterable[_Union[RecordHeader, _Mapping]]] = ...) -> None: ...

class RecordHeader(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: bytes
    def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
