package testcluster

import (
	"bufio"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// echoServer echoes every line back until closed at cleanup.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// roundTrip sends line and waits up to timeout for it to come back.
func roundTrip(c net.Conn, r *bufio.Reader, line string, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	c.SetDeadline(start.Add(timeout))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return 0, err
	}
	got, err := r.ReadString('\n')
	if err == nil && got != line+"\n" {
		return 0, io.ErrUnexpectedEOF
	}
	return time.Since(start), err
}

func TestProxyFaults(t *testing.T) {
	const src = 7
	p := NewProxy(t, echoServer(t), func(net.Conn) int32 { return src })
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if _, err := roundTrip(c, r, "hello", time.Second); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}

	// A blackhole holds bytes without closing anything.
	p.BlockFrom(3, src)
	if _, err := roundTrip(c, r, "held", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("blackholed round trip: %v, want a timeout", err)
	}
	p.BlockFrom(3) // other sources only
	c.SetDeadline(time.Now().Add(time.Second))
	if got, err := r.ReadString('\n'); err != nil || got != "held\n" {
		t.Fatalf("after unblocking: %q %v, want the held line", got, err)
	}

	// Delay applies to each direction.
	p.SetDelay(100 * time.Millisecond)
	if d, err := roundTrip(c, r, "slow", time.Second); err != nil || d < 180*time.Millisecond {
		t.Fatalf("delayed round trip took %s (%v), want >= 200ms", d, err)
	}
	p.SetDelay(0)

	// BlockAll holds new connections too.
	p.BlockAll()
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	r2 := bufio.NewReader(c2)
	if _, err := roundTrip(c2, r2, "new", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("round trip on a new connection during BlockAll: %v, want a timeout", err)
	}
	p.Unblock()
	c2.SetDeadline(time.Now().Add(time.Second))
	if got, err := r2.ReadString('\n'); err != nil || got != "new\n" {
		t.Fatalf("after Unblock: %q %v", got, err)
	}

	// DropAll closes open connections; new ones work.
	p.DropAll()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := r.ReadString('\n'); err == nil || isTimeout(err) {
		t.Fatalf("read after DropAll: %v, want the connection closed", err)
	}
	c3, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if _, err := roundTrip(c3, bufio.NewReader(c3), "again", time.Second); err != nil {
		t.Fatalf("new connection after DropAll: %v", err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestProxyIdentifiesDialer checks the /proc lookup that tells brokers
// apart: a connection this test process dials is attributed to its pid.
func TestProxyIdentifiesDialer(t *testing.T) {
	if !canIdentifyPeers() {
		t.Skip("needs /proc/net/tcp (Linux)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	self := os.Getpid()
	if pid, ok := connPeerPID(s, []int{1, self}); !ok || pid != self {
		t.Fatalf("connPeerPID = %d, %v; want this process (%d)", pid, ok, self)
	}
	if _, ok := connPeerPID(s, []int{1}); ok {
		t.Fatalf("connPeerPID attributed the connection to pid 1")
	}
}
