package server

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strings"

	"github.com/fjordlog/fjord/server/auth"
	"google.golang.org/grpc"

	"github.com/fjordlog/fjord/server/console"
)

// httpHandler serves the admin HTTP endpoints, /healthz (the process is up),
// /readyz (the broker serves its partitions) and /metrics (Prometheus
// exposition of the broker's OpenTelemetry metrics), the web console under
// /ui/, and the schema registry's Confluent-compatible REST API on every
// other path.
func (s *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	s.registerLogLevel(mux) // GET and PUT /admin/log-level
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.done:
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
		default:
			if !s.ctl.image().Alive(s.opts.NodeID) {
				http.Error(w, "not active in the cluster yet (registering or fenced)", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ready")
		}
	})
	registry := s.broker.registry.Handler()
	if m := s.broker.metrics; m != nil {
		mux.Handle("GET /metrics", s.authorizeHTTP(m.handler()))
		registry = m.instrumentRegistry(registry)
	}
	if con, err := console.New(console.Options{Conn: s.local.conn, Dial: s.DialLocal, SelfAddr: s.opts.AdvertisedAddr,
		Peer: s.consolePeer, Authorize: s.consoleAuthorize, Logger: s.opts.Logger}); err != nil {
		s.opts.Logger.Error("web console disabled", "err", err)
	} else {
		s.console = con
		mux.Handle(console.Prefix, con)
		mux.Handle("GET /ui", http.RedirectHandler(console.Prefix, http.StatusMovedPermanently))
	}
	mux.Handle("/", s.authorizeREST(registry))
	// Everything but the health checks needs credentials when the broker
	// requires authentication (see auth.Authenticator.HTTPMiddleware).
	return s.authn.HTTPMiddleware(mux, "/healthz", "/readyz")
}

// consolePeer returns the inter-broker connection (TLS, the broker's token)
// to the registered broker advertised at addr, for the console's message
// browser.
func (s *Server) consolePeer(addr string) (*grpc.ClientConn, error) {
	for _, b := range s.ctl.image().Brokers() {
		if b.Address == addr && b.ID != s.opts.NodeID {
			cc, err := s.ctl.peers.conn(b.ID, b.Address)
			if err != nil {
				return nil, toStatus(err)
			}
			return cc, nil
		}
	}
	return nil, toStatus(errorf(ReasonBrokerNotAvailable, "no other broker is registered at %s", addr))
}

// consoleAuthorize applies the gRPC authorization rule of method to a call
// the console makes for p through another broker, where this broker's own
// connection is a super user.
func (s *Server) consoleAuthorize(ctx context.Context, p auth.Principal, method string, req any) error {
	if err := s.authorizeRPC(auth.NewContext(ctx, p), method, req); err != nil {
		return toStatus(err)
	}
	return nil
}

// httpErrorLog is the HTTP server's error log, sent to the broker's logger
// rather than Go's default one (stderr): failed TLS handshakes, which any
// client or port scanner can cause, at debug level, the rest at warn.
func httpErrorLog(l *slog.Logger) *log.Logger {
	return log.New(httpErrorWriter{l}, "", 0)
}

type httpErrorWriter struct{ l *slog.Logger }

func (w httpErrorWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSuffix(string(p), "\n")
	level := slog.LevelWarn
	if strings.HasPrefix(msg, "http: TLS handshake error") {
		level = slog.LevelDebug
	}
	w.l.Log(context.Background(), level, msg, "component", "http")
	return len(p), nil
}
