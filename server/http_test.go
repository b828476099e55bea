package server

import (
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/auth/authtest"
)

// TestHTTPErrorLogUsesBrokerLogger: a failed TLS handshake on the HTTP
// listener is logged through the broker's logger (at debug), not Go's
// default logger on stderr.
func TestHTTPErrorLogUsesBrokerLogger(t *testing.T) {
	ca := authtest.NewCA(t, "fjord")
	cert, key := ca.Issue(t, "broker")
	logs := &syncBuffer{}
	tb := startBroker(t, "", func(o *Options) {
		o.Auth = auth.Options{CertFile: cert, KeyFile: key}
		o.Logger, o.LogLevel = jsonLogger(logs), levelVar(slog.LevelDebug)
	})
	conn, err := net.Dial("tcp", tb.srv.HTTPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close() // EOF in the middle of the handshake
	handshake := func(m map[string]any) bool {
		msg, _ := m["msg"].(string)
		return strings.HasPrefix(msg, "http: TLS handshake error") && m["level"] == "DEBUG" && m["component"] == "http"
	}
	for i := 0; countLogs(t, logs, handshake) == 0; i++ {
		if i == 500 {
			t.Fatalf("no TLS handshake error in the broker's log:\n%s", logs.buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
