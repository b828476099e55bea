package server

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// waitSpans polls exp until a span named each of names has ended, or
// fails after 10s. Server spans end just after the response is sent, so
// the client may see the response first.
func waitSpans(t *testing.T, exp *tracetest.InMemoryExporter, names ...string) tracetest.SpanStubs {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := exp.GetSpans()
		missing := ""
		for _, n := range names {
			// "server:NAME" asks for the server's span of an RPC: the
			// client's span of the same name can end before it.
			name, server := strings.CutPrefix(n, "server:")
			if !slices.ContainsFunc(spans, func(s tracetest.SpanStub) bool {
				return s.Name == name && (!server || s.SpanKind == trace.SpanKindServer)
			}) {
				missing = n
				break
			}
		}
		if missing == "" {
			return spans
		}
		if time.Now().After(deadline) {
			var got []string
			for _, s := range spans {
				got = append(got, s.Name)
			}
			t.Fatalf("no span %q ended; got %q", missing, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func findSpan(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no span %q", name)
	return tracetest.SpanStub{}
}

func spanAttr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestTracingProduceAndFetch traces a produce and a fetch from a client
// span: the broker's server spans continue the client's trace, the
// produce has append and replicate children and the fetch a read child,
// and log lines of the calls carry the trace id.
func TestTracingProduceAndFetch(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	logs := &syncBuffer{}
	tb := startBroker(t, "", func(o *Options) {
		o.TracerProvider = tp
		o.Logger = jsonLogger(logs)
		o.LogLevel = levelVar(-4) // debug: every call's completion is logged
	})
	tb.createTopic("traced", 1, nil)

	conn, err := grpc.NewClient(tb.srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(propagation.TraceContext{}))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, root := tp.Tracer("test").Start(ctx(t), "client-root")
	resp, err := fjordv1.NewProduceServiceClient(conn).Produce(c, &fjordv1.ProduceRequest{Acks: fjordv1.Acks_ACKS_ALL, Topics: []*fjordv1.ProduceTopicData{{
		Topic: "traced", Partitions: []*fjordv1.ProducePartitionData{{Partition: 0, Batches: []*fjordv1.RecordBatch{batch("a", "b", "c")}}}}}})
	if err != nil || resp.GetTopics()[0].GetPartitions()[0].GetError() != nil {
		t.Fatalf("Produce: %v %v", err, resp)
	}
	if _, err := fjordv1.NewFetchServiceClient(conn).Fetch(c, fetchReq("traced", 0, 0)); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	root.End()

	spans := waitSpans(t, exp, "server:fjord.v1.ProduceService/Produce", "append", "replicate", "fjord.v1.FetchService/Fetch", "read")
	traceID := root.SpanContext().TraceID()
	produce := findSpan(t, spans, "fjord.v1.ProduceService/Produce")
	if produce.SpanKind != trace.SpanKindServer {
		// The client handler's span has the same name: take the server's.
		for _, s := range spans {
			if s.Name == produce.Name && s.SpanKind == trace.SpanKindServer {
				produce = s
			}
		}
	}
	fetch := findSpan(t, spans, "read")
	for _, s := range spans {
		if s.Name == "fjord.v1.AdminService/CreateTopics" {
			continue // before the client span
		}
		if s.SpanContext.TraceID() != traceID {
			t.Errorf("span %s has trace %s, want the client's %s", s.Name, s.SpanContext.TraceID(), traceID)
		}
	}
	app, repl := findSpan(t, spans, "append"), findSpan(t, spans, "replicate")
	for _, s := range []tracetest.SpanStub{app, repl} {
		if s.Parent.SpanID() != produce.SpanContext.SpanID() {
			t.Errorf("%s's parent is %s, want the Produce server span %s", s.Name, s.Parent.SpanID(), produce.SpanContext.SpanID())
		}
		if v, ok := spanAttr(s, "fjord.partition"); !ok || v.AsInt64() != 0 {
			t.Errorf("%s has fjord.partition %v", s.Name, v)
		}
	}
	if v, _ := spanAttr(app, "fjord.records"); v.AsInt64() != 3 {
		t.Errorf("append records = %v, want 3", v)
	}
	if v, _ := spanAttr(app, "fjord.last_offset"); v.AsInt64() != 2 {
		t.Errorf("append last_offset = %v, want 2", v)
	}
	if v, _ := spanAttr(repl, "fjord.isr_size"); v.AsInt64() != 1 {
		t.Errorf("replicate isr_size = %v, want 1", v)
	}
	if v, _ := spanAttr(fetch, "fjord.bytes"); v.AsInt64() <= 0 {
		t.Errorf("read bytes = %v, want > 0", v)
	}

	// The logging interceptor's line for the produce carries the trace.
	line := findLog(t, logs, func(m map[string]any) bool {
		return m["msg"] == "finished call" && m["grpc.method"] == "Produce"
	})
	if line["trace_id"] != traceID.String() || line["request_id"] == nil {
		t.Errorf("produce log line %v: want trace_id %s and a request_id", line, traceID)
	}
}

// TestTracingProduceStream checks that each request of a produce stream
// gets a "produce" span under the stream's span, with its appends below.
func TestTracingProduceStream(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	tb := startBroker(t, "", func(o *Options) { o.TracerProvider = tp })
	tb.createTopic("s", 1, nil)
	stream, err := tb.produce.ProduceStream(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := stream.Send(&fjordv1.ProduceStreamRequest{CorrelationId: uint64(i), Topics: []*fjordv1.ProduceTopicData{{
			Topic: "s", Partitions: []*fjordv1.ProducePartitionData{{Batches: []*fjordv1.RecordBatch{batch("v")}}}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	stream.CloseSend()
	if _, err := stream.Recv(); err == nil {
		t.Fatal("stream did not end")
	}
	spans := waitSpans(t, exp, "fjord.v1.ProduceService/ProduceStream")
	st := findSpan(t, spans, "fjord.v1.ProduceService/ProduceStream")
	var produces []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == "produce" {
			produces = append(produces, s)
			if s.Parent.SpanID() != st.SpanContext.SpanID() {
				t.Errorf("produce span's parent %s is not the stream's %s", s.Parent.SpanID(), st.SpanContext.SpanID())
			}
		}
	}
	if len(produces) != 2 {
		t.Fatalf("%d produce spans, want 2", len(produces))
	}
	for _, s := range spans {
		if s.Name == "append" && !slices.ContainsFunc(produces, func(p tracetest.SpanStub) bool { return p.SpanContext.SpanID() == s.Parent.SpanID() }) {
			t.Errorf("append span's parent %s is no produce span", s.Parent.SpanID())
		}
	}
}

// BenchmarkProduceTracing measures a unary acks=1 produce with tracing off
// (the default: no stats handler, no spans) and on (spans discarded).
func BenchmarkProduceTracing(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			tb := startBroker(b, "", func(o *Options) {
				if on {
					o.TracerProvider = sdktrace.NewTracerProvider() // sampled, no exporter
				}
			})
			tb.createTopic("bench", 1, nil)
			req := &fjordv1.ProduceRequest{Acks: fjordv1.Acks_ACKS_LEADER, Topics: []*fjordv1.ProduceTopicData{{
				Topic: "bench", Partitions: []*fjordv1.ProducePartitionData{{Batches: []*fjordv1.RecordBatch{batch(strings.Repeat("x", 100))}}}}}}
			c := ctx(b)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := tb.produce.Produce(c, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
