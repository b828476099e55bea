package cluster

import (
	"sync"
	"testing"
	"time"
)

// manualClock is a Clock that moves only when told; every Advance fires
// each live ticker at most once (like a real ticker dropping ticks).
type manualClock struct {
	mu      sync.Mutex // guards now and tickers
	now     time.Time
	tickers map[*manualTicker]struct{}
}

var _ Clock = (*manualClock)(nil)

func newManualClock() *manualClock {
	return &manualClock{now: time.Unix(1_700_000_000, 0), tickers: map[*manualTicker]struct{}{}}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) NewTicker(time.Duration) Ticker {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTicker{c: c, ch: make(chan time.Time, 1)}
	c.tickers[t] = struct{}{}
	return t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for t := range c.tickers {
		select {
		case t.ch <- c.now:
		default:
		}
	}
}

type manualTicker struct {
	c  *manualClock
	ch chan time.Time
}

func (t *manualTicker) C() <-chan time.Time { return t.ch }

func (t *manualTicker) Stop() {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	delete(t.c.tickers, t)
}

func TestLivenessSuspectHasShorterGrace(t *testing.T) {
	l := NewLiveness(2 * time.Second)
	t0 := time.Unix(100, 0)
	l.Reset(t0)
	l.Suspect(1, t0.Add(-time.Second))
	if l.Fresh(1, t0.Add(1500*time.Millisecond)) {
		t.Fatal("suspect still fresh 2.5s after it was last seen")
	}
	if !l.Fresh(2, t0.Add(1500*time.Millisecond)) {
		t.Fatal("other broker lost its grace")
	}
	l.Heartbeat(1, t0.Add(time.Second))
	if !l.Fresh(1, t0.Add(1500*time.Millisecond)) {
		t.Fatal("a heartbeat does not clear the suspicion")
	}
	l.Reset(t0.Add(10 * time.Second))
	if !l.Fresh(1, t0.Add(11*time.Second)) {
		t.Fatal("reset does not clear suspects")
	}
}
