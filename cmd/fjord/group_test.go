package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func TestGroupUsageErrors(t *testing.T) {
	// Every case fails before contacting a broker.
	b := "--brokers=" + closedAddr(t)
	const which = "--to-earliest, --to-latest, --to-offset N, --to-datetime T or --shift-by N"
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"group", "frob", b}, []string{`unknown command "frob" for "fjord group"`}},
		{[]string{"group", "describe", b}, []string{"fjord group describe needs exactly one argument, the group id (got 0)"}},
		{[]string{"group", "delete", b}, []string{"fjord group delete needs one or more group ids"}},
		{[]string{"group", "list", "--state", "sleepy", b}, []string{`invalid --state "sleepy": want one of empty, assigning, reconciling, stable, dead`}},
		{[]string{"group", "list", "extra", b}, []string{`fjord group list takes no arguments, got "extra"`}},
		{[]string{"group", "reset", "g", b}, []string{"where to? give one of " + which, "see 'fjord group reset --help'"}},
		{[]string{"group", "reset", "g", "--to-earliest", "--to-latest", b}, []string{"--to-earliest and --to-latest are mutually exclusive: give exactly one of " + which}},
		{[]string{"group", "reset", "g", "--to-offset", "3", "--shift-by", "-1", "--to-datetime", "2025-01-02T15:04:05Z", b},
			[]string{"--to-offset and --to-datetime and --shift-by are mutually exclusive"}},
		{[]string{"group", "reset", "g", "--to-earliest=false", b}, []string{"--to-earliest=false: give one of"}},
		{[]string{"group", "reset", "g", "--to-offset", "-5", b}, []string{"--to-offset must not be negative"}},
		{[]string{"group", "reset", "g", "--to-offset", "five", b}, []string{`invalid argument "five" for "--to-offset"`}},
		{[]string{"group", "reset", "g", "--shift-by", "1.5", b}, []string{`invalid argument "1.5" for "--shift-by"`}},
		{[]string{"group", "reset", "g", "--to-datetime", "yesterday", b},
			[]string{`invalid --to-datetime "yesterday": want RFC3339 (2006-01-02T15:04:05Z or 2006-01-02T15:04:05+02:00) or local time 2006-01-02T15:04:05`}},
		{[]string{"group", "reset", "g", "--to-datetime", "2025-01-02 15:04:05", b}, []string{`invalid --to-datetime "2025-01-02 15:04:05"`}},
		{[]string{"group", "reset", "g", "--to-latest", "--topic", "t:x", b}, []string{`invalid --topic "t:x": invalid partition "x" (want TOPIC or TOPIC:PARTITION[,PARTITION...])`}},
		{[]string{"group", "reset", "g", "--to-latest", "--topic", ":1", b}, []string{`invalid --topic ":1": no topic name`}},
		{[]string{"group", "reset", "g", "--to-latest", "--topic", "t:3-1", b}, []string{`invalid partition "3-1"`}},
		{[]string{"group", "reset", "--to-latest", b}, []string{"fjord group reset needs exactly one argument, the group id (got 0)"}},
		{[]string{"consume", "t", "--instance-id", "i", b}, []string{"--instance-id needs --group", "see 'fjord consume --help'"}},
		{[]string{"consume", "t", "--from-beginning", b}, []string{"--from-beginning needs --group"}},
		{[]string{"consume", "t", "--assignor", "range", b}, []string{"--assignor needs --group"}},
		{[]string{"consume", "t", "--group", "", b}, []string{"--group must not be empty"}},
		{[]string{"consume", "t", "--group", "g", "--from", "5", b}, []string{"--from does not apply with --group"}},
		{[]string{"consume", "t", "-g", "g", "-p", "0", b}, []string{"--partition does not apply with --group"}},
		{[]string{"consume", "t", "-g", "g", "--json", "--format", "%v", b}, []string{"mutually exclusive"}},
	} {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			wantOneLineError(t, runCLI(t, nil, "", tt.args...), 2, tt.want...)
		})
	}
}

