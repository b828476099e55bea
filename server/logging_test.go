package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/auth"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON log lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	data := b.buf.String()
	b.mu.Unlock()
	var out []map[string]any
	for l := range strings.Lines(data) {
		m := map[string]any{}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// jsonLogger logs JSON to w at every level; the broker filters by its
// LogLevel.
func jsonLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func levelVar(l slog.Level) *slog.LevelVar {
	v := new(slog.LevelVar)
	v.Set(l)
	return v
}

// findLog returns the first log line matching match, failing if none.
// Log lines of a call are written before its response is sent, except the
// logging interceptor's, written as the handler returns: also before.
func findLog(t *testing.T, logs *syncBuffer, match func(map[string]any) bool) map[string]any {
	t.Helper()
	for _, m := range logs.lines(t) {
		if match(m) {
			return m
		}
	}
	t.Fatalf("no matching log line in:\n%s", logs.buf.String())
	return nil
}

func countLogs(t *testing.T, logs *syncBuffer, match func(map[string]any) bool) int {
	n := 0
	for _, m := range logs.lines(t) {
		if match(m) {
			n++
		}
	}
	return n
}

func httpDo(t *testing.T, method, url, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestRequestIDsAndRuntimeLogLevel checks that calls get a request id
// (the caller's when sane) in their response headers and in their log
// lines, and that PUT /admin/log-level changes what is logged at once.
func TestRequestIDsAndRuntimeLogLevel(t *testing.T) {
	logs := &syncBuffer{}
	tb := startBroker(t, "", func(o *Options) { o.Logger = jsonLogger(logs) })
	base := "http://" + tb.srv.HTTPAddr().String()
	isCall := func(id string) func(map[string]any) bool {
		return func(m map[string]any) bool { return m["msg"] == "finished call" && m["request_id"] == id }
	}
	listTopics := func(id string) string {
		t.Helper()
		c := ctx(t)
		if id != "" {
			c = metadata.AppendToOutgoingContext(c, RequestIDHeader, id)
		}
		var hdr metadata.MD
		if _, err := tb.admin.ListTopics(c, &fjordv1.ListTopicsRequest{}, grpc.Header(&hdr)); err != nil {
			t.Fatalf("ListTopics: %v", err)
		}
		got := hdr.Get(RequestIDHeader)
		if len(got) != 1 || !saneRequestID(got[0]) {
			t.Fatalf("response header %s = %q, want one sane id", RequestIDHeader, got)
		}
		return got[0]
	}

	// Info (the default): a successful call's completion (debug) is not logged.
	if id := listTopics("quiet-1"); id != "quiet-1" {
		t.Fatalf("request id %q, want the caller's quiet-1", id)
	}
	if n := countLogs(t, logs, isCall("quiet-1")); n != 0 {
		t.Fatalf("%d debug lines logged at level info", n)
	}
	if resp, body := httpDo(t, "GET", base+logLevelPath, "", nil); resp.StatusCode != 200 || body != "info\n" {
		t.Fatalf("GET log level: %s %q", resp.Status, body)
	}
	if resp, body := httpDo(t, "PUT", base+logLevelPath, "loud", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"loud" is not one of`) {
		t.Fatalf("PUT loud: %s %q", resp.Status, body)
	}
	resp, body := httpDo(t, "PUT", base+logLevelPath, "DEBUG\n", map[string]string{"X-Request-Id": "lvl-1"})
	if resp.StatusCode != 200 || body != "debug\n" || resp.Header.Get("X-Request-Id") != "lvl-1" {
		t.Fatalf("PUT debug: %s %q, X-Request-Id %q", resp.Status, body, resp.Header.Get("X-Request-Id"))
	}
	if line := findLog(t, logs, func(m map[string]any) bool { return m["msg"] == "log level changed" }); line["request_id"] != "lvl-1" || line["to"] != "debug" {
		t.Errorf("level change logged as %v", line)
	}

	// Debug: the completion is logged with the request id.
	listTopics("loud-1")
	if n := countLogs(t, logs, isCall("loud-1")); n != 1 {
		t.Fatalf("%d completion lines for request loud-1, want 1", n)
	}
	gen := listTopics("")
	if n := countLogs(t, logs, isCall(gen)); n != 1 {
		t.Fatalf("%d completion lines for generated request id %q, want 1", n, gen)
	}
	bad := listTopics("has space")
	if bad == "has space" || countLogs(t, logs, isCall(bad)) != 1 {
		t.Fatalf("insane id replaced by %q; its completion lines: %d", bad, countLogs(t, logs, isCall(bad)))
	}

	// HTTP requests get ids too, echoed and logged.
	resp, _ = httpDo(t, "GET", base+"/healthz", "", map[string]string{"X-Request-Id": "http-1"})
	if resp.Header.Get("X-Request-Id") != "http-1" {
		t.Fatalf("X-Request-Id = %q, want http-1", resp.Header.Get("X-Request-Id"))
	}
	if line := findLog(t, logs, func(m map[string]any) bool {
		return m["msg"] == "finished http request" && m["request_id"] == "http-1"
	}); line["http.path"] != "/healthz" {
		t.Errorf("http log line %v", line)
	}
	resp, _ = httpDo(t, "GET", base+"/healthz", "", nil)
	if !saneRequestID(resp.Header.Get("X-Request-Id")) {
		t.Fatalf("generated X-Request-Id %q", resp.Header.Get("X-Request-Id"))
	}

	// Back to warn: nothing more at debug.
	httpDo(t, "PUT", base+logLevelPath, "warn", nil)
	listTopics("quiet-2")
	if n := countLogs(t, logs, isCall("quiet-2")); n != 0 {
		t.Fatalf("%d debug lines logged at level warn", n)
	}
}

func TestSaneRequestID(t *testing.T) {
	for id, want := range map[string]bool{
		"abc": true, "0af7651916cd43dd8448eb211c80319c": true, "a-b_c.d:e/f+g=": true,
		"": false, "has space": false, "new\nline": false, "é": false, strings.Repeat("a", maxRequestIDLen+1): false,
	} {
		if got := saneRequestID(id); got != want {
			t.Errorf("saneRequestID(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestLogLevelNeedsClusterRights checks that with ACLs on, a caller
// without rights can neither read nor change the log level, and a super
// user can.
func TestLogLevelNeedsClusterRights(t *testing.T) {
	tb := startBroker(t, "", aclOpts)
	url := "http://" + tb.srv.HTTPAddr().String() + logLevelPath
	for _, method := range []string{"GET", "PUT"} {
		if resp, body := httpDo(t, method, url, "debug", map[string]string{testPrincipalHeader: "User:alice"}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s as User:alice: %s %q, want 403", method, resp.Status, body)
		}
	}
	if tb.srv.level.Level() != slog.LevelInfo {
		t.Fatalf("level changed to %v by a denied request", tb.srv.level.Level())
	}
	if resp, body := httpDo(t, "PUT", url, "debug", map[string]string{testPrincipalHeader: "User:admin"}); resp.StatusCode != http.StatusOK || body != "debug\n" {
		t.Fatalf("PUT as User:admin: %s %q", resp.Status, body)
	}
}

// TestLogAttributesFromContext checks the attributes contextHandler adds:
// the request id, and the principal noted after authentication even on
// lines logged with the context from before it (the completion line).
func TestLogAttributesFromContext(t *testing.T) {
	logs := &syncBuffer{}
	logger := slog.New(newContextHandler(jsonLogger(logs).Handler(), levelVar(slog.LevelInfo)))
	outer := withRequestID(context.Background(), "r-1")
	logger.InfoContext(outer, "before auth")
	inner := auth.NewContext(outer, auth.User("alice"))
	notePrincipal(inner)
	logger.InfoContext(outer, "finished")
	logger.DebugContext(outer, "filtered")
	logger.InfoContext(auth.NewContext(context.Background(), auth.User("bob")), "no request")
	lines := logs.lines(t)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3: %v", len(lines), lines)
	}
	for i, want := range []map[string]any{
		{"msg": "before auth", "request_id": "r-1", "principal": nil},
		{"msg": "finished", "request_id": "r-1", "principal": "User:alice"},
		{"msg": "no request", "request_id": nil, "principal": "User:bob"},
	} {
		for k, v := range want {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v (%v)", i, k, lines[i][k], v, lines[i])
			}
		}
	}
}
