package fjord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// sender moves the batches of the partitions one broker leads onto that
// broker's ProduceStream. Its goroutine is the only writer of the stream.
type sender struct {
	p      *Producer
	broker int32
	wake   chan struct{} // cap 1
	slots  chan struct{} // one per request in flight (cap MaxInFlight)

	stream  *produceStream   // owned by the run goroutine
	retired []*produceStream // half-closed, ending; owned by the run goroutine
	nextCor uint64
}

// produceStream is one ProduceStream and the requests awaiting responses.
type produceStream struct {
	cs     grpc.ClientStream
	cancel context.CancelFunc
	done   chan struct{} // closed when the receiver returns

	mu      sync.Mutex // guards dead, pending
	dead    bool
	pending []*produceReq // in send order
}

type produceReq struct {
	cor     uint64
	batches []*producerBatch
	timer   *time.Timer
	// written is closed once SendMsg returned: until then the batches'
	// encoded bytes may still be read, so they must not be recycled.
	written chan struct{}
}

func (s *sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sender) run() {
	p := s.p
	defer p.wg.Done()
	defer s.closeStream()
	for {
		select {
		case <-s.wake:
		case <-p.ctx.Done():
			return
		}
		for {
			select {
			case s.slots <- struct{}{}:
			case <-p.ctx.Done():
				return
			}
			batches, leads := s.collect()
			if len(batches) == 0 {
				<-s.slots
				if !leads {
					s.retire()
				}
				break
			}
			s.send(batches)
		}
	}
}

// retire half-closes the stream, once the broker leads none of the
// producer's partitions, if nothing is pending on it: a broker shutting
// down gracefully waits for open streams, so an idle stream kept open to
// it after its leaderships moved away would hold its shutdown up until
// the broker's timeout. A later send opens a new stream.
func (s *sender) retire() {
	st := s.stream
	if st == nil {
		return
	}
	st.mu.Lock()
	busy := len(st.pending) > 0 && !st.dead
	st.mu.Unlock()
	if busy {
		return
	}
	s.stream = nil
	if err := st.cs.CloseSend(); err != nil {
		st.cancel()
		return
	}
	// The receiver returns when the broker ends the stream; closeStream
	// cancels it if the broker never does.
	s.retired = slices.DeleteFunc(s.retired, func(r *produceStream) bool {
		select {
		case <-r.done:
			r.cancel()
			return true
		default:
			return false
		}
	})
	s.retired = append(s.retired, st)
}

// collect takes the next batch of every sendable partition this broker
// leads, up to maxRequestBytes, failing expired or cancelled records.
// leads reports whether the broker leads any of the producer's partitions.
func (s *sender) collect() (out []*producerBatch, leads bool) {
	p := s.p
	now := time.Now()
	var expired []*producerBatch
	var cancelled []promised
	var risky []*Record // stamped again after an unknown outcome
	size := 0
	p.mu.Lock()
	fatal, failing := p.fatal, p.takeAllLocked()
	for _, pp := range p.parts {
		if pp.leader != s.broker {
			continue
		}
		leads = true
		if now.Before(pp.backoffUntil) {
			continue
		}
		// A batch dropped unsent (expired, or every record cancelled) lets
		// the next one of the partition be considered at once; otherwise
		// nothing would wake the sender for the rest of the queue.
		for len(pp.ready) > 0 {
			b := pp.ready[0]
			if now.Sub(b.created) > p.cfg.deliveryTimeout {
				pp.ready = pp.ready[1:]
				expired = append(expired, b)
				continue
			}
			if p.cfg.idempotence {
				ok, r := s.sendableIdempotent(pp, b)
				risky = append(risky, r...)
				if !ok {
					break
				}
			} else if pp.inflight > 0 && (b.attempts > 0 || pp.probing || pp.sentTo != s.broker) {
				// A batch that failed goes only when nothing else of its
				// partition is in flight, and alone, so that it cannot be
				// overtaken; and nothing goes to a new leader while batches
				// sent to the old one may still fail and need a retry (see
				// Producer, Ordering).
				break
			}
			if !b.sent {
				// Records whose context ended before they were ever sent drop out.
				kept := b.recs[:0]
				for _, r := range b.recs {
					if r.r.Context != nil && r.r.Context.Err() != nil {
						cancelled = append(cancelled, r)
						b.bytes -= r.size
					} else {
						kept = append(kept, r)
					}
				}
				if len(kept) < len(b.recs) {
					b.enc = batchBuf{} // no longer matches recs
				}
				b.recs = kept
				if len(b.recs) == 0 {
					pp.ready = pp.ready[1:]
					continue
				}
			}
			if len(out) > 0 && size+b.bytes > maxRequestBytes {
				break
			}
			pp.ready = pp.ready[1:]
			pp.inflight++
			pp.sentTo = s.broker
			pp.probing = b.attempts > 0
			if p.cfg.idempotence {
				pp.probing = b.sent
				if !b.sent {
					p.stampLocked(pp, b)
				}
			}
			b.sent = true
			size += b.bytes
			out = append(out, b)
			break
		}
	}
	p.mu.Unlock()
	p.possibleDuplicates(risky)
	for _, b := range failing {
		p.finish(b, fatal, nil, false)
	}
	for _, b := range expired {
		err := b.lastErr
		if err == nil {
			err = errors.New("fjord: not sent in time")
		}
		p.finish(b, fmt.Errorf("%w: %w", ErrDeliveryTimeout, err), nil, false)
	}
	for _, r := range cancelled {
		r.promise(r.r, r.r.Context.Err())
		p.release(topicPartition{r.r.Topic, r.r.Partition}, 1, r.size, false)
	}
	return out, leads
}

