package server

import (
	"context"
	"net"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"

	"github.com/fjordlog/fjord/server/auth"
)

// localBufSize is the in-process pipe's buffer per direction.
const localBufSize = 1 << 20

// localConn is an in-process listener served by the broker's own gRPC
// server and a client connection to it. In-process users (the web console)
// call the public API through it, so that authorization, quotas and metrics
// apply to them as to any network client.
type localConn struct {
	lis       *bufconn.Listener
	conn      *grpc.ClientConn
	closeOnce sync.Once
}

func newLocalConn() (*localConn, error) {
	lis := bufconn.Listen(localBufSize)
	conn, err := grpc.NewClient("passthrough:///fjord-local",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(principalUnary),
		grpc.WithChainStreamInterceptor(principalStream),
	)
	if err != nil {
		lis.Close()
		return nil, err
	}
	return &localConn{lis: lis, conn: conn}, nil
}

func (l *localConn) close() {
	l.closeOnce.Do(func() {
		l.conn.Close()
		l.lis.Close()
	})
}

// withLocalPrincipal puts the principal ctx carries (auth.FromContext) in
// the outgoing metadata, replacing any value already there.
func withLocalPrincipal(ctx context.Context) context.Context {
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Set(auth.LocalPrincipalKey, auth.FromContext(ctx).String())
	return metadata.NewOutgoingContext(ctx, md)
}

func principalUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(withLocalPrincipal(ctx), method, req, reply, cc, opts...)
}

func principalStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(withLocalPrincipal(ctx), desc, cc, method, opts...)
}

// LocalConn is a client connection to this broker's gRPC API that never
// leaves the process. Each call acts for the principal its context carries
// (auth.NewContext; Anonymous if none), sent as auth.LocalPrincipalKey,
// which the broker accepts only on this in-process listener. Valid
// from New until Shutdown; do not close it.
func (s *Server) LocalConn() *grpc.ClientConn { return s.local.conn }

// DialLocal opens a new in-process connection to this broker's gRPC server,
// for a grpc.WithContextDialer of clients (such as the Go SDK) that manage
// their own connections.
func (s *Server) DialLocal(ctx context.Context) (net.Conn, error) {
	return s.local.lis.DialContext(ctx)
}
