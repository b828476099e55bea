package auth

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/fjordlog/fjord/server/auth/authtest"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type bufAddr struct{}

func (bufAddr) Network() string { return "bufconn" }
func (bufAddr) String() string  { return "bufconn" }

// callCtx is a server call context from a peer at addr with info and the
// given metadata pairs.
func callCtx(addr net.Addr, info credentials.AuthInfo, kv ...string) context.Context {
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: addr, AuthInfo: info})
	return metadata.NewIncomingContext(ctx, metadata.Pairs(kv...))
}

var tcpPeer = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}

// wantUnauthenticated checks err is Unauthenticated with reason
// UNAUTHENTICATED and a message containing want.
func wantUnauthenticated(t *testing.T, err error, want string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != codes.Unauthenticated || !strings.Contains(st.Message(), want) {
		t.Fatalf("got %v, want Unauthenticated containing %q", err, want)
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == ReasonUnauthenticated && info.GetDomain() == "fjord" {
			return
		}
	}
	t.Fatalf("%v lacks ErrorInfo reason %s", err, ReasonUnauthenticated)
}

func principalOf(t *testing.T, a *Authenticator, ctx context.Context) Principal {
	t.Helper()
	out, err := a.AuthFunc(ctx)
	if err != nil {
		t.Fatalf("AuthFunc: %v", err)
	}
	return FromContext(out)
}

