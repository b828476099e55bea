package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
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
// or Anonymous when allowed. It is safe for concurrent use; its state
// never changes after New.
type Authenticator struct {
	opts           Options
	serverTLS      *tls.Config // nil: plaintext
	clientTLS      *tls.Config // nil: plaintext
	tokens         tokenTable  // nil: no static tokens
	jwt            *jwtVerifier
	allowAnonymous bool
	brokerToken    string
	brokers        []Principal
	brokerCAs      *x509.CertPool // verifies brokers; nil: system roots
	self           Principal      // this broker's certificate's principal
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
	if opts.TLS() {
		if err := a.loadTLS(); err != nil {
			return nil, err
		}
	}
	if opts.TokenFile != "" {
		t, err := loadTokenFile(opts.TokenFile)
		if err != nil {
			return nil, err
		}
		a.tokens = t
	}
	if opts.JWKSFile != "" {
		keys, err := loadJWKS(opts.JWKSFile)
		if err != nil {
			return nil, err
		}
		a.jwt = &jwtVerifier{keys: keys, issuer: opts.JWTIssuer, audience: opts.JWTAudience,
			claim: opts.JWTPrincipalClaim, now: a.opts.Now}
		if a.jwt.claim == "" {
			a.jwt.claim = "sub"
		}
	} else if opts.JWTIssuer != "" || opts.JWTAudience != "" || opts.JWTPrincipalClaim != "" {
		return nil, errors.New("auth: --auth-jwt-issuer, --auth-jwt-audience and --auth-jwt-principal-claim need --auth-jwks-file")
	}
	configured := opts.ClientCAFile != "" || a.tokens != nil || a.jwt != nil
	a.allowAnonymous = !configured
	if opts.AllowAnonymous != nil {
		a.allowAnonymous = *opts.AllowAnonymous
	}
	if opts.InterBrokerTokenFile != "" {
		tok, err := ReadTokenFile(opts.InterBrokerTokenFile)
		if err != nil {
			return nil, err
		}
		a.brokerToken = tok
		p, err := a.tokenPrincipal(tok)
		if err != nil {
			return nil, fmt.Errorf("auth: the inter-broker token does not authenticate: %w", err)
		}
		a.brokers = append(a.brokers, p)
	}
	for _, p := range opts.BrokerPrincipals {
		a.addBroker(p)
	}
	return a, nil
}

func (a *Authenticator) loadTLS() error {
	o := &a.opts
	cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
	if err != nil {
		return fmt.Errorf("auth: load broker certificate: %w", err)
	}
	a.serverTLS = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if o.ClientCAFile != "" {
		pool, err := LoadCertPool(o.ClientCAFile)
		if err != nil {
			return err
		}
		a.serverTLS.ClientCAs = pool
		switch o.ClientAuth {
		case "", ClientAuthRequire:
			a.serverTLS.ClientAuth = tls.RequireAndVerifyClientCert
		case ClientAuthRequest:
			a.serverTLS.ClientAuth = tls.VerifyClientCertIfGiven
		default:
			return fmt.Errorf("auth: client auth %q is not require or request", o.ClientAuth)
		}
	}
	a.clientTLS, err = ClientTLSConfig(cmpOr(o.CAFile, o.ClientCAFile), o.CertFile, o.KeyFile, "")
	if err != nil {
		return err
	}
	a.brokerCAs = a.clientTLS.RootCAs
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return fmt.Errorf("auth: parse broker certificate: %w", err)
	}
	if p, err := certPrincipal(leaf, o.PrincipalFrom); err == nil {
		a.self = p
		if o.ClientCAFile != "" {
			// Other brokers verify this certificate and know this broker by it.
			a.addBroker(p)
		}
	}
	return nil
}

// RaftTLSConfigs are the controller quorum transport's TLS configurations,
// nil when TLS is off. The server side requires a client certificate that
// the broker CA (CAFile, else ClientCAFile) verifies and that names this
// broker's own certificate principal or one of BrokerPrincipals: a client
// certificate from the same CA does not let a user speak raft.
func (a *Authenticator) RaftTLSConfigs() (server, client *tls.Config) {
	if a.serverTLS == nil {
		return nil, nil
	}
	server = a.serverTLS.Clone()
	server.ClientCAs = a.brokerCAs
	server.ClientAuth = tls.RequireAndVerifyClientCert
	server.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
			return errors.New("auth: raft peer sent no verified certificate")
		}
		p, err := certPrincipal(cs.VerifiedChains[0][0], a.opts.PrincipalFrom)
		if err != nil {
			return err
		}
		if p != a.self && !a.IsBroker(p) {
			return fmt.Errorf("auth: raft peer %s is not a broker principal", p)
		}
		return nil
	}
	return server, a.clientTLS.Clone()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (a *Authenticator) addBroker(p Principal) {
	for _, q := range a.brokers {
		if q == p {
			return
		}
	}
	a.brokers = append(a.brokers, p)
}

// BrokerPrincipals lists the principals brokers call each other as: the
// one this broker's certificate names (with mutual TLS), the one its
// inter-broker token names, and Options.BrokerPrincipals. Authorization
// treats them as super users.
func (a *Authenticator) BrokerPrincipals() []Principal {
	return append([]Principal(nil), a.brokers...)
}

// IsBroker reports whether p is one of BrokerPrincipals.
func (a *Authenticator) IsBroker(p Principal) bool {
	for _, q := range a.brokers {
		if q == p {
			return true
		}
	}
	return false
}

// ServerTLSConfig is the listeners' TLS configuration, nil when they serve
// plaintext. Callers must not modify it.
func (a *Authenticator) ServerTLSConfig() *tls.Config { return a.serverTLS }

// ClientTLSConfig is the configuration to dial other brokers with (their
// CA, this broker's certificate), nil when TLS is off. Callers must not
// modify it.
func (a *Authenticator) ClientTLSConfig() *tls.Config { return a.clientTLS }

// ServerCredentials are the gRPC server's transport credentials: TLS (or
// plaintext) on network connections, plaintext on the in-memory listener.
func (a *Authenticator) ServerCredentials() credentials.TransportCredentials {
	return newServerCreds(a.serverTLS)
}

// DialOptions are what a broker dials other brokers with: TLS with its
// certificate when TLS is on, and the inter-broker token when set.
func (a *Authenticator) DialOptions() []grpc.DialOption {
	var opts []grpc.DialOption
	if a.clientTLS != nil {
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(a.clientTLS)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if a.brokerToken != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(BearerCredentials{Token: a.brokerToken, Insecure: a.clientTLS == nil}))
	}
	return opts
}

// AuthenticatesToPeers reports whether other brokers requiring
// credentials can authenticate this one: by its certificate (mutual TLS)
// or by its inter-broker token.
func (a *Authenticator) AuthenticatesToPeers() bool {
	return a.brokerToken != "" || (a.clientTLS != nil && a.opts.ClientCAFile != "")
}

// AllowsAnonymous reports whether callers without credentials get in.
func (a *Authenticator) AllowsAnonymous() bool { return a.allowAnonymous }

// tokenPrincipal checks a bearer token: a static token first, then a JWT.
func (a *Authenticator) tokenPrincipal(tok string) (Principal, error) {
	if a.tokens == nil && a.jwt == nil {
		return Principal{}, errors.New("bearer tokens are not enabled on this broker")
	}
	if a.tokens != nil {
		if p, ok := a.tokens.lookup(tok); ok {
			return p, nil
		}
	}
	if a.jwt != nil && looksLikeJWT(tok) {
		return a.jwt.verify(tok)
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
