// Package avro encodes and decodes Avro values in the Confluent wire
// format, with schemas from Fjord's schema registry (fjord.SchemaRegistry,
// reached through the SDK's Client). The format is the magic byte 0, the
// schema's global id as a 4-byte big-endian integer, then the value's Avro
// binary encoding: what Confluent's serializers write and read, and what
// brokers check on topics with value.schema.validation (or
// key.schema.validation) set to id or full.
//
// A Serializer finds its schema's id under the subject its
// SubjectNameStrategy names (TopicName: TOPIC-value; RecordName;
// TopicRecordName), registering the schema unless AutoRegister(false), or
// encodes with the subject's latest schema (UseLatestVersion). A
// Deserializer reads the id from each value, fetches that schema once, and
// decodes, optionally resolving to a ReaderSchema (schema evolution: a
// reader with a newer schema gets defaults for fields old data lacks).
//
// Values come in three forms (see Serializer): goavro's native form
// (map[string]any and goavro.Union), JSON text with plain unions, or Go
// values through encoding/json (structs). Encoding is goavro's
// (github.com/linkedin/goavro/v2); schema resolution, which goavro lacks,
// is this package's. Schema references (Confluent's) are fetched from the
// registry and written into the schema before goavro compiles it.
//
// Registry errors reach the caller wrapped, as *fjord.Error with the
// registry's reason (errors.Is(err, fjord.ErrSubjectNotFound), ...).
// Serializers and Deserializers are safe for concurrent use.
package avro