func TestTokenFile(t *testing.T) {
	path := writeFile(t, "tokens", "# static tokens\n\nalice-secret User:alice\n\tbob-secret   User:bob  \n")
	a, err := New(Options{TokenFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if a.AllowsAnonymous() {
		t.Fatal("anonymous allowed although tokens are configured")
	}
	if p := principalOf(t, a, callCtx(tcpPeer, nil, "authorization", "Bearer alice-secret")); p != User("alice") {
		t.Fatalf("principal %v", p)
	}
	if p := principalOf(t, a, callCtx(tcpPeer, nil, "authorization", "bearer bob-secret")); p != User("bob") {
		t.Fatalf("principal %v", p)
	}
	_, err = a.AuthFunc(callCtx(tcpPeer, nil, "authorization", "Bearer nope"))
	wantUnauthenticated(t, err, "unknown bearer token")
	_, err = a.AuthFunc(callCtx(tcpPeer, nil, "authorization", "Basic YWxpY2U6eA=="))
	wantUnauthenticated(t, err, `not "Bearer TOKEN"`)
	_, err = a.AuthFunc(callCtx(tcpPeer, nil))
	wantUnauthenticated(t, err, "no credentials")
	// Health checks need no credentials.
	hctx := callCtx(tcpPeer, nil)
	if out, err := a.AuthFunc(grpcMethodCtx(hctx, "/grpc.health.v1.Health/Check")); err != nil || FromContext(out) != Anonymous {
		t.Fatalf("health check: %v", err)
	}

	for _, bad := range []string{"tok", "tok alice", "tok User:a extra", "a User:a\na User:b"} {
		if _, err := New(Options{TokenFile: writeFile(t, "bad", bad)}); err == nil {
			t.Errorf("token file %q accepted", bad)
		}
	}
}

func TestAnonymousDefaults(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p := principalOf(t, a, callCtx(tcpPeer, nil)); p != Anonymous {
		t.Fatalf("principal %v", p)
	}
	// A token on a broker without tokens is refused, not ignored.
	_, err = a.AuthFunc(callCtx(tcpPeer, nil, "authorization", "Bearer x"))
	wantUnauthenticated(t, err, "not enabled")
	yes := true
	a, err = New(Options{TokenFile: writeFile(t, "t", "x User:x\n"), AllowAnonymous: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if p := principalOf(t, a, callCtx(tcpPeer, nil)); p != Anonymous {
		t.Fatalf("principal %v", p)
	}
}

func TestJWT(t *testing.T) {
	key, other := authtest.NewJWTKey(t, "k1"), authtest.NewJWTKey(t, "k2")
	impostor := authtest.NewJWTKey(t, "k1") // same key id, different key
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, err := New(Options{JWKSFile: authtest.WriteJWKS(t, key, other), JWTIssuer: "https://idp.example", JWTAudience: "fjord",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"sub": "carol", "iss": "https://idp.example", "aud": []string{"fjord", "other"},
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "team": "payments"}
		if mod != nil {
			mod(c)
		}
		return c
	}
	call := func(tok string) (Principal, error) {
		out, err := a.AuthFunc(callCtx(tcpPeer, nil, "authorization", "Bearer "+tok))
		if err != nil {
			return Principal{}, err
		}
		return FromContext(out), nil
	}
	if p, err := call(key.Sign(t, claims(nil))); err != nil || p != User("carol") {
		t.Fatalf("valid: %v %v", p, err)
	}
	if p, err := call(other.Sign(t, claims(nil))); err != nil || p != User("carol") {
		t.Fatalf("second key: %v %v", p, err)
	}
	for _, tc := range []struct {
		name, tok, want string
	}{
		{"expired", key.Sign(t, claims(func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() })), "JWT expired"},
		{"no exp", key.Sign(t, claims(func(c map[string]any) { delete(c, "exp") })), "no expiry"},
		{"wrong issuer", key.Sign(t, claims(func(c map[string]any) { c["iss"] = "https://evil.example" })), "issuer"},
		{"wrong audience", key.Sign(t, claims(func(c map[string]any) { c["aud"] = "kafka" })), "audience"},
		{"wrong key", impostor.Sign(t, claims(nil)), "does not verify"},
		{"unknown kid", authtest.NewJWTKey(t, "k9").Sign(t, claims(nil)), `key id "k9"`},
		{"no subject", key.Sign(t, claims(func(c map[string]any) { delete(c, "sub") })), `claim "sub"`},
		{"garbage", "a.b.c", "malformed JWT"},
	} {
		_, err := call(tc.tok)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantUnauthenticated(t, err, tc.want)
	}

	// A configurable claim names the principal.
	b, err := New(Options{JWKSFile: authtest.WriteJWKS(t, key), JWTPrincipalClaim: "team", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if p := principalOf(t, b, callCtx(tcpPeer, nil, "authorization", "Bearer "+key.Sign(t, claims(nil)))); p != User("payments") {
		t.Fatalf("claim principal %v", p)
	}
	if _, err := New(Options{JWTIssuer: "x"}); err == nil {
		t.Fatal("issuer without JWKS accepted")
	}
}

func TestLocalPrincipalOnlyInProcess(t *testing.T) {
	a, err := New(Options{TokenFile: writeFile(t, "t", "s User:svc\n")})
	if err != nil {
		t.Fatal(err)
	}
	local := localAuthInfo{}
	if p := principalOf(t, a, callCtx(bufAddr{}, local, LocalPrincipalKey, "User:alice")); p != User("alice") {
		t.Fatalf("in-process principal %v", p)
	}
	// The same key from a network peer, with or without other credentials,
	// is refused.
	_, err = a.AuthFunc(callCtx(tcpPeer, nil, LocalPrincipalKey, "User:admin"))
	wantUnauthenticated(t, err, "only accepted from inside the broker's process")
	_, err = a.AuthFunc(callCtx(tcpPeer, nil, LocalPrincipalKey, "User:admin", "authorization", "Bearer s"))
	wantUnauthenticated(t, err, "only accepted from inside the broker's process")
	// A bufconn-looking address without the in-process handshake is not enough.
	_, err = a.AuthFunc(callCtx(bufAddr{}, nil, LocalPrincipalKey, "User:admin"))
	wantUnauthenticated(t, err, "only accepted from inside the broker's process")
	// In process, anonymous stays refused when the broker requires credentials.
	_, err = a.AuthFunc(callCtx(bufAddr{}, local, LocalPrincipalKey, Anonymous.String()))
	wantUnauthenticated(t, err, "anonymous")
}

func TestServerCredsSkipTLSOnlyInProcess(t *testing.T) {
	ca := authtest.NewCA(t, "test")
	cert, key := ca.Issue(t, "broker")
	a, err := New(Options{CertFile: cert, KeyFile: key, ClientCAFile: ca.CertFile})
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	go c2.Write([]byte("not a TLS client hello\r\n\r\n"))
	if _, _, err := a.ServerCredentials().ServerHandshake(c1); err == nil {
		t.Fatal("plaintext network connection passed the TLS handshake")
	}
}

func TestCertPrincipalAndHTTP(t *testing.T) {
	ca := authtest.NewCA(t, "test")
	cert, key := ca.Issue(t, "broker")
	for _, tc := range []struct{ from, want string }{{"", "User:alice"}, {"dn", "User:CN=alice,O=Fjord tests"}} {
		a, err := New(Options{CertFile: cert, KeyFile: key, ClientCAFile: ca.CertFile, ClientAuth: "request", PrincipalFrom: tc.from})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.BrokerPrincipals(); len(got) != 1 || got[0].Name != strings.TrimPrefix(strings.ReplaceAll(tc.want, "alice", "broker"), "User:") {
			t.Fatalf("broker principals %v", got)
		}
		h := a.HTTPMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(FromContext(r.Context()).String()))
		}), "/healthz")
		srv := httptest.NewUnstartedServer(h)
		srv.TLS = a.HTTPTLSConfig()
		srv.StartTLS()
		get := func(cfg *tls.Config, path string) (int, string) {
			cl := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
			defer cl.CloseIdleConnections()
			resp, err := cl.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var sb strings.Builder
			buf := make([]byte, 512)
			n, _ := resp.Body.Read(buf)
			sb.Write(buf[:n])
			return resp.StatusCode, sb.String()
		}
		srv.TLS.ServerName = "127.0.0.1"
		if code, body := get(ca.ClientConfig(t, "alice"), "/subjects"); code != 200 || body != tc.want {
			t.Fatalf("with certificate: %d %s", code, body)
		}
		if code, body := get(ca.ClientConfig(t, ""), "/subjects"); code != 401 || !strings.Contains(body, "client certificate") {
			t.Fatalf("without certificate: %d %s", code, body)
		}
		if code, _ := get(ca.ClientConfig(t, ""), "/healthz"); code != 200 {
			t.Fatalf("healthz without certificate: %d", code)
		}
		srv.Close()
	}
}

// methodStream is a grpc.ServerTransportStream naming a method.
type methodStream struct{ method string }

func (m methodStream) Method() string             { return m.method }
func (methodStream) SetHeader(metadata.MD) error  { return nil }
func (methodStream) SendHeader(metadata.MD) error { return nil }
func (methodStream) SetTrailer(metadata.MD) error { return nil }

func grpcMethodCtx(ctx context.Context, method string) context.Context {
	return grpc.NewContextWithServerTransportStream(ctx, methodStream{method})
}

// TestPrincipalOverRealConnections serves a gRPC server with the
// authenticator's credentials and interceptor on TCP (mutual TLS) and on a
// bufconn listener; a handler reports the principal it sees.
func TestPrincipalOverRealConnections(t *testing.T) {
	ca := authtest.NewCA(t, "test")
	cert, key := ca.Issue(t, "broker")
	a, err := New(Options{CertFile: cert, KeyFile: key, ClientCAFile: ca.CertFile})
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Creds(a.ServerCredentials()), grpc.ChainStreamInterceptor(a.StreamServerInterceptor()),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			return status.Error(codes.Aborted, "principal="+FromContext(stream.Context()).String())
		}))
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	buf := bufconn.Listen(1 << 16)
	go srv.Serve(tcp)
	go srv.Serve(buf)
	defer srv.Stop()

	who := func(cc *grpc.ClientConn, md ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if len(md) > 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, md...)
		}
		return cc.Invoke(ctx, "/test.Who/Am", &emptypb.Empty{}, &emptypb.Empty{})
	}
	dial := func(target string, opts ...grpc.DialOption) *grpc.ClientConn {
		cc, err := grpc.NewClient(target, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cc.Close() })
		return cc
	}
	aliceCfg := ca.ClientConfig(t, "alice")
	aliceCfg.ServerName = "127.0.0.1"
	alice := dial(tcp.Addr().String(), grpc.WithTransportCredentials(credentials.NewTLS(aliceCfg)))
	if err := who(alice); status.Convert(err).Message() != "principal=User:alice" {
		t.Fatalf("TLS client: %v", err)
	}
	wantUnauthenticated(t, who(alice, LocalPrincipalKey, "User:admin"), "only accepted from inside")
	local := dial("passthrough:///local", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return buf.DialContext(ctx) }))
	if err := who(local, LocalPrincipalKey, "User:console-user"); status.Convert(err).Message() != "principal=User:console-user" {
		t.Fatalf("in-process client: %v", err)
	}
	wantUnauthenticated(t, who(local), "no credentials")
	plain := dial(tcp.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err := who(plain, LocalPrincipalKey, "User:admin"); status.Code(err) != codes.Unavailable {
		t.Fatalf("plaintext network client: %v", err)
	}
}
