package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/cluster"
)

// testCluster is n in-process brokers forming one controller quorum.
type testCluster struct {
	t    *testing.T
	srvs []*server.Server
	// stopped marks brokers shut down by stop (index id-1).
	stopped []bool
}

// startCluster starts n brokers and waits until every one is active.
func startCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	peers := make([]cluster.Peer, n)
	for i := range peers {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		peers[i] = cluster.Peer{ID: int32(i + 1), Addr: l.Addr().String()}
		l.Close()
	}
	tc := &testCluster{t: t, srvs: make([]*server.Server, n), stopped: make([]bool, n)}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tc.srvs[i], errs[i] = server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off",
				NodeID: int32(i + 1), RaftAddr: peers[i].Addr, Peers: peers,
				SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RaftTimeout: 200 * time.Millisecond,
				ControlledShutdownTimeout: 3 * time.Second, ShutdownTimeout: 5 * time.Second})
		}()
	}
	wg.Wait()
	for i, srv := range tc.srvs {
		if errs[i] != nil {
			t.Fatalf("server.New(%d): %v", i+1, errs[i])
		}
		served := make(chan error, 1)
		go func() { served <- srv.Serve() }()
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	tc.eventually("every broker to be active", func() bool {
		d, err := tc.admin().DescribeCluster(context.Background())
		if err != nil || len(d.GetRegisteredBrokers()) != n {
			return false
		}
		for _, b := range d.GetRegisteredBrokers() {
			if brokerState(b.GetState()) != "active" {
				return false
			}
		}
		return true
	})
	return tc
}

// addrs lists the running brokers' addresses for --brokers.
func (tc *testCluster) addrs() string {
	var out []string
	for i, srv := range tc.srvs {
		if !tc.stopped[i] {
			out = append(out, srv.Addr().String())
		}
	}
	return strings.Join(out, ",")
}

// admin returns an SDK admin on the running brokers, for test setup.
func (tc *testCluster) admin() *fjord.Admin {
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(strings.Split(tc.addrs(), ",")...))
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(func() { cl.Close() })
	return fjord.NewAdmin(cl)
}

// stop shuts broker id down (gracefully: controlled shutdown).
func (tc *testCluster) stop(id int32) {
	tc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tc.srvs[id-1].Shutdown(ctx); err != nil {
		tc.t.Fatalf("shutdown %d: %v", id, err)
	}
	tc.stopped[id-1] = true
}