func TestGroupHelp(t *testing.T) {
	r := runCLI(t, nil, "", "group")
	for _, sub := range []string{"list", "describe", "reset", "delete"} {
		if r.code != 0 || !strings.Contains(r.stdout, sub) {
			t.Errorf("fjord group lacks %s: code %d stdout %q", sub, r.code, r.stdout)
		}
	}
	r = runCLI(t, nil, "", "group", "reset", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--execute") || !strings.Contains(r.stdout, "dry run") {
		t.Errorf("group reset --help: code %d stdout %q", r.code, r.stdout)
	}
}

func TestParseTopicSpecs(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{nil, "[]"},
		{[]string{"orders"}, "[orders:[]]"},
		{[]string{"orders:2,0"}, "[orders:[0 2]]"},
		{[]string{"orders:0-2,5", "audit"}, "[orders:[0 1 2 5] audit:[]]"},
		{[]string{"orders:1", "orders:0,1"}, "[orders:[0 1]]"},
		// A topic named whole anywhere means all of its partitions.
		{[]string{"orders:1", "orders"}, "[orders:[]]"},
		{[]string{"orders:9998-9999"}, "[orders:[9998 9999]]"},
	} {
		got, err := parseTopicSpecs(tt.in)
		if err != nil {
			t.Errorf("parseTopicSpecs(%q): %v", tt.in, err)
			continue
		}
		var s []string
		for _, tp := range got {
			s = append(s, fmt.Sprintf("%s:%v", tp.GetTopic(), tp.GetPartitions()))
		}
		if fmt.Sprint("[", strings.Join(s, " "), "]") != tt.want {
			t.Errorf("parseTopicSpecs(%q) = %v, want %s", tt.in, s, tt.want)
		}
	}
	for _, bad := range []string{"", ":0", "t:", "t:-1", "t:1,", "t:a-b", "t:2-1", "t:99999999999", "t:0-2147483647", "t:10000"} {
		if _, err := parseTopicSpecs([]string{bad}); err == nil {
			t.Errorf("parseTopicSpecs(%q): no error", bad)
		}
	}
}

func TestParseResetTime(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"2025-01-02T15:04:05Z", time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"2025-01-02T15:04:05+02:00", time.Date(2025, 1, 2, 13, 4, 5, 0, time.UTC)},
		{"2025-01-02T15:04:05.250Z", time.Date(2025, 1, 2, 15, 4, 5, 250e6, time.UTC)},
		// Without a zone: local time (loc here).
		{"2025-01-02T15:04:05", time.Date(2025, 1, 2, 13, 4, 5, 0, time.UTC)},
		{"2025-01-02T15:04:05.5", time.Date(2025, 1, 2, 13, 4, 5, 500e6, time.UTC)},
	} {
		got, err := parseResetTime(tt.in, loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseResetTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2025-01-02", "15:04:05", "2025-01-02 15:04:05", "1700000000000", "2025-13-02T15:04:05"} {
		if _, err := parseResetTime(bad, loc); err == nil {
			t.Errorf("parseResetTime(%q): no error", bad)
		}
	}
}

