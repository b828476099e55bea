package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
)

// startBroker runs a single-node broker in-process on a free loopback port
// with its data in a temporary directory, and returns its address.
func startBroker(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Options{
		DataDir:         t.TempDir(),
		ListenAddr:      "127.0.0.1:0",
		HTTPAddr:        "off",
		ShutdownTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv.Addr().String()
}

// cli runs fjord against the broker at addr and fails the test on error.
func cli(t *testing.T, addr, stdin string, args ...string) string {
	t.Helper()
	r := runCLI(t, nil, stdin, append(args, "--brokers", addr)...)
	if r.code != 0 {
		t.Fatalf("fjord %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("fjord %s: stderr %q", strings.Join(args, " "), r.stderr)
	}
	return r.stdout
}

// fields splits output lines into whitespace-separated fields.
func fields(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		rows = append(rows, strings.Fields(l))
	}
	return rows
}

func TestTopicCommands(t *testing.T) {
	addr := startBroker(t)

	out := cli(t, addr, "", "topic", "create", "orders", "-p", "3", "-c", "retention.ms=3600000")
	if want := "Created topic orders (partitions: 3, replication factor: 1)\n"; out != want {
		t.Errorf("create: %q, want %q", out, want)
	}
	cli(t, addr, "", "topic", "create", "audit")

	out = cli(t, addr, "", "topic", "list")
	want := [][]string{{"NAME", "PARTITIONS", "REPLICAS"}, {"audit", "1", "1"}, {"orders", "3", "1"}}
	if got := fields(out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("list:\n%s\nwant rows %v", out, want)
	}

	out = cli(t, addr, "", "topic", "describe", "orders")
	for _, w := range []string{"NAME        orders", "PARTITIONS  3", "REPLICAS    1",
		"PARTITION  LEADER  LEADER-EPOCH  PARTITION-EPOCH  REPLICAS  ISR  OFFLINE  LOG-START  HW  LEO  SIZE"} {
		if !strings.Contains(out, w) {
			t.Errorf("describe output lacks %q:\n%s", w, out)
		}
	}
	if !regexp.MustCompile(`(?m)^retention\.ms\s+3600000\s+topic$`).MatchString(out) {
		t.Errorf("describe does not show retention.ms=3600000 from the topic:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^2\s+1\s+\d+\s+\d+\s+\[1\]\s+\[1\]\s+-\s+0\s+0\s+0\s+\S+$`).MatchString(out) {
		t.Errorf("describe lacks partition 2's row:\n%s", out)
	}

	cli(t, addr, "", "topic", "alter", "orders", "-c", "retention.ms=60000", "-c", "segment.bytes=1048576")
	out = cli(t, addr, "", "topic", "describe", "orders")
	if !regexp.MustCompile(`(?m)^retention\.ms\s+60000\s+topic$`).MatchString(out) {
		t.Errorf("alter did not set retention.ms:\n%s", out)
	}
	cli(t, addr, "", "topic", "alter", "orders", "--delete-config", "retention.ms")
	out = cli(t, addr, "", "topic", "describe", "orders")
	if regexp.MustCompile(`(?m)^retention\.ms\s+60000`).MatchString(out) {
		t.Errorf("--delete-config kept retention.ms:\n%s", out)
	}

	if out = cli(t, addr, "", "topic", "add-partitions", "orders", "-p", "5"); out != "Topic orders now has 5 partitions\n" {
		t.Errorf("add-partitions: %q", out)
	}
	if out = cli(t, addr, "", "topic", "list"); !strings.Contains(out, "orders  5") {
		t.Errorf("list after add-partitions:\n%s", out)
	}

	if out = cli(t, addr, "", "topic", "delete", "orders", "audit"); out != "Deleted topic orders\nDeleted topic audit\n" {
		t.Errorf("delete: %q", out)
	}
	if out = cli(t, addr, "", "topic", "list"); len(fields(out)) != 1 {
		t.Errorf("list after delete:\n%s", out)
	}
}

func TestTopicErrors(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "dup")

	r := runCLI(t, nil, "", "topic", "create", "dup", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot create topic "dup": TOPIC_ALREADY_EXISTS`)
	r = runCLI(t, nil, "", "topic", "create", "bad", "-c", "retention.ms=soon", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot create topic "bad": INVALID_CONFIG`, "retention.ms")
	r = runCLI(t, nil, "", "topic", "alter", "dup", "-c", "no.such.key=1", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot alter topic "dup": INVALID_CONFIG`, "no.such.key")
	r = runCLI(t, nil, "", "topic", "add-partitions", "dup", "-p", "1", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot add partitions to topic "dup": INVALID_PARTITIONS`)

	cli(t, addr, "", "topic", "create", "tiny", "-c", "max.message.bytes=100")
	r = runCLI(t, nil, strings.Repeat("x", 300)+"\n", "produce", "tiny", "--brokers", addr)
	wantOneLineError(t, r, 1, `produce to "tiny" failed at line 1: MESSAGE_TOO_LARGE`)

	for _, args := range [][]string{
		{"topic", "describe", "nope"},
		{"topic", "delete", "nope"},
		{"topic", "alter", "nope", "-c", "retention.ms=1"},
		{"topic", "add-partitions", "nope", "-p", "2"},
		{"produce", "nope"},
		{"consume", "nope"},
		{"bench", "consume", "--topic", "nope"},
	} {
		r := runCLI(t, nil, "a\n", append(args, "--brokers", addr)...)
		wantOneLineError(t, r, 1, `topic "nope" does not exist`)
	}

	r = runCLI(t, nil, "", "topic", "delete", "dup", "nope", "nope2", "--brokers", addr)
	if r.stdout != "Deleted topic dup\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	wantOneLineError(t, r, 1, `topic "nope" does not exist; topic "nope2" does not exist`)

	r = runCLI(t, nil, "", "consume", "dup2", "--partition", "3", "--brokers", addr)
	wantOneLineError(t, r, 1, `topic "dup2" does not exist`)
}

func TestProduceConsume(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "events")

	out := cli(t, addr, "one\ntwo\n\nfour\n", "produce", "events")
	want := "Produced to partition 0 at offset 0\nProduced to partition 0 at offset 1\n" +
		"Produced to partition 0 at offset 2\nProduced to partition 0 at offset 3\n"
	if out != want {
		t.Errorf("produce: %q, want %q", out, want)
	}
	out = cli(t, addr, "k5:five\nk6:six:6\n", "produce", "events", "--key-separator", ":", "-H", "src=test", "-H", "n=2", "--acks", "leader", "--partition", "0")
	if !strings.HasSuffix(out, "at offset 5\n") {
		t.Errorf("produce with separator: %q", out)
	}
	if out = cli(t, addr, "x\ny\n", "produce", "events", "--quiet", "--compression", "gzip", "-k", "same"); out != "Produced 2 records to events\n" {
		t.Errorf("produce --quiet: %q", out)
	}

	if out = cli(t, addr, "", "consume", "events", "-n", "2"); out != "one\ntwo\n" {
		t.Errorf("consume -n 2: %q", out)
	}
	// Without -n it stops at the high watermark.
	if out = cli(t, addr, "", "consume", "events"); out != "one\ntwo\n\nfour\nfive\nsix:6\nx\ny\n" {
		t.Errorf("consume: %q", out)
	}
	out = cli(t, addr, "", "consume", "events", "--from", "4", "--format", `%t/%p/%o %k=%v [%h]\n`)
	want = "events/0/4 k5=five [src=test,n=2]\nevents/0/5 k6=six:6 [src=test,n=2]\nevents/0/6 same=x []\nevents/0/7 same=y []\n"
	if out != want {
		t.Errorf("consume --format:\n%q\nwant\n%q", out, want)
	}
	if out = cli(t, addr, "", "consume", "events", "--from", "latest"); out != "" {
		t.Errorf("consume --from latest: %q", out)
	}

	out = cli(t, addr, "", "consume", "events", "--from", "4", "-n", "1", "--json")
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("consume --json: %q: %v", out, err)
	}
	if rec["topic"] != "events" || rec["partition"] != 0.0 || rec["offset"] != 4.0 || rec["key"] != "k5" || rec["value"] != "five" {
		t.Errorf("consume --json: %s", out)
	}
	if ts, _ := rec["timestamp"].(float64); time.Since(time.UnixMilli(int64(ts))) > time.Hour {
		t.Errorf("timestamp %v is not recent", rec["timestamp"])
	}
	if hs := fmt.Sprint(rec["headers"]); hs != "[map[key:src value:test] map[key:n value:2]]" {
		t.Errorf("headers %s", hs)
	}

	r := runCLI(t, nil, "ok\nno-separator\n", "produce", "events", "--key-separator", "=", "--brokers", addr)
	wantOneLineError(t, r, 1, "line 1: no key separator")
}

