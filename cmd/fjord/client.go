package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server/auth"
)

const defaultBrokers = "127.0.0.1:9092"

// clientFlags are the connection flags every operator command takes.
type clientFlags struct {
	brokers []string
	timeout time.Duration
	sec     securityFlags

	security []fjord.Opt // TLS and token options, set by resolve
}

func addClientFlags(cmd *cobra.Command, f *clientFlags) {
	pf := cmd.PersistentFlags()
	pf.StringSliceVar(&f.brokers, "brokers", []string{defaultBrokers}, "seed brokers HOST:PORT[,HOST:PORT...] (env FJORD_BROKERS)")
	pf.DurationVar(&f.timeout, "timeout", 10*time.Second, "how long to wait for a broker to answer a request (env FJORD_TIMEOUT)")
	f.sec.register(pf)
}

// resolve applies FJORD_BROKERS and FJORD_TIMEOUT unless the flags were given.
func (f *clientFlags) resolve(cmd *cobra.Command, env *cliEnv) error {
	if !cmd.Flags().Changed("brokers") {
		if v, ok := env.getenv("FJORD_BROKERS"); ok {
			f.brokers = strings.Split(v, ",")
		}
	}
	if !cmd.Flags().Changed("timeout") {
		if v, ok := env.getenv("FJORD_TIMEOUT"); ok {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("FJORD_TIMEOUT: invalid value %q: want a positive duration such as 10s", v)
			}
			f.timeout = d
		}
	}
	var brokers []string
	for _, b := range f.brokers {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if err := validateHostPort(b); err != nil {
			return usageErrorf(cmd, "invalid broker address %q: %v", b, err)
		}
		brokers = append(brokers, b)
	}
	if len(brokers) == 0 {
		return usageErrorf(cmd, "no broker address given")
	}
	f.brokers = brokers
	if f.timeout <= 0 {
		return usageErrorf(cmd, "--timeout must be positive")
	}
	sec, err := f.sec.resolve(cmd, env, brokers)
	if err != nil {
		return err
	}
	f.security = sec
	return nil
}

// connect opens a client after checking, within --timeout, that a seed
// broker answers. Each seed gets one attempt, so an unreachable cluster is
// reported at once rather than retried until the timeout.
func (f *clientFlags) connect(ctx context.Context, cmd *cobra.Command, env *cliEnv) (*fjord.Client, error) {
	if err := f.resolve(cmd, env); err != nil {
		return nil, err
	}
	if err := f.probe(ctx); err != nil {
		return nil, err
	}
	cl, err := fjord.NewClient(ctx, append([]fjord.Opt{
		fjord.SeedBrokers(f.brokers...),
		fjord.ClientID("fjord-cli"),
		fjord.RequestTimeout(f.timeout),
	}, f.security...)...)
	if err != nil {
		return nil, f.unreachable(err)
	}
	return cl, nil
}

// probe asks every seed broker for metadata at once, each with a single
// attempt, and succeeds on the first answer. It fails when every seed fails
// or --timeout passes, reporting the first seed's error.
func (f *clientFlags) probe(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	errs := make([]error, len(f.brokers))
	done := make(chan int, len(f.brokers))
	for i, b := range f.brokers {
		go func() {
			errs[i] = probeBroker(pctx, b, f.timeout, f.security)
			done <- i
		}()
	}
	var answered bool
	for range f.brokers {
		if i := <-done; errs[i] == nil && !answered {
			answered = true
			cancel() // stop the other probes
		}
	}
	switch {
	case answered:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	for i, err := range errs {
		switch {
		case isNotFjord(err):
			return fmt.Errorf("cannot reach broker at %s: it does not serve the Fjord API (%s)", f.brokers[i], transportCause(err))
		case !isTransportError(err):
			return err // a broker answered, with an error
		}
	}
	return f.unreachable(errs[0])
}

// probeBroker makes one metadata request to addr.
func probeBroker(ctx context.Context, addr string, timeout time.Duration, security []fjord.Opt) error {
	cl, err := fjord.NewClient(ctx, append([]fjord.Opt{
		fjord.SeedBrokers(addr),
		fjord.ClientID("fjord-cli"),
		fjord.RequestTimeout(timeout),
		fjord.MaxRetries(0),
	}, security...)...)
	if err != nil {
		return err
	}
	defer cl.Close()
	_, err = cl.Metadata(ctx)
	return err
}

// requestCtx bounds one admin request by --timeout.
func (f *clientFlags) requestCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, f.timeout)
}

func (f *clientFlags) unreachable(err error) error {
	what := "broker at " + f.brokers[0]
	if len(f.brokers) > 1 {
		what = "any broker at " + strings.Join(f.brokers, ",")
	}
	return fmt.Errorf("cannot reach %s: %s", what, transportCause(err))
}

// isTransportError reports whether err means no broker answered, as opposed
// to a broker answering with an error.
func isTransportError(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, fjord.ErrUnavailable) || errors.Is(err, fjord.ErrRequestTimedOut) {
		return true
	}
	var fe *fjord.Error
	if errors.As(err, &fe) {
		return fe.Code == codes.Unavailable || fe.Code == codes.DeadlineExceeded
	}
	if st, ok := status.FromError(err); ok {
		return st.Code() == codes.Unavailable || st.Code() == codes.DeadlineExceeded
	}
	return true
}

// isNotFjord reports whether the server at the other end does not know the
// Fjord services (another gRPC or HTTP server, or a proxy).
func isNotFjord(err error) bool {
	var fe *fjord.Error
	if errors.As(err, &fe) {
		return fe.Code == codes.Unimplemented
	}
	return status.Code(err) == codes.Unimplemented
}