// send writes one request with batches (holding one slot).
func (s *sender) send(batches []*producerBatch) {
	p := s.p
	req := &wirev1.ProduceStreamRequest{Acks: p.cfg.acks, TimeoutMs: int32(p.cfg.produceTimeout.Milliseconds())}
	topics := map[string]*wirev1.ProduceTopicData{}
	var sendable []*producerBatch
	for _, b := range batches {
		if b.encoded == nil {
			enc, err := b.encode(p.cfg.compression)
			if err != nil {
				p.finish(b, err, nil, true)
				continue
			}
			b.encoded = enc
		}
		sendable = append(sendable, b)
		t, ok := topics[b.tp.topic]
		if !ok {
			t = &wirev1.ProduceTopicData{Topic: b.tp.topic}
			topics[b.tp.topic] = t
			req.Topics = append(req.Topics, t)
		}
		t.Partitions = append(t.Partitions, &wirev1.ProducePartitionData{Partition: b.tp.partition, Batches: [][]byte{b.encoded}})
	}
	if len(sendable) == 0 {
		<-s.slots
		return
	}
	st, err := s.ensureStream()
	if err != nil {
		// Nothing was sent: a definite failure.
		e := errorFromRPC(context.Background(), err, false)
		for _, b := range sendable {
			p.failed(b, e, noHint)
		}
		<-s.slots
		return
	}
	s.nextCor++
	req.CorrelationId = s.nextCor

	if p.cfg.acks == fjordv1.Acks_ACKS_NONE {
		// No response will come: done once written.
		err := st.cs.SendMsg(req)
		<-s.slots
		if err != nil {
			// Not queued on the connection, so not sent (see below).
			st.kill()
			e := errorFromRPC(context.Background(), err, false)
			for _, b := range sendable {
				p.failed(b, e, noHint)
			}
			return
		}
		for _, b := range sendable {
			p.finish(b, nil, nil, true)
		}
		return
	}

	pr := &produceReq{cor: req.CorrelationId, batches: sendable, written: make(chan struct{})}
	st.mu.Lock()
	if st.dead {
		st.mu.Unlock()
		e := &Error{Code: codes.Unavailable, Reason: ReasonUnavailable, Message: "stream closed", Retriable: true, Partition: -1}
		for _, b := range sendable {
			p.failed(b, e, noHint)
		}
		<-s.slots
		return
	}
	st.pending = append(st.pending, pr)
	// A request that gets no answer in time breaks the stream, which fails
	// everything pending on it (indefinitely: it was sent).
	pr.timer = time.AfterFunc(p.cfg.requestTimeout+p.cfg.produceTimeout, func() {
		s.fail(st, &Error{Code: codes.DeadlineExceeded, Reason: ReasonRequestTimedOut, Message: "no produce response in time", Retriable: true, Indefinite: true, Partition: -1})
	})
	st.mu.Unlock()
	if err := st.cs.SendMsg(req); err != nil {
		// SendMsg fails only before the request is queued on the
		// connection: the broker never got it, so unless the receiver
		// already failed it (indefinitely, with the stream), it failed
		// definitely. The requests before it are the receiver's to fail.
		st.mu.Lock()
		i := slices.Index(st.pending, pr)
		if i >= 0 {
			st.pending = slices.Delete(st.pending, i, i+1)
		}
		st.mu.Unlock()
		close(pr.written)
		st.kill()
		if i >= 0 {
			pr.timer.Stop()
			e := &Error{Code: codes.Unavailable, Reason: ReasonUnavailable, Message: "stream broken before the request was sent: " + err.Error(), Retriable: true, Partition: -1, cause: err}
			for _, b := range sendable {
				p.failed(b, e, noHint)
			}
			<-s.slots
		}
		return
	}
	close(pr.written)
}

