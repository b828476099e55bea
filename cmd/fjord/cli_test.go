package main

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
)

// cliResult is what one in-process run of the fjord command printed.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs the root command with args and stdin, capturing its output.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &cliEnv{
		stdin:     strings.NewReader(stdin),
		stdout:    &out,
		stderr:    &errOut,
		lookupEnv: mapEnv(env),
		exit:      func(code int) { t.Errorf("exit(%d) called", code) },
	}
	code := run(context.Background(), args, e)
	return cliResult{stdout: out.String(), stderr: errOut.String(), code: code}
}

// wantOneLineError checks a failed run printed exactly one "fjord: " line
// on stderr containing every want.
func wantOneLineError(t *testing.T, r cliResult, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "fjord: ") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr is not one \"fjord: \" line: %q", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not contain %q", r.stderr, w)
		}
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUsageErrors(t *testing.T) {
	// Every case fails before contacting a broker; the broker address is
	// closed so an accidental connection attempt fails too.
	b := "--brokers=" + closedAddr(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate" for "fjord"`, "see 'fjord --help'"}},
		{"unknown subcommand", []string{"topic", "frob"}, []string{`unknown command "frob" for "fjord topic"`}},
		{"unknown flag", []string{"topic", "list", "--bogus", b}, []string{"unknown flag: --bogus", "see 'fjord topic list --help'"}},
		{"missing topic name", []string{"topic", "create", b}, []string{"fjord topic create needs exactly one argument, the topic name (got 0)"}},
		{"delete without names", []string{"topic", "delete", b}, []string{"fjord topic delete needs one or more topic names"}},
		{"bad partitions type", []string{"topic", "create", "t", "-p", "many", b}, []string{`invalid argument "many" for "-p, --partitions"`}},
		{"bad config pair", []string{"topic", "create", "t", "-c", "retention.ms", b}, []string{`invalid config "retention.ms": want key=value`}},
		{"alter nothing", []string{"topic", "alter", "t", b}, []string{"nothing to alter"}},
		{"add-partitions without total", []string{"topic", "add-partitions", "t", b}, []string{"--partitions TOTAL is required"}},
		{"bad acks", []string{"produce", "t", "--acks", "some", b}, []string{`invalid --acks "some"`}},
		{"bad compression", []string{"produce", "t", "--compression", "brotli", b}, []string{`invalid --compression "brotli"`}},
		{"key and separator", []string{"produce", "t", "--key", "k", "--key-separator", ":", b}, []string{"mutually exclusive"}},
		{"bad header", []string{"produce", "t", "-H", "novalue", b}, []string{`invalid header "novalue"`}},
		{"bad from", []string{"consume", "t", "--from", "yesterday", b}, []string{`invalid --from "yesterday"`}},
		{"bad format", []string{"consume", "t", "--format", "%q", b}, []string{"unknown verb %q"}},
		{"json and format", []string{"consume", "t", "--json", "--format", "%v", b}, []string{"mutually exclusive"}},
		{"bad broker address", []string{"topic", "list", "--brokers", "localhost"}, []string{`invalid broker address "localhost"`}},
		{"bad serve flag value", []string{"serve", "--log-level", "loud"}, []string{`invalid value "loud" for --log-level`}},
		{"serve with args", []string{"serve", "now"}, []string{`fjord serve takes no arguments, got "now"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantOneLineError(t, runCLI(t, nil, "", tt.args...), 2, tt.want...)
		})
	}
}

func TestBadEnvTimeout(t *testing.T) {
	r := runCLI(t, map[string]string{"FJORD_TIMEOUT": "soon"}, "", "topic", "list", "--brokers", closedAddr(t))
	wantOneLineError(t, r, 1, `FJORD_TIMEOUT: invalid value "soon"`)
}

func TestServeBadConfigFile(t *testing.T) {
	r := runCLI(t, map[string]string{"FJORD_CONFIG": "/nonexistent/fjord.yaml"}, "", "serve")
	wantOneLineError(t, r, 1, "FJORD_CONFIG: cannot read config file: /nonexistent/fjord.yaml")
}

func TestHelp(t *testing.T) {
	r := runCLI(t, nil, "")
	if r.code != 0 || !strings.Contains(r.stdout, "serve") || !strings.Contains(r.stdout, "consume") {
		t.Errorf("fjord with no args: code %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "", "topic")
	if r.code != 0 || !strings.Contains(r.stdout, "add-partitions") {
		t.Errorf("fjord topic: code %d stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, nil, "", "consume", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "%t topic") || !strings.Contains(r.stdout, "--brokers") {
		t.Errorf("consume --help: code %d stdout %q", r.code, r.stdout)
	}
}

func TestUnreachableBroker(t *testing.T) {
	addr := closedAddr(t)
	for _, args := range [][]string{
		{"topic", "list"},
		{"cluster", "info"},
		{"consume", "t", "-n", "1"},
		{"bench", "produce", "--records", "1"},
	} {
		r := runCLI(t, nil, "", append(args, "--brokers", addr, "--timeout", "5s")...)
		wantOneLineError(t, r, 1, "cannot reach broker at "+addr+": ", "connection refused")
	}
	// Through FJORD_BROKERS, with two seeds.
	addr2 := closedAddr(t)
	r := runCLI(t, map[string]string{"FJORD_BROKERS": addr + "," + addr2}, "", "topic", "list")
	wantOneLineError(t, r, 1, "cannot reach any broker at "+addr+","+addr2)
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, nil, "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "fjord ") || !strings.Contains(r.stdout, runtime.Version()) || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("fjord %v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runCLI(t, nil, "", "version", "extra")
	if r.code != 2 {
		t.Errorf("fjord version extra: exit %d, want 2 (usage)", r.code)
	}
}
