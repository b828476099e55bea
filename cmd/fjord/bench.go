package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func newBenchCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "bench",
		Short: "Measure produce and consume throughput and latency",
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(newBenchProduceCmd(env, cf), newBenchConsumeCmd(env, cf))
	return cmd
}

const mib = 1024 * 1024

// latencySample: without --rate, bench produce times one record in this
// many (see benchProduce).
const latencySample = 16

type benchProduceSpec struct {
	topic      string
	records    int64
	recordSize int
	rate       float64
	partitions int32
	opts       []fjord.ProducerOpt
	every      time.Duration // progress interval
	// keepsTimestamps: the topic keeps the producer's timestamps (CreateTime),
	// so an acknowledged record still carries its send time.
	keepsTimestamps bool
}

func newBenchProduceCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	s := benchProduceSpec{every: time.Second}
	var acks, compression string
	var batchBytes int
	var linger time.Duration
	var idempotence bool
	cmd := &cobra.Command{
		Use:   "produce",
		Short: "Produce a fixed number of records and report throughput and latency",
		Long: `Produce --records records of --record-size random bytes as fast as possible
(or at --rate records/s) and report, like kafka-producer-perf-test, the records
sent, records/s, MB/s (MiB) and the average, p50, p95, p99, p99.9 and max
latency from produce call to acknowledgement. Without --rate, the latency
figures come from every 16th record (reading the clock for each record would
cost a good part of the throughput); with --rate, from every record, measured
from its scheduled send time, so queueing behind a slow broker counts. The
topic is created with --partitions if it does not exist.

The producer is idempotent unless --idempotence=false is given or --acks is
none or leader (idempotence needs acks all; --acks leader --idempotence is an
error), as with the SDK's defaults.`,
		Example: `  fjord bench produce --topic bench --records 1000000 --record-size 100
  fjord bench produce --records 1000000 --idempotence=false
  fjord bench produce --records 100000 --rate 20000 --acks leader --linger 5ms`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			if s.records <= 0 || s.recordSize < 0 || s.rate < 0 || s.partitions <= 0 {
				return usageErrorf(c, "--records and --partitions must be positive, --record-size and --rate not negative")
			}
			a, err := parseAcks(acks)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			comp, err := parseCompression(compression)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			s.opts = []fjord.ProducerOpt{fjord.Acks(a), fjord.Compression(comp)}
			switch {
			case !c.Flags().Changed("idempotence"):
				if a != fjordv1.Acks_ACKS_ALL {
					fmt.Fprintf(c.OutOrStdout(), "Idempotence off: --acks %s\n", acks)
				}
			case idempotence && a != fjordv1.Acks_ACKS_ALL:
				return usageErrorf(c, "--idempotence needs --acks all")
			default:
				s.opts = append(s.opts, fjord.Idempotence(idempotence))
			}
			if c.Flags().Changed("batch-bytes") {
				if batchBytes <= 0 {
					return usageErrorf(c, "--batch-bytes must be positive")
				}
				s.opts = append(s.opts, fjord.BatchBytes(batchBytes))
			}
			if c.Flags().Changed("linger") {
				s.opts = append(s.opts, fjord.Linger(linger))
			}
			ctx, cancel := env.interruptible(c.Context())
			defer cancel()
			cl, err := cf.connect(ctx, c, env)
			if err != nil {
				return err
			}
			defer cl.Close()
			if err := ensureBenchTopic(ctx, cf, cl, c.OutOrStdout(), s.topic, s.partitions); err != nil {
				return err
			}
			s.keepsTimestamps = keepsTimestamps(ctx, cf, cl, s.topic)
			return benchProduce(ctx, cl, c.OutOrStdout(), s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.topic, "topic", "fjord-bench", "topic to write (created if missing)")
	f.Int64Var(&s.records, "records", 100000, "records to produce")
	f.IntVar(&s.recordSize, "record-size", 100, "value size in bytes")
	f.Float64Var(&s.rate, "rate", 0, "records per second (0: unlimited)")
	f.StringVar(&acks, "acks", "all", "none, leader or all (none and leader turn idempotence off)")
	f.BoolVar(&idempotence, "idempotence", true, "idempotent producer (the SDK default; needs --acks all)")
	f.IntVar(&batchBytes, "batch-bytes", 0, "producer batch size in bytes (default: the SDK's)")
	f.DurationVar(&linger, "linger", 0, "producer linger (default: the SDK's)")
	f.StringVar(&compression, "compression", "none", "none, gzip, snappy, lz4 or zstd")
	f.Int32Var(&s.partitions, "partitions", 1, "partitions when creating the topic")
	return cmd
}

