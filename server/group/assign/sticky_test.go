package assign

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func sumSquares(out Assignment) int {
	n := 0
	for _, tps := range out {
		n += len(tps) * len(tps)
	}
	return n
}

// The reference the sticky assignors are held to must itself be right.
func TestOptimumMatchesExhaustiveSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	checked := 0
	for checked < iterations(t, 400) {
		in := genInput(r, genOptions{maxTopics: 3, maxPartitions: 4, maxMembers: 4})
		if totalPartitions(in) > 8 {
			continue
		}
		checked++
		ss, mv := optimum(in)
		if ess, emv := exhaustive(in); ss != ess || mv != emv {
			t.Fatalf("optimum (%d, %d), exhaustive (%d, %d) for %+v", ss, mv, ess, emv, in)
		}
	}
}

// stickyCase is one scenario for TestStickyAgainstOptimum.
type stickyCase struct {
	kind string
	in   Input
}

// stickyCases returns random heterogeneous groups: with a random (partly
// invalid) current assignment, and with one member joining or leaving a
// group whose current assignment is the assignor's own stable result.
func stickyCases(t *testing.T, r *rand.Rand, a Assignor, n int) []stickyCase {
	var cases []stickyCase
	for range n {
		in := genInput(r, genOptions{maxTopics: 5, maxPartitions: 20, maxMembers: 10})
		cases = append(cases, stickyCase{"random current", in})

		in.Current = nil
		stable, err := a.Assign(in)
		if err != nil {
			t.Fatal(err)
		}
		join := deepCopy(in)
		join.Current = stable
		topics := in.Members[r.IntN(len(in.Members))].Topics
		if r.IntN(2) == 0 {
			topics = []string{fmt.Sprintf("t%d", r.IntN(3)), fmt.Sprintf("t%d", r.IntN(6))}
		}
		join.Members = append(join.Members, Member{ID: "joiner", Topics: topics})
		cases = append(cases, stickyCase{"join", join})

		if len(in.Members) > 1 {
			leave := deepCopy(in)
			leave.Current = stable
			leave.Members = slices.Delete(leave.Members, 0, 1)
			cases = append(cases, stickyCase{"leave", leave})
		}
	}
	return cases
}

// TestStickyAgainstOptimum compares sticky and uniform with the exact
// optimum computed by min-cost flow. Balance must be optimal in every case:
// that is guaranteed. Moves are not guaranteed minimal for heterogeneous
// subscriptions. On this seeded corpus they are; on about 23,000 more cases
// of the same kinds (other seeds, tried while developing) 0.2% were above the
// minimum, none by more than 2. The test pins the bound of 2 and allows 1%.
func TestStickyAgainstOptimum(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	for _, name := range []string{"sticky", "uniform"} {
		a := mustNew(t, name)
		excess := make(map[string]map[int]int)
		cases := stickyCases(t, r, a, iterations(t, 200))
		above := 0
		for i, c := range cases {
			out, err := a.Assign(c.in)
			if err != nil {
				t.Fatal(err)
			}
			ss, mv := optimum(c.in)
			if got := sumSquares(out); got != ss {
				t.Fatalf("%s case %d (%s): sum of squared loads %d, optimum %d\n%+v\n%s", name, i, c.kind, got, ss, c.in, format(out))
			}
			got := moves(c.in, out)
			if got > mv+2 {
				t.Fatalf("%s case %d (%s): %d moves, minimum %d\n%+v\n%s", name, i, c.kind, got, mv, c.in, format(out))
			}
			if excess[c.kind] == nil {
				excess[c.kind] = make(map[int]int)
			}
			excess[c.kind][got-mv]++
			if got > mv {
				above++
			}
		}
		t.Logf("%s: moves above the minimum, by scenario: %v", name, excess)
		if above*100 > len(cases) {
			t.Errorf("%s: %d of %d cases above the minimum number of moves", name, above, len(cases))
		}
	}
}

// With identical subscriptions stickiness is exact: a joining member takes
// exactly its share, all of it from others (the minimum), and when a member
// leaves only its partitions move.
func TestStickinessHomogeneousJoinLeave(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(13, 14))
	for i := range iterations(t, 300) {
		in := genInput(r, genOptions{maxTopics: 6, maxPartitions: 40, maxMembers: 40, homogeneous: true})
		in.Current = nil
		for _, name := range []string{"sticky", "uniform"} {
			a := mustNew(t, name)
			stable, err := a.Assign(in)
			if err != nil {
				t.Fatal(err)
			}
			join := deepCopy(in)
			join.Current = stable
			join.Members = append(join.Members, Member{ID: "joiner", Topics: in.Members[0].Topics})
			out, err := a.Assign(join)
			if err != nil {
				t.Fatal(err)
			}
			total := totalPartitions(join)
			if got, share := moves(join, out), len(out["joiner"]); got != share || share != total/len(join.Members) {
				t.Fatalf("case %d %s join: %d moves, joiner got %d of %d partitions for %d members",
					i, name, got, share, total, len(join.Members))
			}
			if len(in.Members) < 2 {
				continue
			}
			leave := deepCopy(in)
			leave.Current = stable
			k := r.IntN(len(leave.Members))
			leave.Members = slices.Delete(leave.Members, k, k+1)
			out, err = a.Assign(leave)
			if err != nil {
				t.Fatal(err)
			}
			if got := moves(leave, out); got != 0 {
				t.Fatalf("case %d %s leave: %d partitions of staying members moved", i, name, got)
			}
			for class, c := range loadsByClass(leave, out) {
				if spreadOf(c.loads) > 1 {
					t.Fatalf("case %d %s leave: class %s loads %v", i, name, class, c.loads)
				}
			}
		}
	}
}
