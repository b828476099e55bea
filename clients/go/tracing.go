package fjord

import (
	"context"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// TracerProvider turns on OpenTelemetry tracing with tp: every RPC of the
// client gets a client span (otelgrpc) whose context goes to the broker,
// and Produce writes the trace context of its ctx into each record's
// headers (W3C "traceparent" and "tracestate", unless the record already
// has them), so that consumers can link their processing to the producer
// with ExtractTraceContext. A produce stream carries many records, so its
// RPC span is the stream's, not a record's. Default: off (no spans, no
// headers added).
func TracerProvider(tp trace.TracerProvider) Opt {
	return clientOpt{func(c *cfg) { c.tracerProvider = tp }}
}

// Propagator sets how TracerProvider's trace context is written to
// request metadata and record headers. Default: W3C trace context
// (propagation.TraceContext).
func Propagator(p propagation.TextMapPropagator) Opt {
	return clientOpt{func(c *cfg) { c.propagator = p }}
}

// tracingDialOptions returns the otelgrpc stats handler when tracing is on.
func (c *cfg) tracingDialOptions() []grpc.DialOption {
	if c.tracerProvider == nil {
		return nil
	}
	return []grpc.DialOption{grpc.WithStatsHandler(otelgrpc.NewClientHandler(
		otelgrpc.WithTracerProvider(c.tracerProvider), otelgrpc.WithPropagators(c.tracePropagator())))}
}

func (c *cfg) tracePropagator() propagation.TextMapPropagator {
	if c.propagator == nil {
		return propagation.TraceContext{}
	}
	return c.propagator
}

// injectTrace writes ctx's span context into r's headers when tracing is
// on and ctx holds a valid span context.
func (c *cfg) injectTrace(ctx context.Context, r *Record) {
	if c.tracerProvider == nil || ctx == nil || !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	c.tracePropagator().Inject(ctx, RecordCarrier(r))
}

// RecordCarrier adapts r's headers to OpenTelemetry propagation: Get
// returns the first header with a key, Set adds a header unless one with
// the key exists (a record keeps the trace context it already carries).
func RecordCarrier(r *Record) propagation.TextMapCarrier { return recordCarrier{r} }

type recordCarrier struct{ r *Record }

func (c recordCarrier) Get(key string) string {
	for _, h := range c.r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c recordCarrier) Set(key, value string) {
	for _, h := range c.r.Headers {
		if h.Key == key {
			return
		}
	}
	c.r.Headers = append(c.r.Headers, Header{Key: key, Value: []byte(value)})
}

func (c recordCarrier) Keys() []string {
	keys := make([]string, len(c.r.Headers))
	for i, h := range c.r.Headers {
		keys[i] = h.Key
	}
	return keys
}

// ExtractTraceContext returns ctx carrying the producer's span context
// found in r's W3C trace headers (as a remote span context), or ctx
// unchanged if r has none. Start the processing span as its child:
//
//	ctx = fjord.ExtractTraceContext(ctx, rec)
//	ctx, span := tracer.Start(ctx, "process")
//
// or, to keep the consumer's own trace, link to it:
//
//	ctx, span := tracer.Start(ctx, "process",
//		trace.WithLinks(trace.LinkFromContext(fjord.ExtractTraceContext(context.Background(), rec))))
//
// A producer using another Propagator extracts with it and RecordCarrier.
func ExtractTraceContext(ctx context.Context, r *Record) context.Context {
	return propagation.TraceContext{}.Extract(ctx, RecordCarrier(r))
}
