package assign

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func formatReconciliation(rs map[string]Reconciliation) string {
	list := func(tps []TopicPartition) string {
		var s []string
		for _, tp := range tps {
			s = append(s, fmt.Sprintf("%s/%d", tp.Topic, tp.Partition))
		}
		return strings.Join(s, " ")
	}
	var b strings.Builder
	for _, id := range sortedKeys(rs) {
		r := rs[id]
		fmt.Fprintf(&b, "%s: assigned [%s] revoke [%s] await [%s]\n", id,
			list(r.Assigned), list(r.PendingRevocation), list(r.PendingAssignment))
	}
	return b.String()
}

func TestReconcile(t *testing.T) {
	cases := []struct {
		name          string
		owned, target Assignment
		want          string
	}{
		{"move waits for revocation",
			Assignment{"a": parts("t/0 t/1")},
			Assignment{"a": parts("t/0"), "b": parts("t/1")},
			"a: assigned [t/0] revoke [t/1] await []\nb: assigned [] revoke [] await [t/1]\n"},
		{"after the revocation is acknowledged",
			Assignment{"a": parts("t/0"), "b": nil},
			Assignment{"a": parts("t/0"), "b": parts("t/1")},
			"a: assigned [t/0] revoke [] await []\nb: assigned [t/1] revoke [] await []\n"},
		{"free partitions are assigned at once, alongside revocations",
			Assignment{"a": parts("t/1 t/0")},
			Assignment{"a": parts("t/0 t/2"), "b": parts("t/1 t/3")},
			"a: assigned [t/0 t/2] revoke [t/1] await []\nb: assigned [t/3] revoke [] await [t/1]\n"},
		{"a member that left revokes everything",
			Assignment{"gone": parts("t/0"), "a": parts("t/1")},
			Assignment{"a": parts("t/0 t/1")},
			"a: assigned [t/1] revoke [] await [t/0]\ngone: assigned [] revoke [t/0] await []\n"},
		{"swap",
			Assignment{"a": parts("t/0"), "b": parts("t/1")},
			Assignment{"a": parts("t/1"), "b": parts("t/0")},
			"a: assigned [] revoke [t/0] await [t/1]\nb: assigned [] revoke [t/1] await [t/0]\n"},
		{"two owners of one partition both revoke it",
			Assignment{"a": parts("t/0"), "b": parts("t/0 t/0")},
			Assignment{"a": parts("t/0")},
			"a: assigned [] revoke [t/0] await [t/0]\nb: assigned [] revoke [t/0] await []\n"},
		{"duplicates within a member are ignored",
			Assignment{"a": parts("t/0 t/0")},
			Assignment{"a": parts("t/0 t/0 t/1")},
			"a: assigned [t/0 t/1] revoke [] await []\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Reconcile(tc.owned, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if s := formatReconciliation(got); s != tc.want {
				t.Errorf("got\n%swant\n%s", s, tc.want)
			}
		})
	}

	_, err := Reconcile(nil, Assignment{"a": parts("t/0"), "b": parts("t/0")})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Member != "b" || ie.Topic != "t" || ie.Partition != 0 {
		t.Fatalf("conflicting target: %v", err)
	}
	if want := `assign: member "b": partition t/0: target also assigns it to member a`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// groupSim plays the coordinator and the members of a group through random
// membership changes, target changes and arbitrarily delayed deliveries and
// acknowledgements, following the protocol Reconcile documents, and checks
// that no partition ever has two consumers.
type groupSim struct {
	t        *testing.T
	r        *rand.Rand
	in       Input // members and topics; Current is the previous target
	target   Assignment
	owned    Assignment                         // the coordinator's view: acknowledged plus unacknowledged offers
	holding  map[string]map[TopicPartition]bool // what each member consumes
	inbox    map[string][][]TopicPartition      // sent Assigned lists not yet processed, oldest first
	steps    int
	assignor Assignor
}

func (s *groupSim) retarget() {
	s.in.Current = s.target
	target, err := s.assignor.Assign(s.in)
	if err != nil {
		s.t.Fatal(err)
	}
	s.target = target
}

