package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// env is a running single-node broker and an HTTP client with a cookie
// jar (for the CSRF cookie) that does not follow redirects.
type env struct {
	t    *testing.T
	base string
	http *http.Client
	cl   *fjord.Client
	adm  *fjord.Admin
}

func start(t *testing.T) *env {
	t.Helper()
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	jar, _ := cookiejar.New(nil)
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(srv.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return &env{t: t, base: "http://" + srv.HTTPAddr().String(),
		http: &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		cl:   cl, adm: fjord.NewAdmin(cl)}
}

// get returns the status and body of path.
func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := e.http.Get(e.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// csrf returns the token of the console's cookie (getting a page first).
func (e *env) csrf() string {
	e.t.Helper()
	e.get("/ui/")
	u, _ := url.Parse(e.base + "/ui/")
	for _, c := range e.http.Jar.Cookies(u) {
		if c.Name == "fjord_csrf" {
			return c.Value
		}
	}
	e.t.Fatal("no fjord_csrf cookie")
	return ""
}

// post submits a form (with the CSRF token) and follows one redirect,
// returning the final status, body and the redirect's location.
func (e *env) post(path string, form url.Values) (int, string, string) {
	e.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", e.csrf())
	}
	resp, err := e.http.PostForm(e.base+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, string(b), ""
	}
	loc := resp.Header.Get("Location")
	code, body := e.get(loc)
	return code, body, loc
}

func must(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Fatalf("page lacks %q:\n%s", w, body)
		}
	}
}

