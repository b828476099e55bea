package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/console"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// What a principal without ACLs must get from a route.
const (
	expectDenied   = "denied"   // 403 (a console form: a redirect with a PermissionDenied banner)
	expectFiltered = "filtered" // 2xx whose body names nothing the principal may not see
	expectOpen     = "open"     // a status that reveals and changes nothing (static assets, 404s, redirects, health)
)

// nobodyExpects defines, for every route of the HTTP listener, what a
// principal without ACLs gets. A route missing here fails the test.
var nobodyExpects = map[string]string{
	"GET /healthz":          expectOpen,
	"GET /readyz":           expectOpen,
	"GET /metrics":          expectDenied,
	"GET /admin/log-level":  expectDenied,
	"PUT /admin/log-level":  expectDenied,
	"GET /ui":               expectOpen,
	"GET /ui/static/":       expectOpen,
	"/ui/":                  expectOpen,
	"GET /ui/{$}":           expectDenied, // the overview needs DESCRIBE on the cluster
	"GET /ui/topics":        expectFiltered,
	"GET /ui/groups":        expectFiltered,
	"GET /ui/schemas":       expectDenied, // listing subjects needs DESCRIBE on some subject
	"GET /config":           expectDenied,
	"GET /mode":             expectDenied,
	"GET /subjects":         expectFiltered,
	"GET /{$}":              expectOpen,
	"GET /schemas/types":    expectOpen,
	"/":                     expectOpen,
	"GET /ui/topics/{name}": expectDenied,
	// Every other console and registry route: expectDenied (below).
}

// samplePath is a concrete path matching pattern's path.
func samplePath(path string) string {
	r := strings.NewReplacer("{$}", "", "{name}", "secret", "{id}", "1", "{subject}", "secret-value", "{version}", "1")
	switch path {
	case "/ui/static/":
		return "/ui/static/console.css"
	case "/ui/":
		return "/ui/no-such-page"
	case "/":
		return "/no-such-path"
	}
	return r.Replace(path)
}

func splitPattern(p string) (method, path string) {
	if m, rest, ok := strings.Cut(p, " "); ok {
		return m, rest
	}
	return http.MethodGet, p
}

