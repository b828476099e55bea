package server

import (
	"crypto/tls"
	"errors"

	"google.golang.org/grpc"

	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/cluster"
)

// setupSecurity loads Options.Auth (certificates, tokens, JWKS) and puts
// the HTTP listener in TLS when the broker serves TLS.
func (s *Server) setupSecurity() error {
	a, err := auth.New(s.opts.Auth)
	if err != nil {
		return err
	}
	if s.opts.clustered() && !a.AllowsAnonymous() && !a.AuthenticatesToPeers() {
		return errors.New("server: brokers require credentials but this one has none to present to the others: " +
			"use mutual TLS (--tls-client-ca) or --inter-broker-token-file")
	}
	s.authn = a
	if cfg := a.ServerTLSConfig(); cfg != nil && s.httpLis != nil {
		httpCfg := cfg.Clone()
		httpCfg.NextProtos = []string{"http/1.1"}
		s.httpLis = tls.NewListener(s.httpLis, httpCfg)
	}
	return nil
}

// grpcCreds are the gRPC server's transport credentials: TLS on network
// connections when configured, plaintext on the in-process listener.
func (s *Server) grpcCreds() grpc.ServerOption { return grpc.Creds(s.authn.ServerCredentials()) }

// raftTLS is the controller transport's TLS, nil when TLS is off.
func (s *Server) raftTLS() *cluster.RaftTLS {
	srv, cl := s.authn.RaftTLSConfigs()
	if srv == nil {
		return nil
	}
	return &cluster.RaftTLS{Server: srv, Client: cl}
}

// BrokerPrincipals lists the principals brokers of this cluster call each
// other as (auth.Authenticator.BrokerPrincipals): this broker's
// certificate's (with mutual TLS), its inter-broker token's and
// Options.Auth.BrokerPrincipals. Authorization treats them as super users.
func (s *Server) BrokerPrincipals() []auth.Principal { return s.authn.BrokerPrincipals() }

// Authenticator is the broker's authenticator, valid after New.
func (s *Server) Authenticator() *auth.Authenticator { return s.authn }
