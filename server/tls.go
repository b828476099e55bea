package server

import (
	"crypto/tls"
	"errors"
	"time"

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
	if cfg := a.HTTPTLSConfig(); cfg != nil && s.httpLis != nil {
		s.httpLis = tls.NewListener(s.httpLis, cfg)
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

// ReloadCredentials reads the files of Options.Auth again (certificates,
// keys, CAs, tokens, JWKS): new TLS handshakes and calls use what changed,
// established connections keep going. A file that fails to load keeps the
// previous ones in force and is reported. `fjord serve` calls it on SIGHUP
// and every CredentialsReloadInterval.
func (s *Server) ReloadCredentials() (changed bool, err error) {
	changed, err = s.authn.Reload()
	s.logReload(changed, err)
	return changed, err
}

func (s *Server) logReload(changed bool, err error) {
	switch {
	case err != nil:
		s.opts.Logger.Error("credentials reload failed; the previous ones stay in force", "err", err)
	case changed:
		s.opts.Logger.Info("credentials reloaded", "files", s.authn.Files())
	}
}

// reloadCredentialsLoop calls ReloadCredentials every interval until
// Shutdown. The same failure is logged once, not at every tick.
func (s *Server) reloadCredentialsLoop(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	lastErr := ""
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			changed, err := s.authn.Reload()
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if msg != lastErr || changed {
				s.logReload(changed, err)
			}
			lastErr = msg
		}
	}
}
