// Package fjord is the Go SDK for Fjord, a gRPC-native distributed log.
//
// A [Client] owns the connections (one gRPC connection per broker address)
// and a metadata cache that routes each partition's requests to its leader.
// On top of one Client you build any number of:
//
//   - [Producer]: asynchronous, batching per partition (linger, batch bytes),
//     compression, partitioning (Kafka-compatible murmur2 for keys), and
//     pipelined sends on one ProduceStream per broker. Idempotent by
//     default: every retriable failure is retried, and each record is
//     written once, in Produce order per partition (see Idempotence below).
//   - [Consumer]: explicit partition assignment, long-poll fetches grouped
//     by leader, the next fetch prefetched in the background while records
//     are decoded and processed, CRC-checked batch decoding.
//   - [GroupConsumer]: a consumer group member; the group's coordinator
//     assigns it partitions, which it reads (through a Consumer) from the
//     group's committed offsets, committing its progress. Membership runs
//     in a background goroutine; rebalance callbacks run inside Poll.
//   - [Admin]: topic, cluster and consumer group administration.
//   - [SchemaRegistry]: the brokers' schema registry (register, look up,
//     check compatibility, configure, delete), caching ids and schemas.
//     Package github.com/fjordlog/fjord/clients/go/avro serializes Avro
//     values in the Confluent wire format with it.
//
// Options follow the functional style of twmb/franz-go: [Opt] configures a
// Client, [ProducerOpt] and [ConsumerOpt] configure producers and consumers,
// [GroupOpt] (which every ConsumerOpt is) group consumers.
// Producer and consumer options may also be passed to [NewClient], where they
// become the defaults for every Producer or Consumer built from that Client.
// Every option's comment states its default.
//
// Errors returned by the broker, whether as an RPC status or per partition,
// are returned as [*Error]; compare them with errors.Is against the ErrXxx
// sentinels, which match by reason.
//
// Idempotence: a [Producer] is idempotent unless [Idempotence](false) is
// given, or [Acks] sets a level weaker than ACKS_ALL (idempotence needs
// ACKS_ALL; asking for both is an error). It takes a producer id and epoch
// from the brokers (InitProducerId) on first use and stamps every batch with
// them and per-partition sequence numbers; brokers recognize retries of a
// producer's last five batches per partition and answer them with the
// original offsets. So the producer retries failures whose outcome is
// unknown (IsIndefinite), keeps up to five batches per partition in flight,
// and still writes each record once, in order. After
// OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID it bumps its epoch and
// restarts the partition's sequence (Kafka's KIP-360); that can write a
// record twice only if an earlier attempt's outcome was unknown and the
// broker lost the producer's state meanwhile, and [OnPossibleDuplicates]
// reports those records. INVALID_PRODUCER_EPOCH means another producer took
// the id over: every record then fails with [ErrProducerFenced]. Without
// idempotence an indefinite failure is not retried (the promise gets it),
// and records an application produces again may be duplicated.
//
// Every error a write returns is definite (nothing was written) or
// indefinite ([IsIndefinite]: it may have been).
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
