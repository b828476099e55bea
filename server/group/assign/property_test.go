package assign

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// iterations scales the random tests; -short runs fewer.
func iterations(t *testing.T, n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

// classLoads is the number of partitions of each member with one effective
// subscription.
type classLoads struct {
	topics int
	loads  []int
}

func loadsByClass(in Input, out Assignment) map[string]*classLoads {
	subs := subscribedTo(in)
	byClass := make(map[string]*classLoads)
	for _, m := range in.Members {
		k := subscriptionKey(subs[m.ID])
		if byClass[k] == nil {
			byClass[k] = &classLoads{topics: len(subs[m.ID])}
		}
		byClass[k].loads = append(byClass[k].loads, len(out[m.ID]))
	}
	return byClass
}

func spreadOf(loads []int) int {
	lo, hi := loads[0], loads[0]
	for _, l := range loads {
		lo, hi = min(lo, l), max(hi, l)
	}
	return hi - lo
}

func totalPartitions(in Input) int {
	wanted := make(map[string]bool)
	for _, s := range subscribedTo(in) {
		for t := range s {
			wanted[t] = true
		}
	}
	n := 0
	for t := range wanted {
		n += int(in.Topics[t].Partitions)
	}
	return n
}

// TestProperties checks every assignor on random groups: validity,
// determinism under shuffled input, and each assignor's balance promise;
// sticky and uniform also optimal balance and, with identical
// subscriptions, the minimum number of moves.
func TestProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range iterations(t, 1000) {
		o := genOptions{maxTopics: 5, maxPartitions: 12, maxMembers: 9, homogeneous: i%2 == 0}
		in := genInput(r, o)
		for _, name := range Names() {
			a := mustNew(t, name)
			out, err := a.Assign(in)
			if err != nil {
				t.Fatalf("case %d %s: %v", i, name, err)
			}
			checkValid(t, in, out)
			again, err := a.Assign(shuffled(r, in))
			if err != nil || !reflect.DeepEqual(out, again) {
				t.Fatalf("case %d %s: not deterministic:\n%s\n%s", i, name, format(out), format(again))
			}
			for class, c := range loadsByClass(in, out) {
				limit := 1
				switch {
				case name == "range":
					// Range balances each topic, not the sum over topics.
					limit = max(c.topics, 1)
				case name == "roundrobin" && !o.homogeneous:
					// Round-robin balances only identical subscriptions.
					continue
				}
				if s := spreadOf(c.loads); s > limit {
					t.Fatalf("case %d %s: class %s loads %v", i, name, class, c.loads)
				}
			}
			if name != "sticky" && name != "uniform" {
				continue
			}
			if p := improvingPath(in, out); p != "" {
				t.Fatalf("case %d %s: not optimal: %s\n%+v\n%s", i, name, p, in, format(out))
			}
			if o.homogeneous {
				if got, want := moves(in, out), minMovesHomogeneous(in, totalPartitions(in)); got != want {
					t.Fatalf("case %d %s: %d moves, minimum %d\n%+v\n%s", i, name, got, want, in, format(out))
				}
			}
		}
	}
}
