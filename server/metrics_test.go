package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/group"
)

// scrape fetches tb's /metrics and returns every sample as
// `name{labels}` -> value.
func scrape(t *testing.T, tb *testBroker) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + tb.srv.HTTPAddr().String() + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %s: %s", resp.Status, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sample returns the value of the series whose name is name and whose
// labels include every label given as `k="v"`; ok is false if none.
func sample(samples map[string]float64, name string, labels ...string) (float64, bool) {
	for k, v := range samples {
		n, rest, _ := strings.Cut(k, "{")
		if n != name {
			continue
		}
		match := true
		for _, l := range labels {
			if !strings.Contains(rest, l) {
				match = false
			}
		}
		if match {
			return v, true
		}
	}
	return 0, false
}

func TestMetricsSingleBroker(t *testing.T) {
	tb := startBroker(t, "", func(o *Options) { o.PerPartitionMetrics = true })
	tb.createTopic("m", 2, nil)

	s := scrape(t, tb)
	if v, ok := sample(s, "fjord_controller_active"); !ok || v != 1 {
		t.Fatalf("fjord_controller_active = %v, %v; want 1", v, ok)
	}
	// Creating a topic elects no one.
	if v, ok := sample(s, "fjord_controller_partition_leader_changes_total"); !ok || v != 0 {
		t.Fatalf("fjord_controller_partition_leader_changes_total = %v, %v; want 0", v, ok)
	}
	before, _ := sample(s, "fjord_broker_topic_bytes_in_total", `topic="m"`)

	for i := range 5 {
		if r := tb.produceOne("m", 0, fjordv1.Acks_ACKS_ALL, batch(fmt.Sprint("v", i), "w")); r.GetError() != nil {
			t.Fatalf("produce: %v", r.GetError())
		}
	}
	if pr := tb.fetchOne(fetchReq("m", 0, 0)); pr.GetError() != nil || len(pr.GetBatches()) == 0 {
		t.Fatalf("fetch: %v", pr)
	}
	if perr, err := tb.commit(t, commitReq("mg", "", 0, "m", map[int32]int64{0: 4})); err != nil || perr[0] != nil {
		t.Fatalf("commit: %v %v", err, perr)
	}

	// The schema registry REST API shares the listener and is timed.
	if resp, err := http.Get("http://" + tb.srv.HTTPAddr().String() + "/subjects"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /subjects: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}

	s = scrape(t, tb)
	if v, ok := sample(s, "fjord_registry_http_request_duration_seconds_count", `method="GET"`, `code="200"`); !ok || v < 1 {
		t.Errorf("registry REST requests = %v, %v; want >= 1", v, ok)
	}
	in, ok := sample(s, "fjord_broker_topic_bytes_in_total", `topic="m"`)
	if !ok || in <= before {
		t.Fatalf("bytes in for topic m = %v (%v), was %v: want growth\n%v", in, ok, before, s)
	}
	if v, _ := sample(s, "fjord_broker_topic_records_in_total", `topic="m"`); v != 10 {
		t.Errorf("records in = %v, want 10", v)
	}
	if v, _ := sample(s, "fjord_broker_topic_bytes_out_total", `topic="m"`); v <= 0 {
		t.Errorf("bytes out = %v, want > 0", v)
	}
	for _, api := range []string{"Produce", "Fetch"} {
		if v, ok := sample(s, "fjord_broker_request_duration_seconds_count", `api="`+api+`"`); !ok || v < 1 {
			t.Errorf("latency histogram count for %s = %v, %v", api, v, ok)
		}
	}
	if _, ok := sample(s, "fjord_broker_request_duration_seconds_bucket", `api="Produce"`, `le="0.005"`); !ok {
		t.Errorf("no latency buckets for Produce")
	}
	if v, _ := sample(s, "fjord_broker_topic_log_size_bytes", `topic="m"`); v <= 0 {
		t.Errorf("topic log size = %v, want > 0", v)
	}
	if v, _ := sample(s, "fjord_broker_partition_log_size_bytes", `topic="m"`, `partition="0"`); v <= 0 {
		t.Errorf("partition log size = %v, want > 0", v)
	}
	if v, ok := sample(s, "fjord_broker_partitions_under_replicated"); !ok || v != 0 {
		t.Errorf("under replicated = %v, %v; want 0", v, ok)
	}
	if v, ok := sample(s, "fjord_group_lag", `group="mg"`, `topic="m"`); !ok || v != 6 {
		t.Errorf("group lag = %v, %v; want 6 (high watermark 10, committed 4)", v, ok)
	}

	// The consumer catches up: lag falls to 0.
	if perr, err := tb.commit(t, commitReq("mg", "", 0, "m", map[int32]int64{0: 10})); err != nil || perr[0] != nil {
		t.Fatalf("commit: %v %v", err, perr)
	}
	s = scrape(t, tb)
	if v, ok := sample(s, "fjord_group_lag", `group="mg"`, `topic="m"`); !ok || v != 0 {
		t.Errorf("group lag after committing the high watermark = %v, %v; want 0", v, ok)
	}
	if v, ok := sample(s, "fjord_group_partition_lag", `group="mg"`, `topic="m"`, `partition="0"`); !ok || v != 0 {
		t.Errorf("partition lag = %v, %v; want 0", v, ok)
	}
}

