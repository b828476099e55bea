package auth

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// LocalPrincipalKey is the metadata key by which code in the broker's own
// process (the web console) names the principal it calls for. It is
// trusted only on connections over the broker's in-memory listener and
// refused on every network connection.
const LocalPrincipalKey = "fjord-local-principal"

// Options configures transport security and authentication. The zero
// value serves plaintext and lets every caller in as Anonymous.
type Options struct {
	// CertFile and KeyFile are the broker's PEM certificate and key. Set,
	// the gRPC and HTTP listeners serve TLS and the broker presents this
	// certificate as a client when it dials other brokers.
	CertFile, KeyFile string
	// ClientCAFile verifies client certificates (mutual TLS); a verified
	// certificate names the caller's principal.
	ClientCAFile string
	// ClientAuth is "require" (the default with ClientCAFile: no
	// handshake without a valid client certificate) or "request" (a
	// certificate is verified when sent; callers without one need a token).
	ClientAuth string
	// PrincipalFrom is "cn" (default: User:<subject CN>) or "dn" (User:
	// <RFC 2253 subject>).
	PrincipalFrom string
	// CAFile verifies other brokers' certificates when this broker dials
	// them (default ClientCAFile; empty both: the system roots).
	CAFile string

	// TokenFile holds static bearer tokens, "TOKEN Type:Name" per line.
	TokenFile string
	// JWKSFile holds the public keys (a JSON Web Key Set) that verify JWT
	// bearer tokens; JWTIssuer and JWTAudience, when set, must match the
	// iss and aud claims; JWTPrincipalClaim names the claim holding the
	// principal's name (default "sub").
	JWKSFile, JWTIssuer, JWTAudience, JWTPrincipalClaim string
	// InterBrokerTokenFile holds the bearer token this broker sends when it
	// dials other brokers (needed when they authenticate by token only).
	InterBrokerTokenFile string

	// AllowAnonymous lets callers without credentials in as Anonymous.
	// Nil means: allowed when neither ClientCAFile, TokenFile nor JWKSFile
	// is set, refused otherwise.
	AllowAnonymous *bool
	// BrokerPrincipals are the principals other brokers of the cluster
	// authenticate as, on top of this broker's own (see
	// Authenticator.BrokerPrincipals).
	BrokerPrincipals []Principal

	// Now is the clock JWT expiry is checked against (default time.Now).
	Now func() time.Time
}

// TLS reports whether the listeners serve TLS.
func (o *Options) TLS() bool { return o.CertFile != "" }

// Authenticator establishes the principal of every call: from a bearer
// token, a verified client certificate, the in-process LocalPrincipalKey,
// or Anonymous when allowed. It is safe for concurrent use. The files it
// was given (certificates, keys, CAs, tokens, JWKS) are read by New and
// again by Reload, which swaps them in whole; the options never change.
type Authenticator struct {
	opts           Options
	clientAuth     tls.ClientAuthType
	allowAnonymous bool

	reloadMu sync.Mutex // one Reload at a time
	cur      atomic.Pointer[material]
}

// material is what the files named by Options hold, as of one read.
type material struct {
	digest      [sha256.Size]byte // of every file's bytes, in a fixed order
	cert        *tls.Certificate  // nil: plaintext
	clientCAs   *x509.CertPool    // verifies client certificates
	brokerCAs   *x509.CertPool    // verifies brokers; nil: system roots
	self        Principal         // this broker's certificate's principal
	tokens      tokenTable        // nil: no static tokens
	jwt         *jwtVerifier      // nil: no JWTs
	brokerToken string
	brokers     []Principal
}

