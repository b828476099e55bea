// Package e2e drives the web console in a real headless browser (Debian's
// chromium through playwright-core, see testdata/) against a running
// broker. It runs under `make test-ui`, which installs both; a plain
// `go test` skips it unless FJORD_UI_TEST=1.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
)

// node runs testdata/console.mjs for one phase.
func node(t *testing.T, base, phase, shot string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "console.mjs", phase)
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "FJORD_UI="+base, "FJORD_SHOT="+shot)
	out, err := cmd.CombinedOutput()
	t.Logf("node console.mjs %s:\n%s", phase, out)
	if err != nil {
		t.Fatalf("node console.mjs %s: %v", phase, err)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	if os.Getenv("FJORD_UI_TEST") != "1" {
		t.Skip("set FJORD_UI_TEST=1 to drive the console in chromium (make test-ui installs chromium and playwright-core)")
	}
	if _, err := os.Stat("testdata/node_modules/playwright-core"); err != nil {
		t.Fatal("testdata/node_modules/playwright-core is missing: run npm ci in server/console/e2e/testdata (make test-ui does)")
	}
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	base := "http://" + srv.HTTPAddr().String()
	shotDir := os.Getenv("FJORD_UI_SHOT_DIR")
	if shotDir == "" {
		shotDir = t.TempDir()
	}
	shot := filepath.Join(shotDir, "fjord-console-group.png")

	// The browser creates the topic.
	node(t, base, "create", "")

	// Ten records; a group consumes them and commits the first four.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(srv.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	prod, err := fjord.NewProducer(cl)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := prod.ProduceSync(ctx, &fjord.Record{Topic: "ui-orders", Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "order-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	prod.Close()
	gc, err := fjord.NewGroupConsumer(cl, "ui-billing", fjord.Topics("ui-orders"), fjord.ResetOffset(fjord.AtStart()), fjord.AutoCommit(false))
	if err != nil {
		t.Fatal(err)
	}
	var got []*fjord.Record
	for len(got) < 4 {
		recs, err := gc.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
	}
	if err := gc.CommitRecords(ctx, got[3]); err != nil {
		t.Fatal(err)
	}
	if err := gc.Close(); err != nil {
		t.Fatal(err)
	}

	// The browser finds the records, the lag, resets it.
	node(t, base, "verify", shot)
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}
