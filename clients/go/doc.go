// Package fjord is the Go SDK for Fjord, a gRPC-native distributed log.
//
// A [Client] owns the connections (one gRPC connection per broker address)
// and a metadata cache that routes each partition's requests to its leader.
// On top of one Client you build any number of:
//
//   - [Producer]: asynchronous, batching per partition (linger, batch bytes),
//     compression, partitioning (Kafka-compatible murmur2 for keys), and
//     pipelined sends on one ProduceStream per broker, with retries of
//     definite failures that keep each partition's acknowledged records in
//     Produce order. There is no idempotence yet: a produce whose outcome is
//     unknown (IsIndefinite) is reported, not retried.
//   - [Consumer]: explicit partition assignment (no consumer groups yet),
//     long-poll fetches grouped by leader, the next fetch prefetched in the
//     background while records are decoded and processed, CRC-checked batch
//     decoding.
//   - [Admin]: topic and cluster administration.
//
// Options follow the functional style of twmb/franz-go: [Opt] configures a
// Client, [ProducerOpt] and [ConsumerOpt] configure producers and consumers.
// Producer and consumer options may also be passed to [NewClient], where they
// become the defaults for every Producer or Consumer built from that Client.
// Every option's comment states its default.
//
// Errors returned by the broker, whether as an RPC status or per partition,
// are returned as [*Error]; compare them with errors.Is against the ErrXxx
// sentinels, which match by reason.
//
// Leader changes: the Client's metadata cache follows partition leaders
// across a cluster. A request that reaches a broker which no longer leads
// the partition is re-sent to the leader named in the error, or to the one
// fresh metadata names; a broker that cannot be reached is passed over for
// metadata, and its partitions are looked up again. Producers, consumers and
// admin calls all retry such failures themselves (see [Producer] for which
// produce failures are retried and what ordering holds).
//
// All types are safe for concurrent use unless stated otherwise. Every
// goroutine the package starts stops on Close.
package fjord
