// Package testcluster starts Fjord brokers as real processes on loopback for
// process-level fault tests (kill -9, SIGSTOP, restart). Tests only.
package testcluster

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds ./cmd/fjord once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fjord-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "fjord")
		root, err := repoRoot()
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/fjord")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/fjord: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testcluster: no go.work above the working directory")
		}
		dir = parent
	}
}

// FreeAddr returns a free 127.0.0.1 port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Broker is one `fjord serve` process.
type Broker struct {
	t       testing.TB
	DataDir string
	Addr    string
	cmd     *exec.Cmd
	log     *bytes.Buffer
	exited  chan struct{}
}

// Start runs `fjord serve` with dataDir on a free loopback port and waits
// until it accepts connections. The process is killed at test cleanup.
func Start(t testing.TB, dataDir string) *Broker {
	t.Helper()
	b := &Broker{t: t, DataDir: dataDir, Addr: FreeAddr(t)}
	b.start()
	t.Cleanup(func() { b.Kill() })
	return b
}

func (b *Broker) start() {
	b.t.Helper()
	b.log = new(bytes.Buffer)
	b.cmd = exec.Command(Binary(b.t), "serve", "--data", b.DataDir, "--listen", b.Addr, "--http", "off")
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.exited = make(chan struct{})
	go func() {
		b.cmd.Wait()
		close(b.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", b.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-b.exited:
			b.t.Fatalf("fjord serve exited during start-up: %s\n%s", b.cmd.ProcessState, b.log)
		default:
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("fjord serve did not listen on %s within 60s:\n%s", b.Addr, b.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill sends SIGKILL and waits for the process to exit.
func (b *Broker) Kill() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.exited
}

// Stop sends SIGTERM (graceful shutdown) and waits for a clean exit.
func (b *Broker) Stop() {
	b.t.Helper()
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(60 * time.Second):
		b.t.Fatalf("fjord serve ignored SIGTERM for 60s:\n%s", b.log)
	}
	if !b.cmd.ProcessState.Success() {
		b.t.Fatalf("fjord serve exited with %s after SIGTERM:\n%s", b.cmd.ProcessState, b.log)
	}
}

// Restart starts the process again on the same address and data.
func (b *Broker) Restart() {
	b.t.Helper()
	b.start()
}

// Log returns what the process printed.
func (b *Broker) Log() string { return b.log.String() }