// New loads the certificates, tokens and keys opts names.
func New(opts Options) (*Authenticator, error) {
	a := &Authenticator{opts: opts}
	if opts.Now == nil {
		a.opts.Now = time.Now
	}
	switch opts.PrincipalFrom {
	case "":
		a.opts.PrincipalFrom = PrincipalFromCN
	case PrincipalFromCN, PrincipalFromDN:
	default:
		return nil, fmt.Errorf("auth: principal source %q is not cn or dn", opts.PrincipalFrom)
	}
	if (opts.CertFile == "") != (opts.KeyFile == "") {
		return nil, errors.New("auth: TLS needs both --tls-cert and --tls-key")
	}
	if !opts.TLS() && (opts.ClientCAFile != "" || opts.CAFile != "" || opts.ClientAuth != "") {
		return nil, errors.New("auth: --tls-client-ca, --tls-ca and --tls-client-auth need --tls-cert and --tls-key")
	}
	if opts.ClientCAFile == "" && opts.ClientAuth != "" {
		return nil, errors.New("auth: --tls-client-auth needs --tls-client-ca (the CA that signs client certificates)")
	}
	if opts.ClientCAFile != "" {
		switch opts.ClientAuth {
		case "", ClientAuthRequire:
			a.clientAuth = tls.RequireAndVerifyClientCert
		case ClientAuthRequest:
			a.clientAuth = tls.VerifyClientCertIfGiven
		default:
			return nil, fmt.Errorf("auth: client auth %q is not require or request", opts.ClientAuth)
		}
	}
	if opts.JWKSFile == "" && (opts.JWTIssuer != "" || opts.JWTAudience != "" || opts.JWTPrincipalClaim != "") {
		return nil, errors.New("auth: --auth-jwt-issuer, --auth-jwt-audience and --auth-jwt-principal-claim need --auth-jwks-file")
	}
	a.allowAnonymous = opts.ClientCAFile == "" && opts.TokenFile == "" && opts.JWKSFile == ""
	if opts.AllowAnonymous != nil {
		a.allowAnonymous = *opts.AllowAnonymous
	}
	data, d, err := a.readFiles()
	if err != nil {
		return nil, err
	}
	m, err := a.load(data, d)
	if err != nil {
		return nil, err
	}
	a.cur.Store(m)
	return a, nil
}

