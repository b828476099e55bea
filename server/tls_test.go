package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/auth/authtest"
)

// withConn returns a copy of tb whose clients use a new connection dialed
// with opts.
func (tb *testBroker) withConn(t *testing.T, opts ...grpc.DialOption) *testBroker {
	t.Helper()
	conn, err := grpc.NewClient(tb.srv.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := *tb
	c.t, c.conn = t, conn
	c.admin, c.produce = fjordv1.NewAdminServiceClient(conn), fjordv1.NewProduceServiceClient(conn)
	c.fetch, c.meta = fjordv1.NewFetchServiceClient(conn), fjordv1.NewMetadataServiceClient(conn)
	return &c
}

func tlsDial(cfg *tls.Config) grpc.DialOption {
	return grpc.WithTransportCredentials(credentials.NewTLS(cfg))
}

func metadataErr(t *testing.T, tb *testBroker, md ...string) error {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if len(md) > 0 {
		c = metadata.AppendToOutgoingContext(c, md...)
	}
	_, err := tb.meta.GetMetadata(c, &fjordv1.GetMetadataRequest{})
	return err
}

func wantUnauthenticated(t *testing.T, err error, msg string) {
	t.Helper()
	code, reason, _ := errorReason(t, err)
	if code != codes.Unauthenticated || reason != auth.ReasonUnauthenticated || !strings.Contains(status.Convert(err).Message(), msg) {
		t.Fatalf("got %v (reason %q), want Unauthenticated %s containing %q", err, reason, auth.ReasonUnauthenticated, msg)
	}
}

func httpGet(t *testing.T, cl *http.Client, url string, header ...string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := cl.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), nil
}

func httpsClient(t *testing.T, cfg *tls.Config) *http.Client {
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
	t.Cleanup(cl.CloseIdleConnections)
	return cl
}

// TestMutualTLS: with --tls-client-ca a call without a client certificate
// never gets in, on gRPC or HTTP; one with a certificate does, and a
// network client cannot claim a principal with the in-process metadata key.
func TestMutualTLS(t *testing.T) {
	ca := authtest.NewCA(t, "fjord")
	cert, key := ca.Issue(t, "broker")
	tb := startBroker(t, "", func(o *Options) {
		o.Auth = auth.Options{CertFile: cert, KeyFile: key, ClientCAFile: ca.CertFile}
	})
	if got := tb.srv.BrokerPrincipals(); len(got) != 1 || got[0] != auth.User("broker") {
		t.Fatalf("broker principals %v", got)
	}

	if err := metadataErr(t, tb); status.Code(err) != codes.Unavailable {
		t.Fatalf("plaintext call: %v", err)
	}
	if err := metadataErr(t, tb.withConn(t, tlsDial(ca.ClientConfig(t, "")))); err == nil {
		t.Fatal("a call without a client certificate succeeded")
	}
	other := authtest.NewCA(t, "other")
	if err := metadataErr(t, tb.withConn(t, tlsDial(other.ClientConfig(t, "mallory")))); err == nil {
		t.Fatal("a call with a certificate of another CA succeeded")
	}
	alice := tb.withConn(t, tlsDial(ca.ClientConfig(t, "alice")))
	if err := metadataErr(t, alice); err != nil {
		t.Fatalf("call with a client certificate: %v", err)
	}
	alice.createTopic("secure", 1, nil)
	if r := alice.produceOne("secure", 0, fjordv1.Acks_ACKS_ALL, batch("a")); r.GetError() != nil {
		t.Fatalf("produce: %v", r.GetError())
	}
	wantUnauthenticated(t, metadataErr(t, alice, auth.LocalPrincipalKey, "User:admin"), "only accepted from inside the broker's process")

	// HTTP: the registry answers with a client certificate, and the TLS
	// handshake fails without one.
	url := "https://" + tb.srv.HTTPAddr().String()
	if code, body, err := httpGet(t, httpsClient(t, ca.ClientConfig(t, "alice")), url+"/subjects"); err != nil || code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("registry with a certificate: %d %q %v", code, body, err)
	}
	if _, _, err := httpGet(t, httpsClient(t, ca.ClientConfig(t, "")), url+"/subjects"); err == nil {
		t.Fatal("registry without a client certificate answered")
	}
}

func writeTestFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBearerTokens: with a token file and a JWKS, calls without a token or
// with a bad one are refused with UNAUTHENTICATED, good ones get in, on
// gRPC and on the HTTP registry.
func TestBearerTokens(t *testing.T) {
	key := authtest.NewJWTKey(t, "k1")
	tb := startBroker(t, "", func(o *Options) {
		o.Auth = auth.Options{TokenFile: writeTestFile(t, "tokens", "alice-secret User:alice\n"),
			JWKSFile: authtest.WriteJWKS(t, key), JWTIssuer: "idp", JWTAudience: "fjord"}
	})
	wantUnauthenticated(t, metadataErr(t, tb), "no credentials")
	wantUnauthenticated(t, metadataErr(t, tb, "authorization", "Bearer wrong"), "unknown bearer token")
	if err := metadataErr(t, tb, "authorization", "Bearer alice-secret"); err != nil {
		t.Fatalf("static token: %v", err)
	}
	jwtOK := key.Sign(t, map[string]any{"sub": "carol", "iss": "idp", "aud": "fjord", "exp": time.Now().Add(time.Hour).Unix()})
	if err := metadataErr(t, tb, "authorization", "Bearer "+jwtOK); err != nil {
		t.Fatalf("JWT: %v", err)
	}
	expired := key.Sign(t, map[string]any{"sub": "carol", "iss": "idp", "aud": "fjord", "exp": time.Now().Add(-time.Hour).Unix()})
	wantUnauthenticated(t, metadataErr(t, tb, "authorization", "Bearer "+expired), "expired")
	// Per-RPC credentials refuse to travel in plaintext unless allowed.
	if _, err := grpc.NewClient(tb.srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(auth.BearerCredentials{Token: "alice-secret"})); err == nil {
		t.Fatal("bearer credentials accepted over plaintext")
	}
	if err := metadataErr(t, tb.withConn(t, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(auth.BearerCredentials{Token: "alice-secret", Insecure: true}))); err != nil {
		t.Fatalf("bearer credentials over plaintext when allowed: %v", err)
	}
	// Streams are authenticated too.
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := tb.produce.ProduceStream(c)
	if err == nil {
		_, err = stream.Recv()
	}
	wantUnauthenticated(t, err, "no credentials")
	// Health checks need no credentials.
	if _, err := healthpb.NewHealthClient(tb.conn).Check(c, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("health: %v", err)
	}

	url := "http://" + tb.srv.HTTPAddr().String()
	cl := &http.Client{Timeout: 10 * time.Second}
	code, body, err := httpGet(t, cl, url+"/subjects")
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if err != nil || code != 401 || json.Unmarshal([]byte(body), &e) != nil || e.ErrorCode != 40101 {
		t.Fatalf("registry without a token: %d %s %v", code, body, err)
	}
	if code, body, err := httpGet(t, cl, url+"/subjects", "Authorization", "Bearer "+jwtOK); err != nil || code != 200 {
		t.Fatalf("registry with a token: %d %s %v", code, body, err)
	}
	if code, _, err := httpGet(t, cl, url+"/healthz"); err != nil || code != 200 {
		t.Fatalf("healthz: %d %v", code, err)
	}
}