// transportCause shortens gRPC's connection error text to its cause.
func transportCause(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer (timed out)"
	}
	msg := err.Error()
	var fe *fjord.Error
	if errors.As(err, &fe) && fe.Message != "" {
		msg = fe.Message
	} else if st, ok := status.FromError(err); ok {
		msg = st.Message()
	}
	// grpc-go: `connection error: desc = "transport: Error while dialing: dial tcp ADDR: connect: connection refused"`
	if i := strings.LastIndex(msg, "dial tcp "); i >= 0 {
		rest := strings.TrimSuffix(msg[i+len("dial tcp "):], `"`)
		if j := strings.Index(rest, ": "); j >= 0 {
			return rest[j+2:]
		}
	}
	return msg
}

// missingTopicError says a topic does not exist; it matches
// fjord.ErrUnknownTopicOrPartition with errors.Is.
type missingTopicError struct{ topic string }

func (e *missingTopicError) Error() string { return fmt.Sprintf("topic %q does not exist", e.topic) }
func (e *missingTopicError) Unwrap() error { return fjord.ErrUnknownTopicOrPartition }

// topicError rewords SDK errors about a named topic.
func topicError(topic string, err error) error {
	var mt *missingTopicError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mt):
		return mt
	case errors.Is(err, fjord.ErrUnknownTopicOrPartition):
		return &missingTopicError{topic: topic}
	}
	return fmt.Errorf("topic %q: %w", topic, err)
}

// topicOpError reports a failed operation on a topic: a missing topic as
// such, anything else as "cannot OP topic NAME: cause".
func topicOpError(op, topic string, err error) error {
	if errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		return topicError(topic, err)
	}
	return fmt.Errorf("cannot %s topic %q: %w", op, topic, err)
}

// protoError turns a per-item error from a response into a Go error.
func protoError(code int32, reason, message string) error {
	switch {
	case message != "" && reason != "":
		return fmt.Errorf("%s (%s)", message, reason)
	case message != "":
		return errors.New(message)
	case reason != "":
		return errors.New(reason)
	}
	return fmt.Errorf("error code %d", code)
}

// securityFlags are the TLS and authentication flags of the operator
// commands.
type securityFlags struct {
	tls                                bool
	caFile, certFile, keyFile, svrName string
	token                              string
}

func (s *securityFlags) register(pf *pflag.FlagSet) {
	pf.BoolVar(&s.tls, "tls", false, "connect over TLS, verifying brokers with the system roots (env FJORD_TLS)")
	pf.StringVar(&s.caFile, "tls-ca", "", "PEM CA certificate(s) verifying the brokers; implies --tls (env FJORD_TLS_CA)")
	pf.StringVar(&s.certFile, "tls-cert", "", "PEM client certificate for mutual TLS; implies --tls (env FJORD_TLS_CERT)")
	pf.StringVar(&s.keyFile, "tls-key", "", "PEM private key of --tls-cert (env FJORD_TLS_KEY)")
	pf.StringVar(&s.svrName, "tls-server-name", "", "name to verify in the brokers' certificates instead of the dialed host (env FJORD_TLS_SERVER_NAME)")
	pf.StringVar(&s.token, "token", "", "bearer token (static token or JWT) sent with every request; prefer the env FJORD_TOKEN, which ps does not show")
}

// resolve applies the FJORD_TLS* and FJORD_TOKEN environment variables to
// flags not given and returns the client options they call for.
func (s *securityFlags) resolve(cmd *cobra.Command, env *cliEnv, brokers []string) ([]fjord.Opt, error) {
	for _, v := range []struct {
		flag, env string
		dst       *string
	}{
		{"tls-ca", "FJORD_TLS_CA", &s.caFile}, {"tls-cert", "FJORD_TLS_CERT", &s.certFile}, {"tls-key", "FJORD_TLS_KEY", &s.keyFile},
		{"tls-server-name", "FJORD_TLS_SERVER_NAME", &s.svrName}, {"token", "FJORD_TOKEN", &s.token},
	} {
		if e, ok := env.getenv(v.env); ok && !cmd.Flags().Changed(v.flag) {
			*v.dst = e
		}
	}
	if e, ok := env.getenv("FJORD_TLS"); ok && !cmd.Flags().Changed("tls") {
		b, err := strconv.ParseBool(e)
		if err != nil {
			return nil, fmt.Errorf("FJORD_TLS: invalid value %q: want true or false", e)
		}
		s.tls = b
	}
	var opts []fjord.Opt
	useTLS := s.tls || s.caFile != "" || s.certFile != "" || s.svrName != ""
	if useTLS {
		cfg, err := auth.ClientTLSConfig(s.caFile, s.certFile, s.keyFile, s.svrName)
		if err != nil {
			return nil, usageErrorf(cmd, "%s", strings.TrimPrefix(err.Error(), "auth: "))
		}
		opts = append(opts, fjord.TLS(cfg))
	} else if s.keyFile != "" {
		return nil, usageErrorf(cmd, "--tls-key needs --tls-cert")
	}
	if s.token != "" {
		switch {
		case useTLS:
			opts = append(opts, fjord.BearerToken(s.token))
		case allLoopback(brokers):
			opts = append(opts, fjord.InsecureBearerToken(s.token))
		default:
			return nil, usageErrorf(cmd, "--token needs TLS (--tls or --tls-ca) to reach a broker that is not on this machine")
		}
	}
	return opts, nil
}

// allLoopback reports whether every address is on the loopback interface,
// where a token may travel without TLS.
func allLoopback(addrs []string) bool {
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return false
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return false
		}
	}
	return true
}
