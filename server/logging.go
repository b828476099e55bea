package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/fjordlog/fjord/server/acl"
	"github.com/fjordlog/fjord/server/auth"
)

// RequestIDHeader is the gRPC metadata key and HTTP header carrying a
// request's id: taken from the request when it holds a sane one, else
// generated, and always returned in the response headers.
const RequestIDHeader = "x-request-id"

// maxRequestIDLen bounds a request id taken from a caller.
const maxRequestIDLen = 64

type requestKey struct{}

// requestInfo is what log lines of a request say about it. The first
// interceptor puts it in the context; principal is filled in once the
// caller is authenticated (notePrincipal), before the handler runs, so
// that lines logged with the outer context (the logging interceptor's
// completion line) carry it too. Written only before the handler starts.
type requestInfo struct {
	id        string
	principal string
}

// withRequestID returns ctx carrying request id id.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey{}, &requestInfo{id: id})
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
		return ri.id
	}
	return ""
}

// notePrincipal records the authenticated caller in the request's info.
func notePrincipal(ctx context.Context) {
	if ri, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
		if p := auth.FromContext(ctx); !p.IsAnonymous() {
			ri.principal = p.String()
		}
	}
}

// notePrincipalUnary runs after authentication: see requestInfo.
func notePrincipalUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	notePrincipal(ctx)
	return handler(ctx, req)
}

// notePrincipalStream is notePrincipalUnary for streams.
func notePrincipalStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	notePrincipal(ss.Context())
	return handler(srv, ss)
}

// saneRequestID reports whether a caller's request id is short and made
// of characters safe to log and echo: letters, digits and -_.:/+=.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.:/+=", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// newRequestID returns a short random id (up to 13 base-36 characters).
// It identifies a request in logs; it is not a secret, so the fast
// generator will do.
func newRequestID() string { return strconv.FormatUint(rand.Uint64(), 36) }

// requestIDFrom returns the caller's request id if sane, else a new one.
func requestIDFrom(given string) string {
	if saneRequestID(given) {
		return given
	}
	return newRequestID()
}

func incomingRequestID(ctx context.Context) string {
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get(RequestIDHeader); len(v) > 0 {
			return requestIDFrom(v[0])
		}
	}
	return newRequestID()
}

// requestIDUnary gives every unary call a request id: in its context (so
// every log line of the call carries it) and in the response headers.
// It runs first in the chain, before the logging interceptor.
func requestIDUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	id := incomingRequestID(ctx)
	_ = grpc.SetHeader(ctx, metadata.Pairs(RequestIDHeader, id)) // fails only if headers were sent: not yet
	return handler(withRequestID(ctx, id), req)
}

// requestIDStream is requestIDUnary for streams.
func requestIDStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	id := incomingRequestID(ss.Context())
	_ = ss.SetHeader(metadata.Pairs(RequestIDHeader, id))
	return handler(srv, &ctxStream{ServerStream: ss, ctx: withRequestID(ss.Context(), id)})
}

// ctxStream is a server stream with a derived context.
type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *ctxStream) Context() context.Context { return s.ctx }

// contextHandler adds to every record the request-scoped attributes its
// context carries (request_id, trace_id and span_id of a recording span,
// the caller's principal when authenticated) and filters records by a
// level that can change at runtime.
type contextHandler struct {
	inner slog.Handler
	level *slog.LevelVar
}

var _ slog.Handler = (*contextHandler)(nil)

func newContextHandler(inner slog.Handler, level *slog.LevelVar) *contextHandler {
	return &contextHandler{inner: inner, level: level}
}

func (h *contextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level.Level() && h.inner.Enabled(ctx, l)
}

func (h *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		principal := ""
		if ri, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
			r.AddAttrs(slog.String("request_id", ri.id))
			principal = ri.principal
		}
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			sc := span.SpanContext()
			r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
		if principal == "" {
			if p := auth.FromContext(ctx); !p.IsAnonymous() {
				principal = p.String()
			}
		}
		if principal != "" {
			r.AddAttrs(slog.String("principal", principal))
		}
	}
	return h.inner.Handle(ctx, r)
}

func (h *contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &contextHandler{inner: h.inner.WithAttrs(attrs), level: h.level}
}

func (h *contextHandler) WithGroup(name string) slog.Handler {
	return &contextHandler{inner: h.inner.WithGroup(name), level: h.level}
}

// withHTTPRequestID gives every HTTP request a request id (the
// X-Request-Id header when sane, else a new one), returns it in the
// response's X-Request-Id header and logs the request's completion at
// debug level.
func (s *Server) withHTTPRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestIDFrom(r.Header.Get(RequestIDHeader))
		w.Header().Set(RequestIDHeader, id)
		ctx := withRequestID(r.Context(), id)
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r.WithContext(ctx))
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		s.opts.Logger.DebugContext(ctx, "finished http request", "http.method", r.Method, "http.path", r.URL.Path,
			"http.code", code, "http.time_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

// logLevelPath is the admin endpoint reading (GET) and changing (PUT, body
// "debug", "info", "warn" or "error") the broker's log level.
const logLevelPath = "/admin/log-level"

// getLogLevel and putLogLevel serve the log level endpoint; the HTTP route
// table (httpRoutes) guards them with Describe and Alter on the cluster.
func (s *Server) getLogLevel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, levelName(s.level.Level())+"\n")
}

func (s *Server) putLogLevel(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 65))
	if err != nil {
		http.Error(w, "server: read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	l, err := parseLevel(strings.TrimSpace(string(body)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	old := s.level.Level()
	s.level.Set(l)
	s.opts.Logger.InfoContext(r.Context(), "log level changed", "from", levelName(old), "to", levelName(l))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, levelName(l)+"\n")
}

// authorizeClusterHTTP lets a request through only if ACLs are off or the
// caller may do op on the cluster.
func (s *Server) authorizeClusterHTTP(op acl.Operation, next http.Handler) http.Handler {
	if s.authz == nil || !s.authz.enabled {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.authz.httpCheck(s, r).cluster(op); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// parseLevel parses debug, info, warn or error (any case).
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	if len(s) > 16 {
		s = s[:16] + "..."
	}
	return 0, fmt.Errorf("server: log level %q is not one of debug, info, warn, error", s)
}

// levelName is the lower-case name of l ("debug", "info+2").
func levelName(l slog.Level) string { return strings.ToLower(l.String()) }
