package testcluster

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// BinaryEnv names an environment variable holding a prebuilt `fjord`
// binary to use instead of building ./cmd/fjord (for CI, or to test a
// binary built from a clean checkout while the tree is being edited).
const BinaryEnv = "FJORD_TEST_BINARY"

// Binary builds ./cmd/fjord once per test process (or takes $FJORD_TEST_BINARY)
// and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv(BinaryEnv); p != "" {
			buildPath = p
			if _, err := os.Stat(p); err != nil {
				buildErr = fmt.Errorf("$%s: %w", BinaryEnv, err)
			}
			return
		}
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

// FreeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return FreeAddrs(t, 1)[0]
}

// FreeAddrs returns n distinct 127.0.0.1 addresses whose ports were free a
// moment ago (all held open together, so none repeats).
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out[i] = l.Addr().String()
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a writing process and reading tests.
type syncBuffer struct {
	mu  sync.Mutex // guards b
	b   bytes.Buffer
	max int // keep at most max bytes (the newest); 0 = unbounded
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	if s.max > 0 && s.b.Len() > s.max {
		s.b.Next(s.b.Len() - s.max*3/4)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// maxLogBytes bounds what a Broker keeps of its process output.
const maxLogBytes = 4 << 20

// Broker is one `fjord serve` process; it keeps its data directory and
// addresses across restarts. Methods are meant for the test goroutine.
type Broker struct {
	t       testing.TB
	DataDir string
	// Addr is the gRPC listen address.
	Addr string
	// args are the flags after --data, --listen and --http.
	args []string

	// mu guards cmd, exited and expectExit.
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	// expectExit is set when the harness kills or stops the process, so an
	// exit of its own (a crash) can be reported.
	expectExit bool
	paused     bool
	// starts counts incarnations, for log markers.
	starts int
	log    *syncBuffer
}

// Start runs a single-node `fjord serve` with dataDir on a free loopback
// port and waits until it accepts connections. The process is killed at
// test cleanup.
func Start(t testing.TB, dataDir string) *Broker {
	t.Helper()
	b := newBroker(t, dataDir, FreeAddr(t), nil)
	b.start()
	t.Cleanup(b.cleanup)
	return b
}

func newBroker(t testing.TB, dataDir, addr string, args []string) *Broker {
	return &Broker{t: t, DataDir: dataDir, Addr: addr, args: args, log: &syncBuffer{max: maxLogBytes}}
}

// cleanup kills the process and reports a crash the test did not cause.
func (b *Broker) cleanup() {
	b.mu.Lock()
	crashed := b.cmd != nil && !b.expectExit && isClosed(b.exited)
	state := ""
	if b.cmd != nil && b.cmd.ProcessState != nil {
		state = b.cmd.ProcessState.String()
	}
	b.mu.Unlock()
	if crashed {
		b.t.Errorf("fjord serve (%s) exited on its own (%s):\n%s", b.Addr, state, tail(b.Log(), 16<<10))
	}
	b.Kill()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (b *Broker) start() {
	b.t.Helper()
	b.mu.Lock()
	if b.cmd != nil && !isClosed(b.exited) {
		b.mu.Unlock()
		b.t.Fatalf("fjord serve (%s) is still running", b.Addr)
	}
	b.starts++
	fmt.Fprintf(b.log, "=== testcluster: start #%d at %s ===\n", b.starts, time.Now().Format("15:04:05.000"))
	args := append([]string{"serve", "--data", b.DataDir, "--listen", b.Addr, "--http", "off"}, b.args...)
	cmd := exec.Command(Binary(b.t), args...)
	cmd.Stdout, cmd.Stderr = b.log, b.log
	if err := cmd.Start(); err != nil {
		b.mu.Unlock()
		b.t.Fatal(err)
	}
	exited := make(chan struct{})
	b.cmd, b.exited, b.expectExit, b.paused = cmd, exited, false, false
	b.mu.Unlock()
	go func() {
		cmd.Wait()
		close(exited)
	}()
	// Serving is announced on stdout once the listeners are bound; a dial
	// alone could reach another process that holds the port.
	marker := fmt.Sprintf("=== testcluster: start #%d ", b.starts)
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := b.Log()
		if i := strings.LastIndex(out, marker); i >= 0 && strings.Contains(out[i:], " serving gRPC on ") {
			c, err := net.DialTimeout("tcp", b.Addr, time.Second)
			if err == nil {
				c.Close()
				return
			}
		}
		select {
		case <-exited:
			b.t.Fatalf("fjord serve exited during start-up: %s\n%s", cmd.ProcessState, tail(b.Log(), 16<<10))
		default:
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("fjord serve did not listen on %s within 60s:\n%s", b.Addr, tail(b.Log(), 16<<10))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PID is the process id of the current incarnation, or 0 when it is not
// running.
func (b *Broker) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil || b.cmd.Process == nil || isClosed(b.exited) {
		return 0
	}
	return b.cmd.Process.Pid
}

// Running reports whether the process is alive (paused counts as alive).
func (b *Broker) Running() bool { return b.PID() != 0 }

// signal sends sig to a running process; expect marks the exit it may
// cause as the harness's doing.
func (b *Broker) signal(sig syscall.Signal, expect bool) (exited chan struct{}, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil || b.cmd.Process == nil || isClosed(b.exited) {
		return nil, false
	}
	if err := b.cmd.Process.Signal(sig); err != nil {
		return b.exited, false
	}
	if expect {
		b.expectExit = true
	}
	return b.exited, true
}

// Kill sends SIGKILL and waits for the process to exit. It does nothing
// when the process is not running.
func (b *Broker) Kill() {
	exited, ok := b.signal(syscall.SIGKILL, true)
	if !ok {
		return
	}
	<-exited
	b.mu.Lock()
	b.paused = false
	b.mu.Unlock()
}

// Stop sends SIGTERM (graceful shutdown: controlled shutdown, flush,
// checkpoints) and waits up to 60s for a clean exit. A paused process is
// resumed first.
func (b *Broker) Stop() {
	b.t.Helper()
	if err := b.awaitStop(b.terminate()); err != nil {
		b.t.Fatal(err)
	}
}

// terminate resumes a paused process and sends it SIGTERM; it returns the
// channel closed at exit (nil when the process was not running).
func (b *Broker) terminate() chan struct{} {
	b.mu.Lock()
	paused := b.paused
	b.mu.Unlock()
	if paused {
		b.Resume()
	}
	exited, _ := b.signal(syscall.SIGTERM, true)
	return exited
}

// awaitStop waits for the exit terminate started and checks it was clean.
func (b *Broker) awaitStop(exited chan struct{}) error {
	if exited == nil {
		return fmt.Errorf("fjord serve (%s) is not running", b.Addr)
	}
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		return fmt.Errorf("fjord serve (%s) ignored SIGTERM for 60s:\n%s", b.Addr, tail(b.Log(), 16<<10))
	}
	b.mu.Lock()
	state := b.cmd.ProcessState
	b.mu.Unlock()
	if !state.Success() {
		return fmt.Errorf("fjord serve (%s) exited with %s after SIGTERM:\n%s", b.Addr, state, tail(b.Log(), 16<<10))
	}
	return nil
}

// Pause stops the process with SIGSTOP: it keeps its sockets but answers
// nothing, like a long GC pause or a frozen VM.
func (b *Broker) Pause() {
	b.t.Helper()
	if _, ok := b.signal(sigStop, false); !ok {
		b.t.Fatalf("fjord serve (%s): SIGSTOP failed (not running?)", b.Addr)
	}
	b.mu.Lock()
	b.paused = true
	b.mu.Unlock()
	fmt.Fprintf(b.log, "=== testcluster: SIGSTOP at %s ===\n", time.Now().Format("15:04:05.000"))
}

// Resume continues a paused process with SIGCONT.
func (b *Broker) Resume() {
	b.t.Helper()
	fmt.Fprintf(b.log, "=== testcluster: SIGCONT at %s ===\n", time.Now().Format("15:04:05.000"))
	if _, ok := b.signal(sigCont, false); !ok {
		b.t.Fatalf("fjord serve (%s): SIGCONT failed (not running?)", b.Addr)
	}
	b.mu.Lock()
	b.paused = false
	b.mu.Unlock()
}

// Restart starts the process again on the same addresses and data.
func (b *Broker) Restart() {
	b.t.Helper()
	b.start()
}

// Log returns what the process printed (its newest 4 MiB, across restarts).
func (b *Broker) Log() string { return b.log.String() }

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}
