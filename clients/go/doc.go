// Package fjord is the Go SDK for Fjord, a gRPC-native distributed log.
//
// A [Client] owns the connections (one gRPC connection per broker address)
// and a metadata cache that routes each partition's requests to its leader.
// On top of one Client you build any number of:
//
//   - [Producer]: asynchronous, batching per partition (linger, batch bytes),
//     compression, partitioning (Kafka-compatible murmur2 for keys), and
//     pipelined sends on one ProduceStream per broker, with retries.
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
// All types are safe for concurrent use unless stated otherwise. Every
// goroutine the package starts stops on Close.
package fjord