// eventually polls cond every 20 ms for up to 30 s.
func (tc *testCluster) eventually(what string, cond func() bool) {
	tc.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tc.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replicas returns a partition's replica list.
func (tc *testCluster) replicas(topic string) []int32 {
	tc.t.Helper()
	var out []int32
	tc.eventually("topic "+topic+" to be described", func() bool {
		d, err := tc.admin().DescribeTopic(context.Background(), topic)
		if err != nil {
			return false
		}
		out = d.GetPartitions()[0].GetReplicas()
		return true
	})
	return out
}

// cli runs fjord against the running brokers.
func (tc *testCluster) cli(args ...string) cliResult {
	tc.t.Helper()
	return runCLI(tc.t, nil, "", append(args, "--brokers", tc.addrs())...)
}

// others returns the ids of 1..3 not in ids.
func others(ids ...int32) []int32 {
	var out []int32
	for id := int32(1); id <= 3; id++ {
		if !slices.Contains(ids, id) {
			out = append(out, id)
		}
	}
	return out
}

func csv(ids ...int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

func TestClusterStatusSingleBroker(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "a", "-p", "2")
	out := cli(t, addr, "", "cluster", "status")
	for _, re := range []string{`(?m)^CLUSTER ID\s+\S+$`, `(?m)^CONTROLLER\s+1$`, `(?m)^TOPICS\s+1$`, `(?m)^PARTITIONS\s+2$`, `(?m)^REASSIGNING\s+0$`,
		`(?m)^ID\s+STATE\s+EPOCH\s+ADDRESS\s+RACK$`, `(?m)^1\*\s+active\s+\d+\s+` + regexp.QuoteMeta(addr) + `\s+-$`,
		`(?m)^UNDER-REPLICATED PARTITIONS: 0$`, `(?m)^UNDER-MIN-ISR PARTITIONS: 0$`, `(?m)^OFFLINE PARTITIONS: 0$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("cluster status lacks %s:\n%s", re, out)
		}
	}
	var st jsonClusterStatus
	if err := json.Unmarshal([]byte(cli(t, addr, "", "cluster", "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.ControllerID != 1 || len(st.Brokers) != 1 || st.Brokers[0].State != "active" || st.Brokers[0].Epoch <= 0 ||
		st.OfflinePartitions == nil || len(st.OfflinePartitions) != 0 || st.Partitions != 2 {
		t.Errorf("cluster status --json: %+v", st)
	}
	// Nothing to elect on one broker; nothing is being reassigned.
	if out := cli(t, addr, "", "partition", "elect-leader", "--all"); out != "Every partition is led by its preferred replica\n" {
		t.Errorf("elect-leader --all: %q", out)
	}
	if out := cli(t, addr, "", "partition", "reassignments"); out != "No reassignment in progress\n" {
		t.Errorf("reassignments: %q", out)
	}
	if out := cli(t, addr, "", "partition", "reassignments", "--json"); out != "[]\n" {
		t.Errorf("reassignments --json: %q", out)
	}
}

func TestPartitionUsageErrors(t *testing.T) {
	b := "--brokers=" + closedAddr(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"partition", "elect-leader", b}, "give --topic T [--partition N] or --all"},
		{[]string{"partition", "elect-leader", "--all", "--topic", "t", b}, "mutually exclusive"},
		{[]string{"partition", "elect-leader", "--partition", "1", b}, "give --topic T [--partition N] or --all"},
		{[]string{"partition", "reassign", "--topic", "t", "--replicas", "1", b}, "--topic and --partition are required"},
		{[]string{"partition", "reassign", "--topic", "t", "-p", "0", b}, "give either --replicas or --cancel"},
		{[]string{"partition", "reassign", "--topic", "t", "-p", "0", "--replicas", "1", "--cancel", b}, "give either --replicas or --cancel"},
		{[]string{"partition", "reassign", "--topic", "t", "-p", "0", "--replicas", "one", b}, `invalid argument "one" for "--replicas"`},
		{[]string{"partition", "reassign", "--topic", "t", "-p", "-1", "--cancel", b}, "--partition must not be negative"},
		{[]string{"partition", "frob", b}, `unknown command "frob" for "fjord partition"`},
	} {
		wantOneLineError(t, runCLI(t, nil, "", tt.args...), 2, tt.want)
	}
}

func TestPartitionCommands(t *testing.T) {
	tc := startCluster(t, 3)
	if r := tc.cli("topic", "create", "m", "-p", "1", "-r", "2"); r.code != 0 {
		t.Fatalf("create: %q", r.stderr)
	}
	from := tc.replicas("m")
	a, b, c := from[0], from[1], others(from...)[0]
	if r := runCLI(t, nil, strings.Repeat("x\n", 20), "produce", "m", "--quiet", "--acks", "all", "--brokers", tc.addrs()); r.code != 0 {
		t.Fatalf("produce: %q", r.stderr)
	}

	// Errors first: nothing changes.
	r := tc.cli("partition", "reassign", "--topic", "m", "-p", "0", "--replicas", csv(a, 9))
	wantOneLineError(t, r, 1, "cannot reassign m-0: INVALID_REPLICA_ASSIGNMENT", "unknown broker 9")
	r = tc.cli("partition", "reassign", "--topic", "m", "-p", "0", "--replicas", csv(a, a))
	wantOneLineError(t, r, 1, "cannot reassign m-0: INVALID_REPLICA_ASSIGNMENT", "twice")
	r = tc.cli("partition", "reassign", "--topic", "m", "-p", "0", "--cancel")
	wantOneLineError(t, r, 1, "cannot cancel the reassignment of m-0: NO_REASSIGNMENT_IN_PROGRESS")
	r = tc.cli("partition", "reassign", "--topic", "nope", "-p", "0", "--replicas", "1")
	wantOneLineError(t, r, 1, "partition nope-0 does not exist")
	r = tc.cli("partition", "reassign", "--topic", "m", "-p", "4", "--replicas", "1")
	wantOneLineError(t, r, 1, "partition m-4 does not exist")
	r = tc.cli("partition", "reassignments", "--topic", "nope")
	wantOneLineError(t, r, 1, `topic "nope" does not exist`)
	r = tc.cli("partition", "elect-leader", "--topic", "nope")
	wantOneLineError(t, r, 1, `topic "nope" does not exist`)

	// Move [a,b] to [b,c].
	r = tc.cli("partition", "reassign", "--topic", "m", "-p", "0", "--replicas", csv(b, c))
	started := regexp.MustCompile(fmt.Sprintf(`^Reassigning m-0 to \[%d,%d\]: adding \[%d\], removing \[%d\] \(\d/2 target replicas in sync\)\n$`, b, c, c, a))
	done := fmt.Sprintf("Partition m-0 has replicas [%d,%d]\n", b, c)
	if r.code != 0 || (!started.MatchString(r.stdout) && r.stdout != done) {
		t.Fatalf("reassign: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	tc.eventually("the reassignment to complete", func() bool {
		return tc.cli("partition", "reassignments").stdout == "No reassignment in progress\n"
	})
	out := tc.cli("topic", "describe", "m").stdout
	// (Offsets are only filled in by the partition's leader.)
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^0\s+\d\s+\d+\s+\d+\s+\[%d,%d\]\s+\[\d,\d\]\s+-\s`, b, c)).MatchString(out) ||
		strings.Contains(out, "REASSIGNMENTS") {
		t.Errorf("describe after the move:\n%s", out)
	}
	if out := runCLI(t, nil, "", "consume", "m", "-n", "20", "--brokers", tc.addrs()); out.code != 0 || out.stdout != strings.Repeat("x\n", 20) {
		t.Errorf("consume after the move: %+v", out)
	}
	// Its new preferred replica b leads (the controller hands leadership
	// over when it completes; the election confirms it).
	tc.eventually("m-0's preferred replica to lead", func() bool {
		r := tc.cli("partition", "elect-leader", "--topic", "m", "--partition", "0")
		return r.code == 0 && regexp.MustCompile(fmt.Sprintf(`(?m)^m\s+0\s+%d\s+\d+\s+preferred leader$`, b)).MatchString(r.stdout)
	})

	// A reassignment onto a stopped broker stays in progress: list it,
	// describe it, elect (the preferred replica is down), cancel it.
	if r := tc.cli("topic", "create", "s", "-p", "1", "-r", "2"); r.code != 0 {
		t.Fatalf("create: %q", r.stderr)
	}
	sFrom := tc.replicas("s")
	down := others(sFrom...)[0]
	tc.stop(down)
	tc.eventually(fmt.Sprintf("broker %d to be reported down", down), func() bool {
		var st jsonClusterStatus
		r := tc.cli("cluster", "status", "--json")
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
			return false
		}
		for _, br := range st.Brokers {
			if br.ID == down {
				return br.State != "active" && st.ControllerID != down && st.ControllerID > 0
			}
		}
		return false
	})
	out = tc.cli("cluster", "status").stdout
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^%d\s+(fenced|shutting_down)\s+\d+\s+\S+\s+-$`, down)).MatchString(out) {
		t.Errorf("cluster status with broker %d down:\n%s", down, out)
	}

	r = tc.cli("partition", "reassign", "--topic", "s", "-p", "0", "--replicas", csv(down, sFrom[1]))
	want := fmt.Sprintf("Reassigning s-0 to [%d,%d]: adding [%d], removing [%d] (1/2 target replicas in sync)\n", down, sFrom[1], down, sFrom[0])
	if r.code != 0 || r.stdout != want {
		t.Fatalf("reassign onto a stopped broker: exit %d stdout %q want %q stderr %q", r.code, r.stdout, want, r.stderr)
	}
	out = tc.cli("partition", "reassignments").stdout
	row := fmt.Sprintf(`(?m)^s\s+0\s+\d\s+\[%d,%d,%d\]\s+\[%d,%d\]\s+\[%d\]\s+\[%d\]\s+\[\d,\d\]\s+1/2 target replicas in sync$`,
		down, sFrom[1], sFrom[0], down, sFrom[1], down, sFrom[0])
	if !regexp.MustCompile(`(?m)^TOPIC\s+PARTITION\s+LEADER\s+REPLICAS\s+TARGET\s+ADDING\s+REMOVING\s+ISR\s+PROGRESS$`).MatchString(out) ||
		!regexp.MustCompile(row).MatchString(out) {
		t.Errorf("reassignments:\n%s\nwant a row matching %s", out, row)
	}
	var js []jsonReassignment
	if err := json.Unmarshal([]byte(tc.cli("partition", "reassignments", "--json").stdout), &js); err != nil || len(js) != 1 ||
		js[0].Topic != "s" || !slices.Equal(js[0].AddingReplicas, []int32{down}) {
		t.Errorf("reassignments --json: %+v %v", js, err)
	}
	out = tc.cli("topic", "describe", "s").stdout
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^REASSIGNMENTS\n\s*PARTITION\s+TARGET\s+ADDING\s+REMOVING\s+PROGRESS\n0\s+\[%d,%d\]\s+\[%d\]\s+\[%d\]\s+1/2 target replicas in sync$`,
		down, sFrom[1], down, sFrom[0])).MatchString(out) || !regexp.MustCompile(`(?m)^REPLICAS\s+2$`).MatchString(out) ||
		!regexp.MustCompile(fmt.Sprintf(`(?m)^0\s+\d\s+\d+\s+\d+\s+\[%d,%d,%d\]\s+\S+\s+\[%d\]\s`, down, sFrom[1], sFrom[0], down)).MatchString(out) {
		t.Errorf("describe during the reassignment:\n%s", out)
	}
	out = tc.cli("cluster", "status").stdout
	if !regexp.MustCompile(`(?m)^REASSIGNING\s+1$`).MatchString(out) || regexp.MustCompile(`(?m)^UNDER-REPLICATED PARTITIONS: 0$`).MatchString(out) {
		t.Errorf("cluster status during the reassignment:\n%s", out)
	}

	r = tc.cli("partition", "elect-leader", "--topic", "s")
	wantOneLineError(t, r, 1, "preferred leader election failed for s-0: PREFERRED_LEADER_NOT_AVAILABLE")
	if !regexp.MustCompile(`(?m)^s\s+0\s+\d\s+\d+\s+failed: PREFERRED_LEADER_NOT_AVAILABLE$`).MatchString(r.stdout) {
		t.Errorf("elect-leader with the preferred replica down:\n%s", r.stdout)
	}

	r = tc.cli("partition", "reassign", "--topic", "s", "-p", "0", "--cancel")
	if want := fmt.Sprintf("Cancelled the reassignment of s-0; replicas [%s]\n", csv(sFrom...)); r.code != 0 || r.stdout != want {
		t.Fatalf("cancel: exit %d stdout %q want %q stderr %q", r.code, r.stdout, want, r.stderr)
	}
	if out := tc.cli("partition", "reassignments").stdout; out != "No reassignment in progress\n" {
		t.Errorf("reassignments after cancel: %q", out)
	}
}

