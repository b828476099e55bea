package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fjordlog/fjord/server"
)

func newServeCmd(env *cliEnv) *cobra.Command {
	cfg := &serveConfig{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a broker",
		Long: `Run a Fjord broker. With no flags it is a single node keeping its data in
./fjord-data, serving gRPC on 127.0.0.1:9092 and HTTP (health checks and the
schema registry REST API) on 127.0.0.1:8081.

Every flag (except --config) can also be set in the YAML file named by
--config, under the same name (e.g. "data: /var/lib/fjord"), and in the
environment as FJORD_<FLAG> (e.g. FJORD_DATA, FJORD_NODE_ID).
Precedence: flag > environment > config file > default.

SIGINT or SIGTERM shuts the broker down gracefully (bounded by
--shutdown-timeout); a second signal exits at once.`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := resolveServeConfig(c.Flags(), env); err != nil {
				var se *settingError
				if errors.As(err, &se) && se.source == "--"+se.key {
					return &usageError{cmd: c, err: err}
				}
				return err
			}
			return serve(c.Context(), cfg, env)
		},
	}
	cfg.register(cmd.Flags())
	cmd.Flags().SortFlags = false
	return cmd
}

// newLogger builds the broker's slog logger on w and the level it logs at,
// which the broker can change at runtime (PUT /admin/log-level).
func newLogger(w io.Writer, level, format string) (*slog.Logger, *slog.LevelVar) {
	lvl := new(slog.LevelVar)
	_ = lvl.UnmarshalText([]byte(strings.ToUpper(level))) // validated already
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), lvl
	}
	return slog.New(slog.NewTextHandler(w, opts)), lvl
}

// otlpOptions maps the OTLP settings; without --otlp-endpoint the standard
// OTEL_EXPORTER_OTLP_ENDPOINT (and OTEL_EXPORTER_OTLP_PROTOCOL) turn export
// on. The exporters read the other OTEL_EXPORTER_OTLP_* variables.
func (c *serveConfig) otlpOptions(env *cliEnv) server.OTLPOptions {
	o := server.OTLPOptions{Endpoint: c.OTLPEndpoint, Protocol: c.OTLPProtocol, Insecure: c.OTLPInsecure}
	if o.Endpoint == "" {
		if v, ok := env.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); ok {
			o.Endpoint = v
			if p, ok := env.getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); ok && strings.HasPrefix(p, "http") {
				o.Protocol = "http"
			}
		}
	}
	return o
}

// serverOptions maps the resolved configuration onto server.Options.
func (c *serveConfig) serverOptions(logger *slog.Logger) server.Options {
	peers, _ := parsePeers(c.Peers) // validated when the configuration was resolved
	raftTimeout := c.RaftTimeout
	if c.Raft == "" {
		raftTimeout = 0 // the single-node default
	}
	return server.Options{
		DataDir:                  c.Data,
		ListenAddr:               c.Listen,
		HTTPAddr:                 c.HTTP,
		NodeID:                   c.NodeID,
		AdvertisedAddr:           c.AdvertisedAddr,
		Logger:                   logger,
		DefaultPartitions:        c.DefaultPartitions,
		DefaultReplicationFactor: c.DefaultReplicationFactor,
		AutoCreateTopics:         c.AutoCreateTopics,
		MaxRecvMsgBytes:          int(c.MaxRecvMsgBytes),
		MaxConcurrentStreams:     c.MaxConcurrentStreams,
		MaxOpenFiles:             c.MaxOpenFiles,
		ShutdownTimeout:          c.ShutdownTimeout,
		RaftAddr:                 c.Raft,
		RaftAdvertiseAddr:        c.RaftAdvertise,
		Peers:                    peers,
		Bootstrap:                c.Bootstrap,
		Join:                     c.Join,
		Rack:                     c.Rack,
		SessionTimeout:           c.SessionTimeout,
		HeartbeatInterval:        c.HeartbeatInterval,
		RaftTimeout:              raftTimeout,
		ReplicaLagTimeMax:        c.ReplicaLagTimeMax,
		ReplicaFetchWait:         c.ReplicaFetchWait,
		ProducerIDExpiration:     c.ProducerIDExpiration,

		OffsetsTopicPartitions:        c.OffsetsTopicPartitions,
		OffsetsTopicReplicationFactor: c.OffsetsTopicReplicationFactor,
		GroupSessionTimeout:           c.GroupSessionTimeout,
		GroupMinSessionTimeout:        c.GroupMinSessionTimeout,
		GroupMaxSessionTimeout:        c.GroupMaxSessionTimeout,
		GroupHeartbeatInterval:        c.GroupHeartbeatInterval,
		OffsetsRetention:              c.OffsetsRetention,
		PerPartitionMetrics:           c.MetricsPerPartition,
		Authorizer:                    c.Authorizer,
		SuperUsers:                    splitPrincipals(c.SuperUsers),
	}
}

// serve runs the broker until it fails or a signal asks it to stop.
func serve(ctx context.Context, cfg *serveConfig, env *cliEnv) error {
	logger, level := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)

	// Listen for signals before binding, so none is missed in between.
	sigs := make(chan os.Signal, 2)
	stopSignals := func() {}
	if env.notifySignals != nil {
		stopSignals = env.notifySignals(sigs)
	}
	defer stopSignals()

	opts := cfg.serverOptions(logger)
	opts.LogLevel, opts.OTLP = level, cfg.otlpOptions(env)
	srv, err := server.New(opts)
	if err != nil {
		return fmt.Errorf("cannot start broker: %w", err)
	}
	httpAddr := "off"
	if a := srv.HTTPAddr(); a != nil {
		httpAddr = a.String()
	}
	dataDir := cfg.Data
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	fmt.Fprintf(env.stdout, "fjord %d serving gRPC on %s, HTTP on %s, data in %s\n", cfg.NodeID, srv.Addr(), httpAddr, dataDir)
	if env.serving != nil {
		env.serving(srv)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()

	var shutdownDone chan error
	for {
		select {
		case err := <-served:
			if shutdownDone == nil {
				// Serve ended without being asked to.
				if err == nil {
					return nil
				}
				shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
				defer cancel()
				_ = srv.Shutdown(shutdownCtx)
				return fmt.Errorf("broker stopped: %w", err)
			}
			if err != nil {
				return fmt.Errorf("broker stopped: %w", err)
			}
			served = nil // wait for Shutdown to report
		case sig := <-sigs:
			if shutdownDone != nil {
				logger.Warn("second signal, exiting at once", "signal", sig.String())
				env.exit(1)
				return errors.New("interrupted")
			}
			logger.Info("shutting down", "signal", sig.String(), "timeout", cfg.ShutdownTimeout.String())
			shutdownDone = shutdownAsync(srv, cfg)
		case <-ctx.Done():
			if shutdownDone == nil {
				logger.Info("shutting down", "reason", context.Cause(ctx).Error(), "timeout", cfg.ShutdownTimeout.String())
				shutdownDone = shutdownAsync(srv, cfg)
			}
			ctx = context.Background() // Done only once
		case err := <-shutdownDone:
			if err != nil {
				return fmt.Errorf("shutdown: %w", err)
			}
			logger.Info("shutdown complete")
			return nil
		}
	}
}

func shutdownAsync(srv *server.Server, cfg *serveConfig) chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	return done
}
