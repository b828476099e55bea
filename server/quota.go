package server

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/cluster"
)

// Client quotas: each broker limits the produce and fetch bytes of every
// (principal, client id) entity to the byte rate the cluster metadata
// resolves for it (cluster.Image.ResolveQuota, Kafka's precedence).
//
// Enforcement never drops data. A client over its quota is refused before
// anything is appended or read:
//   - Produce: RESOURCE_EXHAUSTED with ErrorInfo THROTTLING_QUOTA_EXCEEDED
//     and RetryInfo, the time until its rate is back under the quota.
//   - ProduceStream: the same per partition in the request's response
//     (retriable, retry_after_ms); the stream stays open. An acks=NONE
//     request, which gets no response, is delayed instead.
//   - Fetch: RESOURCE_EXHAUSTED with RetryInfo, like Produce.
//   - Subscribe: the stream waits before sending, as credit would.
//
// As in Kafka, the request that crosses the quota is served and the next
// ones wait, so one request's bytes is the most a client can be ahead.
// Replica fetches (ReplicaService) and internal topics are never limited.

// ReasonThrottlingQuotaExceeded is the ErrorInfo reason of a request
// refused because its client is over its byte-rate quota.
const ReasonThrottlingQuotaExceeded Reason = "THROTTLING_QUOTA_EXCEEDED"

// clientIDHeader is the request metadata key clients put their id in.
const clientIDHeader = "fjord-client-id"

// quotaBurst is how far ahead of its rate a client may be before it is
// refused. It absorbs the client's reaction time to a retry delay (the
// limiter does not credit idle time beyond it), and bounds the overshoot
// over any interval T to quotaBurst×rate plus one request.
const quotaBurst = 250 * time.Millisecond

// quotaLimiterCap bounds the limiters a broker keeps; past it, idle ones
// are dropped (an idle limiter holds no debt, so dropping it changes
// nothing).
const quotaLimiterCap = 10000

// rateLimiter is a byte-rate limiter by the generic cell rate algorithm
// (virtual scheduling): tat is when the bytes accepted so far would have
// finished at the quota's rate. A request is refused while tat is more
// than quotaBurst ahead of now, with the time until it no longer is.
//
// Why not Kafka's sampled windows (11 × 1 s) or golang.org/x/time/rate:
// the windows only approximate the rate (the throttle time is estimated
// from whole samples), and rate.Limiter refuses a reservation larger than
// its burst, while accept-then-throttle must take one request of any size
// into debt. GCRA is exact: over any interval T a client gets at most
// rate×(T+quotaBurst) + one request, and a client that retries when told
// gets the full rate, with O(1) state and a caller-supplied clock.
type rateLimiter struct {
	tat time.Time
}

// delay returns how long a request must wait at now under rate (0: go).
func (l *rateLimiter) delay(now time.Time, rate float64) time.Duration {
	if !l.tat.After(now.Add(quotaBurst)) {
		return 0
	}
	if d := l.tat.Sub(now) - quotaBurst; d > 0 {
		return d
	}
	return 0
}

// charge accounts n bytes sent at now under rate.
func (l *rateLimiter) charge(now time.Time, rate float64, n int) {
	if n <= 0 || rate <= 0 {
		return
	}
	if l.tat.Before(now) {
		l.tat = now
	}
	l.tat = l.tat.Add(time.Duration(float64(n) / rate * float64(time.Second)))
}

// quotaKind is what a quota limits.
type quotaKind string

const (
	quotaProduce quotaKind = "produce"
	quotaFetch   quotaKind = "fetch"
)

func (k quotaKind) key() string {
	if k == quotaProduce {
		return cluster.QuotaProducerByteRate
	}
	return cluster.QuotaConsumerByteRate
}

// quotaKey names one limiter: the kind and the caller's own user and client
// id in the parts its resolved entity has. Clients under a default entity
// get a limiter each; clients under a named user share the user's.
type quotaKey struct {
	kind         quotaKind
	user, client string
}

// quotaManager holds a broker's limiters. The zero value works.
type quotaManager struct {
	// now is the clock (nil: time.Now); tests replace it.
	now func() time.Time

	mu sync.Mutex // guards limiters
	// limiters by key; created on first use.
	limiters map[quotaKey]*rateLimiter

	// throttleTime counts the delays given to throttled requests
	// (fjord_broker_throttle_time_seconds_total{kind}); made on first use
	// from the broker's meter provider, nil without metrics.
	metricOnce   sync.Once
	throttleTime metric.Float64Counter
}

// quotaCaller is who a request comes from.
type quotaCaller struct {
	user, client string
}

func callerOf(ctx context.Context) quotaCaller {
	c := quotaCaller{user: auth.FromContext(ctx).String()}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get(clientIDHeader); len(v) > 0 {
			c.client = v[0]
		}
	}
	return c
}

