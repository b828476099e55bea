package server

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// panicDesc is a test service whose handler panics, registered on a real
// broker to prove the interceptor chain turns panics into INTERNAL.
var panicDesc = grpc.ServiceDesc{
	ServiceName: "fjord.test.Panic",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Boom",
		Handler: unary("/fjord.test.Panic/Boom", func(srv any, ctx context.Context, req *fjordv1.DescribeClusterRequest) (*fjordv1.DescribeClusterResponse, error) {
			panic("boom")
		}),
	}},
}

func TestHandlerPanicBecomesInternal(t *testing.T) {
	srv, err := New(Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off", ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv.grpc.RegisterService(&panicDesc, struct{}{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	defer func() {
		srv.Shutdown(context.Background())
		<-served
	}()
	conn, err := grpc.NewClient(srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Invoke(ctx(t), "/fjord.test.Panic/Boom", &fjordv1.DescribeClusterRequest{}, new(fjordv1.DescribeClusterResponse))
	if status.Code(err) != codes.Internal {
		t.Fatalf("panicking handler returned %v, want INTERNAL", err)
	}
	// The broker lives on.
	if _, err := fjordv1.NewAdminServiceClient(conn).DescribeCluster(ctx(t), &fjordv1.DescribeClusterRequest{}); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
}