func TestConsolePages(t *testing.T) {
	e := start(t)
	ctx := context.Background()

	// /ui redirects to /ui/.
	resp, err := e.http.Get(e.base + "/ui")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/ui/" {
		t.Fatalf("GET /ui: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	code, body := e.get("/ui/")
	if code != 200 {
		t.Fatalf("overview: %d\n%s", code, body)
	}
	must(t, body, `id="brokers"`, "ACTIVE", "controller", `/ui/static/console.css`)
	if code, body := e.get("/ui/static/console.css"); code != 200 || !strings.Contains(body, "banner") {
		t.Fatalf("css: %d", code)
	}

	t.Run("create topic", func(t *testing.T) {
		code, body, loc := e.post("/ui/topics", url.Values{"name": {"orders"}, "partitions": {"2"}, "replication_factor": {"1"}, "configs": {"retention.ms=3600000"}})
		if code != 200 || loc != "/ui/topics/orders?flash=topic+orders+created" {
			t.Fatalf("create: %d %q\n%s", code, loc, body)
		}
		must(t, body, "topic orders created", `id="partitions"`, "retention.ms", "3600000")
		_, body = e.get("/ui/topics")
		must(t, body, `href="/ui/topics/orders"`)
	})

	t.Run("invalid form shows an error banner", func(t *testing.T) {
		code, body, _ := e.post("/ui/topics", url.Values{"name": {"bad"}, "partitions": {"many"}})
		if code != 200 {
			t.Fatalf("%d", code)
		}
		must(t, body, `class="banner error"`, "InvalidArgument", "partitions &#34;many&#34; is not an integer")
		_, body, _ = e.post("/ui/topics", url.Values{"name": {"orders"}})
		must(t, body, `class="banner error"`, "AlreadyExists")
	})

	t.Run("post without csrf token is refused", func(t *testing.T) {
		resp, err := e.http.PostForm(e.base+"/ui/topics", url.Values{"name": {"x"}, "csrf": {"0123456789abcdef0123456789abcdef"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "CSRF") {
			t.Fatalf("%d\n%s", resp.StatusCode, b)
		}
		if _, err := e.adm.DescribeTopic(ctx, "x"); err == nil {
			t.Fatal("topic x was created without a CSRF token")
		}
	})

	t.Run("unknown topic is a 404 page", func(t *testing.T) {
		code, body := e.get("/ui/topics/nope")
		if code != http.StatusNotFound {
			t.Fatalf("%d", code)
		}
		must(t, body, `class="banner error"`, "nope")
		if code, _ := e.get("/ui/topics/nope/messages"); code != http.StatusNotFound {
			t.Fatalf("messages of unknown topic: %d", code)
		}
		if code, _ := e.get("/ui/no-such-page"); code != http.StatusNotFound {
			t.Fatalf("unknown page: %d", code)
		}
	})

	t.Run("alter configs", func(t *testing.T) {
		_, body, _ := e.post("/ui/topics/orders/configs", url.Values{"set": {"retention.ms=7200000\nmax.message.bytes=2000000"}})
		must(t, body, "configs of orders changed", "7200000", "2000000")
		_, body, _ = e.post("/ui/topics/orders/configs", url.Values{"delete": {"max.message.bytes"}})
		if strings.Contains(body, "2000000") {
			t.Fatal("override not removed")
		}
		_, body, _ = e.post("/ui/topics/orders/configs", url.Values{"set": {"no equals sign"}})
		must(t, body, `class="banner error"`, "not key=value")
	})

	t.Run("messages", func(t *testing.T) {
		prod, err := fjord.NewProducer(e.cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
		if err != nil {
			t.Fatal(err)
		}
		defer prod.Close()
		var recs []*fjord.Record
		for i := range 5 {
			recs = append(recs, &fjord.Record{Topic: "orders", Partition: 1, Key: []byte("k" + string(rune('0'+i))), Value: []byte("<order " + string(rune('0'+i)) + ">"),
				Headers: []fjord.Header{{Key: "h", Value: []byte{0xff, 0x00}}}})
		}
		if err := prod.ProduceSync(ctx, recs...); err != nil {
			t.Fatal(err)
		}
		code, body := e.get("/ui/topics/orders/messages?partition=1")
		if code != 200 {
			t.Fatalf("%d\n%s", code, body)
		}
		must(t, body, "&lt;order 0&gt;", "&lt;order 4&gt;", "k3", "ff00")
		_, body = e.get("/ui/topics/orders/messages?partition=1&offset=3&limit=1")
		must(t, body, "&lt;order 3&gt;")
		if strings.Contains(body, "&lt;order 4&gt;") || strings.Contains(body, "&lt;order 2&gt;") {
			t.Fatal("offset/limit not applied")
		}
		_, body = e.get("/ui/topics/orders/messages?partition=1&timestamp=2000-01-01T00:00:00Z&limit=2")
		must(t, body, "&lt;order 0&gt;", "&lt;order 1&gt;")
		code, body = e.get("/ui/topics/orders/messages?partition=9")
		if code != http.StatusBadRequest {
			t.Fatalf("bad partition: %d", code)
		}
		must(t, body, "not one of the topic")
		code, body = e.get("/ui/topics/orders/messages?partition=0")
		if code != 200 {
			t.Fatalf("empty partition: %d\n%s", code, body)
		}
		must(t, body, "No records here.")
		// A time after the last record: nothing, at once.
		code, body = e.get("/ui/topics/orders/messages?partition=1&timestamp=2999-01-01T00:00:00Z")
		if code != 200 {
			t.Fatalf("time after the last record: %d\n%s", code, body)
		}
		must(t, body, "No records here.")
	})

	t.Run("avro values are decoded through the registry", func(t *testing.T) {
		reg := fjord.NewSchemaRegistry(e.cl)
		ser, err := avro.NewSerializer(reg, avro.WithSchema(`{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"item","type":"string"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.adm.CreateTopic(ctx, "avro-orders", 1, 1, nil); err != nil {
			t.Fatal(err)
		}
		v, err := ser.EncodeJSON(ctx, "avro-orders", []byte(`{"id":42,"item":"fjord <map>"}`))
		if err != nil {
			t.Fatal(err)
		}
		prod, err := fjord.NewProducer(e.cl)
		if err != nil {
			t.Fatal(err)
		}
		defer prod.Close()
		if err := prod.ProduceSync(ctx, &fjord.Record{Topic: "avro-orders", Value: v}); err != nil {
			t.Fatal(err)
		}
		_, body := e.get("/ui/topics/avro-orders/messages")
		must(t, body, "avro #", "&#34;id&#34;: 42", "fjord &lt;map&gt;")

		// A second version, for the schema pages.
		ser2, err := avro.NewSerializer(reg, avro.WithSchema(`{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"item","type":"string"},{"name":"qty","type":"int","default":1}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ser2.EncodeJSON(ctx, "avro-orders", []byte(`{"id":1,"item":"a","qty":2}`)); err != nil {
			t.Fatal(err)
		}
		_, body = e.get("/ui/schemas")
		must(t, body, `href="/ui/schemas/avro-orders-value"`, "BACKWARD")
		code, body := e.get("/ui/schemas/avro-orders-value")
		if code != 200 {
			t.Fatalf("%d\n%s", code, body)
		}
		must(t, body, `class="dadd"`, "qty", `id="schema"`)
		_, body, _ = e.post("/ui/schemas/avro-orders-value/check", url.Values{"schema": {`{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`}})
		must(t, body, `id="check-result"`, "Not compatible")
		_, body, _ = e.post("/ui/schemas/avro-orders-value/check", url.Values{"schema": {`{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"item","type":"string"},{"name":"qty","type":"int","default":1}]}`}})
		must(t, body, "Compatible.")
		_, body, _ = e.post("/ui/schemas/avro-orders-value/config", url.Values{"level": {"FULL"}})
		must(t, body, "compatibility of avro-orders-value set", `<option selected>FULL</option>`)
		if code, _ := e.get("/ui/schemas/nope-value"); code != http.StatusNotFound {
			t.Fatalf("unknown subject: %d", code)
		}
	})

	t.Run("groups", func(t *testing.T) {
		if err := e.adm.CommitOffsets(ctx, "billing", map[string]map[int32]int64{"orders": {1: 2}}); err != nil {
			t.Fatal(err)
		}
		_, body := e.get("/ui/groups")
		must(t, body, `href="/ui/groups/billing"`)
		code, body := e.get("/ui/groups/billing")
		if code != 200 {
			t.Fatalf("%d\n%s", code, body)
		}
		must(t, body, `<dd id="total-lag">3</dd>`)
		// Dry run: shown, nothing stored.
		code, body, _ = e.post("/ui/groups/billing/reset", url.Values{"to": {"latest"}, "dry_run": {"1"}})
		if code != 200 {
			t.Fatalf("%d\n%s", code, body)
		}
		must(t, body, `id="dry-run"`, "<td>2</td><td>5</td>", `<dd id="total-lag">3</dd>`)
		_, body, _ = e.post("/ui/groups/billing/reset", url.Values{"to": {"latest"}})
		must(t, body, "offsets of billing reset", `<dd id="total-lag">0</dd>`)
		_, body, _ = e.post("/ui/groups/billing/reset", url.Values{"to": {"offset"}, "value": {"x"}})
		must(t, body, `class="banner error"`, "needs a number")
		if code, _ := e.get("/ui/groups/nope"); code != http.StatusNotFound {
			t.Fatalf("unknown group: %d", code)
		}
	})

	t.Run("elect and reassign", func(t *testing.T) {
		_, body, _ := e.post("/ui/topics/orders/elect", url.Values{})
		must(t, body, "preferred leaders elected")
		_, body, _ = e.post("/ui/topics/orders/reassign", url.Values{"partition": {"0"}, "replicas": {"7"}})
		must(t, body, `class="banner error"`)
		_, body, _ = e.post("/ui/topics/orders/reassign", url.Values{"partition": {"0"}, "replicas": {"1"}})
		if strings.Contains(body, `class="banner error"`) {
			t.Fatalf("reassign to the current replica failed:\n%s", body)
		}
	})

	t.Run("delete topic needs its name", func(t *testing.T) {
		_, body, _ := e.post("/ui/topics/orders/delete", url.Values{"confirm": {"order"}})
		must(t, body, `class="banner error"`, "to confirm")
		_, body, loc := e.post("/ui/topics/orders/delete", url.Values{"confirm": {"orders"}})
		if !strings.HasPrefix(loc, "/ui/topics?") {
			t.Fatalf("redirect to %q\n%s", loc, body)
		}
		must(t, body, "topic orders deleted")
	})
}

// TestConsoleEscapesRecords checks that record contents cannot inject markup.
func TestConsoleEscapesRecords(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	if _, err := e.adm.CreateTopic(ctx, "xss", 1, 1, nil); err != nil {
		t.Fatal(err)
	}
	prod, err := fjord.NewProducer(e.cl)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	evil := []byte("<script>alert(1)</script>")
	if err := prod.ProduceSync(ctx, &fjord.Record{Topic: "xss", Key: []byte(`"><img src=x onerror=alert(1)>`), Value: evil}); err != nil {
		t.Fatal(err)
	}
	_, body := e.get("/ui/topics/xss/messages")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Fatalf("unescaped record:\n%s", body)
	}
	must(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

// TestConsoleHonoursACLs: the console acts as the principal the HTTP
// request authenticated as, so the broker's ACLs decide what it may do.
func TestConsoleHonoursACLs(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("tok-admin User:admin\ntok-alice User:alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{DataDir: filepath.Join(dir, "data"), ListenAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second,
		Auth: auth.Options{TokenFile: tokens}, Authorizer: server.AuthorizerACL, SuperUsers: []string{"User:admin"}})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	base := "http://" + srv.HTTPAddr().String()
	as := func(token string) *env {
		jar, _ := cookiejar.New(nil)
		return &env{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 20 * time.Second,
			Transport:     bearer{token},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	admin, alice, nobody := as("tok-admin"), as("tok-alice"), as("")

	if code, _ := nobody.get("/ui/"); code != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d, want 401", code)
	}
	_, body, _ := admin.post("/ui/topics", url.Values{"name": {"secret"}})
	must(t, body, "topic secret created")
	_, body, _ = alice.post("/ui/topics", url.Values{"name": {"alices"}})
	must(t, body, `class="banner error"`, "PermissionDenied")
	_, body = alice.get("/ui/topics")
	if strings.Contains(body, "secret") {
		t.Fatalf("alice sees topic secret without an ACL:\n%s", body)
	}
	if code, body := alice.get("/ui/topics/secret"); code != http.StatusForbidden {
		t.Fatalf("alice describes topic secret: %d\n%s", code, body)
	}

	// Grant alice DESCRIBE on the topic: now she sees it.
	conn, err := grpc.NewClient(srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer tok-admin")
	if _, err := fjordv1.NewAdminServiceClient(conn).CreateAcls(ctx, &fjordv1.CreateAclsRequest{Bindings: []*fjordv1.AclBinding{{
		Principal: "User:alice", Host: "*", ResourceType: fjordv1.AclResourceType_ACL_RESOURCE_TYPE_TOPIC, PatternType: fjordv1.AclPatternType_ACL_PATTERN_TYPE_LITERAL,
		ResourceName: "secret", Operation: fjordv1.AclOperation_ACL_OPERATION_DESCRIBE, Permission: fjordv1.AclPermission_ACL_PERMISSION_ALLOW}}}); err != nil {
		t.Fatal(err)
	}
	_, body = alice.get("/ui/topics")
	must(t, body, `href="/ui/topics/secret"`)
	// A record in the topic, produced as admin.
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(srv.Addr().String()), fjord.DialOptions(
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return invoker(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer tok-admin"), method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			return streamer(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer tok-admin"), desc, cc, method, opts...)
		})))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	prod, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := prod.ProduceSync(ctx, &fjord.Record{Topic: "secret", Value: []byte("classified")}); err != nil {
		t.Fatal(err)
	}
	// Reading records needs READ, which alice lacks.
	code, body := alice.get("/ui/topics/secret/messages")
	if code != http.StatusForbidden {
		t.Fatalf("alice browses topic secret: %d\n%s", code, body)
	}
	must(t, body, "PermissionDenied")
	if strings.Contains(body, "classified") {
		t.Fatal("alice read a record of topic secret")
	}
	code, body = admin.get("/ui/topics/secret/messages")
	if code != 200 {
		t.Fatalf("admin browses topic secret: %d\n%s", code, body)
	}
	must(t, body, "classified")
}

// bearer adds a bearer token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return http.DefaultTransport.RoundTrip(r)
}
