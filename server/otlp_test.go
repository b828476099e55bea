package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	collmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	colltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// fakeCollector is an in-process OTLP/gRPC collector keeping what it
// receives.
type fakeCollector struct {
	colltrace.UnimplementedTraceServiceServer
	collmetrics.UnimplementedMetricsServiceServer

	mu        sync.Mutex // guards the fields below
	spans     []string   // span names
	metrics   []string   // metric names
	resources []*resourcepb.Resource
}

func (c *fakeCollector) Export(_ context.Context, req *colltrace.ExportTraceServiceRequest) (*colltrace.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		c.resources = append(c.resources, rs.GetResource())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.spans = append(c.spans, s.GetName())
			}
		}
	}
	return &colltrace.ExportTraceServiceResponse{}, nil
}

// metricsService adapts the collector to the metrics service, whose
// Export method has another signature.
type metricsService struct {
	collmetrics.UnimplementedMetricsServiceServer
	c *fakeCollector
}

func (m metricsService) Export(_ context.Context, req *collmetrics.ExportMetricsServiceRequest) (*collmetrics.ExportMetricsServiceResponse, error) {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	for _, rm := range req.GetResourceMetrics() {
		m.c.resources = append(m.c.resources, rm.GetResource())
		for _, sm := range rm.GetScopeMetrics() {
			for _, x := range sm.GetMetrics() {
				m.c.metrics = append(m.c.metrics, x.GetName())
			}
		}
	}
	return &collmetrics.ExportMetricsServiceResponse{}, nil
}

// startCollector serves c over OTLP/gRPC and OTLP/HTTP (protobuf) on two
// loopback ports.
func startCollector(t *testing.T) (c *fakeCollector, grpcAddr, httpAddr string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c = &fakeCollector{}
	g := grpc.NewServer()
	colltrace.RegisterTraceServiceServer(g, c)
	collmetrics.RegisterMetricsServiceServer(g, metricsService{c: c})
	go g.Serve(lis)
	t.Cleanup(g.Stop)

	mux := http.NewServeMux()
	handle := func(path string, req proto.Message, export func() error) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err == nil {
				err = proto.Unmarshal(body, req)
			}
			if err == nil {
				err = export()
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/x-protobuf")
		})
	}
	treq, mreq := &colltrace.ExportTraceServiceRequest{}, &collmetrics.ExportMetricsServiceRequest{}
	handle("/otlp/v1/traces", treq, func() error { _, err := c.Export(context.Background(), treq); return err })
	handle("/otlp/v1/metrics", mreq, func() error { _, err := metricsService{c: c}.Export(context.Background(), mreq); return err })
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return c, lis.Addr().String(), hs.Listener.Addr().String()
}

func resourceAttr(r *resourcepb.Resource, key string) string {
	for _, kv := range r.GetAttributes() {
		if kv.GetKey() == key {
			if s := kv.GetValue().GetStringValue(); s != "" {
				return s
			}
			return kv.GetValue().String()
		}
	}
	return ""
}

// TestOTLPExportsSpansAndMetrics runs a broker exporting to a fake
// collector; shutting the broker down flushes both pipelines, so the
// collector must hold the produce's spans and the broker's metrics.
func TestOTLPExportsSpansAndMetrics(t *testing.T) {
	coll, grpcAddr, httpAddr := startCollector(t)
	for _, o := range []OTLPOptions{
		{Endpoint: grpcAddr, Insecure: true},
		{Endpoint: "http://" + grpcAddr},
		{Endpoint: "http://" + httpAddr + "/otlp/", Protocol: "http"},
	} {
		t.Run(o.Protocol+" "+o.Endpoint, func(t *testing.T) {
			coll.mu.Lock()
			coll.spans, coll.metrics, coll.resources = nil, nil, nil
			coll.mu.Unlock()
			otlp := o
			tb := startBroker(t, "", func(o *Options) {
				o.NodeID = 7
				o.OTLP = otlp
				o.OTLP.MetricInterval = time.Hour // pushed at shutdown
			})
			if tb.srv.trace == nil || tb.srv.otlp == nil {
				t.Fatal("OTLP configured but tracing or export is off")
			}
			tb.createTopic("otlp", 1, nil)
			if pr := tb.produceOne("otlp", 0, fjordv1.Acks_ACKS_ALL, batch("a", "b")); pr.GetError() != nil {
				t.Fatalf("produce: %v", pr.GetError())
			}
			tb.conn.Close()
			if err := tb.srv.Shutdown(context.Background()); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}

			coll.mu.Lock()
			defer coll.mu.Unlock()
			for _, want := range []string{"fjord.v1.ProduceService/Produce", "append", "replicate"} {
				if !slices.Contains(coll.spans, want) {
					t.Errorf("collector got spans %q, want %q among them", coll.spans, want)
				}
			}
			for _, want := range []string{"fjord.broker.topic.records_in", "fjord.broker.partition.leader_elections"} {
				if !slices.Contains(coll.metrics, want) {
					t.Errorf("collector got metrics %q, want %q among them", coll.metrics, want)
				}
			}
			if len(coll.resources) == 0 {
				t.Fatal("no resource received")
			}
			for _, r := range coll.resources {
				if got := resourceAttr(r, "service.name"); got != "fjord" {
					t.Errorf("service.name = %q, want fjord", got)
				}
				if got := resourceAttr(r, "service.instance.id"); got != "7" {
					t.Errorf("service.instance.id = %q, want 7", got)
				}
			}
		})
	}
}

func TestOTLPOffByDefault(t *testing.T) {
	tb := startBroker(t, "")
	if tb.srv.trace != nil || tb.srv.otlp != nil {
		t.Fatalf("tracing %v, otlp %v: want both off without a provider or endpoint", tb.srv.trace, tb.srv.otlp)
	}
	if _, err := New(Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off", OTLP: OTLPOptions{Endpoint: "x:1", Protocol: "udp"}}); err == nil {
		t.Fatal("New accepted otlp protocol udp")
	}
}