// quotaCheck is the quota one request falls under.
type quotaCheck struct {
	key      quotaKey
	rate     float64
	entity   cluster.QuotaEntity
	limiting bool // false: no quota applies
}

func (q *quotaManager) clock() time.Time {
	if q.now != nil {
		return q.now()
	}
	return time.Now()
}

// resolve finds the quota of kind for ctx's caller in img.
func resolveQuota(img *cluster.Image, kind quotaKind, c quotaCaller) quotaCheck {
	rq, ok := img.ResolveQuota(c.user, c.client, kind.key())
	if !ok {
		return quotaCheck{}
	}
	k := quotaKey{kind: kind}
	if rq.Entity.User != "" {
		k.user = c.user
	}
	if rq.Entity.ClientID != "" {
		k.client = c.client
	}
	return quotaCheck{key: k, rate: rq.Value, entity: rq.Entity, limiting: true}
}

// admit returns 0 and charges n bytes when the request may go, or the
// delay until it may (charging nothing).
func (q *quotaManager) admit(qc quotaCheck, n int) time.Duration {
	if !qc.limiting {
		return 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock()
	l := q.limiterLocked(qc.key, now)
	if d := l.delay(now, qc.rate); d > 0 {
		return d
	}
	l.charge(now, qc.rate, n)
	return 0
}

// charge accounts n bytes already sent.
func (q *quotaManager) charge(qc quotaCheck, n int) {
	if !qc.limiting || n <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock()
	q.limiterLocked(qc.key, now).charge(now, qc.rate, n)
}

func (q *quotaManager) limiterLocked(k quotaKey, now time.Time) *rateLimiter {
	l, ok := q.limiters[k]
	if ok {
		return l
	}
	if q.limiters == nil {
		q.limiters = map[quotaKey]*rateLimiter{}
	}
	if len(q.limiters) >= quotaLimiterCap {
		for key, old := range q.limiters {
			if !old.tat.After(now) {
				delete(q.limiters, key)
			}
		}
	}
	l = &rateLimiter{}
	q.limiters[k] = l
	return l
}

// produceBytes is the size of a produce request's batches for user topics.
func produceBytes(img *cluster.Image, topics []*wirev1.ProduceTopicData) int {
	n := 0
	for _, td := range topics {
		if t, ok := img.Topic(td.GetTopic()); ok && t.Internal {
			continue
		}
		for _, pd := range td.GetPartitions() {
			n += batchesSize(pd.GetBatches())
		}
	}
	return n
}

// fetchBytes is the size of a fetch response's batches of user topics.
func fetchBytes(img *cluster.Image, resp *wirev1.FetchResponse) int {
	n := 0
	for _, tr := range resp.GetTopics() {
		if t, ok := img.Topic(tr.GetTopic()); ok && t.Internal {
			continue
		}
		for _, pr := range tr.GetPartitions() {
			n += batchesSize(pr.GetBatches())
		}
	}
	return n
}

// admitProduce charges a produce request to its caller's quota, or returns
// the delay to retry after and the quota that refused it.
func (b *broker) admitProduce(ctx context.Context, topics []*wirev1.ProduceTopicData) (time.Duration, quotaCheck) {
	img := b.ctl.image()
	qc := resolveQuota(img, quotaProduce, callerOf(ctx))
	if !qc.limiting {
		return 0, qc
	}
	d := b.quotas.admit(qc, produceBytes(img, topics))
	if d > 0 {
		b.throttled(quotaProduce, d)
	}
	return d, qc
}

// throttleProduceStatus refuses a unary produce over its quota.
func (b *broker) throttleProduceStatus(ctx context.Context, topics []*wirev1.ProduceTopicData) error {
	if d, qc := b.admitProduce(ctx, topics); d > 0 {
		return throttledStatus(qc, d)
	}
	return nil
}

// throttleProduceStream refuses a streamed produce over its quota: it
// returns the response topics, each partition carrying the throttling
// error, or nil when the request may be appended. An acks=NONE request
// (no response to carry the error) waits until under the quota instead.
func (b *broker) throttleProduceStream(ctx context.Context, acks fjordv1.Acks, topics []*wirev1.ProduceTopicData) ([]*fjordv1.ProduceTopicResponse, error) {
	for {
		d, qc := b.admitProduce(ctx, topics)
		if d == 0 {
			return nil, nil
		}
		if acks != fjordv1.Acks_ACKS_NONE {
			return throttledTopics(qc, d, topics), nil
		}
		if err := b.quotaWait(ctx, d); err != nil {
			return nil, err
		}
	}
}

// admitFetch refuses a fetch whose caller is over its quota; otherwise it
// returns the quota to charge the response to (fetchDone).
func (b *broker) admitFetch(ctx context.Context) (quotaCheck, error) {
	qc := resolveQuota(b.ctl.image(), quotaFetch, callerOf(ctx))
	if d := b.quotas.admit(qc, 0); d > 0 {
		b.throttled(quotaFetch, d)
		return qc, throttledStatus(qc, d)
	}
	return qc, nil
}

// fetchDone charges a fetch response to its caller's quota.
func (b *broker) fetchDone(qc quotaCheck, resp *wirev1.FetchResponse) {
	if qc.limiting && resp != nil {
		b.quotas.charge(qc, fetchBytes(b.ctl.image(), resp))
	}
}

// throttleSubscribe waits until a subscription's caller is under its fetch
// quota, then charges the n bytes about to be sent on topic.
func (b *broker) throttleSubscribe(ctx context.Context, topic string, n int) error {
	img := b.ctl.image()
	if t, ok := img.Topic(topic); ok && t.Internal {
		return nil
	}
	c := callerOf(ctx)
	for {
		qc := resolveQuota(img, quotaFetch, c)
		d := b.quotas.admit(qc, n)
		if d == 0 {
			return nil
		}
		b.throttled(quotaFetch, d)
		if err := b.quotaWait(ctx, d); err != nil {
			return err
		}
		img = b.ctl.image()
	}
}

// throttled records a throttled request's delay in the metrics.
func (b *broker) throttled(kind quotaKind, d time.Duration) {
	q := &b.quotas
	q.metricOnce.Do(func() {
		if b.metrics == nil {
			return
		}
		c, err := b.metrics.provider.Meter("github.com/fjordlog/fjord/server").Float64Counter("fjord.broker.throttle_time",
			metric.WithUnit("s"), metric.WithDescription("Retry delays given to requests refused or delayed by a client byte-rate quota, by kind (produce, fetch)."))
		if err == nil {
			q.throttleTime = c
		}
	})
	if q.throttleTime != nil {
		q.throttleTime.Add(context.Background(), d.Seconds(), metric.WithAttributes(attribute.String("kind", string(kind))))
	}
}

// quotaWait waits d, or until ctx ends or the broker shuts down.
func (b *broker) quotaWait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return toStatus(ctx.Err())
	case <-b.quit:
		return toStatus(errorf(ReasonBrokerShuttingDown, "broker is shutting down; reconnect to another broker"))
	}
}