func TestWriteTopicDescriptionReassignmentAndOffsetErrors(t *testing.T) {
	d := &fjordv1.TopicDescription{Name: "orders", TopicId: "id", Partitions: []*fjordv1.PartitionDescription{
		{Partition: 0, LeaderId: 1, LeaderEpoch: 3, PartitionEpoch: 7, Replicas: []int32{2, 3, 1}, Isr: []int32{2, 1},
			AddingReplicas: []int32{3}, RemovingReplicas: []int32{1}, OfflineReplicas: []int32{3}, HighWatermark: 5, LogEndOffset: 5, SizeBytes: 2048},
		{Partition: 1, LeaderId: 2, LeaderEpoch: 0, PartitionEpoch: 1, Replicas: []int32{2, 3}, Isr: []int32{2, 3},
			Error: &fjordv1.Error{Reason: "NOT_LEADER_OR_FOLLOWER", Message: "not the leader"}},
	}}
	var b strings.Builder
	writeTopicDescription(&b, d)
	want := `PARTITIONS
PARTITION  LEADER  LEADER-EPOCH  PARTITION-EPOCH  REPLICAS  ISR    OFFLINE  LOG-START  HW  LEO  SIZE
0          1       3             7                [2,3,1]   [2,1]  [3]      0          5   5    2.0KiB
1          2       0             1                [2,3]     [2,3]  -        -          -   -    -

OFFSETS UNAVAILABLE
partition 1: not the leader (NOT_LEADER_OR_FOLLOWER)

REASSIGNMENTS
PARTITION  TARGET  ADDING  REMOVING  PROGRESS
0          [2,3]   [3]     [1]       1/2 target replicas in sync
`
	out := b.String()
	if i := strings.Index(out, "PARTITIONS\nPARTITION"); i < 0 || out[i:] != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if !strings.Contains(out, "REPLICAS    2\n") {
		t.Errorf("replication factor during a reassignment:\n%s", out)
	}
}
