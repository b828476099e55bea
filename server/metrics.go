package server

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"google.golang.org/grpc"

	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/group"
)

// metrics holds a broker's OpenTelemetry instruments. Each Server has its
// own meter provider and Prometheus registry, so two brokers in one process
// never share series. Counters and histograms are recorded on the hot
// paths; state (replication health, log sizes, group lag, controller role)
// is read by observable gauges when /metrics is scraped.
type metrics struct {
	provider     *sdkmetric.MeterProvider
	registry     *prometheus.Registry
	perPartition bool

	bytesIn         metric.Int64Counter
	recordsIn       metric.Int64Counter
	bytesOut        metric.Int64Counter
	requestDuration metric.Float64Histogram
	registryHTTP    metric.Float64Histogram
	isrShrinks      metric.Int64Counter
	isrExpands      metric.Int64Counter
	leaderElections metric.Int64Counter

	// topicAttrs and apiAttrs cache the attribute option of each topic and
	// API so the produce and fetch paths do not build an attribute set per
	// call.
	topicAttrs sync.Map // string -> metric.MeasurementOption
	apiAttrs   sync.Map // string -> metric.MeasurementOption
}

// APIs timed outside the unary interceptor.
const (
	apiProduceStream = "ProduceStream" // one request of a produce stream, received to answered
	apiReplicaFetch  = "ReplicaFetch"  // one follower fetch round on the leader, waiting included
)

// lagScrapeTimeout bounds how long a scrape waits for coordinator shards
// and partition leaders when computing consumer group lag.
const lagScrapeTimeout = 2 * time.Second