func (st *produceStream) kill() { st.cancel() }

// closeStream half-closes the stream and waits (up to RequestTimeout) for
// the broker to finish it and the retired ones, then cancels them. Called
// when the sender stops.
func (s *sender) closeStream() {
	ctx, cancel := context.WithTimeout(context.Background(), s.p.cfg.requestTimeout)
	defer cancel()
	ending := s.retired
	if st := s.stream; st != nil {
		if err := st.cs.CloseSend(); err == nil {
			ending = append(ending, st)
		} else {
			st.cancel()
		}
	}
	for _, st := range ending {
		select {
		case <-st.done:
		case <-ctx.Done():
		}
		st.cancel()
	}
}

// ensureStream returns the live stream, opening one if needed.
func (s *sender) ensureStream() (*produceStream, error) {
	if s.stream != nil {
		s.stream.mu.Lock()
		dead := s.stream.dead
		s.stream.mu.Unlock()
		if !dead {
			return s.stream, nil
		}
		s.stream.cancel()
		s.stream = nil
	}
	cc, err := s.p.c.brokerConn(s.broker)
	if err != nil {
		return nil, err
	}
	// Not a child of p.ctx: Close ends streams gracefully (closeStream) so
	// that acks=NONE requests already written are not cut off.
	ctx, cancel := context.WithCancel(context.Background())
	cs, err := cc.NewStream(ctx, &produceStreamDesc, produceStreamMethod)
	if err != nil {
		cancel()
		return nil, err
	}
	st := &produceStream{cs: cs, cancel: cancel, done: make(chan struct{})}
	s.stream = st
	s.p.wg.Add(1)
	go s.receive(st)
	return st, nil
}

// receive reads responses in order and completes their requests.
func (s *sender) receive(st *produceStream) {
	defer s.p.wg.Done()
	defer close(st.done)
	for {
		resp := new(fjordv1.ProduceStreamResponse)
		if err := st.cs.RecvMsg(resp); err != nil {
			s.fail(st, errorFromRPC(context.Background(), err, true))
			return
		}
		st.mu.Lock()
		if st.dead || len(st.pending) == 0 || st.pending[0].cor != resp.GetCorrelationId() {
			st.mu.Unlock()
			s.fail(st, &Error{Code: codes.Internal, Reason: ReasonInternal, Message: fmt.Sprintf("unexpected produce response %d", resp.GetCorrelationId()), Retriable: true, Indefinite: true, Partition: -1})
			return
		}
		pr := st.pending[0]
		st.pending = st.pending[1:]
		st.mu.Unlock()
		pr.timer.Stop()
		s.complete(pr, resp)
		<-s.slots
		s.poke()
	}
}

// fail breaks a stream and fails every request pending on it: with err,
// which is indefinite unless the requests cannot have been applied.
func (s *sender) fail(st *produceStream, err error) {
	st.mu.Lock()
	if st.dead {
		st.mu.Unlock()
		return
	}
	st.dead = true
	pending := st.pending
	st.pending = nil
	st.mu.Unlock()
	st.cancel() // also ends a SendMsg in progress
	for _, pr := range pending {
		<-pr.written
	}
	var fe *Error
	if errors.As(err, &fe) && fe.Code == codes.Canceled && s.p.ctx.Err() != nil {
		// Cut off at Close; still as indefinite as any broken stream.
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	}
	for _, pr := range pending {
		pr.timer.Stop()
		for _, b := range pr.batches {
			s.p.failed(b, err, noHint)
		}
		<-s.slots
	}
	s.poke()
}

// complete applies one response to its request's batches.
func (s *sender) complete(pr *produceReq, resp *fjordv1.ProduceStreamResponse) {
	results := map[topicPartition]*fjordv1.ProducePartitionResponse{}
	for _, t := range resp.GetTopics() {
		for _, r := range t.GetPartitions() {
			results[topicPartition{t.GetTopic(), r.GetPartition()}] = r
		}
	}
	for _, b := range pr.batches {
		r, ok := results[b.tp]
		if !ok {
			s.p.finish(b, &Error{Reason: ReasonInternal, Message: "partition missing from produce response", Topic: b.tp.topic, Partition: b.tp.partition}, nil, true)
			continue
		}
		if e := errorFromProto(r.GetError(), b.tp.topic, b.tp.partition); e != nil {
			s.p.failed(b, e, hintOf(e, r.GetLeaderId(), r.GetLeaderEpoch(), s.broker))
			continue
		}
		s.p.finish(b, nil, r, true)
	}
}
