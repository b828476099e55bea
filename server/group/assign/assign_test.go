package assign

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// parts parses "t0/0 t0/1 t1/0" into partitions.
func parts(s string) []TopicPartition {
	var out []TopicPartition
	for _, f := range strings.Fields(s) {
		topic, p, _ := strings.Cut(f, "/")
		n, err := strconv.Atoi(p)
		if err != nil {
			panic(f)
		}
		out = append(out, TopicPartition{Topic: topic, Partition: int32(n)})
	}
	return out
}

// format renders an assignment as "id: t/p t/p; id: ..." in member ID order.
func format(a Assignment) string {
	var b strings.Builder
	for _, id := range sortedKeys(a) {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(id + ":")
		for _, tp := range a[id] {
			b.WriteString(" " + tp.Topic + "/" + strconv.Itoa(int(tp.Partition)))
		}
	}
	return b.String()
}

func member(id string, topics ...string) Member { return Member{ID: id, Topics: topics} }

func topics(kv ...any) map[string]Topic {
	out := make(map[string]Topic)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = Topic{Partitions: int32(kv[i+1].(int))}
	}
	return out
}

func mustNew(t testing.TB, name string) Assignor {
	t.Helper()
	a, err := New(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type example struct {
	name string
	in   Input
	want string
}

func runExamples(t *testing.T, assignor string, cases []example) {
	a := mustNew(t, assignor)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Assign(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if format(got) != tc.want {
				t.Errorf("got  %s\nwant %s", format(got), tc.want)
			}
			checkValid(t, tc.in, got)
		})
	}
}

// Cases from Kafka's RangeAssignor documentation and RangeAssignorTest.
func TestRangeKafkaExamples(t *testing.T) {
	runExamples(t, "range", []example{
		{"javadoc", Input{
			Members: []Member{member("C1", "t0", "t1"), member("C0", "t0", "t1")},
			Topics:  topics("t0", 3, "t1", 3),
		}, "C0: t0/0 t0/1 t1/0 t1/1; C1: t0/2 t1/2"},
		{"one consumer no topic", Input{
			Members: []Member{member("c")},
			Topics:  topics("t", 3),
		}, "c:"},
		{"one consumer nonexistent topic", Input{
			Members: []Member{member("c", "missing")},
			Topics:  topics("t", 3),
		}, "c:"},
		{"only subscribed topics", Input{
			Members: []Member{member("c", "t")},
			Topics:  topics("t", 3, "other", 2),
		}, "c: t/0 t/1 t/2"},
		{"two consumers one partition", Input{
			Members: []Member{member("c1", "t"), member("c2", "t")},
			Topics:  topics("t", 1),
		}, "c1: t/0; c2:"},
		{"multiple consumers mixed topics", Input{
			Members: []Member{member("consumer1", "topic1"), member("consumer2", "topic1", "topic2"), member("consumer3", "topic1")},
			Topics:  topics("topic1", 3, "topic2", 2),
		}, "consumer1: topic1/0; consumer2: topic1/1 topic2/0 topic2/1; consumer3: topic1/2"},
		{"static members sort by instance id", Input{
			Members: []Member{
				{ID: "a", InstanceID: "i2", Topics: []string{"t"}},
				{ID: "b", InstanceID: "i1", Topics: []string{"t"}},
				{ID: "0-dynamic", Topics: []string{"t"}},
			},
			Topics: topics("t", 5),
		}, "0-dynamic: t/4; a: t/2 t/3; b: t/0 t/1"},
	})
}

func TestRangeRackAware(t *testing.T) {
	racks := func(rs ...string) [][]string {
		out := make([][]string, len(rs))
		for i, r := range rs {
			out[i] = strings.Split(r, ",")
		}
		return out
	}
	in := Input{
		Members: []Member{
			{ID: "a", Rack: "r1", Topics: []string{"t0", "t1"}},
			{ID: "b", Rack: "r2", Topics: []string{"t0", "t1"}},
		},
		Topics: map[string]Topic{
			"t0": {Partitions: 4, Racks: racks("r2", "r1", "r2", "r1")},
			"t1": {Partitions: 4, Racks: racks("r1,r2", "r1", "r2", "r1,r2")},
		},
	}
	got, err := mustNew(t, "range").Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	// t0 and t1 are co-partitioned, so partition numbers move together: a
	// gets 1 and 3 (replicas of both topics in r1), b gets 0 and 2.
	if want := "a: t0/1 t0/3 t1/1 t1/3; b: t0/0 t0/2 t1/0 t1/2"; format(got) != want {
		t.Errorf("got  %s\nwant %s", format(got), want)
	}
	checkValid(t, in, got)

	// When every partition has a replica in every rack, the result is plain range.
	for name, tp := range in.Topics {
		tp.Racks = racks("r1,r2", "r1,r2", "r1,r2", "r1,r2")
		in.Topics[name] = tp
	}
	got, err = mustNew(t, "range").Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: t0/0 t0/1 t1/0 t1/1; b: t0/2 t0/3 t1/2 t1/3"; format(got) != want {
		t.Errorf("got  %s\nwant %s", format(got), want)
	}
}