func TestCompactPartitions(t *testing.T) {
	tps := func(kv ...any) []*fjordv1.TopicPartitions {
		var out []*fjordv1.TopicPartitions
		for i := 0; i < len(kv); i += 2 {
			out = append(out, &fjordv1.TopicPartitions{Topic: kv[i].(string), Partitions: kv[i+1].([]int32)})
		}
		return out
	}
	for _, tt := range []struct {
		in   []*fjordv1.TopicPartitions
		want string
	}{
		{nil, "-"},
		{tps("orders", []int32{5, 0, 2, 1}), "orders[0-2,5]"},
		{tps("orders", []int32{0, 1}), "orders[0,1]"},
		{tps("orders", []int32{7}, "audit", []int32{3, 4, 5, 6, 9, 10}), "audit[3-6,9,10] orders[7]"},
		{tps("orders", []int32{1}, "orders", []int32{0, 2}), "orders[0-2]"},
	} {
		if got := compactPartitions(tt.in); got != tt.want {
			t.Errorf("compactPartitions(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func testGroupDescription() *fjordv1.DescribeGroupResponse {
	return &fjordv1.DescribeGroupResponse{
		GroupId: "billing", State: fjordv1.GroupState_GROUP_STATE_RECONCILING, GroupEpoch: 7, Assignor: "uniform", CoordinatorId: 2,
		Members: []*fjordv1.GroupMember{
			{MemberId: "m-1", InstanceId: "host-a", ClientId: "fjord-cli", ClientHost: "10.0.0.1:5000", MemberEpoch: 7,
				Subscription: &fjordv1.Subscription{Topics: []string{"orders"}}, Connected: true,
				Assigned: []*fjordv1.TopicPartitions{{Topic: "orders", Partitions: []int32{0, 1, 2}}},
				Revoking: []*fjordv1.TopicPartitions{{Topic: "orders", Partitions: []int32{3}}}},
			{MemberId: "m-2", MemberEpoch: 6, Subscription: &fjordv1.Subscription{Pattern: "ord.*"},
				Pending: []*fjordv1.TopicPartitions{{Topic: "orders", Partitions: []int32{3}}}},
		},
		Partitions: []*fjordv1.GroupPartition{
			{Topic: "orders", Partition: 3, CommittedOffset: -1, LogEndOffset: 10, Lag: 10, MemberId: "m-1"},
			{Topic: "orders", Partition: 0, CommittedOffset: 5, LogEndOffset: 8, Lag: 3, MemberId: "m-1"},
			{Topic: "audit", Partition: 0, CommittedOffset: 4, LogEndOffset: -1, Lag: -1},
		},
	}
}

func TestWriteGroupDescription(t *testing.T) {
	var b strings.Builder
	writeGroupDescription(&b, testGroupDescription())
	want := `GROUP        billing
STATE        reconciling
EPOCH        7
ASSIGNOR     uniform
COORDINATOR  2
TOTAL LAG    13

MEMBERS: 2
MEMBER-ID  INSTANCE-ID  CLIENT-ID  HOST           EPOCH  ASSIGNED     PENDING    REVOKING
m-1        host-a       fjord-cli  10.0.0.1:5000  7      orders[0-2]  -          orders[3]
m-2        -            -          -              6      -            orders[3]  -

PARTITIONS: 3
TOPIC   PARTITION  COMMITTED  LOG-END  LAG  OWNER
audit   0          4          -        -    -
orders  0          5          8        3    m-1
orders  3          -          10       10   m-1
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}

	// An empty group: no member table, no PENDING/REVOKING columns.
	b.Reset()
	writeGroupDescription(&b, &fjordv1.DescribeGroupResponse{GroupId: "g", State: fjordv1.GroupState_GROUP_STATE_EMPTY})
	if want := "GROUP        g\nSTATE        empty\nEPOCH        0\nASSIGNOR     -\nCOORDINATOR  0\nTOTAL LAG    -\n\nMEMBERS: 0\n\nPARTITIONS: 0\n"; b.String() != want {
		t.Errorf("empty group: got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestGroupDescriptionJSON(t *testing.T) {
	j := groupDescriptionJSON(testGroupDescription())
	if j.State != "reconciling" || j.TotalLag != 13 || len(j.Members) != 2 || len(j.Partitions) != 3 || j.Partitions[0].Topic != "audit" {
		t.Errorf("%+v", j)
	}
	m2 := j.Members[1]
	if m2.Subscription.Pattern != "ord.*" || m2.Subscription.Topics == nil || m2.Assigned == nil || len(m2.Pending) != 1 ||
		!slices.Equal(m2.Pending[0].Partitions, []int32{3}) {
		t.Errorf("member 2: %+v", m2)
	}
}

func TestWriteReset(t *testing.T) {
	res := &fjordv1.ResetOffsetsResponse{Topics: []*fjordv1.ResetOffsetsTopicResult{
		{Topic: "orders", Partitions: []*fjordv1.ResetOffsetsPartitionResult{
			{Partition: 1, PreviousOffset: -1, Offset: 0},
			{Partition: 0, PreviousOffset: 12, Offset: 3},
			{Partition: 9, Error: &fjordv1.Error{Reason: "UNKNOWN_TOPIC_OR_PARTITION", Message: "no partition 9"}},
		}},
	}}
	rows := resetRows(res)
	var b strings.Builder
	writeReset(&b, "billing", true, rows)
	want := `TOPIC   PARTITION  PREVIOUS-OFFSET  NEW-OFFSET
orders  0          12               3
orders  1          -                0
orders  9          -                failed: UNKNOWN_TOPIC_OR_PARTITION

Dry run: nothing changed. Run again with --execute to reset group billing.
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	err := resetFailures(rows)
	if err == nil || err.Error() != "cannot reset the offset of orders-9: no partition 9 (UNKNOWN_TOPIC_OR_PARTITION)" {
		t.Errorf("resetFailures: %v", err)
	}
	b.Reset()
	writeReset(&b, "billing", false, rows[:2])
	if !strings.HasSuffix(b.String(), "\nReset 2 partitions of group billing\n") {
		t.Errorf("execute:\n%s", b.String())
	}
}

func TestGroupUnreachableBroker(t *testing.T) {
	addr := closedAddr(t)
	for _, args := range [][]string{
		{"group", "list"},
		{"group", "describe", "g"},
		{"group", "reset", "g", "--to-earliest"},
		{"group", "delete", "g"},
		{"consume", "t", "--group", "g"},
	} {
		r := runCLI(t, nil, "", append(args, "--brokers", addr, "--timeout", "5s")...)
		wantOneLineError(t, r, 1, "cannot reach broker at "+addr+": ", "connection refused")
	}
}

// produceTimed writes n records to each of partitions 0..parts-1 of topic
// with timestamps base, base+1m, ... through the SDK.
func produceTimed(t *testing.T, addr, topic string, parts, n int, base time.Time) {
	t.Helper()
	ctx := context.Background()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	prod, err := fjord.NewProducer(cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	var recs []*fjord.Record
	for p := range parts {
		for i := range n {
			recs = append(recs, &fjord.Record{Topic: topic, Partition: int32(p), Value: []byte(fmt.Sprintf("p%d-%d", p, i)),
				Timestamp: base.Add(time.Duration(i) * time.Minute)})
		}
	}
	if err := prod.ProduceSync(ctx, recs...); err != nil {
		t.Fatal(err)
	}
}

// groupOffsets returns the committed offsets of group g as "topic-p=o" in
// describe's order, from describe --json.
func groupOffsets(t *testing.T, addr, g string) string {
	t.Helper()
	d := describeGroup(t, addr, g)
	var s []string
	for _, p := range d.Partitions {
		s = append(s, fmt.Sprintf("%s=%d", partitionName(p.Topic, p.Partition), p.CommittedOffset))
	}
	return strings.Join(s, " ")
}

func TestGroupAdminCommands(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "orders", "-p", "3")
	base := time.Date(2025, 1, 2, 15, 0, 0, 0, time.UTC)
	produceTimed(t, addr, "orders", 3, 10, base)

	if out := cli(t, addr, "", "group", "list"); out != "GROUP  STATE  MEMBERS  COORDINATOR\n" {
		t.Errorf("list without groups: %q", out)
	}
	if out := cli(t, addr, "", "group", "list", "--json"); out != "[]\n" {
		t.Errorf("list --json without groups: %q", out)
	}

	// A group with offsets and no members, committed from outside.
	ctx := context.Background()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := fjord.NewAdmin(cl).CommitOffsets(ctx, "billing", map[string]map[int32]int64{"orders": {0: 2, 1: 5}}); err != nil {
		t.Fatal(err)
	}

	out := cli(t, addr, "", "group", "list")
	if want := [][]string{{"GROUP", "STATE", "MEMBERS", "COORDINATOR"}, {"billing", "empty", "0", "1"}}; fmt.Sprint(fields(out)) != fmt.Sprint(want) {
		t.Errorf("list:\n%s", out)
	}
	if out := cli(t, addr, "", "group", "list", "--state", "stable,reconciling"); len(fields(out)) != 1 {
		t.Errorf("list --state stable,reconciling:\n%s", out)
	}
	var listed []jsonGroupListing
	if err := json.Unmarshal([]byte(cli(t, addr, "", "group", "list", "--state", "Empty", "--json")), &listed); err != nil ||
		len(listed) != 1 || listed[0] != (jsonGroupListing{Group: "billing", State: "empty", Members: 0, Coordinator: 1}) {
		t.Errorf("list --json: %+v %v", listed, err)
	}

	out = cli(t, addr, "", "group", "describe", "billing")
	want := `GROUP        billing
STATE        empty
EPOCH        \d+
ASSIGNOR     \S+
COORDINATOR  1
TOTAL LAG    13

MEMBERS: 0

PARTITIONS: 2
TOPIC   PARTITION  COMMITTED  LOG-END  LAG  OWNER
orders  0          2          10       8    -
orders  1          5          10       5    -
`
	if !regexp.MustCompile("^" + want + "$").MatchString(out) {
		t.Errorf("describe:\n%s\nwant\n%s", out, want)
	}

	// Reset: a dry run changes nothing; --execute does, in every mode.
	out = cli(t, addr, "", "group", "reset", "billing", "--to-earliest")
	want = `TOPIC   PARTITION  PREVIOUS-OFFSET  NEW-OFFSET
orders  0          2                0
orders  1          5                0
orders  2          -                0

Dry run: nothing changed. Run again with --execute to reset group billing.
`
	if out != want {
		t.Errorf("reset --to-earliest (dry run):\n%s\nwant\n%s", out, want)
	}
	if got := groupOffsets(t, addr, "billing"); got != "orders-0=2 orders-1=5" {
		t.Errorf("offsets after a dry run: %s", got)
	}
	for _, tt := range []struct {
		args []string
		want string // offsets after
	}{
		// Without --topic: every partition of the topics with offsets.
		{[]string{"--to-earliest"}, "orders-0=0 orders-1=0 orders-2=0"},
		{[]string{"--to-latest", "--topic", "orders"}, "orders-0=10 orders-1=10 orders-2=10"},
		{[]string{"--to-offset", "3", "--topic", "orders:0,2"}, "orders-0=3 orders-1=10 orders-2=3"},
		{[]string{"--to-offset", "99", "--topic", "orders:1"}, "orders-0=3 orders-1=10 orders-2=3"}, // clamped
		{[]string{"--shift-by", "-2"}, "orders-0=1 orders-1=8 orders-2=1"},
		{[]string{"--shift-by", "4", "--topic", "orders:0-1"}, "orders-0=5 orders-1=10 orders-2=1"}, // clamped
		{[]string{"--to-datetime", "2025-01-02T15:06:30Z", "--topic", "orders:0"}, "orders-0=7 orders-1=10 orders-2=1"},
		{[]string{"--to-datetime", base.Add(90 * time.Second).In(time.Local).Format(localDatetime), "--topic", "orders:1"}, "orders-0=7 orders-1=2 orders-2=1"},
		{[]string{"--to-datetime", "2030-01-01T00:00:00+01:00", "--topic", "orders:2"}, "orders-0=7 orders-1=2 orders-2=10"},
	} {
		r := runCLI(t, nil, "", append([]string{"group", "reset", "billing", "--execute", "--brokers", addr}, tt.args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "\nReset ") || r.stderr != "" {
			t.Errorf("reset %v: exit %d stdout %q stderr %q", tt.args, r.code, r.stdout, r.stderr)
		}
		if got := groupOffsets(t, addr, "billing"); got != tt.want {
			t.Errorf("reset %v: offsets %s, want %s", tt.args, got, tt.want)
		}
	}
	var plan jsonReset
	if err := json.Unmarshal([]byte(cli(t, addr, "", "group", "reset", "billing", "--to-latest", "--topic", "orders:0", "--json")), &plan); err != nil ||
		!plan.DryRun || len(plan.Partitions) != 1 || plan.Partitions[0] != (jsonResetPartition{Topic: "orders", Partition: 0, PreviousOffset: 7, NewOffset: 10}) {
		t.Errorf("reset --json: %+v %v", plan, err)
	}

	// describe --json, with the reset offsets.
	var d jsonGroupDescription
	if err := json.Unmarshal([]byte(cli(t, addr, "", "group", "describe", "billing", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.Group != "billing" || d.State != "empty" || d.Coordinator != 1 || d.TotalLag != 3+8+0 || len(d.Partitions) != 3 || d.Members == nil {
		t.Errorf("describe --json: %+v", d)
	}

	// Errors.
	r := runCLI(t, nil, "", "group", "describe", "nope", "--brokers", addr)
	wantOneLineError(t, r, 1, `group "nope" does not exist`)
	r = runCLI(t, nil, "", "group", "reset", "billing", "--to-earliest", "--topic", "orders:7", "--execute", "--brokers", addr)
	wantOneLineError(t, r, 1, "orders-7", "UNKNOWN_TOPIC_OR_PARTITION")
	r = runCLI(t, nil, "", "group", "reset", "billing", "--to-earliest", "--topic", "nope", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot reset offsets of group "billing": topic "nope" does not exist`)
	r = runCLI(t, nil, "", "group", "delete", "nope", "billing", "--brokers", addr)
	if r.stdout != "Deleted group billing\n" {
		t.Errorf("delete: stdout %q", r.stdout)
	}
	wantOneLineError(t, r, 1, `group "nope" does not exist`)
	if out := cli(t, addr, "", "group", "list"); len(fields(out)) != 1 {
		t.Errorf("list after delete:\n%s", out)
	}
}

func TestConsumeGroup(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "ev", "-p", "2")
	produceTimed(t, addr, "ev", 2, 3, time.Now())

	// Two runs with -n share the records: each commits what it printed.
	out1 := cli(t, addr, "", "consume", "ev", "--group", "cg", "--from-beginning", "--assignor", "range", "-n", "4", "--format", `%p:%o %v\n`)
	if d := describeGroup(t, addr, "cg"); d.State != "empty" || d.Assignor != "range" || d.TotalLag != 2 {
		t.Errorf("after consuming 4 of 6: %+v", d)
	}
	out2 := cli(t, addr, "", "consume", "ev", "-g", "cg", "--instance-id", "inst-1", "-n", "2", "--format", `%p:%o %v\n`)
	got := strings.Split(strings.TrimSpace(out1+out2), "\n")
	slices.Sort(got)
	if want := []string{"0:0 p0-0", "0:1 p0-1", "0:2 p0-2", "1:0 p1-0", "1:1 p1-1", "1:2 p1-2"}; !slices.Equal(got, want) {
		t.Errorf("two runs printed %q + %q, want each record once", out1, out2)
	}
	if got := groupOffsets(t, addr, "cg"); got != "ev-0=3 ev-1=3" {
		t.Errorf("offsets after both runs: %s", got)
	}
	// A static member leaves only temporarily: it stays, disconnected.
	if d := describeGroup(t, addr, "cg"); len(d.Members) != 1 || d.Members[0].InstanceID != "inst-1" || d.Members[0].Connected {
		t.Errorf("static member after its exit: %+v", d.Members)
	}

	r := runCLI(t, nil, "", "consume", "ev", "--group", "other", "--assignor", "bogus", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot join group "other": UNSUPPORTED_ASSIGNOR`)
	r = runCLI(t, nil, "", "consume", "nope", "--group", "other", "--brokers", addr)
	wantOneLineError(t, r, 1, `topic "nope" does not exist`)

	// A member running until SIGINT; a new group starts at the end.
	sigs := make(chan chan<- os.Signal, 1)
	var stdout, stderr syncBuffer
	env := &cliEnv{
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		notifySignals: func(c chan<- os.Signal) func() {
			sigs <- c
			return func() {}
		},
		exit: func(code int) { t.Errorf("exit(%d)", code) },
	}
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"consume", "ev", "--group", "live", "--format", `%p %v\n`, "--brokers", addr}, env)
	}()
	sig := <-sigs
	// Produce to both partitions until the member prints from both: it has
	// joined and fetches from the end.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; !strings.Contains(stdout.String(), "0 new") || !strings.Contains(stdout.String(), "1 new"); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("the member printed nothing: stdout %q stderr %q", stdout.String(), stderr.String())
		}
		for p := range 2 {
			cli(t, addr, "new\n", "produce", "ev", "-p", fmt.Sprint(p), "--quiet")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s := stdout.String(); strings.Contains(s, "p0-") || strings.Contains(s, "p1-") {
		t.Errorf("a new group started before the end: %q", s)
	}

	out := cli(t, addr, "", "group", "describe", "live")
	if !regexp.MustCompile(`(?m)^STATE\s+stable$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^[0-9a-f-]{36}\s+-\s+fjord-cli\s+127\.0\.0\.1\S*\s+\d+\s+ev\[0,1\]$`).MatchString(out) {
		t.Errorf("describe with a member:\n%s", out)
	}
	if out := cli(t, addr, "", "group", "list", "--state", "stable"); !regexp.MustCompile(`(?m)^live\s+stable\s+1\s+1$`).MatchString(out) {
		t.Errorf("list --state stable:\n%s", out)
	}
	r = runCLI(t, nil, "", "group", "delete", "live", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot delete group "live": NON_EMPTY_GROUP`)
	r = runCLI(t, nil, "", "group", "reset", "live", "--to-earliest", "--execute", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot reset offsets of group "live": NON_EMPTY_GROUP`)
	if r := runCLI(t, nil, "", "group", "reset", "live", "--to-earliest", "--topic", "ev", "--force", "--brokers", addr); r.code != 0 || !strings.Contains(r.stdout, "Dry run") {
		t.Errorf("reset --force (dry run): %+v", r)
	}

	sig <- syscall.SIGINT
	if code := <-done; code != 0 {
		t.Fatalf("consume --group exit %d, stderr %q", code, stderr.String())
	}
	// It committed everything it printed (up to the log end: lag 0) and left.
	d := describeGroup(t, addr, "live")
	if d.State != "empty" || len(d.Members) != 0 || d.TotalLag != 0 || len(d.Partitions) != 2 {
		t.Errorf("after SIGINT: %+v", d)
	}
	if out := cli(t, addr, "", "group", "delete", "live"); out != "Deleted group live\n" {
		t.Errorf("delete: %q", out)
	}
}

// describeGroup returns describe --json of group g.
func describeGroup(t *testing.T, addr, g string) jsonGroupDescription {
	t.Helper()
	var d jsonGroupDescription
	if err := json.Unmarshal([]byte(cli(t, addr, "", "group", "describe", g, "--json")), &d); err != nil {
		t.Fatal(err)
	}
	return d
}
