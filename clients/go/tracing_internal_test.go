package fjord

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

func TestTraceHeadersRoundTrip(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	const want = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

	off := defaultCfg()
	r := &Record{Headers: []Header{{Key: "app", Value: []byte("1")}}}
	off.injectTrace(ctx, r)
	if len(r.Headers) != 1 {
		t.Fatalf("tracing off added headers %v", r.Headers)
	}

	on := defaultCfg()
	TracerProvider(noop.NewTracerProvider()).apply(&on)
	on.injectTrace(ctx, r)
	if got := RecordCarrier(r).Get("traceparent"); got != want || len(r.Headers) != 2 || r.Headers[0].Key != "app" {
		t.Fatalf("headers after inject %v, want app then traceparent %s", r.Headers, want)
	}
	got := trace.SpanContextFromContext(ExtractTraceContext(context.Background(), r))
	if !got.IsRemote() || got.TraceID() != sc.TraceID() || got.SpanID() != sc.SpanID() || !got.IsSampled() {
		t.Fatalf("extracted %+v, want remote %+v", got, sc)
	}

	// A record keeps the trace context it carries; no span, no header.
	other := trace.ContextWithSpanContext(context.Background(), sc.WithSpanID(trace.SpanID{1}))
	on.injectTrace(other, r)
	if RecordCarrier(r).Get("traceparent") != want || len(r.Headers) != 2 {
		t.Fatalf("inject overwrote the record's trace context: %v", r.Headers)
	}
	plain := &Record{}
	on.injectTrace(context.Background(), plain)
	if len(plain.Headers) != 0 {
		t.Fatalf("inject without a span added %v", plain.Headers)
	}
	if c := ExtractTraceContext(context.Background(), plain); trace.SpanContextFromContext(c).IsValid() {
		t.Fatal("extracted a span context from a record without one")
	}
}
