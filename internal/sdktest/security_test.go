package sdktest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/auth/authtest"
)

// TestSDKTLSAndToken: the SDK's TLS and BearerToken options get a client
// into a broker that requires credentials; without them it is refused
// with UNAUTHENTICATED, and a token is never sent in plaintext.
func TestSDKTLSAndToken(t *testing.T) {
	ca := authtest.NewCA(t, "fjord")
	cert, key := ca.Issue(t, "broker")
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("bob-secret User:bob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off",
		Auth: auth.Options{CertFile: cert, KeyFile: key, ClientCAFile: ca.CertFile, ClientAuth: auth.ClientAuthRequest, TokenFile: tokens}})
	if err != nil {
		t.Fatal(err)
	}
	b := &broker{t: t, srv: srv, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	t.Cleanup(b.stop)

	metadata := func(opts ...fjord.Opt) error {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		cl, err := fjord.NewClient(ctx, append([]fjord.Opt{fjord.SeedBrokers(b.addr()), fjord.MaxRetries(0),
			fjord.RequestTimeout(5 * time.Second)}, opts...)...)
		if err != nil {
			return err
		}
		defer cl.Close()
		_, err = cl.Metadata(ctx)
		return err
	}
	if err := metadata(fjord.TLS(ca.ClientConfig(t, "alice"))); err != nil {
		t.Fatalf("client certificate: %v", err)
	}
	if err := metadata(fjord.TLS(ca.ClientConfig(t, "")), fjord.BearerToken("bob-secret")); err != nil {
		t.Fatalf("bearer token: %v", err)
	}
	for name, opts := range map[string][]fjord.Opt{
		"no credentials": {fjord.TLS(ca.ClientConfig(t, ""))},
		"bad token":      {fjord.TLS(ca.ClientConfig(t, "")), fjord.BearerToken("guess")},
	} {
		err := metadata(opts...)
		var fe *fjord.Error
		if !errors.As(err, &fe) || fe.Code != codes.Unauthenticated || fe.Reason != auth.ReasonUnauthenticated || fe.Retriable {
			t.Errorf("%s: got %v, want a non-retriable UNAUTHENTICATED error", name, err)
		}
	}
	if err := metadata(fjord.BearerToken("bob-secret")); err == nil {
		t.Error("a bearer token went over plaintext")
	}
}
