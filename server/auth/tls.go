package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// Client certificate policies (Options.ClientAuth).
const (
	// ClientAuthRequire refuses a TLS handshake without a client
	// certificate signed by the client CA (mutual TLS).
	ClientAuthRequire = "require"
	// ClientAuthRequest verifies a client certificate when one is sent
	// and lets the handshake succeed without one (the caller then needs a
	// token or anonymous access).
	ClientAuthRequest = "request"
)

// How a certificate names its principal (Options.PrincipalFrom).
const (
	// PrincipalFromCN makes "User:<subject common name>" (the default).
	PrincipalFromCN = "cn"
	// PrincipalFromDN makes "User:<subject distinguished name>" in RFC 2253
	// form, e.g. "User:CN=alice,O=Example".
	PrincipalFromDN = "dn"
)

// LoadCertPool reads PEM certificates from path.
func LoadCertPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read CA file: %w", err)
	}
	return parseCertPool(path, data)
}

// parseCertPool parses the PEM certificates data read from path.
func parseCertPool(path string, data []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("auth: CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// ClientTLSConfig builds the TLS configuration of a client: caFile (empty:
// the system roots) verifies the server, certFile/keyFile (both or
// neither) is the client certificate for mutual TLS, serverName overrides
// the name checked in the server's certificate.
func ClientTLSConfig(caFile, certFile, keyFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pool, err := LoadCertPool(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("auth: a client certificate needs both the certificate and the key file")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("auth: load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// certPrincipal names the owner of a verified certificate.
func certPrincipal(cert *x509.Certificate, from string) (Principal, error) {
	if from == PrincipalFromDN {
		if dn := cert.Subject.String(); dn != "" {
			return User(dn), nil
		}
		return Principal{}, errors.New("auth: the client certificate has an empty subject")
	}
	if cert.Subject.CommonName == "" {
		return Principal{}, fmt.Errorf("auth: the client certificate (subject %q) has no common name (CN) to name its principal; use --tls-principal=dn", cert.Subject.String())
	}
	return User(cert.Subject.CommonName), nil
}

// IsLocalAddr reports whether addr is the broker's in-memory listener
// (google.golang.org/grpc/test/bufconn), which only code in the broker's
// own process can reach.
func IsLocalAddr(addr net.Addr) bool { return addr != nil && addr.Network() == "bufconn" }

// serverCreds serves TLS (or plaintext when tls is nil) on network
// connections and plaintext on the in-memory listener, whose connections
// it marks with localAuthInfo: the only connections whose
// LocalPrincipalKey metadata is trusted.
type serverCreds struct {
	tls   credentials.TransportCredentials // nil: plaintext
	plain credentials.TransportCredentials
}

var _ credentials.TransportCredentials = (*serverCreds)(nil)

// localAuthInfo marks a connection that arrived over the in-memory listener.
type localAuthInfo struct{ credentials.CommonAuthInfo }

func (localAuthInfo) AuthType() string { return "local" }

func newServerCreds(cfg *tls.Config) *serverCreds {
	c := &serverCreds{plain: insecure.NewCredentials()}
	if cfg != nil {
		c.tls = credentials.NewTLS(cfg)
	}
	return c
}

func (c *serverCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	if IsLocalAddr(conn.RemoteAddr()) && IsLocalAddr(conn.LocalAddr()) {
		return conn, localAuthInfo{credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}}, nil
	}
	if c.tls != nil {
		return c.tls.ServerHandshake(conn)
	}
	return c.plain.ServerHandshake(conn)
}

func (c *serverCreds) ClientHandshake(ctx context.Context, authority string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("auth: server credentials cannot dial")
}

func (c *serverCreds) Info() credentials.ProtocolInfo {
	if c.tls != nil {
		return c.tls.Info()
	}
	return c.plain.Info()
}

func (c *serverCreds) Clone() credentials.TransportCredentials {
	out := *c
	if c.tls != nil {
		out.tls = c.tls.Clone()
	}
	return &out
}

func (c *serverCreds) OverrideServerName(string) error { return nil }