func TestConsumeAllPartitions(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "multi", "-p", "3")
	for p := 0; p < 3; p++ {
		cli(t, addr, fmt.Sprintf("p%d-a\np%d-b\n", p, p), "produce", "multi", "--partition", fmt.Sprint(p))
	}
	out := cli(t, addr, "", "consume", "multi", "--format", `%p:%o:%v\n`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("consume all partitions: %q", out)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		seen[l] = true
	}
	for p := 0; p < 3; p++ {
		for o, s := range []string{"a", "b"} {
			if l := fmt.Sprintf("%d:%d:p%d-%s", p, o, p, s); !seen[l] {
				t.Errorf("missing %q in %q", l, out)
			}
		}
	}
	if out = cli(t, addr, "", "consume", "multi", "-p", "1"); out != "p1-a\np1-b\n" {
		t.Errorf("consume -p 1: %q", out)
	}
	r := runCLI(t, nil, "", "consume", "multi", "-p", "3", "--brokers", addr)
	wantOneLineError(t, r, 1, `topic "multi" has no partition 3 (it has 3)`)
	r = runCLI(t, nil, "x\n", "produce", "multi", "-p", "7", "--brokers", addr)
	wantOneLineError(t, r, 1, `topic "multi" has no partition 7 (it has 3)`)
}