// files lists the files Options names, in a fixed order.
func (a *Authenticator) files() []string {
	o := &a.opts
	var out []string
	for _, f := range []string{o.CertFile, o.KeyFile, o.ClientCAFile, o.CAFile, o.TokenFile, o.JWKSFile, o.InterBrokerTokenFile} {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// readFiles reads every file once and digests their bytes: a material
// is then built from exactly what was digested.
func (a *Authenticator) readFiles() (map[string][]byte, [sha256.Size]byte, error) {
	data := make(map[string][]byte)
	h := sha256.New()
	for _, f := range a.files() {
		b, ok := data[f]
		if !ok {
			var err error
			if b, err = os.ReadFile(f); err != nil {
				return nil, [sha256.Size]byte{}, fmt.Errorf("auth: %w", err)
			}
			data[f] = b
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return data, d, nil
}

// load builds a material from the files' bytes.
func (a *Authenticator) load(data map[string][]byte, digest [sha256.Size]byte) (*material, error) {
	o := &a.opts
	m := &material{digest: digest}
	var err error
	if o.TLS() {
		if err := a.loadTLS(m, data); err != nil {
			return nil, err
		}
	}
	if o.TokenFile != "" {
		if m.tokens, err = parseTokens(o.TokenFile, data[o.TokenFile]); err != nil {
			return nil, err
		}
	}
	if o.JWKSFile != "" {
		keys, err := parseJWKS(o.JWKSFile, data[o.JWKSFile])
		if err != nil {
			return nil, err
		}
		m.jwt = &jwtVerifier{keys: keys, issuer: o.JWTIssuer, audience: o.JWTAudience, claim: cmpOr(o.JWTPrincipalClaim, "sub"), now: o.Now}
	}
	if o.InterBrokerTokenFile != "" {
		tok, err := parseToken(o.InterBrokerTokenFile, data[o.InterBrokerTokenFile])
		if err != nil {
			return nil, err
		}
		m.brokerToken = tok
		p, err := m.tokenPrincipal(tok)
		if err != nil {
			return nil, fmt.Errorf("auth: the inter-broker token does not authenticate: %w", err)
		}
		m.addBroker(p)
	}
	for _, p := range o.BrokerPrincipals {
		m.addBroker(p)
	}
	return m, nil
}

func (a *Authenticator) loadTLS(m *material, data map[string][]byte) error {
	o := &a.opts
	cert, err := tls.X509KeyPair(data[o.CertFile], data[o.KeyFile])
	if err != nil {
		return fmt.Errorf("auth: load broker certificate %s and key %s: %w", o.CertFile, o.KeyFile, err)
	}
	m.cert = &cert
	if o.ClientCAFile != "" {
		if m.clientCAs, err = parseCertPool(o.ClientCAFile, data[o.ClientCAFile]); err != nil {
			return err
		}
	}
	if ca := cmpOr(o.CAFile, o.ClientCAFile); ca != "" {
		if m.brokerCAs, err = parseCertPool(ca, data[ca]); err != nil {
			return err
		}
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return fmt.Errorf("auth: parse broker certificate: %w", err)
	}
	if p, err := certPrincipal(leaf, o.PrincipalFrom); err == nil {
		m.self = p
		if o.ClientCAFile != "" {
			// Other brokers verify this certificate and know this broker by it.
			m.addBroker(p)
		}
	}
	return nil
}

// Reload reads every file again and, when any changed, swaps in their new
// contents: new handshakes present the new certificate and verify against
// the new CAs, new calls check the new tokens and keys (established
// connections keep their principal). On an error nothing changes and the
// previous files stay in force. changed reports whether anything did.
func (a *Authenticator) Reload() (changed bool, err error) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	data, d, err := a.readFiles()
	if err != nil {
		return false, err
	}
	if d == a.cur.Load().digest {
		return false, nil
	}
	m, err := a.load(data, d)
	if err != nil {
		return false, err
	}
	a.cur.Store(m)
	return true, nil
}

// Files lists the files Reload reads.
func (a *Authenticator) Files() []string { return a.files() }

// RaftTLSConfigs are the controller quorum transport's TLS configurations,
// nil when TLS is off. The server side requires a client certificate that
// the broker CA (CAFile, else ClientCAFile) verifies and that names this
// broker's own certificate principal or one of BrokerPrincipals: a client
// certificate from the same CA does not let a user speak raft.
func (a *Authenticator) RaftTLSConfigs() (server, client *tls.Config) {
	if !a.opts.TLS() {
		return nil, nil
	}
	server = &tls.Config{MinVersion: tls.VersionTLS12, GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		m := a.cur.Load()
		return &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{*m.cert},
			ClientCAs:    m.brokerCAs,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
					return errors.New("auth: raft peer sent no verified certificate")
				}
				p, err := certPrincipal(cs.VerifiedChains[0][0], a.opts.PrincipalFrom)
				if err != nil {
					return err
				}
				if p != m.self && !m.isBroker(p) {
					return fmt.Errorf("auth: raft peer %s is not a broker principal", p)
				}
				return nil
			},
		}, nil
	}}
	return server, a.ClientTLSConfig()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (m *material) addBroker(p Principal) {
	if !m.isBroker(p) {
		m.brokers = append(m.brokers, p)
	}
}

func (m *material) isBroker(p Principal) bool { return slices.Contains(m.brokers, p) }

// BrokerPrincipals lists the principals brokers call each other as: the
// one this broker's certificate names (with mutual TLS), the one its
// inter-broker token names, and Options.BrokerPrincipals. Authorization
// treats them as super users.
func (a *Authenticator) BrokerPrincipals() []Principal {
	return slices.Clone(a.cur.Load().brokers)
}

