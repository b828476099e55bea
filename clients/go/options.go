package fjord

import (
	"math/rand/v2"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Opt configures a Client. Every ProducerOpt and ConsumerOpt is also an Opt:
// given to NewClient it sets the default for producers and consumers built
// from that client.
type Opt interface {
	apply(*cfg)
}

// ProducerOpt configures a Producer (or, given to NewClient, the default for
// every Producer of that client).
type ProducerOpt interface {
	Opt
	producerOpt()
}

// ConsumerOpt configures a Consumer (or, given to NewClient, the default for
// every Consumer of that client). Every ConsumerOpt is also a GroupOpt.
type ConsumerOpt interface {
	Opt
	GroupOpt
	consumerOpt()
}

type clientOpt struct{ fn func(*cfg) }

func (o clientOpt) apply(c *cfg) { o.fn(c) }

type producerOpt struct{ fn func(*cfg) }

func (o producerOpt) apply(c *cfg) { o.fn(c) }
func (producerOpt) producerOpt()   {}

type consumerOpt struct{ fn func(*cfg) }

func (o consumerOpt) apply(c *cfg) { o.fn(c) }
func (consumerOpt) consumerOpt()   {}

// cfg holds every setting; producers and consumers copy the client's.
type cfg struct {
	// client
	seeds          []string
	clientID       string
	dialOpts       []grpc.DialOption
	requestTimeout time.Duration
	backoff        func(attempt int) time.Duration
	maxRetries     int // <0: unlimited
	metadataMaxAge time.Duration
	tracerProvider trace.TracerProvider          // nil: tracing off (tracing.go)
	propagator     propagation.TextMapPropagator // nil: W3C trace context

	// producer
	acks                fjordv1.Acks
	acksSet             bool // Acks was given
	idempotence         bool // resolved by NewProducer (see Idempotence)
	idempotenceSet      bool // Idempotence was given
	onPossibleDups      func([]*Record)
	linger              time.Duration
	batchBytes          int
	maxBufferedBytes    int
	maxInFlight         int
	compression         fjordv1.Compression
	partitioner         Partitioner
	deliveryTimeout     time.Duration
	produceTimeout      time.Duration
	unknownTopicRetries int

	// consumer
	fetchMaxWait           time.Duration
	fetchMinBytes          int32
	fetchMaxBytes          int32
	fetchPartitionMaxBytes int32
	resetOffset            Offset
	resetOffsetSet         bool // ResetOffset was given (a GroupConsumer's default differs)
}

func defaultCfg() cfg {
	return cfg{
		seeds:          []string{"127.0.0.1:9092"},
		dialOpts:       []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())},
		requestTimeout: 30 * time.Second,
		backoff:        DefaultBackoff,
		maxRetries:     -1,
		metadataMaxAge: 5 * time.Minute,

		acks:                fjordv1.Acks_ACKS_ALL,
		linger:              5 * time.Millisecond,
		batchBytes:          1 << 20,
		maxBufferedBytes:    64 << 20,
		maxInFlight:         5,
		compression:         fjordv1.Compression_COMPRESSION_NONE,
		deliveryTimeout:     2 * time.Minute,
		produceTimeout:      30 * time.Second,
		unknownTopicRetries: 3,

		fetchMaxWait:           500 * time.Millisecond,
		fetchMinBytes:          1,
		fetchMaxBytes:          50 << 20,
		fetchPartitionMaxBytes: 1 << 20,
		resetOffset:            AtStart(),
	}
}

// DefaultBackoff is the default RetryBackoff: exponential from 100ms,
// doubling per attempt up to 500ms, with ±20% jitter. attempt starts at 1.
// The cap keeps a leader failover (the broker moves leadership within its
// 1.5s session timeout) from costing a client much more than that.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	const maxBackoff = 500 * time.Millisecond
	d := 100 * time.Millisecond
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	jitter := time.Duration(rand.Int64N(int64(d)*2/5+1)) - d/5
	return d + jitter
}

// ---- client options ----

// SeedBrokers sets the addresses (host:port) used to bootstrap metadata.
// Default: "127.0.0.1:9092".
func SeedBrokers(addrs ...string) Opt {
	return clientOpt{func(c *cfg) { c.seeds = append([]string(nil), addrs...) }}
}

// ClientID sets a name sent to brokers in the "fjord-client-id" request
// metadata, for logs and quotas. Default: empty (not sent).
func ClientID(id string) Opt {
	return clientOpt{func(c *cfg) { c.clientID = id }}
}