func TestConsumeFromTimestamp(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "timed")

	// Produce with explicit timestamps through the SDK so the test does not
	// depend on the clock.
	ctx := context.Background()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	prod, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 1, 2, 15, 0, 0, 0, time.UTC)
	var recs []*fjord.Record
	for i := range 4 {
		recs = append(recs, &fjord.Record{Topic: "timed", Value: []byte(fmt.Sprint("v", i)), Timestamp: base.Add(time.Duration(i) * time.Minute)})
	}
	if err := prod.ProduceSync(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	if err := prod.Close(); err != nil {
		t.Fatal(err)
	}

	for _, from := range []string{"@2025-01-02T15:01:30Z", fmt.Sprint("@", base.Add(90*time.Second).UnixMilli()), "@2025-01-02T17:01:30+02:00"} {
		if out := cli(t, addr, "", "consume", "timed", "--from", from, "--format", `%o %T %v\n`); out != fmt.Sprintf("2 %d v2\n3 %d v3\n", base.Add(2*time.Minute).UnixMilli(), base.Add(3*time.Minute).UnixMilli()) {
			t.Errorf("--from %s: %q", from, out)
		}
	}
	if out := cli(t, addr, "", "consume", "timed", "--from", "@2030-01-01T00:00:00Z"); out != "" {
		t.Errorf("--from after every record: %q", out)
	}
}

func TestClusterInfo(t *testing.T) {
	addr := startBroker(t)
	// A dead seed before the live one does not matter.
	out := cli(t, closedAddr(t)+","+addr, "", "cluster", "info")
	if !regexp.MustCompile(`(?m)^CLUSTER ID\s+\S+`).MatchString(out) || !regexp.MustCompile(`(?m)^CONTROLLER\s+1$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^1\*\s+`+regexp.QuoteMeta(addr)+`\s+-$`).MatchString(out) {
		t.Errorf("cluster info:\n%s", out)
	}
}