func throttleMessage(qc quotaCheck, d time.Duration) string {
	return fmt.Sprintf("server: %s byte rate quota %.0f bytes/s of %s exceeded; retry in %s",
		qc.key.kind, qc.rate, qc.entity, d.Round(time.Millisecond))
}

func throttleMetadata(qc quotaCheck, d time.Duration) map[string]string {
	return map[string]string{
		"quota_entity":   qc.entity.String(),
		"quota_key":      qc.key.kind.key(),
		"quota":          strconv.FormatFloat(qc.rate, 'f', -1, 64),
		"retry_after_ms": strconv.FormatInt(retryMillis(d), 10),
	}
}

// retryMillis rounds d up, so a client waiting that long is under quota.
func retryMillis(d time.Duration) int64 {
	return int64(math.Ceil(float64(d) / float64(time.Millisecond)))
}

// throttledStatus is the RPC error of a request refused by qc for d.
func throttledStatus(qc quotaCheck, d time.Duration) error {
	st := status.New(codes.ResourceExhausted, throttleMessage(qc, d))
	if ds, err := st.WithDetails(
		&errdetails.ErrorInfo{Reason: string(ReasonThrottlingQuotaExceeded), Domain: errorDomain, Metadata: throttleMetadata(qc, d)},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(time.Duration(retryMillis(d)) * time.Millisecond)},
	); err == nil {
		st = ds
	}
	return st.Err()
}

// throttledTopics answers every partition of a refused produce request.
func throttledTopics(qc quotaCheck, d time.Duration, topics []*wirev1.ProduceTopicData) []*fjordv1.ProduceTopicResponse {
	out := make([]*fjordv1.ProduceTopicResponse, 0, len(topics))
	msg, md := throttleMessage(qc, d), throttleMetadata(qc, d)
	for _, td := range topics {
		tr := &fjordv1.ProduceTopicResponse{Topic: td.GetTopic()}
		for _, pd := range td.GetPartitions() {
			tr.Partitions = append(tr.Partitions, &fjordv1.ProducePartitionResponse{
				Partition: pd.GetPartition(), BaseOffset: -1, LastOffset: -1, LeaderId: -1,
				Error: &fjordv1.Error{Code: int32(codes.ResourceExhausted), Reason: string(ReasonThrottlingQuotaExceeded),
					Message: msg, Retriable: true, RetryAfterMs: int32(min(retryMillis(d), math.MaxInt32)), Metadata: md},
			})
		}
		out = append(out, tr)
	}
	return out
}
