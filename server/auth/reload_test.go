package auth

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/fjordlog/fjord/server/auth/authtest"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// handshake dials a listener serving cfg and returns the server's
// certificate CN, or the handshake error.
func handshake(t *testing.T, server, client *tls.Config) (string, error) {
	t.Helper()
	lis, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		c, err := lis.Accept()
		if err != nil {
			return
		}
		_ = c.(*tls.Conn).Handshake()
		_, _ = c.Read(make([]byte, 1)) // until the client hangs up
		c.Close()
	}()
	cfg := client.Clone()
	cfg.ServerName = "127.0.0.1"
	conn, err := tls.Dial("tcp", lis.Addr().String(), cfg)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// TLS 1.3 reports a refused client certificate on the first read.
	conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := conn.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
		return "", err
	}
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// withRoots makes cfg trust the server certificates of ca.
func withRoots(cfg *tls.Config, ca *authtest.CA) *tls.Config {
	cfg.RootCAs.AddCert(ca.Cert)
	return cfg
}

// Certificates, client CAs and tokens are read again by Reload: new
// handshakes and calls see the new files, a broken file keeps the old ones.
func TestReloadRotatesFiles(t *testing.T) {
	ca := authtest.NewCA(t, "ca1")
	cert, key := ca.Issue(t, "broker-old")
	clientCA := writeFile(t, "clients.pem", "")
	copyFile(t, ca.CertFile, clientCA)
	tokens := writeFile(t, "tokens", "old-secret User:alice\n")
	a, err := New(Options{CertFile: cert, KeyFile: key, ClientCAFile: clientCA, TokenFile: tokens})
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := a.Reload(); changed || err != nil {
		t.Fatalf("Reload without changes: %v %v", changed, err)
	}

	if cn, err := handshake(t, a.HTTPTLSConfig(), ca.ClientConfig(t, "alice")); err != nil || cn != "broker-old" {
		t.Fatalf("before rotation: %q %v", cn, err)
	}
	other := authtest.NewCA(t, "ca2")
	if _, err := handshake(t, a.HTTPTLSConfig(), withRoots(other.ClientConfig(t, "bob"), ca)); err == nil {
		t.Fatal("a client certificate from a CA not yet trusted was accepted")
	}

	// Rotate: a new broker certificate, a client CA bundle with both CAs,
	// new tokens.
	newCert, newKey := ca.Issue(t, "broker-new")
	copyFile(t, newCert, cert)
	copyFile(t, newKey, key)
	bundle, _ := os.ReadFile(ca.CertFile)
	second, _ := os.ReadFile(other.CertFile)
	if err := os.WriteFile(clientCA, append(bundle, second...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokens, []byte("new-secret User:alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, err := a.Reload(); !changed || err != nil {
		t.Fatalf("Reload after rotation: %v %v", changed, err)
	}
	if cn, err := handshake(t, a.HTTPTLSConfig(), ca.ClientConfig(t, "alice")); err != nil || cn != "broker-new" {
		t.Fatalf("after rotation: %q %v, want the new certificate", cn, err)
	}
	if _, err := handshake(t, a.HTTPTLSConfig(), withRoots(other.ClientConfig(t, "bob"), ca)); err != nil {
		t.Fatalf("client certificate from the added CA: %v", err)
	}
	if _, err := a.tokenPrincipal("old-secret"); err == nil {
		t.Fatal("the removed token still authenticates")
	}
	if p, err := a.tokenPrincipal("new-secret"); err != nil || p != User("alice") {
		t.Fatalf("new token: %v %v", p, err)
	}
	// The broker's own certificate names a new broker principal.
	if !a.IsBroker(User("broker-new")) {
		t.Fatalf("broker principals after rotation: %v", a.BrokerPrincipals())
	}

	// A half-written rotation (certificate without its key) is refused and
	// changes nothing.
	third, _ := ca.Issue(t, "broker-third")
	copyFile(t, third, cert)
	if changed, err := a.Reload(); changed || err == nil {
		t.Fatalf("Reload with a mismatched key: %v %v, want an error", changed, err)
	}
	if cn, err := handshake(t, a.HTTPTLSConfig(), ca.ClientConfig(t, "alice")); err != nil || cn != "broker-new" {
		t.Fatalf("after a failed reload: %q %v, want the last good certificate", cn, err)
	}
	if err := os.WriteFile(tokens, []byte("not a token file line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Reload(); err == nil {
		t.Fatal("Reload of a malformed token file succeeded")
	}
	if _, err := a.tokenPrincipal("new-secret"); err != nil {
		t.Fatalf("after a failed reload the last good tokens must stay: %v", err)
	}
}

// The configuration brokers dial each other with follows a new CA too.
func TestReloadBrokerClientConfig(t *testing.T) {
	ca := authtest.NewCA(t, "ca1")
	cert, key := ca.Issue(t, "broker-1")
	caFile := writeFile(t, "brokers.pem", "")
	copyFile(t, ca.CertFile, caFile)
	a, err := New(Options{CertFile: cert, KeyFile: key, ClientCAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	peerCA := authtest.NewCA(t, "ca2")
	peerCert, peerKey := peerCA.Issue(t, "broker-2")
	peer, err := New(Options{CertFile: peerCert, KeyFile: peerKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(t, peer.HTTPTLSConfig(), a.ClientTLSConfig()); err == nil {
		t.Fatal("a broker certificate from an untrusted CA was accepted")
	}
	copyFile(t, peerCA.CertFile, caFile)
	if changed, err := a.Reload(); !changed || err != nil {
		t.Fatalf("Reload: %v %v", changed, err)
	}
	if cn, err := handshake(t, peer.HTTPTLSConfig(), a.ClientTLSConfig()); err != nil || cn != "broker-2" {
		t.Fatalf("after trusting the new CA: %q %v", cn, err)
	}
	// The name checked is the dialed one.
	cfg := a.ClientTLSConfig()
	lis, err := tls.Listen("tcp", "127.0.0.1:0", peer.HTTPTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		if c, err := lis.Accept(); err == nil {
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	cfg.ServerName = "fjord.example.com"
	if conn, err := tls.Dial("tcp", lis.Addr().String(), cfg); err == nil {
		conn.Close()
		t.Fatal("a certificate for 127.0.0.1 passed as fjord.example.com")
	}
}