// ensureBenchTopic creates topic with partitions unless it exists.
func ensureBenchTopic(ctx context.Context, cf *clientFlags, cl *fjord.Client, out io.Writer, topic string, partitions int32) error {
	n, err := partitionCount(ctx, cf, cl, topic)
	if err == nil {
		if n != partitions {
			fmt.Fprintf(out, "Using existing topic %s with %d partitions\n", topic, n)
		}
		return nil
	}
	if !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		return err
	}
	rctx, cancel := cf.requestCtx(ctx)
	defer cancel()
	res, err := fjord.NewAdmin(cl).CreateTopic(rctx, topic, partitions, 0, nil)
	if err == nil && res.GetError() != nil {
		e := res.GetError()
		err = protoError(e.GetCode(), e.GetReason(), e.GetMessage())
	}
	if err != nil {
		return fmt.Errorf("cannot create topic %q: %w", topic, err)
	}
	fmt.Fprintf(out, "Created topic %s with %d partitions\n", topic, partitions)
	return nil
}

// keepsTimestamps reports whether topic keeps producers' timestamps; false
// when it stamps the log append time (which the SDK writes into acknowledged
// records) or its configuration cannot be read.
func keepsTimestamps(ctx context.Context, cf *clientFlags, cl *fjord.Client, topic string) bool {
	rctx, cancel := cf.requestCtx(ctx)
	defer cancel()
	d, err := fjord.NewAdmin(cl).DescribeTopic(rctx, topic)
	if err != nil {
		return false
	}
	for _, c := range d.GetConfigs() {
		if c.GetName() == "message.timestamp.type" {
			return c.GetValue() == "CreateTime"
		}
	}
	return false
}

// latencyStats collects acknowledgement latencies from producer callbacks.
type latencyStats struct {
	failing  atomic.Bool // a record failed: stop producing
	mu       sync.Mutex  // guards the fields below
	interval *histogram
	total    *histogram
	acked    int64 // acknowledged records in the interval
	bytes    int64 // acknowledged bytes in the interval
	allAcked int64 // acknowledged records, interval included
	errs     int64
	firstErr error
}

// ack counts one record's outcome; a timed record's latency d goes into
// the histogram.
func (l *latencyStats) ack(timed bool, d time.Duration, size int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.errs++
		if l.firstErr == nil {
			l.firstErr = err
			l.failing.Store(true)
		}
		return
	}
	if timed {
		l.interval.record(d)
	}
	l.acked++
	l.allAcked++
	l.bytes += int64(size)
}

// roll folds the interval into the total and returns the interval's stats:
// records and bytes acknowledged, mean and max latency of the timed ones.
func (l *latencyStats) roll() (n, bytes int64, mean, max time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, bytes, mean, max = l.acked, l.bytes, l.interval.mean(), l.interval.max
	l.total.merge(l.interval)
	l.interval.reset()
	l.acked, l.bytes = 0, 0
	return
}

// failed reports whether a record failed, without taking the lock: the
// produce loop asks for every record.
func (l *latencyStats) failed() bool { return l.failing.Load() }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func rate(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return n / d.Seconds()
}

