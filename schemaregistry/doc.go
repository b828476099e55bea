// Package schemaregistry is Fjord's integrated Avro schema registry: the
// state of Confluent's schema registry (subjects, versions, global ids,
// compatibility configs, modes, references) kept in the internal compacted
// topic _schemas, served over Confluent's REST API (Handler) and over gRPC
// (GRPC, fjord.v1.SchemaRegistryService), and the checks the broker runs on
// produced records (CheckPayload).
//
// It owns the registry's records (records.go), the in-memory view rebuilt
// from them and the operations' Confluent semantics and error codes. It
// does not import the broker: the broker gives it a Backend, the _schemas
// partition.
//
// # Consistency
//
// Every broker runs a Registry whose goroutine tails the committed records
// of _schemas-0 into its view. One writer, the leader of _schemas-0,
// changes the registry: other brokers forward writes to it over gRPC
// (marked with ForwardedHeader so they are never forwarded twice). The
// writer runs one write at a time, each planned against a view holding
// every earlier write: in a new leader epoch it first waits until its view
// reached the log end it found, so ids (the largest id seen plus one,
// ID_WATERMARK records keeping the largest id across compaction) are never
// handed out twice, across failovers too. A write is answered once it is
// committed (acks=all) and in the answering broker's view: the writer
// returns the offset in OffsetHeader and a forwarding broker waits for its
// own view to reach it. A read first asks the leader for its high
// watermark (concurrent reads share one question) and waits for the view
// to reach it, so a read sees every write acknowledged before it, on any
// broker.
//
// # Concurrency
//
// A Registry is safe for concurrent use. Registry.mu guards the view (the
// tailer writes it, operations read it); writeMu orders this broker's
// writes; the view's parse cache has its own lock.
package schemaregistry
