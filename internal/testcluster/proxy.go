package testcluster

import (
	"net"
	"sync"
	"testing"
	"time"
)

// SourceUnknown is the source of a proxied connection that comes from no
// known broker process (the test's own clients).
const SourceUnknown int32 = 0

// Proxy is a loopback TCP proxy in front of one broker port that injects
// network faults. Each accepted connection is forwarded to the target on
// a connection of its own; the proxy learns which broker dialed it (see
// connPeerPID) so faults can be one-sided per source, as in a network
// partition. Faults:
//
//   - blackhole (BlockFrom, BlockAll): bytes of matching connections, new
//     or open, are held in both directions — the sockets stay open and
//     silent, as when packets are dropped — until Unblock, which delivers
//     what was held;
//   - DropAll: every open connection is closed at once (peers see a reset
//     or EOF and reconnect through the proxy);
//   - SetDelay: every chunk is forwarded after a delay.
//
// Methods are safe for concurrent use. Close (run at test cleanup) ends
// every goroutine.
type Proxy struct {
	lis    net.Listener
	target string
	// identify names the source of an accepted connection (a broker id or
	// SourceUnknown).
	identify func(net.Conn) int32
	wg       sync.WaitGroup

	// mu guards the fields below.
	mu       sync.Mutex
	conns    map[*proxyConn]struct{}
	blockAll bool
	blocked  map[int32]bool
	delay    time.Duration
	// rules is closed and replaced whenever blocking changes, waking
	// forwarders that hold bytes.
	rules  chan struct{}
	closed bool
}

// proxyConn is one proxied connection.
type proxyConn struct {
	src            int32
	client, server net.Conn
	done           chan struct{}
	once           sync.Once
}

func (pc *proxyConn) close() {
	pc.once.Do(func() {
		close(pc.done)
		pc.client.Close()
		pc.server.Close()
	})
}

// NewProxy listens on a free 127.0.0.1 port and forwards to target. With
// identify nil every connection's source is SourceUnknown.
func NewProxy(t testing.TB, target string, identify func(net.Conn) int32) *Proxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if identify == nil {
		identify = func(net.Conn) int32 { return SourceUnknown }
	}
	p := &Proxy{lis: lis, target: target, identify: identify, conns: make(map[*proxyConn]struct{}),
		blocked: make(map[int32]bool), rules: make(chan struct{})}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's listen address.
func (p *Proxy) Addr() string { return p.lis.Addr().String() }

// Target is the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// BlockFrom blackholes connections from the given sources (replacing the
// previous set; BlockAll stays as it was).
func (p *Proxy) BlockFrom(srcs ...int32) {
	p.mu.Lock()
	p.blocked = make(map[int32]bool, len(srcs))
	for _, s := range srcs {
		p.blocked[s] = true
	}
	p.changedLocked()
	p.mu.Unlock()
}

// BlockAll blackholes every connection, the test's own included.
func (p *Proxy) BlockAll() {
	p.mu.Lock()
	p.blockAll = true
	p.changedLocked()
	p.mu.Unlock()
}

// Unblock ends every blackhole; held bytes are delivered.
func (p *Proxy) Unblock() {
	p.mu.Lock()
	p.blockAll = false
	p.blocked = make(map[int32]bool)
	p.changedLocked()
	p.mu.Unlock()
}

// SetDelay delays every forwarded chunk by d (0 for none).
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// DropAll closes every open connection.
func (p *Proxy) DropAll() {
	p.mu.Lock()
	conns := make([]*proxyConn, 0, len(p.conns))
	for pc := range p.conns {
		conns = append(conns, pc)
	}
	p.mu.Unlock()
	for _, pc := range conns {
		pc.close()
	}
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.lis.Close()
	p.DropAll()
	p.wg.Wait()
}

func (p *Proxy) changedLocked() {
	close(p.rules)
	p.rules = make(chan struct{})
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.lis.Accept()
		if err != nil {
			return // closed
		}
		src := p.identify(c)
		s, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			c.Close() // the target is down: like a refused connection
			continue
		}
		pc := &proxyConn{src: src, client: c, server: s, done: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			pc.close()
			return
		}
		p.conns[pc] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(pc, pc.server, pc.client)
		go p.pipe(pc, pc.client, pc.server)
	}
}

// pipe copies src to dst, holding bytes while pc is blackholed.
func (p *Proxy) pipe(pc *proxyConn, dst, src net.Conn) {
	defer p.wg.Done()
	defer func() {
		pc.close()
		p.mu.Lock()
		delete(p.conns, pc)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			delay, ok := p.pass(pc)
			if !ok {
				return
			}
			if delay > 0 {
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-pc.done:
					t.Stop()
					return
				}
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// pass waits until pc may forward; false means pc was closed meanwhile.
func (p *Proxy) pass(pc *proxyConn) (time.Duration, bool) {
	for {
		p.mu.Lock()
		blocked := p.blockAll || p.blocked[pc.src]
		rules, delay := p.rules, p.delay
		p.mu.Unlock()
		if !blocked {
			return delay, true
		}
		select {
		case <-rules:
		case <-pc.done:
			return 0, false
		}
	}
}
