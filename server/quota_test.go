package server

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/cluster"
)

// manualClock is a settable clock for the quota manager.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRateLimiterRate drives the limiter with a client that sends as soon
// as it is told it may, for various request sizes: over 10 s it gets the
// quota within one request and quotaBurst, whatever its reaction time
// below quotaBurst.
func TestRateLimiterRate(t *testing.T) {
	const rate = 200 << 10
	for _, tc := range []struct {
		name     string
		req      int
		reaction time.Duration
	}{
		{"small requests", 1 << 10, 0},
		{"batches", 16 << 10, 0},
		{"large requests", 1 << 20, 0},
		{"slow client", 16 << 10, 50 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l rateLimiter
			start := time.Unix(1000, 0)
			now := start
			sent := 0
			for now.Sub(start) < 10*time.Second {
				if d := l.delay(now, rate); d > 0 {
					now = now.Add(d + tc.reaction)
					continue
				}
				l.charge(now, rate, tc.req)
				sent += tc.req
			}
			got := float64(sent) / 10
			lo, hi := 0.9*rate, rate*(1+quotaBurst.Seconds()/10)+float64(tc.req)/10
			if got < lo || got > hi {
				t.Fatalf("rate %.0f B/s, want in [%.0f, %.0f]", got, lo, hi)
			}
		})
	}
}

func TestRateLimiterDelay(t *testing.T) {
	var l rateLimiter
	now := time.Unix(1000, 0)
	if d := l.delay(now, 1000); d != 0 {
		t.Fatalf("fresh limiter delays %v", d)
	}
	// 2000 bytes at 1000 B/s: 2 s of debt; refused until quotaBurst before it is paid.
	l.charge(now, 1000, 2000)
	if d, want := l.delay(now, 1000), 2*time.Second-quotaBurst; d != want {
		t.Fatalf("delay %v, want %v", d, want)
	}
	if d := l.delay(now.Add(2*time.Second-quotaBurst), 1000); d != 0 {
		t.Fatalf("delay at the promised time = %v, want 0", d)
	}
	// Idle time is not credited beyond the burst.
	later := now.Add(time.Hour)
	l.charge(later, 1000, 1000)
	if d := l.delay(later, 1000); d != time.Second-quotaBurst {
		t.Fatalf("after an idle hour, delay %v, want %v", d, time.Second-quotaBurst)
	}
}