// DialOptions replaces the gRPC dial options used for every broker
// connection; include transport credentials. Default:
// grpc.WithTransportCredentials(insecure.NewCredentials()).
func DialOptions(opts ...grpc.DialOption) Opt {
	return clientOpt{func(c *cfg) { c.dialOpts = append([]grpc.DialOption(nil), opts...) }}
}

// RequestTimeout bounds each RPC attempt (a Fetch gets FetchMaxWait on top;
// a produce gets ProduceTimeout on top). Default: 30s.
func RequestTimeout(d time.Duration) Opt {
	return clientOpt{func(c *cfg) { c.requestTimeout = d }}
}

// MetadataMaxAge is how long cached metadata is used before it is refreshed
// (it is also refreshed at once on leadership errors). Default: 5m.
func MetadataMaxAge(d time.Duration) Opt {
	return clientOpt{func(c *cfg) { c.metadataMaxAge = d }}
}

// RetryBackoff sets the delay before retry number attempt (1 for the first
// retry) of a retriable failure. A broker's RetryInfo delay is used when
// longer. It applies to the client's own RPCs and, as a producer option, to
// produce retries. Default: DefaultBackoff (exponential 100ms..500ms, jitter).
func RetryBackoff(fn func(attempt int) time.Duration) ProducerOpt {
	return producerOpt{func(c *cfg) { c.backoff = fn }}
}

// MaxRetries caps how many times a retriable failure is retried (0 = never
// retry). It applies to the client's own RPCs and, as a producer option, to
// produce retries. Default: unlimited; retries stop when the context ends,
// or for produces, at the DeliveryTimeout. Without idempotence, a produce
// that failed indefinitely (it may have been written) is never retried; an
// idempotent producer retries it, and does not count the resends its
// sequence bookkeeping needs (after OUT_OF_ORDER_SEQUENCE_NUMBER or
// UNKNOWN_PRODUCER_ID) as retries.
func MaxRetries(n int) ProducerOpt {
	return producerOpt{func(c *cfg) { c.maxRetries = n }}
}

// ---- producer options ----

// Acks sets when the broker acknowledges a produce. With ACKS_NONE the
// promise gets Offset -1 once the request is written. An idempotent
// producer needs ACKS_ALL: Acks with another level turns idempotence off
// unless Idempotence(true) is given too, which NewProducer rejects.
// Default: ACKS_ALL.
func Acks(a fjordv1.Acks) ProducerOpt {
	return producerOpt{func(c *cfg) { c.acks, c.acksSet = a, true }}
}

// Idempotence turns the idempotent producer on or off (see Producer,
// Idempotence). On, every batch carries a producer id, epoch and sequence
// number, the broker drops retries of batches it already has, and the
// producer retries every retriable failure, indefinite ones included: each
// record is written once, in Produce order per partition, with up to five
// batches per partition in flight. It needs ACKS_ALL.
//
// Off, the producer never retries a failure whose outcome is unknown
// (IsIndefinite: it may have been written, so a retry could write it
// twice): the record fails instead, and an application that produces it
// again may duplicate it. And with MaxInFlight above 1, a batch that fails
// while a later batch of its partition is in flight fails with
// ErrWouldReorder, unless it can still be retried ahead of that batch.
//
// Default: on, unless Acks sets a level other than ACKS_ALL and
// Idempotence is not given (then off, as in Kafka).
func Idempotence(on bool) ProducerOpt {
	return producerOpt{func(c *cfg) { c.idempotence, c.idempotenceSet = on, true }}
}

// OnPossibleDuplicates sets a function an idempotent producer calls, on
// one of its goroutines, with records it is about to send again under a new
// producer epoch although an earlier attempt to write them had an unknown
// outcome: if that attempt was written, the records will be in the log
// twice. This is the only way an idempotent producer can duplicate records
// (see Producer, Idempotence); it needs the broker to have lost the
// partition's state for the producer, or a batch before them to have
// failed for good. fn must not block or call the producer. Default: none.
func OnPossibleDuplicates(fn func(records []*Record)) ProducerOpt {
	return producerOpt{func(c *cfg) { c.onPossibleDups = fn }}
}

// Linger is how long a partition's batch waits for more records before it
// is sent; a full batch (BatchBytes) or Flush sends at once. Default: 5ms.
func Linger(d time.Duration) ProducerOpt {
	return producerOpt{func(c *cfg) { c.linger = d }}
}