// TestEveryHTTPEndpointIsGuarded: every route of the --http listener (the
// registry's REST routes included) has a guard, only /healthz and /readyz
// are public, nothing is served outside the table, and against a broker
// with tokens and ACLs every route answers 401 without credentials and
// 403 or a filtered answer, never a change, to a principal without ACLs.
func TestEveryHTTPEndpointIsGuarded(t *testing.T) {
	tokens := writeTestFile(t, "tokens", "tok-admin User:admin\ntok-nobody User:nobody\n")
	tb := startBroker(t, "", func(o *Options) {
		o.Auth = auth.Options{TokenFile: tokens}
		o.Authorizer, o.SuperUsers = AuthorizerACL, []string{"User:admin"}
	})
	admin := tb.withConn(t, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(auth.BearerCredentials{Token: "tok-admin", Insecure: true}))

	// The table.
	routes := tb.srv.httpRoutes()
	var patterns, public []string
	for _, rt := range routes {
		if rt.guard == 0 {
			t.Errorf("HTTP route %q has no guard", rt.pattern)
		}
		if rt.guard == guardPublic {
			public = append(public, rt.pattern)
		}
		if slices.Contains(patterns, rt.pattern) {
			t.Errorf("HTTP route %q twice in the table", rt.pattern)
		}
		patterns = append(patterns, rt.pattern)
	}
	if want := []string{"GET /healthz", "GET /readyz"}; !slices.Equal(public, want) {
		t.Errorf("public routes %q, want exactly %q", public, want)
	}
	for _, want := range append(console.Routes(), "GET /metrics", "GET /admin/log-level", "PUT /admin/log-level", "GET /ui", "/") {
		if !slices.Contains(patterns, want) {
			t.Errorf("route %q missing from the HTTP route table", want)
		}
	}
	// A route without a guard is not mounted.
	mux, _ := tb.srv.httpMux(append(slices.Clone(routes), httpRoute{pattern: "GET /unguarded", handler: http.NotFoundHandler()}))
	if _, p := mux.Handler(httptest.NewRequest(http.MethodGet, "/unguarded", nil)); p != "/" {
		t.Errorf("unguarded route mounted as %q", p)
	}
	// Every route (and each registry route behind "/") as the client
	// reaches it, with the request the test sends.
	type probe struct{ pattern, method, path string }
	var probes []probe
	for _, p := range patterns {
		m, path := splitPattern(p)
		if _, p2 := mux.Handler(httptest.NewRequest(m, samplePath(path), nil)); p2 != p {
			t.Errorf("%s %s routes to %q, want %q", m, samplePath(path), p2, p)
		}
		probes = append(probes, probe{p, m, samplePath(path)})
	}
	for _, p := range schemaregistry.RESTRoutes() {
		m, path := splitPattern(p)
		probes = append(probes, probe{p, m, samplePath(path)})
	}

	base := "http://" + tb.srv.HTTPAddr().String()
	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(token, method, path, body string) (int, http.Header, string) {
		t.Helper()
		var rd io.Reader
		if method != http.MethodGet {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, base+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		switch {
		case strings.HasPrefix(path, "/ui/") && method == http.MethodPost:
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "fjord_csrf", Value: strings.Repeat("ab", 16)})
		case method != http.MethodGet:
			req.Header.Set("Content-Type", schemaregistry.ContentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	bodyFor := func(p probe) string {
		switch {
		case strings.HasPrefix(p.path, "/ui/"):
			confirm := "secret"
			if strings.HasPrefix(p.path, "/ui/groups/") {
				confirm = "1"
			}
			return url.Values{"csrf": {strings.Repeat("ab", 16)}, "name": {"nobodys"}, "confirm": {confirm}, "partitions": {"5"},
				"set": {"retention.ms=1"}, "partition": {"0"}, "replicas": {"1"}, "topic": {"secret"}, "to": {"earliest"},
				"compatibility": {"NONE"}, "schema": {`"string"`}}.Encode()
		case p.path == logLevelPath:
			return "debug"
		case strings.HasPrefix(p.path, "/config") || strings.HasPrefix(p.path, "/mode"):
			return `{"compatibility":"NONE","mode":"READONLY"}`
		}
		return `{"schema":"\"string\""}`
	}

	// Wait for /readyz, then set up what nobody must not see or change.
	for i := 0; ; i++ {
		if code, _, _ := do("", http.MethodGet, "/readyz", ""); code == http.StatusOK {
			break
		}
		if i == 500 {
			t.Fatal("broker never ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, err := admin.admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "secret"}}}); err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("CreateTopics: %v %v", err, resp)
	}
	if code, _, body := do("tok-admin", http.MethodPost, "/subjects/secret-value/versions", `{"schema":"\"string\""}`); code != http.StatusOK {
		t.Fatalf("register secret-value: %d %s", code, body)
	}
	state := func() string {
		var b strings.Builder
		for _, path := range []string{"/subjects", "/subjects/secret-value/versions", "/config", "/mode", "/config/secret-value", logLevelPath} {
			_, _, body := do("tok-admin", http.MethodGet, path, "")
			b.WriteString(path + "=" + body + "\n")
		}
		md, err := admin.meta.GetMetadata(ctx(t), &fjordv1.GetMetadataRequest{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range md.GetTopics() {
			fmt.Fprintf(&b, "%s partitions=%d\n", tp.GetName(), len(tp.GetPartitions()))
		}
		return b.String()
	}
	before := state()

	for _, p := range probes {
		body := bodyFor(p)
		// (a) No credentials.
		code, _, got := do("", p.method, p.path, body)
		if slices.Contains(public, p.pattern) {
			if code != http.StatusOK {
				t.Errorf("public %s %s: %d, want 200", p.method, p.path, code)
			}
		} else if code != http.StatusUnauthorized {
			t.Errorf("%s %s (%s) without credentials: %d, want 401\n%.300s", p.method, p.path, p.pattern, code, got)
		}
		// (b) An authenticated principal without ACLs.
		want, ok := nobodyExpects[p.pattern]
		if !ok {
			want = expectDenied
			if !strings.Contains(p.pattern, "{") && (strings.HasPrefix(p.pattern, "GET ") || !strings.Contains(p.pattern, " ")) {
				// A listing without a path parameter must be classified.
				t.Errorf("route %q: add what a principal without ACLs gets to nobodyExpects", p.pattern)
			}
		}
		code, hdr, got := do("tok-nobody", p.method, p.path, body)
		switch want {
		case expectDenied:
			loc := hdr.Get("Location")
			if code != http.StatusForbidden && (code != http.StatusSeeOther || !strings.Contains(loc, "PermissionDenied")) {
				t.Errorf("%s %s (%s) as User:nobody: %d %s, want 403\n%.300s", p.method, p.path, p.pattern, code, loc, got)
			}
		case expectFiltered:
			if code/100 != 2 || strings.Contains(got, "secret") {
				t.Errorf("%s %s (%s) as User:nobody: %d, want 2xx naming nothing secret\n%.500s", p.method, p.path, p.pattern, code, got)
			}
			if p.pattern == "GET /subjects" && strings.TrimSpace(got) != "[]" {
				t.Errorf("GET /subjects as User:nobody: %s, want []", got)
			}
		case expectOpen:
			if code/100 == 2 && p.method != http.MethodGet || strings.Contains(got, "secret") {
				t.Errorf("%s %s (%s) as User:nobody: %d\n%.300s", p.method, p.path, p.pattern, code, got)
			}
		}
	}
	if after := state(); after != before {
		t.Errorf("User:nobody changed the broker:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// Nothing is served outside the table: unknown paths fall through to
	// the registry, which answers 404.
	for _, path := range []string{"/debug/pprof/", "/admin/unknown", "/metricsx", "/healthz/x", "/uix"} {
		if code, _, body := do("tok-admin", http.MethodGet, path, ""); code != http.StatusNotFound {
			t.Errorf("GET %s as admin: %d, want 404 (a handler outside the route table?)\n%.200s", path, code, body)
		}
	}
}