func benchProduce(ctx context.Context, cl *fjord.Client, out io.Writer, s benchProduceSpec) error {
	prod, err := fjord.NewProducer(cl, s.opts...)
	if err != nil {
		return fmt.Errorf("cannot create producer: %w", err)
	}
	defer prod.Close()

	// Random uppercase letters as kafka-producer-perf-test uses, but each
	// record takes a different window of a 1 MiB pool, so records are not
	// identical and compression ratios stay realistic.
	pool := make([]byte, 1<<20+s.recordSize)
	for i := range pool {
		pool[i] = byte('A' + rand.IntN(26))
	}
	window := 0
	nextPayload := func() []byte {
		window = (window + 7919) % (len(pool) - s.recordSize)
		return pool[window : window+s.recordSize]
	}
	stats := &latencyStats{interval: newHistogram(), total: newHistogram()}

	var outMu sync.Mutex // serializes writes to out
	progressCtx, stopProgress := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(s.every)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-progressCtx.Done():
				return
			case now := <-t.C:
				n, b, mean, max := stats.roll()
				el := now.Sub(last)
				last = now
				outMu.Lock()
				fmt.Fprintf(out, "%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency.\n",
					n, rate(float64(n), el), rate(float64(b)/mib, el), ms(mean), ms(max))
				outMu.Unlock()
			}
		}
	}()

	// At a million records/s, an allocation or a clock read per record is a
	// good part of the cost. So records come from slabs and share promises;
	// the send time of a timed record is its timestamp (unless the topic
	// stamps the log append time, which the SDK writes into acknowledged
	// records: then a promise per record keeps it). Unthrottled, only every
	// latencySample-th record is timed, as kafka-producer-perf-test samples.
	const slabSize = 128
	var slab []fjord.Record
	ackTimed := func(r *fjord.Record, err error) {
		stats.ack(true, time.Since(r.Timestamp), len(r.Value), err)
	}
	ackUntimed := func(r *fjord.Record, err error) {
		stats.ack(false, 0, len(r.Value), err)
	}

	start := time.Now()
	sendAt := start
	var sent int64
	for ; sent < s.records; sent++ {
		if ctx.Err() != nil || stats.failed() {
			break
		}
		timed := s.rate > 0 || sent%latencySample == 0
		if timed {
			sendAt = time.Now()
		}
		if s.rate > 0 {
			sendAt = start.Add(time.Duration(float64(sent) / s.rate * float64(time.Second)))
			if wait := time.Until(sendAt); wait > time.Millisecond {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
				case <-t.C:
				}
				if ctx.Err() != nil {
					break
				}
			}
		}
		if len(slab) == 0 {
			slab = make([]fjord.Record, slabSize)
		}
		r := &slab[0]
		slab = slab[1:]
		*r = fjord.Record{Topic: s.topic, Value: nextPayload(), Timestamp: sendAt}
		switch {
		case !timed:
			prod.Produce(ctx, r, ackUntimed)
		case s.keepsTimestamps:
			prod.Produce(ctx, r, ackTimed)
		default:
			at := sendAt
			prod.Produce(ctx, r, func(r *fjord.Record, err error) {
				stats.ack(true, time.Since(at), len(r.Value), err)
			})
		}
	}
	flushErr := prod.Flush(ctx)
	elapsed := time.Since(start)
	stopProgress()
	wg.Wait()
	stats.roll()

	h := stats.total
	stats.mu.Lock()
	n := stats.allAcked
	stats.mu.Unlock()
	fmt.Fprintf(out, "%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th.\n",
		n, rate(float64(n), elapsed), rate(float64(n)*float64(s.recordSize)/mib, elapsed),
		ms(h.mean()), ms(h.max), ms(h.quantile(0.50)), ms(h.quantile(0.95)), ms(h.quantile(0.99)), ms(h.quantile(0.999)))

	stats.mu.Lock()
	firstErr, errs := stats.firstErr, stats.errs
	stats.mu.Unlock()
	switch {
	case firstErr != nil:
		return fmt.Errorf("%d of %d records failed: %w", errs, sent, topicError(s.topic, firstErr))
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted after %d records", sent)
	case flushErr != nil:
		return fmt.Errorf("flush: %w", flushErr)
	}
	return nil
}

func newBenchConsumeCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var topic string
	var records int64
	var fetchBytes int
	cmd := &cobra.Command{
		Use:   "consume",
		Short: "Consume a topic from the start and report throughput",
		Long: `Read --records records (default: everything below the high watermarks at
start) from every partition of --topic, starting at the earliest offset, and
report records/s and MB/s (MiB) of keys plus values.`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			if records < 0 {
				return usageErrorf(c, "--records must not be negative")
			}
			ctx, cancel := env.interruptible(c.Context())
			defer cancel()
			cl, err := cf.connect(ctx, c, env)
			if err != nil {
				return err
			}
			defer cl.Close()
			if fetchBytes < 1 || fetchBytes > 64<<20 {
				return usageErrorf(c, "--fetch-bytes must be in [1, 64MiB]")
			}
			return benchConsume(ctx, cf, cl, c.OutOrStdout(), topic, records, int32(fetchBytes), time.Second)
		},
	}
	cmd.Flags().StringVar(&topic, "topic", "fjord-bench", "topic to read")
	cmd.Flags().Int64Var(&records, "records", 0, "records to read (0: up to the high watermarks at start)")
	cmd.Flags().IntVar(&fetchBytes, "fetch-bytes", 8<<20, "most bytes per partition per fetch (the consumer's FetchPartitionMaxBytes)")
	return cmd
}

func benchConsume(ctx context.Context, cf *clientFlags, cl *fjord.Client, out io.Writer, topic string, records int64, fetchBytes int32, every time.Duration) error {
	n, err := partitionCount(ctx, cf, cl, topic)
	if err != nil {
		return err
	}
	admin := fjord.NewAdmin(cl)
	cons, err := fjord.NewConsumer(cl, fjord.FetchPartitionMaxBytes(fetchBytes))
	if err != nil {
		return fmt.Errorf("cannot create consumer: %w", err)
	}
	defer cons.Close()

	ends := map[int32]int64{}
	var available int64
	for p := int32(0); p < n; p++ {
		rctx, cancel := cf.requestCtx(ctx)
		lo, err := admin.ListOffset(rctx, topic, p, fjord.AtStart())
		var hi int64
		if err == nil {
			hi, err = admin.ListOffset(rctx, topic, p, fjord.AtEnd())
		}
		cancel()
		if err != nil {
			return topicError(topic, fmt.Errorf("partition %d: %w", p, err))
		}
		if hi > lo {
			ends[p] = hi
			available += hi - lo
		}
		cons.Assign(topic, p, fjord.AtOffset(lo))
	}
	if records == 0 || records > available {
		if records > available {
			fmt.Fprintf(out, "Topic %s has %d records below its high watermarks; reading those\n", topic, available)
		}
		records = available
	}

	var count, bytes, lastCount, lastBytes int64
	start := time.Now()
	lastTick := start
	for count < records && len(ends) > 0 {
		pctx, cancel := context.WithTimeout(ctx, every)
		recs, err := cons.Poll(pctx)
		cancel()
		for _, r := range recs {
			if count >= records {
				break
			}
			end, ok := ends[r.Partition]
			if !ok || r.Offset >= end {
				continue
			}
			if r.Offset+1 >= end {
				delete(ends, r.Partition)
			}
			count++
			bytes += int64(len(r.Key) + len(r.Value))
		}
		if now := time.Now(); now.Sub(lastTick) >= every {
			el := now.Sub(lastTick)
			fmt.Fprintf(out, "%d records consumed, %.1f records/sec (%.2f MB/sec).\n",
				count-lastCount, rate(float64(count-lastCount), el), rate(float64(bytes-lastBytes)/mib, el))
			lastTick, lastCount, lastBytes = now, count, bytes
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return fmt.Errorf("interrupted after %d records", count)
		case !errors.Is(err, context.DeadlineExceeded):
			return topicError(topic, err)
		}
	}
	elapsed := time.Since(start)
	fmt.Fprintf(out, "%d records consumed, %.2f MB, %.3f s, %.1f records/sec (%.2f MB/sec).\n",
		count, float64(bytes)/mib, elapsed.Seconds(), rate(float64(count), elapsed), rate(float64(bytes)/mib, elapsed))
	return nil
}
