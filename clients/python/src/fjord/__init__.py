"""Fjord: the Python SDK for the Fjord gRPC-native distributed log.

    from fjord import Producer, Consumer, Admin, TopicPartition

Producer (batching, compression, murmur2/sticky/custom partitioning,
retries, idempotence, futures and callbacks), Consumer (groups with
cooperative rebalance callbacks, auto/manual commit, seek, pause/resume,
assign), Admin, Avro serde with a caching registry client, and asyncio
wrappers in fjord.aio.
"""

from fjord._codec import Header, Record, murmur2, key_partition
from fjord.admin import Admin
from fjord.avro import AvroDeserializer, AvroSerializer, SchemaRegistryClient
from fjord.client import TopicPartition
from fjord.consumer import Consumer
from fjord.errors import (ClosedError, CoordinatorError, CorruptRecordError, FjordError, MemberFencedError,
                          NotLeaderError, OffsetOutOfRangeError, ProducerFencedError, RecordTooLargeError, SchemaError,
                          TimeoutError_, TopicExistsError, UnavailableError, UnknownTopicError)
from fjord.producer import Partitioner, Producer, RecordMetadata, murmur2_partitioner

__all__ = [
    "Admin", "AvroDeserializer", "AvroSerializer", "ClosedError", "Consumer", "CoordinatorError",
    "CorruptRecordError", "FjordError", "Header", "MemberFencedError", "NotLeaderError", "OffsetOutOfRangeError",
    "Partitioner", "Producer", "ProducerFencedError", "Record", "RecordMetadata", "RecordTooLargeError",
    "SchemaError", "SchemaRegistryClient", "TimeoutError_", "TopicExistsError", "TopicPartition",
    "UnavailableError", "UnknownTopicError", "key_partition", "murmur2", "murmur2_partitioner",
]
__version__ = "0.1.0"