// newMetrics builds the instruments of broker b and registers the gauges
// that read its state on scrape.
func newMetrics(b *broker, perPartition bool, extra ...sdkmetric.Option) (*metrics, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("server: prometheus exporter: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(append([]sdkmetric.Option{sdkmetric.WithReader(exp)}, extra...)...)
	m := &metrics{provider: mp, registry: reg, perPartition: perPartition}
	meter := mp.Meter("github.com/fjordlog/fjord/server")
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	m.bytesIn = counter("fjord.broker.topic.bytes_in", "By", "Record batch bytes appended by producers, per topic.")
	m.recordsIn = counter("fjord.broker.topic.records_in", "{record}", "Records appended by producers, per topic.")
	m.bytesOut = counter("fjord.broker.topic.bytes_out", "By", "Record batch bytes returned to consumer fetches, per topic (replication excluded).")
	m.isrShrinks = counter("fjord.broker.isr.shrinks", "{change}", "ISR shrinks of partitions this broker leads, accepted by the controller.")
	m.leaderElections = counter("fjord.broker.partition.leader_elections", "{election}", "Times this broker took the leadership of a partition (a leader epoch naming it leader), startup included.")
	m.isrExpands = counter("fjord.broker.isr.expands", "{change}", "ISR expansions of partitions this broker leads, accepted by the controller.")
	m.requestDuration, err = meter.Float64Histogram("fjord.broker.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of unary gRPC requests, by API (Produce, Fetch, ListOffsets, ...)."),
		metric.WithExplicitBucketBoundaries(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	errs = append(errs, err)
	m.registryHTTP, err = meter.Float64Histogram("fjord.registry.http.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of schema registry REST requests, by HTTP method and status code (its gRPC twin is in fjord.broker.request.duration)."),
		metric.WithExplicitBucketBoundaries(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	errs = append(errs, err)

	gauge := func(name, unit, desc string) metric.Int64ObservableGauge {
		g, err := meter.Int64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	underReplicated := gauge("fjord.broker.partitions.under_replicated", "{partition}", "Partitions this broker leads whose ISR is smaller than their replica set.")
	underMinISR := gauge("fjord.broker.partitions.under_min_isr", "{partition}", "Partitions this broker leads whose ISR is smaller than min.insync.replicas.")
	offline := gauge("fjord.controller.partitions.offline", "{partition}", "Partitions without a leader; reported by the active controller only (0 elsewhere).")
	leaders := gauge("fjord.broker.partitions.leader", "{partition}", "Partitions this broker leads.")
	active := gauge("fjord.controller.active", "", "1 if this node is the active controller, else 0.")
	topicSize := gauge("fjord.broker.topic.log.size", "By", "Bytes of the local segment files of a topic's partitions hosted here.")
	groupLag := gauge("fjord.group.lag", "{record}", "Consumer group lag (high watermark minus committed offset), per group and topic, for the groups this broker coordinates.")
	leaderChanges, err := meter.Int64ObservableCounter("fjord.controller.partition.leader_changes", metric.WithUnit("{change}"),
		metric.WithDescription("Partition leader changes this node decided as the active controller: elections after fencing, preferred-leader elections, reassignments, controlled shutdowns."))
	errs = append(errs, err)
	var partSize, partLag metric.Int64ObservableGauge
	observed := []metric.Observable{underReplicated, underMinISR, offline, leaders, active, topicSize, groupLag, leaderChanges}
	if perPartition {
		partSize = gauge("fjord.broker.partition.log.size", "By", "Bytes of the local segment files of a partition hosted here.")
		partLag = gauge("fjord.group.partition.lag", "{record}", "Consumer group lag per group, topic and partition.")
		observed = append(observed, partSize, partLag)
	}
	for _, err := range errs {
		if err != nil {
			_ = mp.Shutdown(context.Background())
			return nil, fmt.Errorf("server: metrics: %w", err)
		}
	}

	_, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		img := b.ctl.image()
		var ur, umi, off, led int64
		for _, t := range img.Topics() {
			minISR := topicConfigOf(t).minInsync()
			for _, pm := range t.Partitions {
				if pm.Leader == cluster.NoLeader {
					off++
				}
				if pm.Leader != b.id {
					continue
				}
				led++
				if len(pm.ISR) < len(pm.Replicas) {
					ur++
				}
				if len(pm.ISR) < minISR {
					umi++
				}
			}
		}
		isActive := b.ctl.ctrl.IsLeader()
		if !isActive {
			off = 0
		}
		o.ObserveInt64(underReplicated, ur)
		o.ObserveInt64(underMinISR, umi)
		o.ObserveInt64(offline, off)
		o.ObserveInt64(leaders, led)
		o.ObserveInt64(active, boolInt(isActive))
		o.ObserveInt64(leaderChanges, b.ctl.ctrl.LeaderChanges())

		sizes := map[string]int64{}
		for _, p := range b.snapshot() {
			n := p.log.Size()
			sizes[p.tp.topic] += n
			if perPartition {
				o.ObserveInt64(partSize, n, metric.WithAttributes(attribute.String("topic", p.tp.topic), attribute.String("partition", strconv.Itoa(int(p.tp.partition)))))
			}
		}
		for t, n := range sizes {
			o.ObserveInt64(topicSize, n, metric.WithAttributes(attribute.String("topic", t)))
		}

		lctx, cancel := context.WithTimeout(ctx, lagScrapeTimeout)
		defer cancel()
		for _, l := range b.groupLags(lctx) {
			o.ObserveInt64(groupLag, l.sum, metric.WithAttributes(attribute.String("group", l.group), attribute.String("topic", l.topic)))
			if perPartition {
				for part, lag := range l.parts {
					o.ObserveInt64(partLag, lag, metric.WithAttributes(attribute.String("group", l.group), attribute.String("topic", l.topic), attribute.String("partition", strconv.Itoa(int(part)))))
				}
			}
		}
		return nil
	}, observed...)
	if err != nil {
		_ = mp.Shutdown(context.Background())
		return nil, fmt.Errorf("server: metrics callback: %w", err)
	}
	return m, nil
}

func boolInt(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

// handler serves the Prometheus exposition of this broker's registry.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// close stops the meter provider, flushing a push (OTLP) exporter for at
// most telemetryShutdownTimeout.
func (m *metrics) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), telemetryShutdownTimeout)
	defer cancel()
	return m.provider.Shutdown(ctx)
}

// leaderElected counts a partition leadership this broker took.
func (m *metrics) leaderElected() {
	if m == nil {
		return
	}
	m.leaderElections.Add(context.Background(), 1)
}

func (m *metrics) topic(t string) metric.MeasurementOption {
	return cachedAttr(&m.topicAttrs, "topic", t)
}

func cachedAttr(cache *sync.Map, key, value string) metric.MeasurementOption {
	if v, ok := cache.Load(value); ok {
		return v.(metric.MeasurementOption)
	}
	v, _ := cache.LoadOrStore(value, metric.WithAttributeSet(attribute.NewSet(attribute.String(key, value))))
	return v.(metric.MeasurementOption)
}

// requestDone records a request of api that started at start.
func (m *metrics) requestDone(api string, start time.Time) {
	if m == nil {
		return
	}
	m.requestDuration.Record(context.Background(), time.Since(start).Seconds(), cachedAttr(&m.apiAttrs, "api", api))
}

