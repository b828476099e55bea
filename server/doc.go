// Package server is the Fjord broker: the fjord.v1 gRPC services
// (Metadata, Produce, Fetch, Admin), gRPC health and reflection, the admin
// HTTP endpoint, and the partitions this node hosts.
//
// Ownership: a broker owns one storage.Log per hosted partition, the
// metadata image it acts on (produced by a controller; today the local,
// single-node controller in metadata.go), and the waiting operations
// (acks=all produces and long-poll fetches) parked on partitions. Only this
// package converts between generated API types and domain types, and
// errors.go holds the one table from error reasons to gRPC codes.
//
// Data path: produce requests are decoded into wire twins (fjord.wire.v1:
// record batches as bytes) and appended without decoding records; fetch
// responses carry the stored batch bytes the same way. Under
// flush.policy=sync a partition's high watermark moves only after a
// group-commit fsync (flush workers in broker.go); waiters wake on high
// watermark moves, deadlines, cancellation and shutdown.
//
// Concurrency: every exported method of Server is safe for concurrent use.
// broker.mu guards the partition map; partition.mu guards a partition's
// leadership, config and waiters; storage.Log does its own locking.
// Goroutines: the gRPC and HTTP servers, flushWorkers fsync workers, one
// maintenance loop, and per ProduceStream/Subscribe call one extra
// goroutine; all end with Shutdown (goleak checks this in tests).
package server
