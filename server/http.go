package server

import (
	"fmt"
	"net/http"

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
	if con, err := console.New(console.Options{Conn: s.local.conn, Dial: s.DialLocal, SelfAddr: s.opts.AdvertisedAddr, Logger: s.opts.Logger}); err != nil {
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
