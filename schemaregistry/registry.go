package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Topic is the internal compacted topic holding the registry.
const Topic = "_schemas"

// Modes.
const (
	modeReadWrite = "READWRITE"
	modeReadOnly  = "READONLY"
	modeImport    = "IMPORT"
)

// ForwardedHeader marks a call one broker forwarded to another: the
// receiver never forwards it again. OffsetHeader is the response header
// (and trailer) in which the writer returns the _schemas offset a write is
// visible at, so the forwarding broker can wait for its own view to reach
// it before answering (read-your-writes).
const (
	ForwardedHeader = "fjord-forwarded"
	OffsetHeader    = "fjord-schemas-offset"
)

// Backend is what the broker gives the registry: the _schemas partition.
type Backend interface {
	// Writer says who writes _schemas-0: this broker, as its leader in a
	// leader epoch, or another broker reached over a connection. It
	// creates the topic when it does not exist yet.
	Writer(ctx context.Context) (Writer, error)
	// Append appends records as one batch to _schemas-0 as its leader in
	// leader epoch epoch with acks=all and returns, once they are
	// committed, the offset after the last one. ErrNotLeader: nothing was
	// written. Any other error leaves the outcome unknown.
	Append(ctx context.Context, epoch int32, recs []Record) (int64, error)
	// Read returns committed records at or after offset, waiting up to
	// wait for some. A replica reads its local log; other brokers fetch
	// from the leader.
	Read(ctx context.Context, offset int64, wait time.Duration) (ReadResult, error)
	// CommittedEnd returns the high watermark of _schemas-0 on its leader
	// now (0 when the topic does not exist yet): a view that reached it
	// has every write acknowledged before the call.
	CommittedEnd(ctx context.Context) (int64, error)
}

// Writer is the answer of Backend.Writer.
type Writer struct {
	// Local is set when this broker leads _schemas-0.
	Local bool
	// Epoch is the leader epoch (Local).
	Epoch int32
	// LogEnd is the leader's log end offset (Local): the writer's view must
	// reach it before writing in a new epoch.
	LogEnd int64
	// LeaderID and Conn reach the leader (not Local).
	LeaderID int32
	Conn     grpc.ClientConnInterface
}

// ReadResult is the answer of Backend.Read.
type ReadResult struct {
	// Records read, ascending offsets (records below the asked offset
	// are skipped by the registry).
	Records []Record
	// Next is where to read next (after the records, or past a
	// compaction gap).
	Next int64
	// End is the committed end (high watermark) the reader saw.
	End int64
}

// Options configures a Registry. The zero value needs a Backend.
type Options struct {
	// Backend is the _schemas partition. Required.
	Backend Backend
	// Logger receives registry logs (default discards).
	Logger *slog.Logger
	// WriteTimeout bounds a write, forwarding and waiting for a leader
	// included (default 15s).
	WriteTimeout time.Duration
	// ReadTimeout bounds how long a read waits for this broker's view to
	// catch up (default 10s).
	ReadTimeout time.Duration
	// PollWait is how long one tail read waits for new records (default
	// 1s).
	PollWait time.Duration
}

func (o Options) ensureDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 15 * time.Second
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 10 * time.Second
	}
	if o.PollWait <= 0 {
		o.PollWait = time.Second
	}
	return o
}