// IsBroker reports whether p is one of BrokerPrincipals.
func (a *Authenticator) IsBroker(p Principal) bool { return a.cur.Load().isBroker(p) }

// listenerTLS is a listener's TLS configuration offering nextProtos
// (ALPN), nil when the broker serves plaintext. Each handshake takes the
// certificate and client CAs in force (see Reload).
func (a *Authenticator) listenerTLS(nextProtos ...string) *tls.Config {
	if !a.opts.TLS() {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: nextProtos, GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		m := a.cur.Load()
		return &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: nextProtos, Certificates: []tls.Certificate{*m.cert},
			ClientCAs: m.clientCAs, ClientAuth: a.clientAuth}, nil
	}}
}

// HTTPTLSConfig is the HTTP listener's TLS configuration (HTTP/1.1), nil
// when it serves plaintext.
func (a *Authenticator) HTTPTLSConfig() *tls.Config { return a.listenerTLS("http/1.1") }

// ClientTLSConfig is the configuration to dial other brokers with, nil
// when TLS is off: this broker's certificate, and the broker CA (CAFile,
// else ClientCAFile, else the system roots) verifying the peer, both as
// of the last Reload.
func (a *Authenticator) ClientTLSConfig() *tls.Config {
	if !a.opts.TLS() {
		return nil
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return a.cur.Load().cert, nil
		},
		// The chain is verified in VerifyConnection against the broker CAs
		// in force, which a fixed RootCAs could not follow.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("auth: the broker sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: a.cur.Load().brokerCAs, DNSName: cs.ServerName, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		},
	}
}

// ServerCredentials are the gRPC server's transport credentials: TLS (or
// plaintext) on network connections, plaintext on the in-memory listener.
func (a *Authenticator) ServerCredentials() credentials.TransportCredentials {
	return newServerCreds(a.listenerTLS("h2"))
}

// DialOptions are what a broker dials other brokers with: TLS with its
// certificate when TLS is on, and the inter-broker token when set.
func (a *Authenticator) DialOptions() []grpc.DialOption {
	var opts []grpc.DialOption
	if cfg := a.ClientTLSConfig(); cfg != nil {
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if a.opts.InterBrokerTokenFile != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(brokerTokenCredentials{a}))
	}
	return opts
}

// brokerTokenCredentials send the inter-broker token in force.
type brokerTokenCredentials struct{ a *Authenticator }

func (b brokerTokenCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.a.cur.Load().brokerToken}, nil
}

func (b brokerTokenCredentials) RequireTransportSecurity() bool { return b.a.opts.TLS() }

// AuthenticatesToPeers reports whether other brokers requiring
// credentials can authenticate this one: by its certificate (mutual TLS)
// or by its inter-broker token.
func (a *Authenticator) AuthenticatesToPeers() bool {
	return a.opts.InterBrokerTokenFile != "" || (a.opts.TLS() && a.opts.ClientCAFile != "")
}

// AllowsAnonymous reports whether callers without credentials get in.
func (a *Authenticator) AllowsAnonymous() bool { return a.allowAnonymous }

// tokenPrincipal checks a bearer token: a static token first, then a JWT.
func (a *Authenticator) tokenPrincipal(tok string) (Principal, error) {
	return a.cur.Load().tokenPrincipal(tok)
}

func (m *material) tokenPrincipal(tok string) (Principal, error) {
	if m.tokens == nil && m.jwt == nil {
		return Principal{}, errors.New("bearer tokens are not enabled on this broker")
	}
	if m.tokens != nil {
		if p, ok := m.tokens.lookup(tok); ok {
			return p, nil
		}
	}
	if m.jwt != nil && looksLikeJWT(tok) {
		return m.jwt.verify(tok)
	}
	return Principal{}, errors.New("unknown bearer token")
}

// bearer extracts the token of an "Authorization: Bearer TOKEN" value.
func bearer(v string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}
