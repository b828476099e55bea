package fjord

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc"
)

const produceStreamMethod = "/fjord.v1.ProduceService/ProduceStream"

// maxRequestBytes keeps a produce request under gRPC's default 4 MiB
// message limit (a request always carries at least one batch).
const maxRequestBytes = 4<<20 - 64<<10

var produceStreamDesc = grpc.StreamDesc{StreamName: "ProduceStream", ServerStreams: true, ClientStreams: true}

// Producer sends records asynchronously. Records are grouped per partition
// into batches (closed after Linger, at BatchBytes, or on Flush), and each
// broker gets one sender that pipelines up to MaxInFlight requests on one
// ProduceStream, carrying one batch per partition per request.
//
// Idempotence (the default; see Idempotence): the producer gets a producer
// id and epoch (InitProducerId, from any broker) when it first sends, and
// stamps each batch with them and the sequence number of its first record
// in its partition. The partition leader, and its followers, remember each
// producer's last five batches and answer a retry of one of them with its
// original offsets instead of appending it again. So the producer retries
// every retriable failure, indefinite ones included (an acks=ALL wait cut
// short, a stream broken after the request was sent, a response lost): each
// acknowledged record is in the log once, at the offset its promise got.
// Sequence errors are handled as Kafka's KIP-360 does: when the broker's
// sequence for the producer does not lead to the first batch of a partition
// not yet acknowledged (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID),
// the producer bumps its epoch and sends that partition's unacknowledged
// batches again from sequence 0. If a batch before them failed for good and
// left the gap, they were never written. If instead the broker lost the
// producer's state (it expired, after the broker's producer.id.expiration
// without a write from the producer, or an unclean leader election made a
// replica without it leader), a batch whose earlier attempt had an unknown
// outcome may be in the log already, and is then written twice: that, and
// only that, can duplicate a record, and OnPossibleDuplicates reports those
// records. (A retry of a batch at sequence 0, a partition's first or the
// first after a restart, to a broker that lost the state is taken as new
// without an error: that case cannot be detected.) A batch
// carrying an older epoch than the partition knows fails with
// INVALID_PRODUCER_EPOCH: another producer took the id over, and this one
// fails every record it holds, and every later one, with ErrProducerFenced.
//
// Failures and leader changes: a retriable failure (NOT_LEADER_OR_FOLLOWER,
// LEADER_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS, an unreachable broker, and
// with idempotence the indefinite ones) is retried with RetryBackoff until
// DeliveryTimeout or MaxRetries. Leadership errors re-route the partition:
// to the leader the error names when it names one, else to the leader a
// metadata refresh finds. Without idempotence an indefinite failure (the
// batch may have been appended) is not retried, because a retry could write
// the records twice: the promise gets the error, and IsIndefinite reports
// it; the records may or may not be in the log.
//
// Every failure a promise gets is either definite (the records were not
// written) or indefinite (IsIndefinite: they may have been). A batch whose
// last attempt failed definitely after an earlier attempt's outcome was
// unknown fails indefinitely.
//
// Ordering: the records of one partition that are acknowledged have
// offsets in Produce order, also with several requests in flight, and
// their promises run in that order. A batch that failed is
// retried only once nothing else of its partition is in flight, and alone;
// after a leader change, nothing goes to the new leader while batches sent
// to the old one are unanswered. With idempotence the batches after a
// failed one follow it, in order (the broker drops those it has already),
// and a batch acknowledged meanwhile has its promise wait for the earlier
// ones. Without idempotence, if a later batch of the partition may have
// been written before a failed one could be retried (it succeeded or failed
// indefinitely), the earlier batch is not retried but fails with
// ErrWouldReorder wrapping its last error; MaxInFlight(1) rules that
// outcome out at the cost of throughput.
//
// A Producer is safe for concurrent use. Close it before its Client.
type Producer struct {
	c      *Client
	cfg    cfg
	ctx    context.Context // ends at Close; parent of every stream
	cancel context.CancelFunc
	wg     sync.WaitGroup // senders, receivers, the metadata loop

	metaWake chan struct{} // cap 1: partitions need a leader
	idWake   chan struct{} // cap 1: an idempotent producer needs an id or a new epoch

	mu       sync.Mutex // guards every field below
	closed   bool       // no new records
	stopped  bool       // goroutines are stopping; start no more
	buffered int        // bytes of records not yet promised
	pending  int        // records not yet promised
	spaceCh  chan struct{}
	idleCh   chan struct{}
	flushing int
	parts    map[topicPartition]*producerPart
	senders  map[int32]*sender

	// Idempotence (see idempotence.go).
	pid      producerID // zero until InitProducerId answered
	bumpFrom producerID // a new epoch of this id is wanted (zero: none)
	fatal    error      // fenced, or no producer id to be had: every record fails with it

	// A one-entry cache of Produce's lookups, for the common run of records
	// to one topic (and, sticky, one partition).
	lastPart  *producerPart
	lastTopic string
	lastMD    *fjordv1.TopicMetadata // nil: look up again
	lastMDUse int                    // records since lastMD was looked up
}