// BatchBytes caps a batch's uncompressed size (estimated); a record larger
// than this goes alone in its batch. Default: 1 MiB.
func BatchBytes(n int) ProducerOpt {
	return producerOpt{func(c *cfg) { c.batchBytes = n }}
}

// MaxBufferedBytes caps the bytes of records produced but not yet
// acknowledged; Produce blocks while the buffer is full (until its ctx
// ends). Default: 64 MiB.
func MaxBufferedBytes(n int) ProducerOpt {
	return producerOpt{func(c *cfg) { c.maxBufferedBytes = n }}
}

// MaxInFlight caps unacknowledged produce requests per broker stream (each
// carries at most one batch per partition). An idempotent producer also
// keeps at most five batches per partition in flight, the broker's window
// for recognizing retries. Acknowledged records of a partition keep Produce
// order whatever the setting. Without idempotence, with more than one
// request in flight, a batch that fails retriably while a later batch of
// its partition is in flight may fail with ErrWouldReorder instead of being
// retried (see Producer); MaxInFlight(1) rules that out. Default: 5.
func MaxInFlight(n int) ProducerOpt {
	return producerOpt{func(c *cfg) { c.maxInFlight = max(n, 1) }}
}

// Compression sets the batch codec. Default: COMPRESSION_NONE.
func Compression(codec fjordv1.Compression) ProducerOpt {
	return producerOpt{func(c *cfg) { c.compression = codec }}
}

// WithPartitioner sets how records are assigned to partitions. Default:
// StickyKeyPartitioner().
func WithPartitioner(p Partitioner) ProducerOpt {
	return producerOpt{func(c *cfg) { c.partitioner = p }}
}

// DeliveryTimeout bounds the time from Produce to the promise: a record not
// acknowledged by then fails with ErrDeliveryTimeout (wrapping the last
// error). Default: 2m.
func DeliveryTimeout(d time.Duration) ProducerOpt {
	return producerOpt{func(c *cfg) { c.deliveryTimeout = d }}
}

// ProduceTimeout is how long the broker waits for acks=ALL replication
// (the request's timeout_ms). Default: 30s.
func ProduceTimeout(d time.Duration) ProducerOpt {
	return producerOpt{func(c *cfg) { c.produceTimeout = d }}
}

// UnknownTopicRetries is how many metadata refreshes Produce makes for a
// topic the brokers do not know (it may have just been created) before
// failing the record with ErrUnknownTopicOrPartition. Default: 3.
func UnknownTopicRetries(n int) ProducerOpt {
	return producerOpt{func(c *cfg) { c.unknownTopicRetries = n }}
}

// ---- consumer options ----

// FetchMaxWait is how long the broker may hold a fetch waiting for
// FetchMinBytes. Default: 500ms.
func FetchMaxWait(d time.Duration) ConsumerOpt {
	return consumerOpt{func(c *cfg) { c.fetchMaxWait = d }}
}

// FetchMinBytes is how many bytes a fetch waits for. Default: 1.
func FetchMinBytes(n int32) ConsumerOpt {
	return consumerOpt{func(c *cfg) { c.fetchMinBytes = n }}
}

// FetchMaxBytes caps a fetch response (the first batch is returned even if
// larger). Default: 50 MiB.
func FetchMaxBytes(n int32) ConsumerOpt {
	return consumerOpt{func(c *cfg) { c.fetchMaxBytes = n }}
}

// FetchPartitionMaxBytes caps one partition's share of a fetch response.
// Default: 1 MiB.
func FetchPartitionMaxBytes(n int32) ConsumerOpt {
	return consumerOpt{func(c *cfg) { c.fetchPartitionMaxBytes = n }}
}

// ResetOffset says where a partition's position goes when the broker
// answers OFFSET_OUT_OF_RANGE (e.g. retention deleted the records) and, for
// a GroupConsumer, where a newly assigned partition without a committed
// offset starts. NoResetOffset() makes Poll return ErrOffsetOutOfRange (or
// a *NoOffsetError) instead. Default: AtStart() for a Consumer, AtEnd()
// for a GroupConsumer (as Kafka's auto.offset.reset=latest).
func ResetOffset(at Offset) ConsumerOpt {
	return consumerOpt{func(c *cfg) { c.resetOffset, c.resetOffsetSet = at, true }}
}

// NoResetOffset is the Offset for ResetOffset that disables resetting.
func NoResetOffset() Offset { return Offset{} }
