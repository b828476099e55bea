package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/auth/authtest"
)

// TestServeTLSAndTokens runs `fjord serve` with mutual TLS (client
// certificates requested) and a token file, and the operator commands
// against it with a client certificate, with a token and with neither.
func TestServeTLSAndTokens(t *testing.T) {
	ca := authtest.NewCA(t, "fjord")
	cert, key := ca.Issue(t, "broker")
	aliceCert, aliceKey := ca.Issue(t, "alice")
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("# operators\nbob-secret User:bob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan chan<- os.Signal, 1)
	started := make(chan *server.Server, 1)
	var out, errOut syncBuffer
	env := &cliEnv{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		lookupEnv: mapEnv(map[string]string{"FJORD_HTTP": "off", "FJORD_AUTH_TOKEN_FILE": tokens}),
		notifySignals: func(c chan<- os.Signal) func() {
			sigs <- c
			return func() {}
		},
		exit:    func(code int) { t.Errorf("exit(%d)", code) },
		serving: func(s *server.Server) { started <- s },
	}
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0",
			"--tls-cert", cert, "--tls-key", key, "--tls-client-ca", ca.CertFile, "--tls-client-auth", "request"}, env)
	}()
	sig := <-sigs
	var srv *server.Server
	select {
	case srv = <-started:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, errOut.String())
	}
	addr := srv.Addr().String()

	cli(t, addr, "", "topic", "create", "t1", "--tls-ca", ca.CertFile, "--tls-cert", aliceCert, "--tls-key", aliceKey)
	r := runCLI(t, map[string]string{"FJORD_TOKEN": "bob-secret", "FJORD_TLS_CA": ca.CertFile}, "", "topic", "list", "--brokers", addr)
	if r.code != 0 || !strings.Contains(r.stdout, "t1") {
		t.Errorf("topic list with a token: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "", "topic", "list", "--brokers", addr, "--tls-ca", ca.CertFile)
	wantOneLineError(t, r, 1, "no credentials")
	r = runCLI(t, nil, "", "topic", "list", "--brokers", addr, "--tls-ca", ca.CertFile, "--token", "guess")
	wantOneLineError(t, r, 1, "unknown bearer token")
	r = runCLI(t, nil, "", "topic", "list", "--brokers", "10.1.2.3:9092", "--token", "bob-secret")
	wantOneLineError(t, r, 2, "--token needs TLS")

	// Rotate the tokens: SIGHUP makes the broker read the file again.
	if err := os.WriteFile(tokens, []byte("carol-secret User:carol\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sig <- syscall.SIGHUP
	// The signal is handled by serve's loop: wait for its log line.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(errOut.String(), "credentials reloaded"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no reload logged after SIGHUP: %s", errOut.String())
		}
	}
	r = runCLI(t, map[string]string{"FJORD_TOKEN": "carol-secret", "FJORD_TLS_CA": ca.CertFile}, "", "topic", "list", "--brokers", addr)
	if r.code != 0 || !strings.Contains(r.stdout, "t1") {
		t.Errorf("topic list with the rotated token: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, map[string]string{"FJORD_TOKEN": "bob-secret", "FJORD_TLS_CA": ca.CertFile}, "", "topic", "list", "--brokers", addr)
	wantOneLineError(t, r, 1, "unknown bearer token")

	sig <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Errorf("serve exit code %d, stderr %s", code, errOut.String())
	}
}
