package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/fjordlog/fjord/server"
)

// TestClusterLogLevel runs `fjord serve` at level info, turns debug on
// with `fjord cluster log-level debug` and checks a later call's debug
// completion line, request id included, reaches the log.
func TestClusterLogLevel(t *testing.T) {
	sigs := make(chan chan<- os.Signal, 1)
	started := make(chan *server.Server, 1)
	var out, errOut syncBuffer
	env := &cliEnv{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		lookupEnv: mapEnv(nil),
		notifySignals: func(c chan<- os.Signal) func() {
			sigs <- c
			return func() {}
		},
		exit:    func(code int) { t.Errorf("exit(%d)", code) },
		serving: func(s *server.Server) { started <- s },
	}
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-format", "json"}, env)
	}()
	sig := <-sigs
	var srv *server.Server
	select {
	case srv = <-started:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, errOut.String())
	}
	httpAddr := srv.HTTPAddr().String()

	if r := runCLI(t, nil, "", "cluster", "log-level", "--http-addr", httpAddr); r.code != 0 || r.stdout != "info\n" {
		t.Fatalf("log-level: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	cli(t, srv.Addr().String(), "", "topic", "list")
	if strings.Contains(errOut.String(), `"msg":"finished call"`) {
		t.Fatalf("debug line logged at level info:\n%s", errOut.String())
	}
	if r := runCLI(t, map[string]string{"FJORD_HTTP_ADDR": httpAddr}, "", "cluster", "log-level", "DEBUG"); r.code != 0 || r.stdout != "debug\n" {
		t.Fatalf("log-level DEBUG: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	cli(t, srv.Addr().String(), "", "topic", "list")
	logs := errOut.String()
	if !strings.Contains(logs, `"msg":"finished call"`) || !strings.Contains(logs, `"grpc.method":"ListTopics"`) || !strings.Contains(logs, `"request_id":"`) {
		t.Errorf("no debug completion line with a request id after log-level debug:\n%s", logs)
	}

	wantOneLineError(t, runCLI(t, nil, "", "cluster", "log-level", "loud"), 2, `invalid level "loud"`)
	wantOneLineError(t, runCLI(t, nil, "", "cluster", "log-level", "--http-addr", closedAddr(t), "info"), 1, "cannot reach the broker's HTTP listener")

	sig <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Errorf("serve exit code %d, stderr %s", code, errOut.String())
	}
}