// send runs Reconcile and offers every member its Assigned. The offer counts
// as owned until the member acknowledges something newer.
func (s *groupSim) send() {
	rs, err := Reconcile(s.owned, s.target)
	if err != nil {
		s.t.Fatal(err)
	}
	for id, r := range rs {
		if _, alive := s.holding[id]; !alive {
			continue
		}
		s.inbox[id] = append(s.inbox[id], r.Assigned)
		s.owned[id] = union(s.owned[id], r.Assigned)
	}
}

// deliver lets member id process its oldest message and acknowledge it: it
// now consumes exactly that Assigned; the coordinator's view becomes that
// plus what is still in flight.
func (s *groupSim) deliver(id string) {
	msg := s.inbox[id][0]
	s.inbox[id] = s.inbox[id][1:]
	h := make(map[TopicPartition]bool)
	for _, tp := range msg {
		h[tp] = true
	}
	s.holding[id] = h
	s.check()
	owned := slices.Clone(msg)
	for _, m := range s.inbox[id] {
		owned = union(owned, m)
	}
	s.owned[id] = owned
}

// crash kills member id: it stops consuming at once, and the coordinator,
// after its session timeout, forgets it.
func (s *groupSim) crash(id string) {
	delete(s.holding, id)
	delete(s.inbox, id)
	delete(s.owned, id)
	s.in.Members = slices.DeleteFunc(s.in.Members, func(m Member) bool { return m.ID == id })
	s.retarget()
}

func (s *groupSim) join(id string, topics []string) {
	s.holding[id] = map[TopicPartition]bool{}
	s.owned[id] = nil
	s.in.Members = append(s.in.Members, Member{ID: id, Topics: topics})
	s.retarget()
}

// check fails if two members consume one partition.
func (s *groupSim) check() {
	s.steps++
	seen := make(map[TopicPartition]string)
	for _, id := range sortedKeys(s.holding) {
		for tp := range s.holding[id] {
			if other, ok := seen[tp]; ok {
				s.t.Fatalf("step %d: %v consumed by %s and %s", s.steps, tp, other, id)
			}
			seen[tp] = id
		}
	}
}

func union(a, b []TopicPartition) []TopicPartition {
	s := slices.Concat(a, b)
	slices.SortFunc(s, TopicPartition.Compare)
	return slices.Compact(s)
}

func TestReconcileNeverDoubleAssigns(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for run := range iterations(t, 60) {
		s := &groupSim{
			t:        t,
			r:        r,
			in:       Input{Topics: topics("a", 1+r.IntN(8), "b", r.IntN(8), "c", 1+r.IntN(4))},
			owned:    Assignment{},
			holding:  map[string]map[TopicPartition]bool{},
			inbox:    map[string][][]TopicPartition{},
			assignor: mustNew(t, Names()[r.IntN(len(Names()))]),
		}
		subscriptions := [][]string{{"a", "b", "c"}, {"a"}, {"b", "c"}}
		next := 0
		for range 1 + r.IntN(5) {
			s.join(fmt.Sprintf("m%d", next), subscriptions[r.IntN(len(subscriptions))])
			next++
		}
		for range 200 {
			alive := sortedKeys(s.holding)
			switch x := r.IntN(20); {
			case x < 8:
				s.send()
			case x < 17:
				var waiting []string
				for _, id := range alive {
					if len(s.inbox[id]) > 0 {
						waiting = append(waiting, id)
					}
				}
				if len(waiting) > 0 {
					s.deliver(waiting[r.IntN(len(waiting))])
				}
			case x < 18 && len(alive) > 1:
				s.crash(alive[r.IntN(len(alive))])
			case x < 19:
				s.join(fmt.Sprintf("m%d", next), subscriptions[r.IntN(len(subscriptions))])
				next++
			default:
				// New partitions.
				tp := s.in.Topics["b"]
				tp.Partitions++
				s.in.Topics["b"] = tp
				s.retarget()
			}
		}

		// Quiesce: with no more changes, two rounds of delivered offers reach
		// the target.
		for range 2 {
			s.send()
			for _, id := range sortedKeys(s.holding) {
				for len(s.inbox[id]) > 0 {
					s.deliver(id)
				}
			}
		}
		for _, id := range sortedKeys(s.holding) {
			got := slices.SortedFunc(maps.Keys(s.holding[id]), TopicPartition.Compare)
			if want := s.target[id]; !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Fatalf("run %d: %s consumes %v, target %v", run, id, got, want)
			}
		}
	}
}