func TestMetricsUnderReplicated(t *testing.T) {
	bs := startCluster(t, 3, withHTTP)
	bs[0].createReplicated("ur", 1, 3, map[string]string{"min.insync.replicas": "3"})
	var leader int32
	deadline := time.Now().Add(20 * time.Second)
	for {
		pm := bs[0].partition("ur", 0)
		if pm.Leader > 0 && len(pm.ISR) == 3 {
			leader = pm.Leader
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("partition never got a full ISR: %+v", pm)
		}
		time.Sleep(20 * time.Millisecond)
	}
	lb := bs[leader-1]
	// acks=all completes after the followers' next fetch round, so the
	// leader has timed at least one.
	for {
		r := lb.produceOne("ur", 0, fjordv1.Acks_ACKS_ALL, batch("x"))
		if r.GetError() == nil {
			break
		}
		if !r.GetError().GetRetriable() || time.Now().After(deadline) {
			t.Fatalf("produce: %v", r.GetError())
		}
		time.Sleep(50 * time.Millisecond)
	}
	active := 0.0
	for _, b := range bs {
		v, _ := sample(scrape(t, b), "fjord_controller_active")
		active += v
	}
	if active != 1 {
		t.Errorf("active controllers across the cluster = %v, want 1", active)
	}
	s := scrape(t, lb)
	if v, _ := sample(s, "fjord_broker_partitions_under_replicated"); v != 0 {
		t.Fatalf("under replicated before stopping a follower = %v", v)
	}
	if v, _ := sample(s, "fjord_broker_partitions_leader"); v < 1 {
		t.Errorf("leader count on the leader = %v, want >= 1", v)
	}
	if v, _ := sample(s, "fjord_broker_request_duration_seconds_count", `api="ReplicaFetch"`); v < 1 {
		t.Errorf("no follower fetches timed on the leader")
	}
	// Per-partition series are off by default.
	if _, ok := sample(s, "fjord_broker_partition_log_size_bytes"); ok {
		t.Errorf("per-partition log size exported without PerPartitionMetrics")
	}
	follower := bs[leader%3]
	follower.stop()
	deadline = time.Now().Add(30 * time.Second)
	for {
		s := scrape(t, lb)
		ur, _ := sample(s, "fjord_broker_partitions_under_replicated")
		umi, _ := sample(s, "fjord_broker_partitions_under_min_isr")
		if ur >= 1 && umi >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("under replicated %v, under min isr %v after stopping broker %d", ur, umi, follower.srv.opts.NodeID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A scrape whose lag computation times out on a busy coordinator shard
// must not share its result with the shard's goroutine, which still runs
// the scrape's read later (run with -race).
func TestGroupLagsShardTimeout(t *testing.T) {
	tb := startBroker(t, "", groupOpts)
	tb.createTopic("m", 1, nil)
	for _, g := range []string{"g1", "g2", "g3", "g4"} {
		if perr, err := tb.commit(t, commitReq(g, "", 0, "m", map[int32]int64{0: 0})); err != nil || perr[0] != nil {
			t.Fatalf("commit: %v %v", err, perr)
		}
	}
	b := tb.srv.broker
	loaded, _ := b.coord.loadedShards()
	if len(loaded) == 0 {
		t.Fatal("no loaded coordinator shard")
	}
	// Hold every shard busy until the scrape gave up at its deadline (not
	// merely until the deadline: a shard freed at that instant could still
	// answer the scrape, and the test would depend on a race).
	lctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	release := make(chan struct{})
	var held sync.WaitGroup
	for _, sh := range loaded {
		started := make(chan struct{})
		held.Add(1)
		go func() {
			defer held.Done()
			_ = sh.do(context.Background(), func(*group.Shard, time.Time) (group.Output, error) {
				close(started)
				<-release
				return group.Output{}, nil
			})
		}()
		<-started
	}
	lags := b.groupLags(lctx)
	close(release)
	if len(lags) != 0 {
		t.Errorf("groupLags on busy shards = %v, want nothing", lags)
	}
	held.Wait()
	// The late reads have run by now; a scrape on idle shards sees the lag.
	if lags := b.groupLags(context.Background()); len(lags) != 4 {
		t.Errorf("groupLags = %v, want the 4 groups", lags)
	}
}