// metadataReuse bounds how many records reuse a topic's metadata without
// asking the Client's cache again (which checks MetadataMaxAge). Sealing a
// batch also drops it.
const metadataReuse = 256

type promised struct {
	r       *Record
	promise func(*Record, error)
	size    int
}

type producerBatch struct {
	tp       topicPartition
	order    uint64 // order within the partition
	recs     []promised
	bytes    int
	created  time.Time
	attempts int // failed attempts; a batch with some is sent alone (see collect)
	lastErr  error
	sent     bool   // may have reached a broker (idempotent: it is stamped)
	encoded  []byte // kept so retries send identical bytes
	// enc holds recs encoded by Produce; enc.buf is nil once recs changed
	// (cancelled records dropped, split), and send encodes recs then.
	enc batchBuf

	// Idempotence (see idempotence.go).
	stamp        stamp // set when first sent; changed only by a sequence restart
	maybeWritten error // the first indefinite failure: the records may be in the log
	seqErrs      int   // sequence errors among attempts (not retries for MaxRetries)
	throttles    int   // quota throttles among attempts (not retries for MaxRetries)
	done         bool  // resolved; its promises wait for earlier batches' (doneErr, doneResp)
	doneErr      error
	doneResp     *fjordv1.ProducePartitionResponse
}

type producerPart struct {
	tp           topicPartition
	open         *producerBatch
	ready        []*producerBatch // sealed, by order
	nextOrder    uint64
	leader       int32 // -1: unknown
	inflight     int   // batches sent and not yet answered
	sentTo       int32 // the broker the batches in flight went to
	probing      bool  // the one batch in flight is a retry: send nothing else
	backoffUntil time.Time
	linger       *time.Timer
	// Sizes of the last sealed batch, to size the next one's buffers.
	lastRecs, lastBytes int

	// Idempotence (see idempotence.go).
	pid     producerID       // the id and epoch pp's sequence numbers belong to
	seq     int32            // the next sequence number
	unacked []*producerBatch // stamped and not yet promised, by order
	rewrite bool             // restart the sequence under a newer epoch before sending more
}

