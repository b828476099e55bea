package sdktest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
)

// TestTracePropagation produces a record from inside a span with a traced
// SDK against a traced broker: the produce stream's client span, the
// broker's stream span and its produce, append and replicate spans share
// one trace; the consumed record carries the producer span's traceparent,
// and ExtractTraceContext returns that span's context.
func TestTracePropagation(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off", TracerProvider: tp})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	b := &broker{t: t, srv: srv, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	t.Cleanup(b.stop)

	cl := newClient(t, b.addr(), fjord.TracerProvider(tp))
	createTopic(t, cl, "traced", 1, nil)
	p, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	ctx, send := tp.Tracer("app").Start(ctxT(t), "send-order")
	if err := p.ProduceSync(ctx, &fjord.Record{Topic: "traced", Value: []byte("order-1")}); err != nil {
		t.Fatalf("ProduceSync: %v", err)
	}
	send.End()
	if err := p.Close(); err != nil { // ends the produce stream and its spans
		t.Fatal(err)
	}

	c := newConsumer(t, cl)
	c.Assign("traced", 0, fjord.AtStart())
	rec := pollN(t, c, 1)[0]
	want := "00-" + send.SpanContext().TraceID().String() + "-" + send.SpanContext().SpanID().String() + "-01"
	if got := fjord.RecordCarrier(rec).Get("traceparent"); got != want {
		t.Fatalf("consumed traceparent %q, want %q (headers %v)", got, want, rec.Headers)
	}
	psc := trace.SpanContextFromContext(fjord.ExtractTraceContext(context.Background(), rec))
	if !psc.IsRemote() || psc.TraceID() != send.SpanContext().TraceID() || psc.SpanID() != send.SpanContext().SpanID() {
		t.Fatalf("extracted %v, want the producer span %v", psc, send.SpanContext())
	}
	_, process := tp.Tracer("app").Start(context.Background(), "process", trace.WithLinks(trace.Link{SpanContext: psc}))
	process.End()

	// The broker's stream span ends after the producer's Close returned:
	// wait for it (bounded).
	const stream = "fjord.v1.ProduceService/ProduceStream"
	var spans tracetest.SpanStubs
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		spans = exp.GetSpans()
		n := 0
		for _, s := range spans {
			if s.Name == stream {
				n++
			}
		}
		if n == 2 || time.Now().After(deadline) {
			break
		}
	}
	byKind := map[trace.SpanKind]tracetest.SpanStub{}
	for _, s := range spans {
		if s.Name == stream {
			byKind[s.SpanKind] = s
		}
	}
	client, okc := byKind[trace.SpanKindClient]
	serverSpan, oks := byKind[trace.SpanKindServer]
	if !okc || !oks {
		t.Fatalf("no client and server %s spans in %v", stream, names(spans))
	}
	tid := client.SpanContext.TraceID()
	if serverSpan.SpanContext.TraceID() != tid || serverSpan.Parent.SpanID() != client.SpanContext.SpanID() {
		t.Errorf("server stream span (trace %s, parent %s) does not continue the client's (trace %s, span %s)",
			serverSpan.SpanContext.TraceID(), serverSpan.Parent.SpanID(), tid, client.SpanContext.SpanID())
	}
	for _, name := range []string{"produce", "append", "replicate"} {
		i := slices.IndexFunc(spans, func(s tracetest.SpanStub) bool { return s.Name == name })
		if i < 0 {
			t.Errorf("no %s span in %v", name, names(spans))
			continue
		}
		if spans[i].SpanContext.TraceID() != tid {
			t.Errorf("%s span in trace %s, want the stream's %s", name, spans[i].SpanContext.TraceID(), tid)
		}
	}
	i := slices.IndexFunc(spans, func(s tracetest.SpanStub) bool { return s.Name == "process" })
	if i < 0 || len(spans[i].Links) != 1 || spans[i].Links[0].SpanContext.SpanID() != send.SpanContext().SpanID() {
		t.Errorf("process span does not link to the producer span")
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