// Cases from Kafka's RoundRobinAssignor documentation and tests.
func TestRoundRobinKafkaExamples(t *testing.T) {
	runExamples(t, "roundrobin", []example{
		{"javadoc identical subscriptions", Input{
			Members: []Member{member("C0", "t0", "t1"), member("C1", "t0", "t1")},
			Topics:  topics("t0", 3, "t1", 3),
		}, "C0: t0/0 t0/2 t1/1; C1: t0/1 t1/0 t1/2"},
		{"javadoc different subscriptions", Input{
			Members: []Member{member("C2", "t0", "t1", "t2"), member("C1", "t0", "t1"), member("C0", "t0")},
			Topics:  topics("t0", 1, "t1", 2, "t2", 3),
		}, "C0: t0/0; C1: t1/0; C2: t1/1 t2/0 t2/1 t2/2"},
		{"multiple consumers mixed topics", Input{
			Members: []Member{member("consumer1", "topic1"), member("consumer2", "topic1", "topic2"), member("consumer3", "topic1")},
			Topics:  topics("topic1", 3, "topic2", 2),
		}, "consumer1: topic1/0; consumer2: topic1/1 topic2/0 topic2/1; consumer3: topic1/2"},
		{"two consumers two topics six partitions", Input{
			Members: []Member{member("consumer1", "topic1", "topic2"), member("consumer2", "topic1", "topic2")},
			Topics:  topics("topic1", 3, "topic2", 3),
		}, "consumer1: topic1/0 topic1/2 topic2/1; consumer2: topic1/1 topic2/0 topic2/2"},
		{"static members sort by instance id", Input{
			Members: []Member{
				{ID: "a", InstanceID: "i2", Topics: []string{"t"}},
				{ID: "b", InstanceID: "i1", Topics: []string{"t"}},
				{ID: "0-dynamic", Topics: []string{"t"}},
			},
			Topics: topics("t", 5),
		}, "0-dynamic: t/2; a: t/1 t/4; b: t/0 t/3"},
	})
}

// The examples of Kafka's StickyAssignor documentation. Which of the moved
// partitions lands where differs from Kafka in places; the counts and what
// stays put do not.
func TestStickyKafkaExamples(t *testing.T) {
	for _, name := range []string{"sticky", "uniform"} {
		t.Run(name, func(t *testing.T) {
			runExamples(t, name, []example{
				{"identical subscriptions, C1 leaves", Input{
					Members: []Member{member("C0", "t0", "t1", "t2", "t3"), member("C2", "t0", "t1", "t2", "t3")},
					Topics:  topics("t0", 2, "t1", 2, "t2", 2, "t3", 2),
					Current: Assignment{
						"C0": parts("t0/0 t1/1 t3/0"),
						"C1": parts("t0/1 t2/0 t3/1"),
						"C2": parts("t1/0 t2/1"),
					},
				}, "C0: t0/0 t0/1 t1/1 t3/0; C2: t1/0 t2/0 t2/1 t3/1"},
				{"different subscriptions, from scratch", Input{
					Members: []Member{member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")},
					Topics:  topics("t0", 1, "t1", 2, "t2", 3),
				}, "C0: t0/0; C1: t1/0 t1/1; C2: t2/0 t2/1 t2/2"},
				{"different subscriptions, C0 leaves", Input{
					Members: []Member{member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")},
					Topics:  topics("t0", 1, "t1", 2, "t2", 3),
					Current: Assignment{
						"C0": parts("t0/0"),
						"C1": parts("t1/0 t1/1"),
						"C2": parts("t2/0 t2/1 t2/2"),
					},
				}, "C1: t0/0 t1/0 t1/1; C2: t2/0 t2/1 t2/2"},
				{"round-robin start is rebalanced", Input{
					Members: []Member{member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")},
					Topics:  topics("t0", 1, "t1", 2, "t2", 3),
					Current: Assignment{
						"C0": parts("t0/0"),
						"C1": parts("t1/0"),
						"C2": parts("t1/1 t2/0 t2/1 t2/2"),
					},
				}, "C0: t0/0; C1: t1/0 t1/1; C2: t2/0 t2/1 t2/2"},
				{"new member takes from the most loaded", Input{
					Members: []Member{member("a", "t"), member("b", "t"), member("c", "t")},
					Topics:  topics("t", 7),
					Current: Assignment{"a": parts("t/0 t/1 t/2 t/3"), "b": parts("t/4 t/5 t/6")},
				}, "a: t/0 t/1 t/2; b: t/4 t/5; c: t/3 t/6"},
				{"stale current: unsubscribed, missing, duplicated", Input{
					Members: []Member{member("a", "t"), member("b", "t", "u")},
					Topics:  topics("t", 2, "u", 2),
					Current: Assignment{
						"a":    parts("u/0 t/0 t/9 gone/0"),
						"b":    parts("t/0 u/1"),
						"left": parts("u/0"),
					},
				}, "a: t/0 t/1; b: u/0 u/1"},
			})
		})
	}
}

// Uniform places moving partitions with a member in a rack holding a replica;
// sticky ignores racks. Neither trades balance or stickiness for locality.
func TestUniformRackAware(t *testing.T) {
	in := Input{
		Members: []Member{
			{ID: "a", Rack: "r1", Topics: []string{"t"}},
			{ID: "b", Rack: "r2", Topics: []string{"t"}},
		},
		Topics: map[string]Topic{"t": {Partitions: 4, Racks: [][]string{{"r2"}, {"r2"}, {"r1"}, {"r1"}}}},
	}
	got, err := mustNew(t, "uniform").Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: t/2 t/3; b: t/0 t/1"; format(got) != want {
		t.Errorf("uniform: got %s, want %s", format(got), want)
	}
	got, err = mustNew(t, "sticky").Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: t/0 t/1; b: t/2 t/3"; format(got) != want {
		t.Errorf("sticky: got %s, want %s", format(got), want)
	}

	// A member that must shed partitions sheds the remote ones; stickiness
	// wins over locality for what it keeps.
	in.Members = append(in.Members, Member{ID: "c", Rack: "r2", Topics: []string{"t"}})
	in.Topics["t"] = Topic{Partitions: 6, Racks: [][]string{{"r1"}, {"r2"}, {"r1"}, {"r2"}, {"r1"}, {"r2"}}}
	in.Current = Assignment{"a": parts("t/0 t/1 t/2 t/3"), "b": parts("t/4 t/5")}
	got, err = mustNew(t, "uniform").Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: t/0 t/2; b: t/4 t/5; c: t/1 t/3"; format(got) != want {
		t.Errorf("uniform shedding: got %s, want %s", format(got), want)
	}
}

