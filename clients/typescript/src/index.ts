// @fjordlog/fjord: the TypeScript SDK of Fjord, a gRPC-native distributed log.
export { Client, type ClientOptions, type PartitionInfo } from "./client.js";
export { Producer, toBytes, type ProducerOptions, type ProducerRecord, type RecordMetadata, type Bytes } from "./producer.js";
export { Consumer, type ConsumerOptions, type ConsumerRecord, type TopicPartition, type StartOffset } from "./consumer.js";
export type { RebalanceListener, GroupOptions } from "./group.js";
export { Admin, type NewTopic, type TopicListing, type TopicDescription, type PartitionDescription, type GroupDescription, type ResetTo } from "./admin.js";
export { RegistryClient, type RegistryOptions, type RegisteredSchema, type SchemaReference, type SchemaById } from "./registry.js";
export { AvroSerializer, AvroDeserializer, toJSONValue, wireHeader, type AvroSerializerOptions, type AvroLong } from "./avro.js";
export {
  murmur2, keyHashPartition, stickyKeyPartitioner, roundRobinPartitioner, manualPartitioner,
  type Partitioner, type PartitionerRecord,
} from "./partitioner.js";
export { encodeBatch, encodeRecords, decodeBatch, decompress, crc32cOf, type BatchRecord, type Header, type CompressionName, type DecodedRecord, type Stamp } from "./batch.js";
export {
  FjordError, UnknownTopicError, RecordTooLargeError, InvalidRequestError, NotLeaderError, UnavailableError,
  SchemaError, GroupError, ClosedError, DeliveryTimeoutError, Reason, isRetriable, errorFromRPC, decodeErrorInfo, decodeRetryInfo,
  type FjordErrorInit,
} from "./errors.js";
