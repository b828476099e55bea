package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/auth"
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
--shutdown-timeout); a second signal exits at once. SIGHUP reads the TLS,
token and JWKS files again (as --credentials-reload-interval does).`,
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
		Auth:                          c.Security.authOptions(),
		CredentialsReloadInterval:     cmp.Or(c.Security.CredentialsReloadInterval, -1), // 0: SIGHUP only
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
			if sig == syscall.SIGHUP {
				if len(srv.Authenticator().Files()) == 0 {
					logger.Info("SIGHUP: no credential files to reload")
				} else if changed, err := srv.ReloadCredentials(); err == nil && !changed {
					logger.Info("SIGHUP: credential files unchanged")
				}
				continue
			}
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

// securityConfig holds the TLS and authentication settings of `fjord
// serve` (server.Options.Auth).
type securityConfig struct {
	TLSCert, TLSKey, TLSClientCA, TLSClientAuth, TLSPrincipal, TLSCA string

	AuthTokenFile, AuthJWKSFile, AuthJWTIssuer, AuthJWTAudience, AuthJWTPrincipalClaim string
	AuthAllowAnonymous                                                                 autoBool
	InterBrokerTokenFile, BrokerPrincipals                                             string
	CredentialsReloadInterval                                                          time.Duration
}

func (c *securityConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate of the broker: serve TLS on the gRPC and HTTP listeners (needs --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&c.TLSClientCA, "tls-client-ca", "", "PEM CA certificate(s) verifying client certificates (mutual TLS; a certificate names the caller User:<CN>)")
	fs.StringVar(&c.TLSClientAuth, "tls-client-auth", "", `with --tls-client-ca: "require" (default: no connection without a valid client certificate) or "request" (verify one if sent; others need a token)`)
	fs.StringVar(&c.TLSPrincipal, "tls-principal", "", `principal a client certificate names: "cn" (default: User:<subject CN>) or "dn" (User:<RFC 2253 subject>)`)
	fs.StringVar(&c.TLSCA, "tls-ca", "", "PEM CA certificate(s) verifying other brokers when this one dials them (default --tls-client-ca, else the system roots)")
	fs.StringVar(&c.AuthTokenFile, "auth-token-file", "", `static bearer tokens, one "TOKEN Type:Name" per line (e.g. "s3cret User:alice"; # comments)`)
	fs.StringVar(&c.AuthJWKSFile, "auth-jwks-file", "", "JSON Web Key Set whose public keys verify JWT bearer tokens (read once, never fetched)")
	fs.StringVar(&c.AuthJWTIssuer, "auth-jwt-issuer", "", "required iss claim of JWTs")
	fs.StringVar(&c.AuthJWTAudience, "auth-jwt-audience", "", "required aud claim of JWTs")
	fs.StringVar(&c.AuthJWTPrincipalClaim, "auth-jwt-principal-claim", "", `JWT claim naming the principal User:<value> (default "sub")`)
	fs.Var(&c.AuthAllowAnonymous, "auth-allow-anonymous", `let callers without credentials in as User:ANONYMOUS (default: only when no --tls-client-ca, --auth-token-file or --auth-jwks-file is set)`)
	fs.Lookup("auth-allow-anonymous").NoOptDefVal = "true"
	fs.StringVar(&c.InterBrokerTokenFile, "inter-broker-token-file", "", "file holding the bearer token this broker sends to other brokers (one of --auth-token-file's tokens or a JWT)")
	fs.StringVar(&c.BrokerPrincipals, "broker-principals", "", "other brokers' principals when they differ from this broker's certificate, e.g. User:broker-2,User:broker-3 (super users for ACLs)")
	fs.DurationVar(&c.CredentialsReloadInterval, "credentials-reload-interval", 30*time.Second, "how often the TLS, token and JWKS files are read again (changes apply to new connections and calls; 0: only on SIGHUP)")
}

// securityValidators check the security settings' values.
var securityValidators = map[string]func(string) error{
	"tls-client-auth":   emptyOr(oneOf("require", "request")),
	"tls-principal":     emptyOr(oneOf("cn", "dn")),
	"broker-principals": func(v string) error { _, err := parsePrincipals(v); return err },
	"credentials-reload-interval": func(v string) error {
		if d, _ := time.ParseDuration(v); d < 0 {
			return errors.New("must not be negative")
		}
		return nil
	},
}

func emptyOr(check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return check(v)
	}
}

func parsePrincipals(v string) ([]auth.Principal, error) {
	var out []auth.Principal
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := auth.ParsePrincipal(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// authOptions maps the settings onto auth.Options.
func (c *securityConfig) authOptions() auth.Options {
	brokers, _ := parsePrincipals(c.BrokerPrincipals) // validated already
	return auth.Options{
		CertFile: c.TLSCert, KeyFile: c.TLSKey, ClientCAFile: c.TLSClientCA, ClientAuth: c.TLSClientAuth,
		PrincipalFrom: c.TLSPrincipal, CAFile: c.TLSCA,
		TokenFile: c.AuthTokenFile, JWKSFile: c.AuthJWKSFile, JWTIssuer: c.AuthJWTIssuer, JWTAudience: c.AuthJWTAudience,
		JWTPrincipalClaim: c.AuthJWTPrincipalClaim, AllowAnonymous: c.AuthAllowAnonymous.ptr(),
		InterBrokerTokenFile: c.InterBrokerTokenFile, BrokerPrincipals: brokers,
	}
}

// autoBool is a boolean flag whose default "auto" leaves the choice to
// the broker.
type autoBool struct {
	set, v bool
}

func (b *autoBool) String() string {
	if !b.set {
		return "auto"
	}
	return strconv.FormatBool(b.v)
}

func (b *autoBool) Set(s string) error {
	if s == "auto" {
		*b = autoBool{}
		return nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true, false or auto")
	}
	*b = autoBool{set: true, v: v}
	return nil
}

func (b *autoBool) Type() string     { return "bool" }
func (b *autoBool) IsBoolFlag() bool { return true }

func (b *autoBool) ptr() *bool {
	if !b.set {
		return nil
	}
	v := b.v
	return &v
}

// validatorFor returns the check of setting key, if any.
func validatorFor(key string) func(string) error {
	if v := serveValidators[key]; v != nil {
		return v
	}
	return securityValidators[key]
}
