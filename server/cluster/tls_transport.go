package cluster

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// RaftTLS secures the controller quorum's TCP transport: Server is the
// listener's configuration (it should require and verify client
// certificates: only brokers may speak raft), Client the one this node
// dials its peers with (ServerName defaults to the dialed host).
type RaftTLS struct {
	Server, Client *tls.Config
}

// tlsStreamLayer is a raft.StreamLayer over crypto/tls.
type tlsStreamLayer struct {
	net.Listener
	advertise net.Addr
	client    *tls.Config
}

var _ raft.StreamLayer = (*tlsStreamLayer)(nil)

// newTLSTransport is raft.NewTCPTransport with every connection in TLS.
func newTLSTransport(bind string, advertise net.Addr, cfg *RaftTLS, logger hclog.Logger) (*raft.NetworkTransport, error) {
	if cfg.Server == nil || cfg.Client == nil {
		return nil, errors.New("cluster: raft TLS needs a server and a client configuration")
	}
	lis, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, fmt.Errorf("cluster: raft listen on %s: %w", bind, err)
	}
	if advertise == nil {
		advertise = lis.Addr()
	}
	if a, ok := advertise.(*net.TCPAddr); !ok || a.IP == nil || a.IP.IsUnspecified() {
		lis.Close()
		return nil, fmt.Errorf("cluster: raft address %s is not advertisable (set the advertise address)", advertise)
	}
	stream := &tlsStreamLayer{Listener: tls.NewListener(lis, cfg.Server), advertise: advertise, client: cfg.Client}
	return raft.NewNetworkTransportWithLogger(stream, 3, 10*time.Second, logger), nil
}

// Dial implements raft.StreamLayer.
func (t *tlsStreamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	cfg := t.client
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(string(address))
		if err != nil {
			return nil, fmt.Errorf("cluster: raft peer address %q: %w", address, err)
		}
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: timeout}, "tcp", string(address), cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster: raft TLS dial %s: %w", address, err)
	}
	return conn, nil
}

// Addr implements net.Listener: the advertised address.
func (t *tlsStreamLayer) Addr() net.Addr { return t.advertise }