// TestQuotaKeys checks which callers share a limiter: a named user's
// quota is shared by its clients, a default entity gives each caller its
// own, and the caller comes from the authenticated principal and the
// fjord-client-id header.
func TestQuotaKeys(t *testing.T) {
	img, _, err := cluster.NewImage().Apply(1, cluster.AlterClientQuotasRecord(&cluster.AlterClientQuotas{Alterations: []cluster.QuotaAlteration{
		{Entity: cluster.QuotaEntity{User: "User:alice"}, Set: map[string]float64{cluster.QuotaProducerByteRate: 100}},
		{Entity: cluster.QuotaEntity{ClientID: cluster.QuotaDefault}, Set: map[string]float64{cluster.QuotaProducerByteRate: 50}},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	caller := func(user auth.Principal, client string) quotaCaller {
		ctx := auth.NewContext(metadata.NewIncomingContext(context.Background(), metadata.Pairs(clientIDHeader, client)), user)
		return callerOf(ctx)
	}
	a1 := resolveQuota(img, quotaProduce, caller(auth.User("alice"), "one"))
	a2 := resolveQuota(img, quotaProduce, caller(auth.User("alice"), "two"))
	if !a1.limiting || a1.rate != 100 || a1.key != a2.key || a1.key.user != "User:alice" || a1.key.client != "" {
		t.Fatalf("alice's clients: %+v and %+v, want one shared limiter at 100", a1, a2)
	}
	b1 := resolveQuota(img, quotaProduce, caller(auth.User("bob"), "one"))
	b2 := resolveQuota(img, quotaProduce, caller(auth.Anonymous, "two"))
	if b1.rate != 50 || b2.rate != 50 || b1.key == b2.key || b1.key.user != "" {
		t.Fatalf("default client: %+v and %+v, want a limiter each at 50", b1, b2)
	}
	if f := resolveQuota(img, quotaFetch, caller(auth.User("alice"), "one")); f.limiting {
		t.Fatalf("no fetch quota set, but %+v", f)
	}
}

func setQuota(t *testing.T, tb *testBroker, entity *fjordv1.QuotaEntity, key string, v float64) {
	t.Helper()
	resp, err := tb.admin.AlterClientQuotas(ctx(t), &fjordv1.AlterClientQuotasRequest{Alterations: []*fjordv1.ClientQuotaAlteration{{
		Entity: entity, Set: []*fjordv1.QuotaValue{{Key: key, Value: v}}}}})
	if err != nil || resp.GetError() != nil {
		t.Fatalf("AlterClientQuotas: %v %v", err, resp.GetError())
	}
}

func throttleDetails(t *testing.T, err error) (string, time.Duration) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.ResourceExhausted {
		t.Fatalf("error %v, want RESOURCE_EXHAUSTED", err)
	}
	var reason string
	var delay time.Duration = -1
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.RetryInfo:
			delay = d.GetRetryDelay().AsDuration()
		}
	}
	return reason, delay
}

// TestQuotaThrottlesUnaryCalls: over its quota, a client's Produce is
// refused with RESOURCE_EXHAUSTED, THROTTLING_QUOTA_EXCEEDED and a
// RetryInfo saying when it may go, and nothing is appended; Fetch alike;
// other clients are not affected.
func TestQuotaThrottlesUnaryCalls(t *testing.T) {
	tb := startBroker(t, "")
	clock := &manualClock{t: time.Unix(1000, 0)}
	tb.srv.broker.quotas.now = clock.now
	tb.createTopic("q", 1, nil)
	setQuota(t, tb, &fjordv1.QuotaEntity{ClientId: "slow"}, cluster.QuotaProducerByteRate, 1000)
	setQuota(t, tb, &fjordv1.QuotaEntity{ClientId: "slow"}, cluster.QuotaConsumerByteRate, 1000)
	slow := metadata.AppendToOutgoingContext(ctx(t), clientIDHeader, "slow")

	big := batch(string(make([]byte, 3000))) // key and value: ~6 KB, 6 s at 1000 B/s
	req := &fjordv1.ProduceRequest{Topics: []*fjordv1.ProduceTopicData{{Topic: "q", Partitions: []*fjordv1.ProducePartitionData{{Batches: []*fjordv1.RecordBatch{big}}}}}}
	if _, err := tb.produce.Produce(slow, req); err != nil {
		t.Fatalf("first produce (accepted, then throttled): %v", err)
	}
	_, err := tb.produce.Produce(slow, req)
	reason, delay := throttleDetails(t, err)
	if reason != string(ReasonThrottlingQuotaExceeded) || delay < 5*time.Second || delay > 7*time.Second {
		t.Fatalf("second produce: reason %q, retry delay %v; want %s and ~6 s less the burst", reason, delay, ReasonThrottlingQuotaExceeded)
	}
	if hw := tb.fetchOne(fetchReq("q", 0, 0)).GetHighWatermark(); hw != 1 {
		t.Fatalf("high watermark %d after one accepted and one refused produce, want 1", hw)
	}
	// Another client is not throttled.
	other := metadata.AppendToOutgoingContext(ctx(t), clientIDHeader, "other")
	if _, err := tb.produce.Produce(other, req); err != nil {
		t.Fatalf("produce without a quota: %v", err)
	}
	clock.advance(delay)
	if _, err := tb.produce.Produce(slow, req); err != nil {
		t.Fatalf("produce after the retry delay: %v", err)
	}

	if v, ok := sample(scrape(t, tb), "fjord_broker_throttle_time_seconds_total", `kind="produce"`); !ok || v < delay.Seconds()-0.001 {
		t.Fatalf("fjord_broker_throttle_time_seconds_total{kind=produce} = %v (%v), want at least %v", v, ok, delay.Seconds())
	}

	// Fetch: the first read (all three batches) is served, the next refused.
	if _, err := tb.fetch.Fetch(slow, fetchReq("q", 0, 0)); err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	_, err = tb.fetch.Fetch(slow, fetchReq("q", 0, 0))
	if reason, delay := throttleDetails(t, err); reason != string(ReasonThrottlingQuotaExceeded) || delay <= 0 {
		t.Fatalf("second fetch: reason %q, delay %v", reason, delay)
	}
}

// TestQuotasReplicated: a quota set through one broker is seen by all.
func TestQuotasReplicated(t *testing.T) {
	bs := startCluster(t, 3)
	setQuota(t, bs[2], &fjordv1.QuotaEntity{User: "alice", ClientId: cluster.QuotaDefault}, cluster.QuotaProducerByteRate, 4096)
	for _, tb := range bs {
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := tb.admin.DescribeClientQuotas(ctx(t), &fjordv1.DescribeClientQuotasRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if q := resp.GetQuotas(); len(q) == 1 && q[0].GetEntity().GetUser() == "User:alice" && q[0].GetEntity().GetClientId() == cluster.QuotaDefault &&
				q[0].GetValues()[0].GetValue() == 4096 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("broker %d describes %v", tb.srv.broker.id, resp)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Invalid quotas are refused with a reason.
	resp, err := bs[0].admin.AlterClientQuotas(ctx(t), &fjordv1.AlterClientQuotasRequest{Alterations: []*fjordv1.ClientQuotaAlteration{{
		Entity: &fjordv1.QuotaEntity{ClientId: "x"}, Set: []*fjordv1.QuotaValue{{Key: "request_percentage", Value: 5}}}}})
	if err != nil || resp.GetError().GetReason() != string(ReasonInvalidConfig) {
		t.Fatalf("unknown key: %v %v, want INVALID_CONFIG", err, resp.GetError())
	}
}

// TestQuotaDelaysSubscribe: a subscription over its fetch quota is not
// refused but waits before sending: three ~10 KB batches at 20 KB/s (one
// message each) take at least 0.75 s less scheduling slack, where without
// the quota they take milliseconds.
func TestQuotaDelaysSubscribe(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("s", 1, nil)
	setQuota(t, tb, &fjordv1.QuotaEntity{ClientId: "reader"}, cluster.QuotaConsumerByteRate, 20000)
	for range 3 {
		tb.produceOne("s", 0, fjordv1.Acks_ACKS_ALL, batch(string(make([]byte, 5000))))
	}
	stream, err := tb.fetch.Subscribe(metadata.AppendToOutgoingContext(ctx(t), clientIDHeader, "reader"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := stream.Send(&fjordv1.SubscribeRequest{Kind: &fjordv1.SubscribeRequest_Start{Start: &fjordv1.SubscribeStart{
		Topic: "s", Spec: fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST, Credit: &fjordv1.FlowControl{Bytes: 1 << 20, Records: 1}}}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetBatches()) != 1 || resp.GetNextOffset() != int64(i+1) {
			t.Fatalf("message %d: %d batches, next offset %d", i, len(resp.GetBatches()), resp.GetNextOffset())
		}
		if err := stream.Send(&fjordv1.SubscribeRequest{Kind: &fjordv1.SubscribeRequest_Credit{Credit: &fjordv1.FlowControl{Records: 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 700*time.Millisecond {
		t.Fatalf("three 10 KB messages at 20 KB/s took %v, want at least ~0.75 s", el)
	}
	stream.CloseSend()
}