// Registry is one broker's schema registry: a view of _schemas kept up to
// date by a tailing goroutine, reads answered from it once it caught up,
// and writes made by the leader of _schemas-0 (others forward them).
type Registry struct {
	opts   Options
	be     Backend
	logger *slog.Logger

	// mu guards v and applied. The tailer holds it exclusively while
	// applying records; readers hold it shared.
	mu      sync.RWMutex
	v       *view
	applied int64 // offset after the last record applied
	// advanced is closed and replaced whenever applied moves.
	advanced chan struct{}

	// writeMu makes this broker's writes one at a time: each is computed
	// against a view holding every earlier write.
	writeMu sync.Mutex
	// syncedEpoch is the leader epoch the writer caught up in (-1: none);
	// guarded by writeMu. An append with an unknown outcome resets it so
	// the writer catches up with the log again before the next id.
	syncedEpoch int32

	// barrier coalesces CommittedEnd calls of concurrent reads.
	barrier barrier

	codecs codecCache

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New starts a registry tailing _schemas. Close stops it.
func New(opts Options) (*Registry, error) {
	if opts.Backend == nil {
		return nil, errors.New("schemaregistry: Options.Backend is required")
	}
	opts = opts.ensureDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Registry{opts: opts, be: opts.Backend, logger: opts.Logger, v: newView(),
		advanced: make(chan struct{}), syncedEpoch: -1, ctx: ctx, cancel: cancel}
	r.barrier.fetch = func() (int64, error) {
		c, cancel := context.WithTimeout(r.ctx, r.opts.ReadTimeout)
		defer cancel()
		return r.be.CommittedEnd(c)
	}
	r.wg.Add(1)
	go r.tail()
	return r, nil
}

// Close stops the tailer and waits for it.
func (r *Registry) Close() {
	r.cancel()
	r.wg.Wait()
	r.barrier.wait()
}

// tail applies committed records of _schemas to the view, forever.
func (r *Registry) tail() {
	defer r.wg.Done()
	backoff := 10 * time.Millisecond
	for r.ctx.Err() == nil {
		r.mu.RLock()
		from := r.applied
		r.mu.RUnlock()
		res, err := r.be.Read(r.ctx, from, r.opts.PollWait)
		if err != nil {
			if r.ctx.Err() != nil {
				return
			}
			r.logger.Debug("schema registry: tail read failed; retrying", "offset", from, "err", err)
			select {
			case <-time.After(backoff):
			case <-r.ctx.Done():
				return
			}
			backoff = min(2*backoff, 500*time.Millisecond)
			continue
		}
		backoff = 10 * time.Millisecond
		if res.Next <= from && len(res.Records) == 0 {
			continue
		}
		r.mu.Lock()
		for _, rec := range res.Records {
			if rec.Offset < r.applied {
				continue
			}
			if err := r.v.apply(rec); err != nil {
				r.logger.Warn("schema registry: skipping a bad record of "+Topic, "offset", rec.Offset, "err", err)
			}
		}
		if res.Next > r.applied {
			r.applied = res.Next
			close(r.advanced)
			r.advanced = make(chan struct{})
		}
		r.mu.Unlock()
	}
}

// waitApplied waits until the view applied every record below off.
func (r *Registry) waitApplied(ctx context.Context, off int64) error {
	for {
		r.mu.RLock()
		applied, ch := r.applied, r.advanced
		r.mu.RUnlock()
		if applied >= off {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return &Error{Code: CodeTimeout, Message: fmt.Sprintf("Timed out waiting for the schema registry on this broker to catch up to offset %d of %s (at %d)", off, Topic, applied), Err: ctx.Err()}
		case <-r.ctx.Done():
			return errorf(CodeStoreError, "The schema registry is shutting down")
		}
	}
}

// catchUp makes the view hold every write acknowledged before the call.
func (r *Registry) catchUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.opts.ReadTimeout)
	defer cancel()
	backoff := 20 * time.Millisecond
	for {
		end, err := r.barrier.get(ctx)
		if err == nil {
			return r.waitApplied(ctx, end)
		}
		// No leader to ask (an election, the topic being created): wait
		// for one rather than answer from a view that may be stale.
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return &Error{Code: CodeTimeout, Message: "Timed out learning how far " + Topic + " is committed: " + err.Error(), Err: err}
		case <-r.ctx.Done():
			return errorf(CodeStoreError, "The schema registry is shutting down")
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// read runs fn on the view once it caught up.
func read[T any](r *Registry, ctx context.Context, fn func(v *view) (T, error)) (T, error) {
	var zero T
	if err := r.catchUp(ctx); err != nil {
		return zero, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return fn(r.v)
}

// writeOp is one write: plan computes the records to append and the
// answer from the caught-up view; remote forwards the operation to the
// leader's broker and returns the answer and the offset it is visible at.
type writeOp[T any] struct {
	plan   func(v *view) ([]Record, T, error)
	remote func(ctx context.Context, conn grpc.ClientConnInterface) (T, int64, error)
	// idempotent ops are retried after an append whose outcome is unknown
	// (the retry sees the first attempt's effect if it was committed).
	idempotent bool
}

// write runs a write on the leader, here or by forwarding, and returns
// its answer once this broker's view holds it, with the offset where it is
// visible (for a forwarding broker to wait for).
func write[T any](r *Registry, ctx context.Context, op writeOp[T]) (T, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.WriteTimeout)
	defer cancel()
	forwarded := isForwarded(ctx)
	backoff := 20 * time.Millisecond
	for {
		res, offset, retry, err := writeOnce(r, ctx, op, forwarded)
		if err == nil {
			return res, offset, r.waitApplied(ctx, offset)
		}
		if !retry {
			return res, 0, err
		}
		r.logger.Debug("schema registry: write failed; retrying", "err", err)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			e := asError(err)
			if e.Code == CodeStoreError || e.Code == CodeForwardingError {
				return res, 0, e
			}
			return res, 0, &Error{Code: CodeTimeout, Message: "Timed out writing to the schema registry: " + err.Error(), Err: err}
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// writeOnce tries a write once; retry says whether trying again may help.
func writeOnce[T any](r *Registry, ctx context.Context, op writeOp[T], forwarded bool) (res T, offset int64, retry bool, err error) {
	w, err := r.be.Writer(ctx)
	if err != nil {
		return res, 0, ctx.Err() == nil, &Error{Code: CodeForwardingError, Message: "No leader for " + Topic + "-0 to write to: " + err.Error(), Err: err}
	}
	if !w.Local {
		if forwarded {
			// The caller forwarded to us as the leader; it re-resolves.
			return res, 0, false, errorf(CodeForwardingError, "Broker is not the leader of %s-0 any more (broker %d is)", Topic, w.LeaderID)
		}
		res, offset, err = op.remote(withForwarded(ctx), w.Conn)
		if err == nil {
			return res, offset, false, nil
		}
		if e, ok := fromStatus(err); ok {
			// The leader answered; only its "not the leader any more" is
			// worth retrying (elsewhere).
			return res, 0, e.Code == CodeForwardingError || (e.Code == CodeStoreError && op.idempotent), e
		}
		if ctx.Err() != nil {
			return res, 0, false, &Error{Code: CodeTimeout, Message: fmt.Sprintf("Timed out forwarding to the schema registry leader (broker %d)", w.LeaderID), Err: err}
		}
		return res, 0, op.idempotent, &Error{Code: CodeForwardingError, Message: fmt.Sprintf("Error forwarding the request to the schema registry leader (broker %d): %v", w.LeaderID, err), Err: err}
	}

	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.syncedEpoch != w.Epoch {
		// A new leadership: ids come from the view, so it must hold every
		// record in the log first (all of it is committed before this
		// leader's first write commits).
		if err := r.waitApplied(ctx, w.LogEnd); err != nil {
			return res, 0, false, err
		}
		r.syncedEpoch = w.Epoch
	}
	r.mu.RLock()
	recs, res, err := op.plan(r.v)
	applied := r.applied
	r.mu.RUnlock()
	if err != nil || len(recs) == 0 {
		return res, applied, false, err
	}
	offset, err = r.be.Append(ctx, w.Epoch, recs)
	if err != nil {
		r.syncedEpoch = -1
		if errors.Is(err, ErrNotLeader) {
			return res, 0, true, &Error{Code: CodeForwardingError, Message: "Lost the leadership of " + Topic + "-0 before writing: " + err.Error(), Err: err}
		}
		return res, 0, op.idempotent, &Error{Code: CodeStoreError, Message: "Error writing to " + Topic + " (the change may or may not have been applied): " + err.Error(), Err: err}
	}
	// The next write is planned against a view holding this one.
	if err := r.waitApplied(ctx, offset); err != nil {
		r.syncedEpoch = -1
		return res, 0, false, err
	}
	return res, offset, false, nil
}

func isForwarded(ctx context.Context) bool {
	md, ok := metadata.FromIncomingContext(ctx)
	return ok && len(md.Get(ForwardedHeader)) > 0
}

func withForwarded(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, ForwardedHeader, "1")
}

// offsetOf reads the offset a forwarded write is visible at.
func offsetOf(md metadata.MD) int64 {
	for _, v := range md.Get(OffsetHeader) {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return 0
}

// barrier coalesces the CommittedEnd calls of concurrent reads: a read
// joins the next round, which starts after it arrived, so the round's
// answer covers every write acknowledged before the read.
type barrier struct {
	fetch func() (int64, error)

	// mu guards next and running.
	mu      sync.Mutex
	next    *round
	running bool
	wg      sync.WaitGroup
}

type round struct {
	done chan struct{}
	end  int64
	err  error
}

func (b *barrier) get(ctx context.Context) (int64, error) {
	b.mu.Lock()
	r := b.next
	if r == nil {
		r = &round{done: make(chan struct{})}
		b.next = r
		if !b.running {
			b.running = true
			b.wg.Add(1)
			go b.run()
		}
	}
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.end, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (b *barrier) run() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		r := b.next
		if r == nil {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.next = nil
		b.mu.Unlock()
		r.end, r.err = b.fetch()
		close(r.done)
	}
}

// wait waits for the round goroutine to end.
func (b *barrier) wait() { b.wg.Wait() }
