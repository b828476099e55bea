package fjord

import (
	"context"
	"crypto/tls"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// TLS dials brokers over TLS with config: RootCAs verifies the brokers (nil:
// the system roots), Certificates is the client certificate for mutual
// TLS (the broker names the caller User:<certificate CN>). A nil config uses
// the system roots and no client certificate. Default: plaintext.
//
// TLS and BearerToken add dial options; a later DialOptions replaces them,
// so give DialOptions first.
func TLS(config *tls.Config) Opt {
	if config == nil {
		config = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	creds := credentials.NewTLS(config)
	return clientOpt{func(c *cfg) { c.dialOpts = append(c.dialOpts, grpc.WithTransportCredentials(creds)) }}
}

// BearerToken sends "authorization: Bearer token" with every call: a
// static token of the broker's --auth-token-file or a JWT. It needs TLS
// (the client refuses to send the token in plaintext); see
// InsecureBearerToken for a broker on the loopback interface. Default: none.
func BearerToken(token string) Opt {
	return clientOpt{func(c *cfg) {
		c.dialOpts = append(c.dialOpts, grpc.WithPerRPCCredentials(bearer{token: token}))
	}}
}

// InsecureBearerToken is BearerToken that also sends the token over
// plaintext connections, where anyone on the path can read it: only for a
// broker on the loopback interface or in tests.
func InsecureBearerToken(token string) Opt {
	return clientOpt{func(c *cfg) {
		c.dialOpts = append(c.dialOpts, grpc.WithPerRPCCredentials(bearer{token: token, insecure: true}))
	}}
}

// bearer is the per-RPC credentials of BearerToken.
type bearer struct {
	token    string
	insecure bool
}

var _ credentials.PerRPCCredentials = bearer{}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return !b.insecure }
