package sdktest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
)

func TestMain(m *testing.M) {
	// The SDK promises that every goroutine it starts stops on Close, and
	// the broker that every goroutine stops on Shutdown.
	goleak.VerifyTestMain(m)
}

// testTimeout bounds every wait of a test: a hang fails the test instead of
// stalling the package.
const testTimeout = 15 * time.Second

// broker is a real in-process broker.
type broker struct {
	t      *testing.T
	srv    *server.Server
	dir    string
	served chan error
}

// startBroker starts a broker on dir (a fresh temporary directory if empty)
// and a new port; t.Cleanup shuts it down (a no-op if stop already did).
func startBroker(t *testing.T, dir string) *broker {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	srv, err := server.New(server.Options{DataDir: dir, ListenAddr: "127.0.0.1:0", HTTPAddr: "off"})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	b := &broker{t: t, srv: srv, dir: dir, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	t.Cleanup(b.stop)
	return b
}

func (b *broker) addr() string { return b.srv.Addr().String() }

// stop shuts the broker down gracefully and waits for Serve to return. It
// may be called more than once.
func (b *broker) stop() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := b.srv.Shutdown(ctx); err != nil {
		b.t.Errorf("Shutdown: %v", err)
	}
	if b.served == nil {
		return
	}
	select {
	case err := <-b.served:
		if err != nil {
			b.t.Errorf("Serve: %v", err)
		}
	case <-ctx.Done():
		b.t.Errorf("Serve did not return after Shutdown")
	}
	b.served = nil
}

// newClient returns a client seeded with addr, closed in t.Cleanup (after
// the producers and consumers built on it, which register later).
func newClient(t *testing.T, addr string, opts ...fjord.Opt) *fjord.Client {
	t.Helper()
	opts = append([]fjord.Opt{fjord.SeedBrokers(addr), fjord.RetryBackoff(fastBackoff)}, opts...)
	cl, err := fjord.NewClient(context.Background(), opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() {
		if err := cl.Close(); err != nil {
			t.Errorf("Client.Close: %v", err)
		}
	})
	return cl
}

// fastBackoff keeps retries quick in tests.
func fastBackoff(attempt int) time.Duration { return time.Duration(attempt) * 5 * time.Millisecond }

func newProducer(t *testing.T, cl *fjord.Client, opts ...fjord.ProducerOpt) *fjord.Producer {
	t.Helper()
	p, err := fjord.NewProducer(cl, opts...)
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Producer.Close: %v", err)
		}
	})
	return p
}

func newConsumer(t *testing.T, cl *fjord.Client, opts ...fjord.ConsumerOpt) *fjord.Consumer {
	t.Helper()
	c, err := fjord.NewConsumer(cl, opts...)
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func createTopic(t *testing.T, cl *fjord.Client, name string, partitions int32, configs map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := fjord.NewAdmin(cl).CreateTopic(ctx, name, partitions, 0, configs); err != nil {
		t.Fatalf("CreateTopic(%s): %v", name, err)
	}
}

// pollN polls until exactly n records arrived (failing on an error, on more
// than n, or when the test timeout passes).
func pollN(t *testing.T, c *fjord.Consumer, n int) []*fjord.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var out []*fjord.Record
	for len(out) < n {
		recs, err := c.Poll(ctx)
		out = append(out, recs...)
		if err != nil {
			t.Fatalf("Poll after %d of %d records: %v", len(out), n, err)
		}
	}
	if len(out) != n {
		t.Fatalf("polled %d records, want %d", len(out), n)
	}
	return out
}

// expectNoMore checks that a short poll returns nothing.
func expectNoMore(t *testing.T, c *fjord.Consumer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	recs, err := c.Poll(ctx)
	if len(recs) > 0 {
		t.Fatalf("unexpected extra records: first %s", describe(recs[0]))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Poll = %v, want the context deadline", err)
	}
}

func describe(r *fjord.Record) string {
	return fmt.Sprintf("%s/%d@%d key=%q value=%q", r.Topic, r.Partition, r.Offset, r.Key, r.Value)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// brokerPort returns the port of addr.
func brokerPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}
