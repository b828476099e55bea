package assign

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func deepCopy(in Input) Input {
	out := Input{Topics: make(map[string]Topic, len(in.Topics))}
	for _, m := range in.Members {
		m.Topics = slices.Clone(m.Topics)
		out.Members = append(out.Members, m)
	}
	for name, t := range in.Topics {
		racks := t.Racks
		if racks != nil {
			racks = make([][]string, len(t.Racks))
			for i, r := range t.Racks {
				racks[i] = slices.Clone(r)
			}
		}
		out.Topics[name] = Topic{Partitions: t.Partitions, Racks: racks}
	}
	if in.Current != nil {
		out.Current = make(Assignment, len(in.Current))
		for id, tps := range in.Current {
			out.Current[id] = slices.Clone(tps)
		}
	}
	return out
}

// subscribedTo returns each member's effective subscription: the existing
// topics with partitions it subscribes to.
func subscribedTo(in Input) map[string]map[string]bool {
	out := make(map[string]map[string]bool)
	for _, m := range in.Members {
		s := make(map[string]bool)
		for _, t := range m.Topics {
			if in.Topics[t].Partitions > 0 {
				s[t] = true
			}
		}
		out[m.ID] = s
	}
	return out
}

// subscriptionKey names a member's effective subscription.
func subscriptionKey(s map[string]bool) string { return fmt.Sprint(sortedKeys(s)) }

// checkValid checks what every assignor promises: an entry per member, sorted,
// and every partition of a subscribed topic with exactly one subscribed owner.
func checkValid(t testing.TB, in Input, out Assignment) {
	t.Helper()
	subs := subscribedTo(in)
	if len(out) != len(in.Members) {
		t.Fatalf("%d entries for %d members", len(out), len(in.Members))
	}
	owner := make(map[TopicPartition]string)
	for id, tps := range out {
		if _, ok := subs[id]; !ok {
			t.Fatalf("entry for unknown member %q", id)
		}
		if !slices.IsSortedFunc(tps, TopicPartition.Compare) {
			t.Fatalf("%s: not sorted: %v", id, tps)
		}
		for _, tp := range tps {
			if !subs[id][tp.Topic] {
				t.Fatalf("%s got %v of a topic it does not subscribe to", id, tp)
			}
			if tp.Partition < 0 || tp.Partition >= in.Topics[tp.Topic].Partitions {
				t.Fatalf("%s got nonexistent %v", id, tp)
			}
			if other, ok := owner[tp]; ok {
				t.Fatalf("%v assigned to %s and %s", tp, other, id)
			}
			owner[tp] = id
		}
	}
	wanted := make(map[string]bool)
	for _, s := range subs {
		maps.Copy(wanted, s)
	}
	for topic := range wanted {
		for p := range in.Topics[topic].Partitions {
			if _, ok := owner[TopicPartition{topic, p}]; !ok {
				t.Fatalf("%s/%d not assigned", topic, p)
			}
		}
	}
}

// previousOwners returns the owner each partition has in in.Current by the
// package's rule: the first member in assignment order whose claim is valid.
func previousOwners(in Input) map[TopicPartition]string {
	subs := subscribedTo(in)
	members := make([]*Member, len(in.Members))
	for i := range in.Members {
		members[i] = &in.Members[i]
	}
	slices.SortFunc(members, memberCompare)
	out := make(map[TopicPartition]string)
	for _, m := range members {
		for _, tp := range in.Current[m.ID] {
			if subs[m.ID][tp.Topic] && tp.Partition >= 0 && tp.Partition < in.Topics[tp.Topic].Partitions {
				if _, ok := out[tp]; !ok {
					out[tp] = m.ID
				}
			}
		}
	}
	return out
}

// moves counts partitions taken from a member that could have kept them.
func moves(in Input, out Assignment) int {
	prev := previousOwners(in)
	n := 0
	for id, tps := range out {
		for _, tp := range tps {
			if p, ok := prev[tp]; ok && p != id {
				n++
			}
		}
	}
	return n
}

