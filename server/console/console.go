// Package console is the broker's web console, served under /ui on the
// admin HTTP listener: cluster overview, topics, a message browser,
// consumer groups, schemas, partition reassignment and preferred-leader
// election.
//
// Pages are server-rendered html/template with one embedded stylesheet and
// a few lines of JavaScript; nothing is loaded from outside the broker.
// Every action goes through the broker's public gRPC API over an
// in-process connection (Options.Conn), acting for the principal of the
// HTTP request (auth.FromContext), so authorization, quotas and metrics
// apply to the console as to any client.
//
// Forms are POSTed and answered with a redirect (post/redirect/get). They
// are protected against cross-site request forgery by a double-submit
// token: a random SameSite=Strict cookie whose value every form repeats in
// a hidden field.
//
// A Console is safe for concurrent use.
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is where the console is mounted.
const Prefix = "/ui/"

// csrfCookie holds the double-submit token.
const csrfCookie = "fjord_csrf"

// callTimeout bounds the gRPC calls of one page.
const callTimeout = 15 * time.Second

// Options configures a Console.
type Options struct {
	// Conn is an in-process connection to the broker's gRPC API whose calls
	// act for the principal their context carries. Required.
	Conn *grpc.ClientConn
	// Dial opens an in-process connection to the broker (for the Go SDK's
	// own connections, used by the message browser). Required.
	Dial func(ctx context.Context) (net.Conn, error)
	// SelfAddr is the broker's advertised gRPC address: the SDK reaches it
	// through Dial, other brokers over the network. Required.
	SelfAddr string
	// Peer returns a connection to the broker whose advertised gRPC
	// address is addr, carrying this broker's own credentials (TLS
	// certificate, inter-broker token): the message browser reads
	// partitions led by other brokers through it. Required.
	Peer func(addr string) (*grpc.ClientConn, error)
	// Authorize checks that principal p may call method with req, as the
	// broker's gRPC interceptor does (ACLs are the same on every broker);
	// nil allows. It runs before a call goes through Peer. Required.
	Authorize func(ctx context.Context, p auth.Principal, method string, req any) error
	// Logger; slog.Default() if nil.
	Logger *slog.Logger
}

// Console serves the web console. Create with New.
type Console struct {
	opts     Options
	admin    fjordv1.AdminServiceClient
	groups   fjordv1.GroupServiceClient
	registry fjordv1.SchemaRegistryServiceClient
	pages    map[string]*template.Template
	mux      *http.ServeMux
	static   http.Handler
}

// routes is every pattern the console serves: nothing else is registered
// on its mux, and the broker mounts exactly Routes() on its HTTP listener.
var routes = []struct {
	pattern string
	handler func(*Console, http.ResponseWriter, *http.Request)
}{
	{"GET /ui/static/", func(c *Console, w http.ResponseWriter, r *http.Request) { c.static.ServeHTTP(w, r) }},
	{"GET /ui/{$}", (*Console).overview},
	{"GET /ui/topics", (*Console).topics},
	{"POST /ui/topics", (*Console).createTopic},
	{"GET /ui/topics/{name}", (*Console).topic},
	{"POST /ui/topics/{name}/configs", (*Console).alterConfigs},
	{"POST /ui/topics/{name}/delete", (*Console).deleteTopic},
	{"POST /ui/topics/{name}/partitions", (*Console).addPartitions},
	{"POST /ui/topics/{name}/reassign", (*Console).reassign},
	{"POST /ui/topics/{name}/elect", (*Console).elect},
	{"GET /ui/topics/{name}/messages", (*Console).messages},
	{"GET /ui/groups", (*Console).groupList},
	{"GET /ui/groups/{id}", (*Console).group},
	{"POST /ui/groups/{id}/reset", (*Console).resetOffsets},
	{"POST /ui/groups/{id}/delete", (*Console).deleteGroup},
	{"GET /ui/schemas", (*Console).subjects},
	{"GET /ui/schemas/{subject}", (*Console).subject},
	{"POST /ui/schemas/{subject}/check", (*Console).checkCompatibility},
	{"POST /ui/schemas/{subject}/config", (*Console).setCompatibility},
	{"/ui/", func(c *Console, w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, status.Errorf(codes.NotFound, "no console page at %s", r.URL.Path))
	}},
}

// Routes returns the patterns (http.ServeMux syntax) of every console
// route, for the broker's HTTP route table.
func Routes() []string {
	out := make([]string, len(routes))
	for i, rt := range routes {
		out[i] = rt.pattern
	}
	return out
}