// NewProducer returns a producer using c's connections. Options given here
// override the client's.
func NewProducer(c *Client, opts ...ProducerOpt) (*Producer, error) {
	cfg := c.cfg
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.partitioner == nil {
		cfg.partitioner = StickyKeyPartitioner()
	}
	if cfg.backoff == nil {
		cfg.backoff = DefaultBackoff
	}
	acksAll := cfg.acks == fjordv1.Acks_ACKS_ALL || cfg.acks == fjordv1.Acks_ACKS_UNSPECIFIED
	switch {
	case !cfg.idempotenceSet:
		// Kafka's rule: an explicit weaker acks level turns the default off.
		cfg.idempotence = acksAll || !cfg.acksSet
		if cfg.idempotence {
			cfg.acks = fjordv1.Acks_ACKS_ALL
		}
	case cfg.idempotence && !acksAll:
		return nil, fmt.Errorf("fjord: an idempotent producer needs ACKS_ALL, not %v: give Idempotence(false) to produce with weaker acks", cfg.acks)
	}
	switch cfg.compression {
	case fjordv1.Compression_COMPRESSION_UNSPECIFIED, fjordv1.Compression_COMPRESSION_NONE,
		fjordv1.Compression_COMPRESSION_GZIP, fjordv1.Compression_COMPRESSION_SNAPPY,
		fjordv1.Compression_COMPRESSION_LZ4, fjordv1.Compression_COMPRESSION_ZSTD:
	default:
		return nil, fmt.Errorf("fjord: unsupported compression %v", cfg.compression)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Producer{
		c: c, cfg: cfg, ctx: ctx, cancel: cancel,
		metaWake: make(chan struct{}, 1),
		idWake:   make(chan struct{}, 1),
		spaceCh:  make(chan struct{}),
		idleCh:   make(chan struct{}),
		parts:    map[topicPartition]*producerPart{},
		senders:  map[int32]*sender{},
	}
	p.wg.Add(1)
	go p.metadataLoop()
	if cfg.idempotence {
		p.wg.Add(1)
		go p.idLoop()
	}
	return p, nil
}

// Produce buffers r for sending to r.Topic and calls promise exactly once
// with r (Partition and Offset filled in on success) and the outcome.
// Promises run on producer goroutines, in order per partition, and should
// not block for long. A record rejected before it is buffered (producer
// closed, unknown topic, record too large, ctx ended while Produce waited
// for buffer space) gets its promise called before Produce returns, on the
// caller's goroutine.
//
// Produce blocks while MaxBufferedBytes are buffered, and for a metadata
// lookup the first time a topic is seen. If r.Context is nil it is set to
// ctx; if that ends before the record is first sent, the record fails with
// its error. A zero r.Timestamp is set to time.Now(). promise may be nil.
// With TracerProvider, ctx's trace context is added to r.Headers.
func (p *Producer) Produce(ctx context.Context, r *Record, promise func(*Record, error)) {
	if promise == nil {
		promise = func(*Record, error) {}
	}
	if r.Context == nil {
		r.Context = ctx
	}
	if r.Timestamp.IsZero() {
		r.Timestamp = time.Now()
	}
	p.cfg.injectTrace(ctx, r)
	size := r.size()
	if size > p.cfg.maxBufferedBytes {
		promise(r, ErrRecordTooLarge)
		return
	}

	p.mu.Lock()
	if err := p.rejectLocked(); err != nil {
		p.mu.Unlock()
		promise(r, err)
		return
	}
	md := p.lastMD
	if md == nil || p.lastTopic != r.Topic || p.lastMDUse >= metadataReuse {
		p.mu.Unlock()
		var err error
		md, err = p.topicMetadata(ctx, r.Topic)
		if err != nil {
			promise(r, err)
			return
		}
		p.mu.Lock()
		p.lastTopic, p.lastMD, p.lastMDUse = r.Topic, md, 0
	}
	p.lastMDUse++
	n := int32(len(md.GetPartitions()))
	for !p.closed && p.buffered > 0 && p.buffered+size > p.cfg.maxBufferedBytes {
		ch := p.spaceCh
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			promise(r, ctx.Err())
			return
		}
		p.mu.Lock()
	}
	if err := p.rejectLocked(); err != nil {
		p.mu.Unlock()
		promise(r, err)
		return
	}
	part := p.cfg.partitioner.Partition(r, n)
	if part < 0 || part >= n {
		p.mu.Unlock()
		promise(r, &Error{Reason: ReasonUnknownTopicOrPartition, Message: fmt.Sprintf("partitioner chose %d of %d partitions", part, n), Topic: r.Topic, Partition: part})
		return
	}
	r.Partition = part
	p.buffered += size
	p.pending++
	tp := topicPartition{r.Topic, part}
	pp := p.lastPart
	if pp == nil || pp.tp != tp {
		var ok bool
		pp, ok = p.parts[tp]
		if !ok {
			pp = &producerPart{tp: tp, leader: -1}
			for _, pm := range md.GetPartitions() {
				if pm.GetPartition() == part && pm.GetError().GetReason() == "" {
					pp.leader = pm.GetLeaderId()
				}
			}
			p.parts[tp] = pp
		}
		p.lastPart = pp
	}
	if pp.open != nil && pp.open.bytes+size > p.cfg.batchBytes {
		p.sealLocked(pp)
	}
	if pp.open == nil {
		// Size the buffers for twice the partition's last batch (up to a
		// full one), so that a steady stream of records rarely grows them.
		pp.open = &producerBatch{tp: tp, created: time.Now(),
			recs: make([]promised, 0, min(max(2*pp.lastRecs, 8), p.cfg.batchBytes/16+1)),
			enc:  newBatchBuf(min(max(2*pp.lastBytes, 4<<10), p.cfg.batchBytes+p.cfg.batchBytes/8))}
		if p.cfg.linger > 0 && p.flushing == 0 {
			b := pp.open
			pp.linger = time.AfterFunc(p.cfg.linger, func() {
				p.mu.Lock()
				defer p.mu.Unlock()
				if pp.open == b {
					p.sealLocked(pp)
				}
			})
		}
	}
	pp.open.recs = append(pp.open.recs, promised{r: r, promise: promise, size: size})
	pp.open.bytes += size
	pp.open.enc.add(r)
	if pp.open.bytes >= p.cfg.batchBytes || p.cfg.linger <= 0 || p.flushing > 0 {
		p.sealLocked(pp)
	}
	p.mu.Unlock()
}

