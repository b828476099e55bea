package server

import (
	"context"
	"log/slog"
	"strconv"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// tracerName is the instrumentation scope of the broker's own spans.
const tracerName = "github.com/fjordlog/fjord/server"

// tracing is a broker's tracer. Each Server has its own (never the global
// provider), so two brokers in one process keep their spans apart. A nil
// *tracing is off: no stats handler is installed and the span helpers
// return at once without allocating.
type tracing struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
}

func newTracing(tp trace.TracerProvider) *tracing {
	if tp == nil {
		return nil
	}
	return &tracing{provider: tp, tracer: tp.Tracer(tracerName), prop: propagation.TraceContext{}}
}

// otelOptions are the otelgrpc options of the server and client handlers:
// this broker's provider and W3C propagation, no otelgrpc metrics (the
// broker's own request histogram covers them), and no spans for health
// checks, broker heartbeats and the long-lived replica fetch streams,
// which would drown the interesting ones.
func (t *tracing) otelOptions() []otelgrpc.Option {
	return []otelgrpc.Option{
		otelgrpc.WithTracerProvider(t.provider),
		otelgrpc.WithPropagators(t.prop),
		otelgrpc.WithMeterProvider(noopmetric.NewMeterProvider()),
		otelgrpc.WithFilter(filters.None(filters.HealthCheck(), filters.MethodName("BrokerHeartbeat"), filters.MethodName("Replicate"))),
	}
}

// serverOptions returns the gRPC server option installing the otelgrpc
// stats handler, or none when tracing is off.
func (t *tracing) serverOptions() []grpc.ServerOption {
	if t == nil {
		return nil
	}
	return []grpc.ServerOption{grpc.StatsHandler(otelgrpc.NewServerHandler(t.otelOptions()...))}
}

// dialOptions returns the dial option that traces the broker's calls to
// other brokers (forwarded admin calls, controller requests) and carries
// the trace context to them, or none when tracing is off.
func (t *tracing) dialOptions() []grpc.DialOption {
	if t == nil {
		return nil
	}
	return []grpc.DialOption{grpc.WithStatsHandler(otelgrpc.NewClientHandler(t.otelOptions()...))}
}

// start starts a child span of ctx's span, or returns ctx and a nil span
// when tracing is off. The attributes are only built by the callers below
// once tracing is known to be on.
func (t *tracing) start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return t.tracer.Start(ctx, name, trace.WithAttributes(attrs...))
}

func partitionAttrs(tp topicPartition) []attribute.KeyValue {
	return []attribute.KeyValue{attribute.String("fjord.topic", tp.topic), attribute.Int("fjord.partition", int(tp.partition))}
}

// startAppend starts the "append" span of one partition of a produce
// request.
func (t *tracing) startAppend(ctx context.Context, tp topicPartition, batches [][]byte) (context.Context, trace.Span) {
	if t == nil {
		return ctx, nil
	}
	return t.start(ctx, "append", append(partitionAttrs(tp), attribute.Int("fjord.batches", len(batches)),
		attribute.Int("fjord.bytes", batchesSize(batches)))...)
}

// endAppend ends an append span with the offsets assigned or the error.
func endAppend(span trace.Span, res *fjordv1.ProducePartitionResponse, err error) {
	if span == nil {
		return
	}
	if err != nil {
		endSpan(span, err)
		return
	}
	span.SetAttributes(attribute.Int64("fjord.base_offset", res.GetBaseOffset()), attribute.Int64("fjord.last_offset", res.GetLastOffset()),
		attribute.Int64("fjord.records", res.GetLastOffset()-res.GetBaseOffset()+1))
	span.End()
}

// startReplicate starts the "replicate" span of an acks=all append: from
// the append until the high watermark passes it (ended by awaitAcks).
func (t *tracing) startReplicate(ctx context.Context, p *partition, until int64) trace.Span {
	if t == nil {
		return nil
	}
	p.mu.Lock()
	isr := len(p.meta.ISR)
	p.mu.Unlock()
	_, span := t.start(ctx, "replicate", append(partitionAttrs(p.tp), attribute.String("fjord.acks", "all"),
		attribute.Int("fjord.isr_size", isr), attribute.Int64("fjord.until_offset", until))...)
	return span
}

// startRequest starts the span of one request of a produce stream, a
// child of the stream's span.
func (t *tracing) startRequest(ctx context.Context, name string, correlation uint64) (context.Context, trace.Span) {
	if t == nil {
		return ctx, nil
	}
	return t.start(ctx, name, attribute.String("fjord.correlation_id", strconv.FormatUint(correlation, 10)))
}

// startRead starts the "read" span of one pass of a fetch over its
// partitions.
func (t *tracing) startRead(ctx context.Context, req *fjordv1.FetchRequest) trace.Span {
	if t == nil {
		return nil
	}
	n := 0
	for _, ft := range req.GetTopics() {
		n += len(ft.GetPartitions())
	}
	_, span := t.start(ctx, "read", attribute.Int("fjord.partitions", n))
	return span
}

// endRead ends a read span with the bytes read.
func endRead(span trace.Span, bytes int, failed bool) {
	if span == nil {
		return
	}
	span.SetAttributes(attribute.Int("fjord.bytes", bytes))
	if failed {
		span.SetStatus(codes.Error, "a partition failed")
	}
	span.End()
}

// endSpan ends span, marking it failed with err if not nil. A nil span
// (tracing off) is ignored.
func endSpan(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// setupTelemetry wraps the logger (request attributes, runtime level) and
// builds the OTLP pipelines and the tracer when configured.
func (s *Server) setupTelemetry() error {
	o := &s.opts
	s.level = o.LogLevel
	o.Logger = slog.New(newContextHandler(o.Logger.Handler(), s.level))
	tp := o.TracerProvider
	if o.OTLP.Endpoint != "" {
		var err error
		if s.otlp, err = newOTLP(o.OTLP, o.NodeID); err != nil {
			return err
		}
		if tp == nil {
			tp = s.otlp.traces
		}
	}
	s.trace = newTracing(tp)
	return nil
}
