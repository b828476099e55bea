package fjord_test

import (
	"context"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/fjordfake"
)

// fastBackoff keeps retry tests quick; it is not a timing assertion.
func fastBackoff(int) time.Duration { return time.Millisecond }

func newCluster(t *testing.T, brokers int, topics map[string]int32, opts ...fjord.Opt) (*fjordfake.Cluster, *fjord.Client) {
	t.Helper()
	fc, err := fjordfake.New(brokers)
	if err != nil {
		t.Fatal(err)
	}
	for name, n := range topics {
		if err := fc.CreateTopic(name, n); err != nil {
			t.Fatal(err)
		}
	}
	opts = append([]fjord.Opt{fjord.SeedBrokers(fc.Addrs()[0]), fjord.RetryBackoff(fastBackoff)}, opts...)
	cl, err := fjord.NewClient(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cl.Close()
		fc.Close()
	})
	return fc, cl
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// consumeN polls until n records arrived from the given partitions.
func consumeN(t *testing.T, cl *fjord.Client, n int, topic string, partitions ...int32) []*fjord.Record {
	t.Helper()
	cons, err := fjord.NewConsumer(cl, fjord.FetchMaxWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	for _, p := range partitions {
		cons.Assign(topic, p, fjord.AtStart())
	}
	ctx := testCtx(t)
	var out []*fjord.Record
	for len(out) < n {
		recs, err := cons.Poll(ctx)
		if err != nil {
			t.Fatalf("poll after %d records: %v", len(out), err)
		}
		out = append(out, recs...)
	}
	return out
}
