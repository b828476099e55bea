package server

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strings"

	"github.com/fjordlog/fjord/server/acl"
	"github.com/fjordlog/fjord/server/auth"
	"google.golang.org/grpc"

	"github.com/fjordlog/fjord/server/console"
)

// httpGuard is how a route of the HTTP listener is protected. The zero
// value is no guard: TestEveryHTTPEndpointIsGuarded fails on it.
type httpGuard int

const (
	// guardPublic: no credentials needed (health checks only).
	guardPublic httpGuard = iota + 1
	// guardAuthorized: authenticated, and op on the cluster with ACLs on.
	guardAuthorized
	// guardConsole: authenticated; every console action is authorized by
	// the gRPC call it makes as the caller through the in-process
	// connection.
	guardConsole
	// guardRegistry: authenticated, and the registry's restRules.
	guardRegistry
)

// httpRoute is one entry of the HTTP listener's route table.
type httpRoute struct {
	pattern string // http.ServeMux syntax
	guard   httpGuard
	op      acl.Operation // for guardAuthorized, on the cluster
	handler http.Handler
}

// httpRoutes is every route of the HTTP listener: /healthz (the process is
// up), /readyz (the broker serves its partitions), /metrics (Prometheus
// exposition of the broker's OpenTelemetry metrics), /admin/log-level, the
// web console under /ui/, and the schema registry's Confluent-compatible
// REST API on every other path. httpMux mounts exactly these.
func (s *Server) httpRoutes() []httpRoute {
	rs := []httpRoute{
		{pattern: "GET /healthz", guard: guardPublic, handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "ok")
		})},
		{pattern: "GET /readyz", guard: guardPublic, handler: http.HandlerFunc(s.readyz)},
		{pattern: "GET " + logLevelPath, guard: guardAuthorized, op: acl.Describe, handler: http.HandlerFunc(s.getLogLevel)},
		{pattern: "PUT " + logLevelPath, guard: guardAuthorized, op: acl.Alter, handler: http.HandlerFunc(s.putLogLevel)},
	}
	registry := s.broker.registry.Handler()
	if m := s.broker.metrics; m != nil {
		rs = append(rs, httpRoute{pattern: "GET /metrics", guard: guardAuthorized, op: acl.Describe, handler: m.handler()})
		registry = m.instrumentRegistry(registry)
	}
	con, err := console.New(console.Options{Conn: s.local.conn, Dial: s.DialLocal, SelfAddr: s.opts.AdvertisedAddr,
		Peer: s.consolePeer, Authorize: s.consoleAuthorize, Logger: s.opts.Logger})
	if err != nil {
		s.opts.Logger.Error("web console disabled", "err", err)
	} else {
		s.console = con
		for _, p := range console.Routes() {
			rs = append(rs, httpRoute{pattern: p, guard: guardConsole, handler: con})
		}
		rs = append(rs, httpRoute{pattern: "GET /ui", guard: guardConsole, handler: http.RedirectHandler(console.Prefix, http.StatusMovedPermanently)})
	}
	return append(rs, httpRoute{pattern: "/", guard: guardRegistry, handler: registry})
}

// httpMux mounts routes, each behind its guard's authorization; a route
// without a guard is not mounted (and fails the route table test). It
// returns the paths of the public routes.
func (s *Server) httpMux(routes []httpRoute) (*http.ServeMux, []string) {
	mux := http.NewServeMux()
	var public []string
	for _, rt := range routes {
		h := rt.handler
		switch rt.guard {
		case guardPublic:
			_, path, _ := strings.Cut(rt.pattern, " ")
			public = append(public, path)
		case guardAuthorized:
			h = s.authorizeClusterHTTP(rt.op, h)
		case guardConsole:
		case guardRegistry:
			h = s.authorizeREST(h)
		default:
			s.opts.Logger.Error("HTTP route without a guard not mounted", "pattern", rt.pattern)
			continue
		}
		mux.Handle(rt.pattern, h)
	}
	return mux, public
}

// httpHandler serves the HTTP listener: httpRoutes, everything but the
// public routes needing credentials when the broker requires
// authentication (see auth.Authenticator.HTTPMiddleware).
func (s *Server) httpHandler() http.Handler {
	mux, public := s.httpMux(s.httpRoutes())
	return s.authn.HTTPMiddleware(mux, public...)
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
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