// TestTLSClusterReplicates runs three brokers with mutual TLS on every
// listener, between brokers and on the raft transport, and replicates an
// acks=all write to all of them.
func TestTLSClusterReplicates(t *testing.T) {
	ca := authtest.NewCA(t, "fjord")
	cert, key := ca.Issue(t, "broker")
	bs := startCluster(t, 3, func(o *Options) {
		o.Auth = auth.Options{CertFile: cert, KeyFile: key, ClientCAFile: ca.CertFile}
	})
	var cs []*testBroker
	for _, b := range bs {
		cs = append(cs, b.withConn(t, tlsDial(ca.ClientConfig(t, "alice"))))
	}
	produceReplicated(t, bs, cs)

	// The raft port speaks TLS and lets in brokers only: a valid client
	// certificate of a user is refused.
	raftHandshake := func(cfg *tls.Config) error {
		cfg.ServerName = "127.0.0.1"
		conn, err := tls.Dial("tcp", bs[0].srv.opts.RaftAddr, cfg)
		if err != nil {
			return err
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err = conn.Read(make([]byte, 1))
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return nil // handshake done; raft waits for a request
		}
		return err
	}
	if err := raftHandshake(ca.ClientConfig(t, "alice")); err == nil {
		t.Fatal("raft accepted a user's certificate")
	}
	brokerCert, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	bcfg := ca.ClientConfig(t, "")
	bcfg.Certificates = []tls.Certificate{brokerCert}
	if err := raftHandshake(bcfg); err != nil {
		t.Fatalf("raft refused the broker certificate: %v", err)
	}
}

// TestTokenClusterReplicates runs three brokers that authenticate callers
// by token only; they call each other with the inter-broker token.
func TestTokenClusterReplicates(t *testing.T) {
	tokens := writeTestFile(t, "tokens", "broker-secret User:broker\nalice-secret User:alice\n")
	if _, err := tryStartBroker(t, "", func(o *Options) {
		o.RaftAddr, o.Bootstrap, o.Auth = freeAddr(t), true, auth.Options{TokenFile: tokens}
	}); err == nil || !strings.Contains(err.Error(), "--inter-broker-token-file") {
		t.Fatalf("a clustered broker without credentials for its peers started: %v", err)
	}
	brokerToken := writeTestFile(t, "broker-token", "broker-secret\n")
	bs := startCluster(t, 3, func(o *Options) {
		o.Auth = auth.Options{TokenFile: tokens, InterBrokerTokenFile: brokerToken}
	})
	if got := bs[0].srv.BrokerPrincipals(); len(got) != 1 || got[0] != auth.User("broker") {
		t.Fatalf("broker principals %v", got)
	}
	var cs []*testBroker
	for _, b := range bs {
		cs = append(cs, b.withConn(t, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithPerRPCCredentials(auth.BearerCredentials{Token: "alice-secret", Insecure: true})))
	}
	produceReplicated(t, bs, cs)
}

// produceReplicated creates r (one partition on all three brokers,
// min.insync.replicas 3) through cs, produces five records with acks=all
// and checks every broker's replica holds them.
func produceReplicated(t *testing.T, bs, cs []*testBroker) {
	t.Helper()
	resp, err := cs[0].admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "r", Partitions: 1, ReplicationFactor: 3,
		Configs: map[string]string{"min.insync.replicas": "3"}}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create: %v %v", err, resp)
	}
	var leader int32
	for i := 0; leader == 0; i++ {
		if i == 500 {
			t.Fatal("no leader for r/0")
		}
		md, err := cs[0].meta.GetMetadata(ctx(t), &fjordv1.GetMetadataRequest{Topics: []string{"r"}})
		if err == nil && len(md.GetTopics()) == 1 && len(md.GetTopics()[0].GetPartitions()) == 1 {
			leader = md.GetTopics()[0].GetPartitions()[0].GetLeaderId()
		}
		if leader == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	for i := range 5 {
		var r *fjordv1.ProducePartitionResponse
		for range 200 {
			r = cs[leader-1].produceOne("r", 0, fjordv1.Acks_ACKS_ALL, batch(fmt.Sprint("v", i)))
			if r.GetError() == nil || !r.GetError().GetRetriable() {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if r.GetError() != nil || r.GetBaseOffset() != int64(i) {
			t.Fatalf("produce v%d: offset %d, %v", i, r.GetBaseOffset(), r.GetError())
		}
	}
	// Every replica holds the records: read them from each broker's log.
	for _, b := range bs {
		p, err := b.srv.broker.lookup(topicPartition{"r", 0})
		if err != nil {
			t.Fatalf("broker %d: r/0: %v", b.srv.opts.NodeID, err)
		}
		if leo := p.log.LogEndOffset(); leo != 5 {
			t.Fatalf("broker %d: log end offset %d, want 5", b.srv.opts.NodeID, leo)
		}
	}
}