// produced records an append of bytes and records to topic t.
func (m *metrics) produced(t string, bytes, records int64) {
	if m == nil {
		return
	}
	ctx := context.Background()
	opt := m.topic(t)
	m.bytesIn.Add(ctx, bytes, opt)
	m.recordsIn.Add(ctx, records, opt)
}

// fetched records bytes of topic t returned to a consumer.
func (m *metrics) fetched(t string, bytes int64) {
	if m == nil || bytes == 0 {
		return
	}
	m.bytesOut.Add(context.Background(), bytes, m.topic(t))
}

// isrChanged counts an accepted ISR change from size before to after.
func (m *metrics) isrChanged(before, after int) {
	if m == nil {
		return
	}
	switch {
	case after < before:
		m.isrShrinks.Add(context.Background(), 1)
	case after > before:
		m.isrExpands.Add(context.Background(), 1)
	}
}

// unaryInterceptor times every unary RPC into the request duration
// histogram labelled with the method name: a fixed, small set. Streams are
// timed per request where they are served (ProduceStream, ReplicaFetch).
func (m *metrics) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	m.requestDone(methodName(info.FullMethod), start)
	return resp, err
}

// statusRecorder keeps the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// instrumentRegistry times the schema registry's REST requests. Labels are
// the method (any other than the usual five becomes "other") and the status
// code, never the path: subjects and ids would be unbounded.
func (m *metrics) instrumentRegistry(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		method := r.Method
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead:
		default:
			method = "other"
		}
		m.registryHTTP.Record(r.Context(), time.Since(start).Seconds(), metric.WithAttributes(
			attribute.String("method", method), attribute.Int("code", cmp.Or(rec.code, http.StatusOK))))
	})
}

// methodName returns the method of a gRPC full method name
// ("/fjord.v1.ProduceService/Produce" -> "Produce").
func methodName(full string) string {
	for i := len(full) - 1; i >= 0; i-- {
		if full[i] == '/' {
			return full[i+1:]
		}
	}
	return full
}

// groupLag is a group's lag on one topic.
type groupLag struct {
	group, topic string
	sum          int64
	parts        map[int32]int64
}

// groupLags computes the lag of every group with committed offsets in the
// coordinator shards this broker runs. Partitions whose high watermark
// cannot be read are left out.
func (b *broker) groupLags(ctx context.Context) []groupLag {
	if b.coord == nil {
		return nil
	}
	loaded, _ := b.coord.loadedShards()
	type committed struct {
		group string
		tp    group.TopicPartition
		off   int64
	}
	var cs []committed
	for _, sh := range loaded {
		// fn runs on the shard's goroutine, possibly after do gave up at
		// the scrape deadline: it fills its own slice, read only when do
		// reports that fn ran.
		var shardCs []committed
		err := sh.do(ctx, func(s *group.Shard, _ time.Time) (group.Output, error) {
			for _, g := range s.List() {
				for _, o := range s.FetchOffsets(g.Group, nil) {
					if o.Offset >= 0 {
						shardCs = append(shardCs, committed{group: g.Group, tp: o.TopicPartition, off: o.Offset})
					}
				}
			}
			return group.Output{}, nil
		})
		if err == nil {
			cs = append(cs, shardCs...)
		}
	}
	if len(cs) == 0 {
		return nil
	}
	uniq := map[group.TopicPartition]int{}
	var tps []group.TopicPartition
	for _, c := range cs {
		if _, ok := uniq[c.tp]; !ok {
			uniq[c.tp] = len(tps)
			tps = append(tps, c.tp)
		}
	}
	_, hws := b.partitionBounds(ctx, tps)
	type key struct{ group, topic string }
	byKey := map[key]*groupLag{}
	var out []*groupLag
	for _, c := range cs {
		hw := hws[uniq[c.tp]]
		if hw.err != nil || hw.offset < 0 {
			continue
		}
		k := key{c.group, c.tp.Topic}
		l := byKey[k]
		if l == nil {
			l = &groupLag{group: c.group, topic: c.tp.Topic, parts: map[int32]int64{}}
			byKey[k] = l
			out = append(out, l)
		}
		lag := max(hw.offset-c.off, 0)
		l.sum += lag
		l.parts[c.tp.Partition] = lag
	}
	res := make([]groupLag, len(out))
	for i, l := range out {
		res[i] = *l
	}
	return res
}