// rejectLocked returns why Produce takes no more records, if it does not.
func (p *Producer) rejectLocked() error {
	switch {
	case p.closed:
		return ErrClosed
	case p.fatal != nil:
		return p.fatal
	}
	return nil
}

// topicMetadata finds a topic's partitions, refreshing a few times for a
// topic the brokers do not know yet.
func (p *Producer) topicMetadata(ctx context.Context, topic string) (*fjordv1.TopicMetadata, error) {
	for attempt := 1; ; attempt++ {
		md, err := p.c.topicMetadata(ctx, topic)
		if err == nil && len(md.GetPartitions()) == 0 {
			err = &Error{Reason: ReasonUnknownTopicOrPartition, Message: "topic has no partitions", Topic: topic, Partition: -1}
		}
		if err == nil || !errors.Is(err, ErrUnknownTopicOrPartition) || attempt > p.cfg.unknownTopicRetries {
			return md, err
		}
		p.c.markStale(topic)
		if err := sleepCtx(ctx, p.cfg.backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// ProduceSync produces rs and waits for all of them; it returns every
// failure joined (nil if all succeeded).
func (p *Producer) ProduceSync(ctx context.Context, rs ...*Record) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	wg.Add(len(rs))
	for _, r := range rs {
		p.Produce(ctx, r, func(_ *Record, err error) {
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			wg.Done()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Flush sends every buffered record at once (ignoring Linger, also for
// records produced while it runs) and waits until all have been promised,
// or ctx ends.
func (p *Producer) Flush(ctx context.Context) error {
	p.mu.Lock()
	p.flushing++
	for _, pp := range p.parts {
		p.sealLocked(pp)
	}
	defer func() {
		p.mu.Lock()
		p.flushing--
		p.mu.Unlock()
	}()
	for p.pending > 0 {
		ch := p.idleCh
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		p.mu.Lock()
	}
	p.mu.Unlock()
	return nil
}

// Close rejects new records, flushes the buffered ones (bounded by
// DeliveryTimeout), and stops every goroutine of the producer.
func (p *Producer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.spaceCh) // wake blocked Produce calls
	p.spaceCh = make(chan struct{})
	p.mu.Unlock()

	err := p.Flush(context.Background())

	p.mu.Lock()
	p.stopped = true
	for _, pp := range p.parts {
		if pp.linger != nil {
			pp.linger.Stop()
		}
	}
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()

	// Nothing should be left; fail it all the same rather than drop it.
	p.mu.Lock()
	var left []*producerBatch
	for _, pp := range p.parts {
		if pp.open != nil {
			left = append(left, pp.open)
			pp.open = nil
		}
		left = append(left, pp.ready...)
		pp.ready = nil
	}
	p.mu.Unlock()
	for _, b := range left {
		p.finish(b, ErrClosed, nil, false)
	}
	return err
}

// sealLocked closes a partition's open batch and queues it for sending.
func (p *Producer) sealLocked(pp *producerPart) {
	if pp.linger != nil {
		pp.linger.Stop()
		pp.linger = nil
	}
	b := pp.open
	if b == nil || len(b.recs) == 0 {
		return
	}
	pp.open = nil
	pp.lastRecs, pp.lastBytes = len(b.recs), b.enc.payloadLen()
	p.lastMD = nil // look metadata up again now and then (see metadataReuse)
	b.order = pp.nextOrder
	pp.nextOrder++
	pp.ready = append(pp.ready, b)
	if o, ok := p.cfg.partitioner.(batchObserver); ok {
		o.onBatchSealed(pp.tp.topic, pp.tp.partition)
	}
	p.wakeLocked(pp)
}

// wakeLocked tells whoever moves pp's batches next: its leader's sender,
// or the metadata loop when the leader is unknown.
func (p *Producer) wakeLocked(pp *producerPart) {
	if p.stopped {
		return
	}
	if pp.leader < 0 {
		select {
		case p.metaWake <- struct{}{}:
		default:
		}
		return
	}
	s, ok := p.senders[pp.leader]
	if !ok {
		s = &sender{p: p, broker: pp.leader, wake: make(chan struct{}, 1), slots: make(chan struct{}, p.cfg.maxInFlight)}
		p.senders[pp.leader] = s
		p.wg.Add(1)
		go s.run()
	}
	s.poke()
}

// finish completes a batch: success when err is nil (resp gives offsets).
// inflight says whether the batch was counted in its partition's inflight.
// Without idempotence, when a batch that was sent may have been written (it
// succeeded, or failed indefinitely), the earlier batches of its partition
// still waiting to be retried can no longer be written in order: they fail
// first, with ErrWouldReorder. An idempotent producer's stamped batches
// are resolved in order instead (see resolve).
func (p *Producer) finish(b *producerBatch, err error, resp *fjordv1.ProducePartitionResponse, inflight bool) {
	if p.cfg.idempotence && b.sent {
		p.resolve(b, err, resp, inflight)
		return
	}
	if inflight && (err == nil || IsIndefinite(err)) {
		for _, v := range p.overtaken(b) {
			p.finish(v, fmt.Errorf("%w: %w", ErrWouldReorder, v.lastErr), nil, false)
		}
	}
	p.deliver(b, err, resp, inflight)
}

// deliver runs a batch's promises with its outcome and releases it.
func (p *Producer) deliver(b *producerBatch, err error, resp *fjordv1.ProducePartitionResponse, inflight bool) {
	n, bytes := len(b.recs), 0
	for _, pr := range b.recs {
		bytes += pr.size
	}
	if err == nil {
		base, appendTime := int64(-1), resp.GetLogAppendTime()
		if resp != nil {
			base = resp.GetBaseOffset()
		}
		for i, pr := range b.recs {
			pr.r.Offset = -1
			if resp != nil {
				pr.r.Offset = base + int64(i)
				if appendTime > 0 {
					pr.r.Timestamp = time.UnixMilli(appendTime)
				}
			}
		}
	}
	// Promises first: Flush returns only after they ran.
	for _, pr := range b.recs {
		pr.promise(pr.r, err)
	}
	// The request that carried b.encoded was answered (or never sent), so
	// its buffer is free.
	b.encoded = nil
	b.enc.recycle()
	p.release(b.tp, n, bytes, inflight)
}

// overtaken removes and returns the batches of b's partition queued for a
// retry that b, sent after them, may have overtaken. Batches are sent in
// order, so a queued batch ordered before b was sent before it and failed.
func (p *Producer) overtaken(b *producerBatch) []*producerBatch {
	p.mu.Lock()
	defer p.mu.Unlock()
	pp, ok := p.parts[b.tp]
	if !ok {
		return nil
	}
	i := 0
	for i < len(pp.ready) && pp.ready[i].order < b.order {
		i++
	}
	if i == 0 {
		return nil
	}
	out := slices.Clone(pp.ready[:i])
	pp.ready = slices.Delete(pp.ready, 0, i)
	return out
}

// release returns buffer space and pending counts.
func (p *Producer) release(tp topicPartition, n, bytes int, inflight bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if inflight {
		if pp, ok := p.parts[tp]; ok {
			p.landedLocked(pp)
		}
	}
	p.buffered -= bytes
	p.pending -= n
	close(p.spaceCh)
	p.spaceCh = make(chan struct{})
	if p.pending == 0 {
		close(p.idleCh)
		p.idleCh = make(chan struct{})
	}
}

// landedLocked counts an answered batch of pp out of its in-flight ones;
// when none is left, a batch held back for a retry may go.
func (p *Producer) landedLocked(pp *producerPart) {
	pp.inflight--
	if pp.inflight == 0 {
		pp.probing = false
		if len(pp.ready) > 0 {
			p.wakeLocked(pp)
		}
	}
}

// failed handles a failed attempt of an in-flight batch: it re-routes the
// partition if the error says its leader moved, then retries the batch
// (re-queued in partition order after a backoff) or fails its records.
// hint is the leader the error names, if any.
func (p *Producer) failed(b *producerBatch, err error, hint leaderHint) {
	b.attempts++
	b.lastErr = err
	if p.cfg.idempotence {
		p.failedIdempotent(b, err, hint)
		return
	}
	var fe *Error
	retriable := errors.As(err, &fe) && fe.Retriable
	p.mu.Lock()
	pp := p.parts[b.tp]
	p.rerouteLocked(pp, err, hint)
	backoff := p.cfg.backoff(b.attempts)
	if fe != nil {
		backoff = max(backoff, fe.RetryAfter)
	}
	if d, ok := throttleDelay(b, err); ok {
		backoff = d
	}
	if errors.Is(err, ErrMessageTooLarge) && len(b.recs) > 1 && !p.stopped {
		// The batch exceeds the topic's max.message.bytes (which BatchBytes
		// does not know) but its records may fit alone: nothing was
		// appended, so split it and send the halves in its place.
		p.splitLocked(pp, b)
		p.mu.Unlock()
		return
	}
	var final error
	switch {
	case !retriable:
		final = err
	case fe.Indefinite:
		// The batch may be in the log: a retry could write it twice.
		final = err
	case p.stopped:
		final = errors.Join(ErrClosed, err)
	case p.cfg.maxRetries >= 0 && b.attempts-b.throttles > p.cfg.maxRetries:
		final = err
	case time.Since(b.created)+backoff > p.cfg.deliveryTimeout:
		final = fmt.Errorf("%w: %w", ErrDeliveryTimeout, err)
	}
	if final != nil {
		p.mu.Unlock()
		p.finish(b, final, nil, true)
		return
	}
	p.requeueLocked(pp, b, backoff)
	p.mu.Unlock()
}

// requeueLocked puts an in-flight batch that failed back in its place in
// pp's queue, to be sent again after backoff.
func (p *Producer) requeueLocked(pp *producerPart, b *producerBatch, backoff time.Duration) {
	i, _ := slices.BinarySearchFunc(pp.ready, b.order, func(x *producerBatch, order uint64) int { return cmp.Compare(x.order, order) })
	pp.ready = slices.Insert(pp.ready, i, b)
	p.landedLocked(pp)
	until := time.Now().Add(backoff)
	if until.After(pp.backoffUntil) {
		pp.backoffUntil = until
	}
	time.AfterFunc(backoff, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.wakeLocked(pp)
	})
}

// rerouteLocked points pp at the leader a failure names, or sends it to the
// metadata loop when the failure says the leader moved or could not be
// reached without naming a new one.
func (p *Producer) rerouteLocked(pp *producerPart, err error, hint leaderHint) {
	switch {
	case hint.id >= 0:
		if leader, ok := p.c.setLeader(pp.tp.topic, pp.tp.partition, hint); ok {
			pp.leader = leader
			return
		}
	case errors.Is(err, ErrNotLeader), errors.Is(err, ErrLeaderNotAvailable), errors.Is(err, ErrUnavailable),
		errors.Is(err, ErrFencedLeaderEpoch), errors.Is(err, ErrUnknownLeaderEpoch), errors.Is(err, ErrBrokerShuttingDown):
		p.c.markStale(pp.tp.topic)
	default:
		return
	}
	if pp.leader >= 0 {
		pp.leader = -1
		if len(pp.ready) > 0 || pp.open != nil {
			p.wakeLocked(pp) // the metadata loop finds the new leader
		}
	}
}

// splitLocked replaces a rejected in-flight batch with its two halves,
// queued in its place (both keep its order, so they stay ahead of later
// batches; a batch re-queued with that order goes before them), re-encoded
// when next sent, one at a time (they count as retries: see collect). A
// single record still too large fails on its own with MESSAGE_TOO_LARGE.
// An idempotent producer's halves share out b's sequence numbers (the
// broker wrote none of them) and take its place among the unacked batches.
func (p *Producer) splitLocked(pp *producerPart, b *producerBatch) {
	half := len(b.recs) / 2
	var halves [2]*producerBatch
	for i, recs := range [2][]promised{b.recs[:half:half], b.recs[half:]} {
		h := &producerBatch{tp: b.tp, order: b.order, recs: recs, created: b.created, attempts: b.attempts, lastErr: b.lastErr,
			maybeWritten: b.maybeWritten, seqErrs: b.seqErrs, throttles: b.throttles}
		for _, r := range recs {
			h.bytes += r.size
		}
		halves[i] = h
	}
	if p.cfg.idempotence && b.sent {
		for i, h := range halves {
			h.sent, h.stamp = true, b.stamp
			if i == 1 {
				h.stamp.baseSeq = addSeq(b.stamp.baseSeq, half)
			}
		}
		if j := slices.Index(pp.unacked, b); j >= 0 {
			pp.unacked = slices.Replace(pp.unacked, j, j+1, halves[0], halves[1])
		}
	}
	i, _ := slices.BinarySearchFunc(pp.ready, b.order, func(x *producerBatch, order uint64) int { return cmp.Compare(x.order, order) })
	pp.ready = slices.Insert(pp.ready, i, halves[0], halves[1])
	p.landedLocked(pp)
	p.wakeLocked(pp)
}

// metadataLoop finds leaders for partitions that lost theirs and expires
// batches stuck without a leader past DeliveryTimeout.
func (p *Producer) metadataLoop() {
	defer p.wg.Done()
	for attempt := 1; ; {
		select {
		case <-p.metaWake:
		case <-p.ctx.Done():
			return
		}
		p.mu.Lock()
		// A fenced producer fails what it holds, leader or not.
		fatal, failing := p.fatal, p.takeAllLocked()
		p.mu.Unlock()
		for _, b := range failing {
			p.finish(b, fatal, nil, false)
		}
		p.mu.Lock()
		topics := map[string]bool{}
		for tp, pp := range p.parts {
			if pp.leader < 0 && (len(pp.ready) > 0 || pp.open != nil) {
				topics[tp.topic] = true
			}
		}
		p.mu.Unlock()
		if len(topics) == 0 {
			attempt = 1
			continue
		}
		mds := map[string]*fjordv1.TopicMetadata{}
		for t := range topics {
			p.c.markStale(t)
			// Bounded, so that batches stuck without a leader still expire
			// while no broker answers.
			ctx, cancel := context.WithTimeout(p.ctx, p.cfg.requestTimeout)
			md, err := p.c.topicMetadata(ctx, t)
			cancel()
			if err == nil {
				mds[t] = md
			}
		}
		var expired []*producerBatch
		unresolved := false
		p.mu.Lock()
		for tp, pp := range p.parts {
			if pp.leader >= 0 || !topics[tp.topic] {
				continue
			}
			for _, pm := range mds[tp.topic].GetPartitions() {
				if pm.GetPartition() == tp.partition && pm.GetError().GetReason() == "" && pm.GetLeaderId() >= 0 {
					pp.leader = pm.GetLeaderId()
				}
			}
			if pp.leader >= 0 {
				p.wakeLocked(pp)
				continue
			}
			unresolved = true
			pp.ready = slices.DeleteFunc(pp.ready, func(b *producerBatch) bool {
				if time.Since(b.created) > p.cfg.deliveryTimeout {
					expired = append(expired, b)
					return true
				}
				return false
			})
		}
		p.mu.Unlock()
		for _, b := range expired {
			err := b.lastErr
			if err == nil {
				err = &Error{Reason: ReasonLeaderNotAvailable, Message: "no leader", Topic: b.tp.topic, Partition: b.tp.partition, Retriable: true}
			}
			p.finish(b, fmt.Errorf("%w: %w", ErrDeliveryTimeout, err), nil, false)
		}
		if unresolved {
			d := p.cfg.backoff(attempt)
			attempt++
			if sleepCtx(p.ctx, d) != nil {
				return
			}
			select {
			case p.metaWake <- struct{}{}:
			default:
			}
		} else {
			attempt = 1
		}
	}
}

// encode returns the batch's RecordBatch: the records Produce encoded when
// they still match recs, else recs encoded now.
func (b *producerBatch) encode(codec fjordv1.Compression) ([]byte, error) {
	if b.enc.buf != nil && int(b.enc.n) == len(b.recs) {
		enc, err := b.enc.finish(codec, b.stamp)
		if compressed(codec) {
			b.enc = batchBuf{} // the compressed copy is what is kept
		}
		return enc, err
	}
	recs := make([]*Record, len(b.recs))
	for i, r := range b.recs {
		recs[i] = r.r
	}
	return encodeBatch(recs, codec, b.stamp)
}