func TestNew(t *testing.T) {
	for _, name := range Names() {
		if a := mustNew(t, name); a.Name() != name {
			t.Errorf("New(%q).Name() = %q", name, a.Name())
		}
	}
	for alias, want := range map[string]string{"": Default, "cooperative-sticky": "uniform"} {
		if a := mustNew(t, alias); a.Name() != want {
			t.Errorf("New(%q).Name() = %q, want %q", alias, a.Name(), want)
		}
	}
	_, err := New("fair")
	var unknown *UnknownAssignorError
	if !errors.As(err, &unknown) || unknown.Name != "fair" || !errors.Is(err, ErrUnknownAssignor) {
		t.Fatalf("New(fair) = %v", err)
	}
	if want := `assign: unknown assignor "fair" (known: range, roundrobin, sticky, uniform)`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestInvalidInput(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		want string
	}{
		{"empty id", Input{Members: []Member{member("a"), member("")}},
			"assign: member without an id"},
		{"duplicate id", Input{Members: []Member{member("a"), member("b"), member("a")}},
			`assign: member "a": member id used twice`},
		{"duplicate instance id", Input{Members: []Member{{ID: "a", InstanceID: "i"}, {ID: "b", InstanceID: "i"}}},
			`assign: member "b": instance id i used by two members`},
		{"negative partitions", Input{Members: []Member{member("a", "t")}, Topics: topics("t", -1)},
			`assign: topic "t": negative partition count`},
		{"racks mismatch", Input{Members: []Member{member("a", "t")},
			Topics: map[string]Topic{"t": {Partitions: 2, Racks: [][]string{{"r"}}}}},
			`assign: topic "t": rack lists do not match the partition count`},
	}
	for _, tc := range cases {
		for _, name := range Names() {
			_, err := mustNew(t, name).Assign(tc.in)
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidInput) || err.Error() != tc.want {
				t.Errorf("%s/%s: got %v, want %s", tc.name, name, err, tc.want)
			}
		}
	}
}

func TestEmptyGroup(t *testing.T) {
	for _, name := range Names() {
		got, err := mustNew(t, name).Assign(Input{Topics: topics("t", 3)})
		if err != nil || len(got) != 0 {
			t.Errorf("%s: %v, %v", name, got, err)
		}
	}
}

func TestAssignDoesNotModifyInput(t *testing.T) {
	in := Input{
		Members: []Member{member("b", "u", "t", "t"), member("a", "t")},
		Topics:  topics("t", 4, "u", 3),
		Current: Assignment{"a": parts("t/3 t/0 t/0"), "b": parts("u/2 t/1")},
	}
	before := deepCopy(in)
	for _, name := range Names() {
		if _, err := mustNew(t, name).Assign(in); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(in, before) {
			t.Fatalf("%s modified its input", name)
		}
	}
}