// minMovesHomogeneous is the fewest moves any balanced assignment of a group
// whose members all subscribe to the same topics needs: members keep their
// valid partitions up to their share, the larger shares going to the members
// holding most.
func minMovesHomogeneous(in Input, total int) int {
	held := make(map[string]int)
	for _, id := range previousOwners(in) {
		held[id]++
	}
	counts := make([]int, len(in.Members))
	for i, m := range in.Members {
		counts[i] = held[m.ID]
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	q, r := total/len(counts), total%len(counts)
	n := 0
	for i, c := range counts {
		share := q
		if i < r {
			share++
		}
		n += max(0, c-share)
	}
	return n
}

// improvingPath returns a description of a chain of single-partition moves,
// from a member to one with at least two fewer partitions, each member in the
// chain handing a partition to the next one that subscribes to its topic; ""
// if there is none. No such chain exists exactly when the loads are optimal
// (an optimal semi-matching).
func improvingPath(in Input, out Assignment) string {
	subs := subscribedTo(in)
	ids := sortedKeys(out)
	for _, u := range ids {
		load := len(out[u])
		seen := map[string]bool{u: true}
		queue := []string{u}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			if len(out[x]) <= load-2 {
				return fmt.Sprintf("%s (%d partitions) reaches %s (%d)", u, load, x, len(out[x]))
			}
			for _, tp := range out[x] {
				for _, y := range ids {
					if !seen[y] && subs[y][tp.Topic] {
						seen[y] = true
						queue = append(queue, y)
					}
				}
			}
		}
	}
	return ""
}

// genOptions shapes random groups.
type genOptions struct {
	maxTopics, maxPartitions, maxMembers int
	homogeneous                          bool
}

// genInput returns a random group: topics with and without rack data, static
// and dynamic members, subscriptions that are identical or random (including
// topics that do not exist), and a current assignment that is empty, a
// previous assignor's result for a slightly different group, or random,
// partly invalid claims.
func genInput(r *rand.Rand, o genOptions) Input {
	in := Input{Topics: make(map[string]Topic)}
	racks := []string{"r0", "r1", "r2"}
	nt := 1 + r.IntN(o.maxTopics)
	var names []string
	for i := range nt {
		name := fmt.Sprintf("t%d", i)
		names = append(names, name)
		t := Topic{Partitions: int32(r.IntN(o.maxPartitions + 1))}
		if r.IntN(2) == 0 {
			t.Racks = make([][]string, t.Partitions)
			for p := range t.Racks {
				perm := r.Perm(len(racks))
				for _, j := range perm[:1+r.IntN(2)] {
					t.Racks[p] = append(t.Racks[p], racks[j])
				}
			}
		}
		in.Topics[name] = t
	}
	names = append(names, "ghost")
	subset := func() []string {
		var s []string
		for _, n := range names {
			if r.IntN(2) == 0 {
				s = append(s, n)
			}
		}
		return s
	}
	// A few subscription patterns, so that classes have several members.
	patterns := [][]string{subset()}
	if !o.homogeneous {
		for range r.IntN(4) {
			patterns = append(patterns, subset())
		}
	}
	nm := 1 + r.IntN(o.maxMembers)
	for i, id := range r.Perm(nm + 3)[:nm] {
		m := Member{ID: fmt.Sprintf("m%02d", id), Topics: slices.Clone(patterns[r.IntN(len(patterns))])}
		if r.IntN(3) == 0 {
			m.InstanceID = fmt.Sprintf("i%02d", i)
		}
		if r.IntN(2) == 0 {
			m.Rack = racks[r.IntN(len(racks))]
		}
		in.Members = append(in.Members, m)
	}
	switch r.IntN(3) {
	case 1:
		// Some other group's sticky result: members joined, left, changed.
		prev := deepCopy(in)
		r.Shuffle(len(prev.Members), func(i, j int) { prev.Members[i], prev.Members[j] = prev.Members[j], prev.Members[i] })
		prev.Members = prev.Members[:r.IntN(len(prev.Members)+1)]
		for range r.IntN(3) {
			prev.Members = append(prev.Members, Member{ID: fmt.Sprintf("gone%d", r.IntN(100)), Topics: subset()})
		}
		prev.Members = slices.CompactFunc(prev.Members, func(a, b Member) bool { return a.ID == b.ID })
		sticky, _ := New("sticky")
		if out, err := sticky.Assign(prev); err == nil {
			in.Current = out
		}
	case 2:
		in.Current = make(Assignment)
		for range r.IntN(30) {
			id := fmt.Sprintf("m%02d", r.IntN(nm+3))
			in.Current[id] = append(in.Current[id], TopicPartition{
				Topic:     names[r.IntN(len(names))],
				Partition: int32(r.IntN(o.maxPartitions+2)) - 1,
			})
		}
	}
	return in
}

// shuffled returns in with every list and the member order shuffled.
func shuffled(r *rand.Rand, in Input) Input {
	out := deepCopy(in)
	r.Shuffle(len(out.Members), func(i, j int) { out.Members[i], out.Members[j] = out.Members[j], out.Members[i] })
	for _, m := range out.Members {
		r.Shuffle(len(m.Topics), func(i, j int) { m.Topics[i], m.Topics[j] = m.Topics[j], m.Topics[i] })
	}
	for _, tps := range out.Current {
		r.Shuffle(len(tps), func(i, j int) { tps[i], tps[j] = tps[j], tps[i] })
	}
	return out
}