func TestBench(t *testing.T) {
	addr := startBroker(t)
	// acks=all: every record is below the high watermark once produce returns,
	// so bench consume (which stops at the high watermark) sees all 500.
	out := cli(t, addr, "", "bench", "produce", "--topic", "b", "--records", "500", "--record-size", "64", "--partitions", "2", "--acks", "all", "--linger", "1ms", "--batch-bytes", "16384")
	final := regexp.MustCompile(`(?m)^500 records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, [\d.]+ ms 50th, [\d.]+ ms 95th, [\d.]+ ms 99th, [\d.]+ ms 99.9th\.$`)
	if !strings.HasPrefix(out, "Created topic b with 2 partitions\n") || !final.MatchString(out) {
		t.Errorf("bench produce:\n%s", out)
	}
	out = cli(t, addr, "", "bench", "consume", "--topic", "b")
	if !regexp.MustCompile(`(?m)^500 records consumed, 0.03 MB, [\d.]+ s, [\d.]+ records/sec \([\d.]+ MB/sec\)\.$`).MatchString(out) {
		t.Errorf("bench consume:\n%s", out)
	}
	out = cli(t, addr, "", "bench", "consume", "--topic", "b", "--records", "100")
	if !strings.HasPrefix(out, "100 records consumed") && !strings.Contains(out, "\n100 records consumed") {
		t.Errorf("bench consume --records 100:\n%s", out)
	}
	// A rate-limited run reuses the topic.
	out = cli(t, addr, "", "bench", "produce", "--topic", "b", "--records", "20", "--rate", "10000", "--partitions", "2")
	if !regexp.MustCompile(`(?m)^20 records sent`).MatchString(out) {
		t.Errorf("bench produce --rate:\n%s", out)
	}
}

// TestServe runs `fjord serve` in-process, uses the broker, and stops it with
// SIGTERM.
func TestServe(t *testing.T) {
	sigs := make(chan chan<- os.Signal, 1)
	started := make(chan *server.Server, 1)
	var out, errOut syncBuffer
	env := &cliEnv{
		stdin:     strings.NewReader(""),
		stdout:    &out,
		stderr:    &errOut,
		lookupEnv: mapEnv(map[string]string{"FJORD_LOG_LEVEL": "debug", "FJORD_HTTP": "off"}),
		notifySignals: func(c chan<- os.Signal) func() {
			sigs <- c
			return func() {}
		},
		exit:    func(code int) { t.Errorf("exit(%d)", code) },
		serving: func(s *server.Server) { started <- s },
	}
	data := t.TempDir()
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--data", data, "--listen", "127.0.0.1:0", "--log-format", "json"}, env)
	}()
	sig := <-sigs
	var srv *server.Server
	select {
	case srv = <-started:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, errOut.String())
	}
	addr := srv.Addr().String()
	cli(t, addr, "", "topic", "create", "s")
	if got := cli(t, addr, "", "topic", "list"); !strings.Contains(got, "s  ") {
		t.Errorf("list: %q", got)
	}

	sig <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Errorf("serve exit code %d, stderr %s", code, errOut.String())
	}
	if want := fmt.Sprintf("fjord 1 serving gRPC on %s, HTTP on off, data in %s\n", addr, data); out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	logs := errOut.String()
	if !strings.Contains(logs, `"msg":"shutting down"`) || !strings.Contains(logs, `"signal":"terminated"`) || !strings.Contains(logs, `"msg":"shutdown complete"`) {
		t.Errorf("logs lack the shutdown lines:\n%s", logs)
	}
}

// TestServeSecondSignal checks that a second signal during a slow graceful
// shutdown exits at once. An open produce stream keeps the shutdown waiting.
func TestServeSecondSignal(t *testing.T) {
	sigs := make(chan chan<- os.Signal, 1)
	started := make(chan *server.Server, 1)
	exited := make(chan int, 1)
	var errOut syncBuffer
	env := &cliEnv{
		stdin:  strings.NewReader(""),
		stdout: &syncBuffer{},
		stderr: &errOut,
		notifySignals: func(c chan<- os.Signal) func() {
			sigs <- c
			return func() {}
		},
		exit:    func(code int) { exited <- code },
		serving: func(s *server.Server) { started <- s },
	}
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--http", "off", "--shutdown-timeout", "1m"}, env)
	}()
	sig := <-sigs
	srv := <-started

	ctx := context.Background()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(srv.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cli(t, srv.Addr().String(), "", "topic", "create", "s")
	prod, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := prod.ProduceSync(ctx, &fjord.Record{Topic: "s", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}

	sig <- syscall.SIGTERM
	sig <- syscall.SIGINT
	if code := <-exited; code != 1 {
		t.Errorf("exit(%d), want exit(1)", code)
	}
	if code := <-done; code != 1 {
		t.Errorf("run returned %d", code)
	}
	if logs := errOut.String(); !strings.Contains(logs, "second signal, exiting at once") {
		t.Errorf("logs:\n%s", logs)
	}
	// Let the abandoned graceful shutdown finish.
	prod.Close()
	cl.Close()
	if err := srv.Shutdown(ctx); err != nil {
		t.Error(err)
	}
}