// New returns a console for the broker that opts.Conn reaches.
func New(opts Options) (*Console, error) {
	if opts.Conn == nil || opts.Dial == nil || opts.SelfAddr == "" || opts.Peer == nil || opts.Authorize == nil {
		return nil, errors.New("console: Conn, Dial, SelfAddr, Peer and Authorize are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Console{
		opts:     opts,
		admin:    fjordv1.NewAdminServiceClient(opts.Conn),
		groups:   fjordv1.NewGroupServiceClient(opts.Conn),
		registry: fjordv1.NewSchemaRegistryServiceClient(opts.Conn),
		pages:    map[string]*template.Template{},
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console: parse layout: %w", err)
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", n, err)
		}
		c.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	static, _ := fs.Sub(assets, "static")
	c.static = http.StripPrefix("/ui/static/", http.FileServerFS(static))
	m := http.NewServeMux()
	for _, rt := range routes {
		m.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) { rt.handler(c, w, r) })
	}
	c.mux = m
	return c, nil
}

// Close releases the console's resources. The connection in Options is
// the caller's.
func (c *Console) Close() error { return nil }

// ServeHTTP serves the console's pages under Prefix.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if r.Method == http.MethodPost && !c.checkCSRF(r) {
		c.fail(w, r, status.Error(codes.PermissionDenied, "console: the form's CSRF token does not match its cookie: reload the page and submit again"))
		return
	}
	c.mux.ServeHTTP(w, r)
}

// page is what every template gets.
type page struct {
	Title  string
	Nav    string
	CSRF   string
	Flash  string
	Error  string
	Code   string
	Data   any
	Status int
}

// csrfToken returns the request's token, setting a new cookie if it has
// none.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) == 32 {
		return ck.Value
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/ui/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return tok
}

func (c *Console) checkCSRF(r *http.Request) bool {
	ck, err := r.Cookie(csrfCookie)
	if err != nil || ck.Value == "" {
		return false
	}
	form := r.PostFormValue("csrf")
	return subtle.ConstantTimeCompare([]byte(form), []byte(ck.Value)) == 1
}

// render writes page name with p.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	t, ok := c.pages[name]
	if !ok {
		http.Error(w, "console: no template "+name, http.StatusInternalServerError)
		return
	}
	p.CSRF = csrfToken(w, r)
	if p.Flash == "" {
		p.Flash = r.URL.Query().Get("flash")
	}
	if p.Error == "" {
		p.Error = r.URL.Query().Get("error")
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		c.opts.Logger.Error("console: render", "page", name, "err", err)
		http.Error(w, "console: render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if p.Status != 0 {
		w.WriteHeader(p.Status)
	}
	_, _ = w.Write([]byte(buf.String()))
}

// fail renders an error page for err, with the HTTP status its gRPC code
// maps to.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := status.Convert(err)
	c.render(w, r, "error", page{Title: "Error", Error: st.Message(), Code: st.Code().String(), Status: httpStatus(st.Code())})
}

// redirect answers a POST with a redirect to path, carrying a flash
// message or an error banner.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string, err error) {
	q := url.Values{}
	if err != nil {
		q.Set("error", errMessage(err))
	} else if flash != "" {
		q.Set("flash", flash)
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// errMessage is err as a user reads it: the status message with its code.
func errMessage(err error) string {
	if st, ok := status.FromError(err); ok {
		return st.Code().String() + ": " + st.Message()
	}
	return err.Error()
}

// protoErr turns a per-item error of a response into a gRPC status error.
func protoErr(e *fjordv1.Error) error {
	if e == nil || (e.GetCode() == 0 && e.GetReason() == "") {
		return nil
	}
	msg := e.GetMessage()
	if e.GetReason() != "" {
		msg = e.GetReason() + ": " + msg
	}
	return status.Error(codes.Code(e.GetCode()), msg)
}

func httpStatus(c codes.Code) int {
	switch c {
	case codes.OK:
		return http.StatusOK
	case codes.NotFound:
		return http.StatusNotFound
	case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
		return http.StatusBadRequest
	case codes.AlreadyExists, codes.Aborted:
		return http.StatusConflict
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// ctx bounds the calls made for one request; its principal (set by the
// authentication layer on r's context) travels with every call.
func reqCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), callTimeout)
}

var funcs = template.FuncMap{
	"ints": func(v []int32) string {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = fmt.Sprint(x)
		}
		return strings.Join(s, ",")
	},
	"bytes": humanBytes,
	"ms": func(ms int64) string {
		if ms <= 0 {
			return ""
		}
		return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000Z")
	},
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") },
	"tps": func(tps []*fjordv1.TopicPartitions) string {
		var parts []string
		for _, tp := range tps {
			s := make([]string, len(tp.GetPartitions()))
			for i, p := range tp.GetPartitions() {
				s[i] = fmt.Sprint(p)
			}
			parts = append(parts, tp.GetTopic()+"["+strings.Join(s, ",")+"]")
		}
		return strings.Join(parts, " ")
	},
	"trimPrefix": strings.TrimPrefix,
	"list":       func(v ...string) []string { return v },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
