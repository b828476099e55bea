package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// OTLPOptions configures pushing the broker's metrics and traces to an
// OpenTelemetry collector. The exporters also read the standard
// OTEL_EXPORTER_OTLP_* environment variables (headers, timeout,
// certificates, per-signal endpoints); these options win over them.
type OTLPOptions struct {
	// Endpoint is the collector, as host:port or a base URL
	// ("http://collector:4318", the signal paths /v1/traces and
	// /v1/metrics are added for OTLP/HTTP); a URL's http scheme implies
	// Insecure. Empty disables export: no exporter runs, nothing is sent.
	Endpoint string
	// Protocol is "grpc" (the default, usually port 4317) or "http"
	// (OTLP/HTTP with protobuf, usually port 4318).
	Protocol string
	// Insecure talks to the collector without TLS.
	Insecure bool
	// MetricInterval is how often metrics are pushed (default: the
	// OTEL_METRIC_EXPORT_INTERVAL variable, else 60s).
	MetricInterval time.Duration
}

func (o OTLPOptions) validate() error {
	switch o.Protocol {
	case "", "grpc", "http":
	default:
		return fmt.Errorf("server: otlp protocol %q is not grpc or http", o.Protocol)
	}
	if o.MetricInterval < 0 {
		return errors.New("server: negative otlp metric interval")
	}
	return nil
}

// otlp holds the exporting pipelines of a broker with OTLP configured.
type otlp struct {
	traces *sdktrace.TracerProvider
	// meterOpts add the periodic OTLP reader and the resource to the
	// broker's meter provider, which shuts the reader down.
	meterOpts []sdkmetric.Option
}

// telemetryResource describes this broker to the collector: service.name
// "fjord" and the node id, on top of the SDK's defaults (which include
// OTEL_RESOURCE_ATTRIBUTES).
func telemetryResource(nodeID int32) (*resource.Resource, error) {
	return resource.Merge(resource.Default(), resource.NewSchemaless(
		attribute.String("service.name", "fjord"),
		attribute.String("service.instance.id", strconv.Itoa(int(nodeID))),
		attribute.Int("fjord.node.id", int(nodeID)),
	))
}

// newOTLP builds the trace and metric exporters. Building connects to
// nothing: the gRPC exporters dial lazily and the HTTP ones per export.
func newOTLP(o OTLPOptions, nodeID int32) (*otlp, error) {
	ctx := context.Background()
	res, err := telemetryResource(nodeID)
	if err != nil {
		return nil, fmt.Errorf("server: otlp resource: %w", err)
	}
	// A URL is a base URL as in OTEL_EXPORTER_OTLP_ENDPOINT: the signal's
	// path (/v1/traces, /v1/metrics) goes after its path.
	host, base, insecure := o.Endpoint, "", o.Insecure
	if strings.Contains(o.Endpoint, "://") {
		u, err := url.Parse(o.Endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("server: otlp endpoint %q is neither host:port nor a URL", o.Endpoint)
		}
		host, base, insecure = u.Host, strings.TrimSuffix(u.Path, "/"), insecure || u.Scheme == "http"
	}
	var spans sdktrace.SpanExporter
	var metrics sdkmetric.Exporter
	if o.Protocol == "http" {
		topts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(host), otlptracehttp.WithURLPath(base + "/v1/traces")}
		mopts := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(host), otlpmetrichttp.WithURLPath(base + "/v1/metrics")}
		if insecure {
			topts = append(topts, otlptracehttp.WithInsecure())
			mopts = append(mopts, otlpmetrichttp.WithInsecure())
		}
		if spans, err = otlptracehttp.New(ctx, topts...); err == nil {
			metrics, err = otlpmetrichttp.New(ctx, mopts...)
		}
	} else {
		topts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(host)}
		mopts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpoint(host)}
		if insecure {
			topts = append(topts, otlptracegrpc.WithInsecure())
			mopts = append(mopts, otlpmetricgrpc.WithInsecure())
		}
		if spans, err = otlptracegrpc.New(ctx, topts...); err == nil {
			metrics, err = otlpmetricgrpc.New(ctx, mopts...)
		}
	}
	if err != nil {
		if spans != nil {
			_ = spans.Shutdown(ctx)
		}
		return nil, fmt.Errorf("server: otlp exporter for %s: %w", o.Endpoint, err)
	}
	var ropts []sdkmetric.PeriodicReaderOption
	if o.MetricInterval > 0 {
		ropts = append(ropts, sdkmetric.WithInterval(o.MetricInterval))
	}
	return &otlp{
		traces:    sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithResource(res)),
		meterOpts: []sdkmetric.Option{sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, ropts...)), sdkmetric.WithResource(res)},
	}, nil
}

// telemetryShutdownTimeout bounds flushing spans and metrics at shutdown
// (an unreachable collector must not hold the broker).
const telemetryShutdownTimeout = 5 * time.Second

// meterOptions returns the meter provider options of o (none if o is nil).
func (o *otlp) meterOptions() []sdkmetric.Option {
	if o == nil {
		return nil
	}
	return o.meterOpts
}

// shutdownTraces flushes and stops the OTLP trace pipeline.
func (o *otlp) shutdownTraces() error {
	if o == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), telemetryShutdownTimeout)
	defer cancel()
	return o.traces.Shutdown(ctx)
}
